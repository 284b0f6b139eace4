/**
 * /metrics scrape latency: N sequential GETs over one keep-alive connection, plain and with
 * `Accept-Encoding: gzip`, timed from sending the request to the last body byte. The floor is the
 * same bytes (captured from one scrape of the exporter) served by a bare node:http server (in a
 * worker thread of the benchmark process) from a Buffer, scraped the same way: what any Node
 * server on this machine pays to move those bytes, so the exporter's own cost is the difference.
 * The floor is measured between runs and, when the exporter is, during runs too: the simulator
 * and the exporter's run then take CPU from the scraper and the server alike.
 */
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { countSeries, Scraper } from './metrics-scraper.js';

/** Warm-up scrapes before each timed series (connection set up, code paths compiled); not counted. */
const WARMUP = 5;

/** Latency figures of one series of scrapes, milliseconds; bytes of one body. */
export interface LatencyFigures {
  scrapes: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  bytes: number;
}

/** Nearest-rank percentile of `values` (0 < q <= 1). */
export function percentile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

async function series(scraper: Scraper, url: string, gzip: boolean, n: number): Promise<LatencyFigures> {
  for (let i = 0; i < WARMUP; i++) await scraper.get(url, gzip, false);
  const ms: number[] = [];
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const r = await scraper.get(url, gzip, false);
    if (r.status !== 200) throw new Error(`GET ${url}: HTTP ${r.status}`);
    ms.push(r.ms);
    bytes = r.bytes;
  }
  return { scrapes: n, p50Ms: round2(percentile(ms, 0.5)), p99Ms: round2(percentile(ms, 0.99)), maxMs: round2(Math.max(...ms)), bytes };
}

/**
 * The floor server's code, run in a worker thread: a bare node:http server answering `/plain`
 * and `/gzip` (Content-Encoding: gzip) with fixed Buffers. A thread of its own, because a server
 * sharing the scraper's event loop would be slower than the exporter (a process of its own) and
 * so no floor at all.
 */
const FLOOR_SERVER = `
const http = require('node:http');
const { parentPort, workerData } = require('node:worker_threads');
const plain = Buffer.from(workerData.plain);
const gzip = Buffer.from(workerData.gzip);
const server = http.createServer((req, res) => {
  const zipped = req.url === '/gzip';
  const body = zipped ? gzip : plain;
  const headers = { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'content-length': body.length };
  if (zipped) headers['content-encoding'] = 'gzip';
  res.writeHead(200, headers);
  res.end(body);
});
server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
parentPort.on('message', () => { server.closeAllConnections(); server.close(() => process.exit(0)); });
`;

/** Starts the floor server thread with copies of the two bodies. */
async function startFloorServer(plain: Buffer, gzip: Buffer): Promise<{ url: string; close(): Promise<void> }> {
  const worker = new Worker(FLOOR_SERVER, { eval: true, workerData: { plain: new Uint8Array(plain), gzip: new Uint8Array(gzip) } });
  const [port] = (await once(worker, 'message')) as [number];
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      const exited = once(worker, 'exit');
      worker.postMessage('close');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
      await worker.terminate();
    },
  };
}

/** Everything the scrape figures report. */
export interface ScrapeFigures {
  series: number;
  /** Timed while no collector ran (each series started in a gap long enough for it). */
  betweenRuns: {
    exporter: { plain: LatencyFigures; gzip: LatencyFigures };
    floor: { plain: LatencyFigures; gzip: LatencyFigures };
    /** false when some series found no quiet gap (collectors busy all the time) and ran anyway. */
    quiet: boolean;
  };
  /**
   * Timed from just after a run of `collector` started (null when not measured); the floor
   * during two more runs (the exporter keeps polling, only the floor server is scraped).
   */
  duringRun: {
    collector: string;
    plain: LatencyFigures;
    gzip: LatencyFigures;
    floor: { plain: LatencyFigures; gzip: LatencyFigures };
  } | null;
}

