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
import { setTimeout as sleep } from 'node:timers/promises';
import { formatAuthTimestamp, signAuthV2 } from '../src/cms/auth-v2-signer.js';
import { DEFAULT_CMS_PATHS } from '../src/cms/cms-paths.js';
import { sysindexPageSize } from '../src/cms/cms-client.js';
import { CMS_CONTENT_TYPE } from '../src/cms/cms-transport.js';
import { ACCESS_CODE_MAX_INNO_IDS, chunk, SYSINDEX_MAX_VDNS } from '../src/cms/request-limits.js';
import { PERIOD_MS } from '../src/collectors/sysindex-memory.js';
import { formatCmsDate } from '../src/cms/sysindex-window.js';
import { scenarioVdns, type BenchScenario, type CollectorName } from './bench-scenarios.js';

/** One request of the replay. */
interface FloorRequest {
  path: string;
  body: string;
}

/** The requests of one run of `collector` under the documented limits, in the exporter's order. */
function oneRun(s: BenchScenario, collector: CollectorName): FloorRequest[] {
  const vdns = scenarioVdns(s);
  const request = (path: string, body: object): FloorRequest => ({ path, body: JSON.stringify(body) });
  switch (collector) {
    case 'sysindex': {
      // A later run's incremental window: the open period.
      const end = new Date();
      const begin = new Date(Math.floor(end.getTime() / PERIOD_MS) * PERIOD_MS);
      const window = { beginDate: formatCmsDate(begin), endDate: formatCmsDate(end) };
      return chunk(vdns.map((v) => v.id), SYSINDEX_MAX_VDNS).map((vdn) =>
        request(DEFAULT_CMS_PATHS.sysindex, { ccId: 1, vdn, ...window, limit: sysindexPageSize(vdn.length, begin, end), offset: 0 }),
      );
    }
    case 'access_codes':
      return vdns.flatMap((v) =>
        chunk(v.accessCodes, ACCESS_CODE_MAX_INNO_IDS).map((innoIds) => request(DEFAULT_CMS_PATHS.accessCodeCallInfo, { ccId: 1, vdn: v.id, innoIds })),
      );
    case 'agent_calls':
      return vdns.flatMap((v) => v.agents.map((agentId) => request(DEFAULT_CMS_PATHS.agentCalls, { ccId: 1, vdn: v.id, agentId })));
    case 'cti_server_time':
      return [request(DEFAULT_CMS_PATHS.ctiServerTime, { ccId: 1 })];
  }
}

/**
 * `count` requests like the ones a run of `collector` sends, repeating the run's requests when
 * `count` is larger: agent_calls' count includes the calls' info requests, which are replayed as
 * more agent requests (same size, same interface family).
 */
export function floorRequests(s: BenchScenario, collector: CollectorName, count: number): FloorRequest[] {
  const run = oneRun(s, collector);
  return Array.from({ length: count }, (_, i) => run[i % run.length]!);
}

/**
 * Sends `requests` to `baseUrl` with at most `concurrency` in flight, `runs` times after one
 * untimed run (connections opened, code warmed up); resolves with each timed run's wall time,
 * seconds (`runs` 0: only the untimed run, to warm the simulator up). Each run starts
 * `intervalMs` after the one before started (at once if that one took longer), as the
 * exporter's scheduler starts runs: both ends then wake from the same idle spell before each
 * run, which back-to-back runs would hide. Fails on any answer that is not HTTP 200, so a floor
 * is never measured on errors.
 */
export async function measureRequestFloor(o: {
  baseUrl: string;
  accessKey: string;
  secretKeyFile: string;
  concurrency: number;
  requests: readonly FloorRequest[];
  runs: number;
  /** Start-to-start spacing of the runs, ms (default 0: back to back). */
  intervalMs?: number;
}): Promise<number[]> {
  const credentials = { accessKey: o.accessKey, secretKey: readFileSync(o.secretKeyFile, 'utf8').trim() };
  const base = new URL(o.baseUrl);
  const agent = new http.Agent({ keepAlive: true });
  const send = (r: FloorRequest): Promise<void> =>
    new Promise((resolve, reject) => {
      const headers: Record<string, string> = { host: base.host, 'content-type': CMS_CONTENT_TYPE };
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
  const spacing = o.intervalMs ?? 0;
  let startedAt = performance.now();
  const nextRun = async (): Promise<number> => {
    await sleep(Math.max(0, startedAt + spacing - performance.now()));
    startedAt = performance.now();
    return run();
  };
  try {
    await run();
    const walls: number[] = [];
    for (let i = 0; i < o.runs; i++) walls.push(await nextRun());
    return walls;
  } finally {
    agent.destroy();
  }
}
