/**
 * The exporter's HTTP server under abuse, with the whole app running against an in-process
 * simulator and every collector at 1 s: oversized and malformed requests, unknown methods and
 * paths, slowloris clients and a thousand concurrent scrapes. Each phase must get sane answers
 * and must not disturb polling: every collector keeps succeeding (aicc_up stays 1, its last
 * success advances during the phase, read in-process, not over the abused server), nothing is
 * logged at error level, and the process still answers /-/healthy and /-/ready.
 */
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startApp, type RunningApp } from '../../src/app.js';
import { demoConfig } from '../../src/config/index.js';
import { DEMO_ACCESS_KEY, DEMO_SECRET_KEY, generateScenario, startSimulator, type RunningSimulator } from '../../src/simulator/start-simulator.js';
import { captureLogger } from '../helpers/capture-logger.js';
import { parseExposition } from '../helpers/parse-exposition.js';

const COLLECTORS = ['sysindex', 'access_codes', 'cti_server_time', 'agent_calls'];
/** Each phase lasts at least this long, so that every 1 s collector runs during it, ms. */
const MIN_PHASE_MS = 3_000;
/** ... and at most this long, waiting for every collector to succeed once more, ms. */
const MAX_PHASE_MS = 30_000;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

let sim: RunningSimulator;
let app: RunningApp;
let port: number;
const log = captureLogger('info');

beforeAll(async () => {
  sim = await startSimulator({ scenario: generateScenario({ vdnsPerCallCenter: 2, accessCodesPerVdn: 2, agentsPerVdn: 3 }) });
  const every = (key: string) => ({ [`collectors.${key}.intervalSeconds`]: 1 });
  const config = demoConfig(sim.url, DEMO_ACCESS_KEY, DEMO_SECRET_KEY, sim.scenario.callCenters, {
    'listen.host': '127.0.0.1',
    'listen.port': 0,
    'cms.retries': 0,
    ...every('sysindex'), ...every('accessCodes'), ...every('ctiServerTime'), ...every('agentCalls'),
  });
  app = await startApp({ config, logger: log.logger });
  port = app.port;
  await vi.waitFor(() => expect(app.ready()).toBe(true), { timeout: 15_000, interval: 100 });
});

afterAll(async () => {
  await app?.stop();
  await sim?.close();
});

/** aicc_up and last-success per collector, read from the self metrics in-process. */
async function pollingState(): Promise<Map<string, { up: number; lastSuccess: number }>> {
  const parsed = parseExposition(await app.metrics.self.render('text'), 'text');
  const state = new Map<string, { up: number; lastSuccess: number }>();
  for (const name of COLLECTORS) {
    const labels = { collector: name, cc_id: '1' };
    state.set(name, {
      up: parsed.value('aicc_up', labels) ?? Number.NaN,
      lastSuccess: parsed.value('aicc_collector_last_success_timestamp_seconds', labels) ?? Number.NaN,
    });
  }
  return state;
}

/**
 * Repeats `round` of abuse for at least MIN_PHASE_MS and until every collector's last success
 * has advanced past the phase's start (at most MAX_PHASE_MS), watching aicc_up all along; then
 * asserts that the collectors did advance while the abuse went on, never went down, nothing was
 * logged at error level, and the process is healthy and ready.
 */
async function expectPollingUndisturbed(round: () => Promise<void>): Promise<number> {
  const before = await pollingState();
  const lagging = async () =>
    [...(await pollingState())].filter(([n, s]) => !(s.lastSuccess > (before.get(n)?.lastSuccess ?? Infinity))).map(([n]) => n);
  const downs: string[] = [];
  let watching = true;
  const watcher = (async () => {
    while (watching) {
      for (const [name, s] of await pollingState()) if (s.up !== 1) downs.push(`${name} up=${s.up}`);
      await sleep(200);
    }
  })();
  const started = Date.now();
  let rounds = 0;
  try {
    do {
      await round();
      rounds++;
    } while ((Date.now() - started < MIN_PHASE_MS || (await lagging()).length > 0) && Date.now() - started < MAX_PHASE_MS);
  } finally {
    watching = false;
    await watcher;
  }
  expect(await lagging(), 'collectors whose last success did not advance during the abuse').toEqual([]);
  expect(downs).toEqual([]);
  expect(log.lines().filter((l) => l.level === 'error' || l.level === 'fatal')).toEqual([]);
  expect((await get('/-/healthy')).status).toBe(200);
  expect((await get('/-/ready')).status).toBe(200);
  return rounds;
}

/** A plain request on a fresh connection. */
function get(path: string, method = 'GET', body?: Buffer): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString() }));
    });
    req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

/** Writes raw bytes and returns everything the server sends until it closes (or 10 s pass). */
function rawExchange(bytes: string | Buffer): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(done, 10_000);
    socket.on('data', (d: Buffer) => (answer += d.toString('latin1')));
    socket.on('error', done);
    socket.on('close', done);
    socket.write(bytes, () => socket.end());
  });
}

