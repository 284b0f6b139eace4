/**
 * The floor under a collector's wall time: what the same requests cost with no exporter at all.
 * A bare node:http client (keep-alive, at most `concurrency` requests in flight, each signed, each
 * answer read to the end and not parsed) sends a run's worth of requests of the collector's
 * interface, with bodies shaped like the exporter's, to the same simulator. The difference
 * between a collector's wall time and this floor is what the exporter adds (validation, signing,
 * parsing, mapping, its event loop); the rest is the machine's loopback and scheduling.
 */
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { formatAuthTimestamp, signAuthV2 } from '../src/cms/auth-v2-signer.js';
import { DEFAULT_CMS_PATHS } from '../src/cms/cms-paths.js';
import { sysindexPageSize } from '../src/cms/cms-client.js';
import { formatCmsDate } from '../src/cms/sysindex-window.js';
import { scenarioVdns, type BenchScenario, type CollectorName } from './bench-scenarios.js';

/** One request of the replay. */
interface FloorRequest {
  path: string;
  body: string;
}

/** Five minutes, ms: a sysindex period. */
const PERIOD_MS = 5 * 60_000;

/**
 * `count` requests like the ones a run of `collector` sends. sysindex: the VDN batches of 100
 * with the incremental window of a later run (the open period); access_codes: one request per
 * VDN with its codes (500 at most); agent_calls: one per watched agent, cycling through them when
 * `count` also covers the calls' info requests; cti_server_time: the one clock request.
 */
export function floorRequests(s: BenchScenario, collector: CollectorName, count: number): FloorRequest[] {
  const vdns = scenarioVdns(s);
  let one: (i: number) => FloorRequest;
  switch (collector) {
    case 'sysindex': {
      const end = new Date();
      const begin = new Date(Math.floor(end.getTime() / PERIOD_MS) * PERIOD_MS);
      const window = { beginDate: formatCmsDate(begin), endDate: formatCmsDate(end) };
      one = (i) => {
        const batch = vdns.slice((i * 100) % vdns.length, ((i * 100) % vdns.length) + 100).map((v) => v.id);
        const limit = sysindexPageSize(batch.length, begin, end);
        return { path: DEFAULT_CMS_PATHS.sysindex, body: JSON.stringify({ ccId: 1, vdn: batch, ...window, limit, offset: 0 }) };
      };
      break;
    }
    case 'access_codes':
      one = (i) => {
        const v = vdns[i % vdns.length]!;
        return { path: DEFAULT_CMS_PATHS.accessCodeCallInfo, body: JSON.stringify({ ccId: 1, vdn: v.id, innoIds: v.accessCodes.slice(0, 500) }) };
      };
      break;
    case 'agent_calls': {
      const agents = vdns.flatMap((v) => v.agents.map((agentId) => ({ vdn: v.id, agentId })));
      one = (i) => {
        const a = agents[i % agents.length]!;
        return { path: DEFAULT_CMS_PATHS.agentCalls, body: JSON.stringify({ ccId: 1, vdn: a.vdn, agentId: a.agentId }) };
      };
      break;
    }
    case 'cti_server_time':
      one = () => ({ path: DEFAULT_CMS_PATHS.ctiServerTime, body: JSON.stringify({ ccId: 1 }) });
      break;
  }
  return Array.from({ length: count }, (_, i) => one(i));
}

/**
 * Sends `requests` to `baseUrl` with at most `concurrency` in flight, `runs` times after one
 * untimed run (connections opened, code warmed up); resolves with each timed run's wall time,
 * seconds (`runs` 0: only the untimed run, to warm the simulator up). Fails on any answer that
 * is not HTTP 200, so a floor is never measured on errors.
 */
export async function measureRequestFloor(o: {
  baseUrl: string;
  accessKey: string;
  secretKeyFile: string;
  concurrency: number;
  requests: readonly FloorRequest[];
  runs: number;
}): Promise<number[]> {
  const credentials = { accessKey: o.accessKey, secretKey: readFileSync(o.secretKeyFile, 'utf8').trim() };
  const base = new URL(o.baseUrl);
  const agent = new http.Agent({ keepAlive: true });
  const send = (r: FloorRequest): Promise<void> =>
    new Promise((resolve, reject) => {
      const headers: Record<string, string> = { host: base.host, 'content-type': 'application/json;charset=UTF-8' };
      const authorization = signAuthV2({ method: 'POST', path: r.path, headers, body: r.body }, credentials, formatAuthTimestamp(new Date()));
      const req = http.request(new URL(r.path, base), { method: 'POST', agent, headers: { ...headers, authorization } }, (res) => {
        res.on('data', () => {});
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`request floor: HTTP ${res.statusCode} from the simulator`))));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(r.body);
    });
  const run = async (): Promise<number> => {
    const started = performance.now();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < o.requests.length) await send(o.requests[next++]!);
    };
    await Promise.all(Array.from({ length: Math.min(o.concurrency, o.requests.length) }, worker));
    return (performance.now() - started) / 1000;
  };
  try {
    await run();
    const walls: number[] = [];
    for (let i = 0; i < o.runs; i++) walls.push(await run());
    return walls;
  } finally {
    agent.destroy();
  }
}
