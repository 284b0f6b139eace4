// The soak's scraper, in a worker thread so that its timing does not wait for the driver's main
// thread (which runs the simulator and checks every sample). GET /metrics `perSecond` times a
// second over keep-alive connections, as Prometheus would; one scrape in 20 asks for
// OpenMetrics with gzip, the rest for text 0.0.4. Posts one message per scrape:
//   { type: 'plain', startMs, ms, body } | { type: 'om', startMs, ms } | { type: 'fail', reason } | { type: 'skip' }
// and { type: 'stopped' } once asked to stop (message 'stop') and every scrape has settled.
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { gunzipSync } from 'node:zlib';

const PROMETHEUS_ACCEPT =
  'application/openmetrics-text;version=1.0.0;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2';
const MAX_IN_FLIGHT = 4;
const TIMEOUT_MS = 5_000;

const { url, perSecond } = workerData;
const agent = new Agent({ keepAlive: true, maxSockets: MAX_IN_FLIGHT });
const open = new Set();
let inFlight = 0;
let ticks = 0;
let timer = null;

function get(openMetricsGzip) {
  const headers = openMetricsGzip ? { accept: PROMETHEUS_ACCEPT, 'accept-encoding': 'gzip' } : { accept: 'text/plain;version=0.0.4' };
  return new Promise((resolve, reject) => {
    const req = request(`${url}/metrics`, { agent, headers, timeout: TIMEOUT_MS }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end();
  });
}

async function scrape(openMetricsGzip) {
  inFlight++;
  const startMs = Date.now();
  const t = performance.now();
  try {
    const { status, body } = await get(openMetricsGzip);
    const ms = performance.now() - t;
    if (status !== 200) return parentPort.postMessage({ type: 'fail', reason: `HTTP ${status}` });
    if (!openMetricsGzip) return parentPort.postMessage({ type: 'plain', startMs, ms, body: body.toString('utf8') });
    const text = gunzipSync(body).toString('utf8');
    if (!text.endsWith('# EOF\n')) return parentPort.postMessage({ type: 'fail', reason: 'OpenMetrics body without # EOF' });
    parentPort.postMessage({ type: 'om', startMs, ms });
  } catch (err) {
    parentPort.postMessage({ type: 'fail', reason: err instanceof Error ? err.message : String(err) });
  } finally {
    inFlight--;
  }
}

const periodMs = 1000 / perSecond;
const t0 = performance.now();
function tick() {
  ticks++;
  if (inFlight >= MAX_IN_FLIGHT) parentPort.postMessage({ type: 'skip' });
  else {
    const p = scrape(ticks % 20 === 0);
    open.add(p);
    void p.finally(() => open.delete(p));
  }
  timer = setTimeout(tick, Math.max(0, t0 + ticks * periodMs - performance.now()));
}
tick();

parentPort.on('message', async (m) => {
  if (m !== 'stop') return;
  clearTimeout(timer);
  await Promise.all([...open]);
  agent.destroy();
  parentPort.postMessage({ type: 'stopped' });
  parentPort.close();
});