/**
 * How the caller times the series: waits for a gap of at least `needMs` with no collector running
 * (false: none came in time), or for a run start.
 */
export interface ScrapeTiming {
  quietGap(needMs: number): Promise<boolean>;
  /** null: no series during a run. */
  runStart: { collector: string; wait(): Promise<void> } | null;
  /** Progress lines (which series is next). */
  progress(line: string): void;
}

/** Longest quiet gap a series waits for, ms: runs at default intervals leave about 10 s at large. */
const MAX_GAP_MS = 8_000;

/** Median of three untimed scrapes, ms: the basis of a series' expected length. */
async function typicalMs(scraper: Scraper, url: string, gzip: boolean): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < 3; i++) ms.push((await scraper.get(url, gzip, false)).ms);
  return percentile(ms, 0.5);
}

/**
 * Measures the exporter's /metrics between collector runs and (optionally) during a run, and the
 * in-memory floor with the same bytes, `n` scrapes per series. A series between runs waits for a
 * gap of 1.5 × its expected length + 0.5 s (at most MAX_GAP_MS).
 */
export async function measureScrapes(metricsUrl: string, n: number, timing: ScrapeTiming): Promise<ScrapeFigures> {
  const scraper = new Scraper();
  const floorScraper = new Scraper();
  let floorServer: Awaited<ReturnType<typeof startFloorServer>> | undefined;
  try {
    const plainScrape = await scraper.get(metricsUrl, false);
    const zipped = await scraper.get(metricsUrl, true);
    if (zipped.contentEncoding !== 'gzip') throw new Error('the exporter did not answer Accept-Encoding: gzip with gzip');
    const need = (oneMs: number): number => Math.min(MAX_GAP_MS, 1.5 * (n + WARMUP) * oneMs + 500);
    floorServer = await startFloorServer(plainScrape.body, zipped.body);
    const floorUrl = floorServer.url;

    timing.progress('scrapes: exporter between runs, then the floor');
    let quiet = await timing.quietGap(need(await typicalMs(scraper, metricsUrl, false)));
    const plain = await series(scraper, metricsUrl, false, n);
    quiet = (await timing.quietGap(need(await typicalMs(scraper, metricsUrl, true)))) && quiet;
    const gzip = await series(scraper, metricsUrl, true, n);
    const floorMs = (await typicalMs(floorScraper, `${floorUrl}/plain`, false)) + (await typicalMs(floorScraper, `${floorUrl}/gzip`, true));
    quiet = (await timing.quietGap(need(floorMs))) && quiet;
    const floor = { plain: await series(floorScraper, `${floorUrl}/plain`, false, n), gzip: await series(floorScraper, `${floorUrl}/gzip`, true, n) };

    let duringRun: ScrapeFigures['duringRun'] = null;
    if (timing.runStart) {
      timing.progress(`scrapes: exporter during ${timing.runStart.collector} runs`);
      await timing.runStart.wait();
      const duringPlain = await series(scraper, metricsUrl, false, n);
      await timing.runStart.wait();
      const duringGzip = await series(scraper, metricsUrl, true, n);
      timing.progress(`scrapes: the floor during ${timing.runStart.collector} runs`);
      await timing.runStart.wait();
      const floorPlain = await series(floorScraper, `${floorUrl}/plain`, false, n);
      await timing.runStart.wait();
      const floorGzip = await series(floorScraper, `${floorUrl}/gzip`, true, n);
      duringRun = {
        collector: timing.runStart.collector,
        plain: duringPlain,
        gzip: duringGzip,
        floor: { plain: floorPlain, gzip: floorGzip },
      };
    }
    return { series: countSeries(plainScrape.body), betweenRuns: { exporter: { plain, gzip }, floor, quiet }, duringRun };
  } finally {
    scraper.close();
    floorScraper.close();
    await floorServer?.close();
  }
}