const statusOf = (answer: string): number => Number(/^HTTP\/1\.[01] (\d{3})/.exec(answer)?.[1] ?? 0);

describe('HTTP abuse does not disturb polling', () => {
  it('oversized headers, malformed requests, unknown methods and paths get 4xx (or a close)', async () => {
    await expectPollingUndisturbed(async () => {
      const big = await rawExchange(`GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(70 * 1024)}\r\n\r\n`);
      expect([0, 431]).toContain(statusOf(big));
      const flood = await rawExchange(`GET /metrics HTTP/1.1\r\nHost: x\r\n${'X-A: b\r\n'.repeat(128 * 1024)}\r\n`);
      expect([0, 431]).toContain(statusOf(flood));
      expect([0, 414, 431]).toContain(statusOf(await rawExchange(`GET /${'p'.repeat(100 * 1024)} HTTP/1.1\r\nHost: x\r\n\r\n`)));
      // More headers than maxHeadersCount (100): the extras are dropped, the request is served.
      const many = Array.from({ length: 300 }, (_, i) => `X-H${i}: v`).join('\r\n');
      expect(statusOf(await rawExchange(`GET /-/healthy HTTP/1.1\r\nHost: x\r\n${many}\r\n\r\n`))).toBe(200);
      for (const garbage of ['\u0000\u0001\u0002 garbage\r\n\r\n', 'BREW /metrics HTTP/1.1\r\nHost: x\r\n\r\n', 'GET /metrics HTTP/9.9\r\n\r\n']) {
        expect([0, 400, 505]).toContain(statusOf(await rawExchange(garbage)));
      }
      // A version-less (HTTP/0.9 style) request line: Node serves it as a plain GET.
      expect([0, 200, 400]).toContain(statusOf(await rawExchange('GET /-/healthy\r\n\r\n')));
      expect([0, 400, 404, 405]).toContain(statusOf(await rawExchange('CONNECT 127.0.0.1:1 HTTP/1.1\r\nHost: 127.0.0.1:1\r\n\r\n')));

      const propfind = await get('/metrics', 'PROPFIND');
      expect(propfind.status).toBe(405);
      expect(propfind.headers.allow).toBe('GET, HEAD');
      expect((await get('/', 'TRACE')).status).toBe(405);
      expect((await get('/-/reload', 'DELETE')).status).toBe(405);
      expect((await get('/-/reload', 'POST')).status).toBe(403);
      expect((await get('/metrics', 'POST', Buffer.alloc(5 * 1024 * 1024, 0x61))).status).toBe(405);
      for (const path of ['/nope', '/metrics/', '/METRICS', '/%ff%fe', '/../../etc/passwd', '/-/', '/favicon.ico']) {
        expect((await get(path)).status, path).toBe(404);
      }
      expect(statusOf(await rawExchange('OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n'))).toBe(404);
      expect((await get('/metrics')).status).toBe(200);
    });
  }, 90_000);

  it('slowloris clients (a header byte per second) do not block scrapes', async () => {
    const slow: Socket[] = [];
    let answeredEarly = 0;
    try {
      for (let i = 0; i < 50; i++) {
        const s = connect(port, '127.0.0.1');
        s.on('error', () => undefined);
        s.on('data', () => answeredEarly++);
        s.write('GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: ');
        slow.push(s);
      }
      const rounds = await expectPollingUndisturbed(async () => {
        await sleep(1_000);
        for (const s of slow) if (!s.destroyed) s.write('a');
        const scrape = await get('/metrics');
        expect(scrape.status).toBe(200);
        expect(parseExposition(scrape.text, 'text').value('aicc_up', { collector: 'sysindex', cc_id: '1' })).toBe(1);
      });
      expect(rounds).toBeGreaterThanOrEqual(3);
    } finally {
      for (const s of slow) s.destroy();
    }
    // An unfinished request is never answered as if it were complete.
    expect(answeredEarly).toBe(0);
  }, 90_000);

  it('a thousand concurrent connections scraping /metrics all get a full answer', async () => {
    const limit = Number(spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).stdout.trim());
    // Client and server side of each connection live in this process: two descriptors each.
    const connections = Number.isFinite(limit) ? Math.min(1000, Math.floor((limit - 500) / 2)) : 1000;
    expect(connections, `ulimit -n is ${limit}`).toBeGreaterThanOrEqual(100);
    const statuses = new Map<number, number>();
    let complete = 0;
    const rounds = await expectPollingUndisturbed(async () => {
      const answers = await Promise.all(
        Array.from({ length: connections }, () => get('/metrics').catch((err: Error) => ({ status: -1, text: err.message, headers: {} }))),
      );
      for (const a of answers) {
        statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
        if (a.status === 200 && a.text.includes('aicc_exporter_build_info')) complete++;
      }
    });
    // Every connection of every round got a 200 with the whole body.
    expect(Object.fromEntries(statuses)).toEqual({ 200: connections * rounds });
    expect(complete).toBe(connections * rounds);
  }, 180_000);
});
