/**
 * The secret key and the Authorization header appear in nothing the exporter shows: not in the
 * /metrics bodies (both formats, gzip too), the landing page and the other endpoints of a running
 * app, its log, nor in the output of the CLI (`run` at debug level with SIGTERM, `--check-config`,
 * `calls` and `call`, also failing with a wrong secret). Every body and output is also recorded
 * for the end-of-suite grep (test/global-teardown.ts), whose list of secrets is used here too.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import http from 'node:http';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startApp, type RunningApp } from '../../src/app.js';
import { demoConfig } from '../../src/config/index.js';
import { DEMO_ACCESS_KEY, DEMO_SECRET_KEY, generateScenario, startSimulator, type RunningSimulator } from '../../src/simulator/start-simulator.js';
import { captureLogger, recordOutput } from '../helpers/capture-logger.js';
import { AUTHORIZATION_PATTERN, knownSecrets } from '../global-teardown.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const DIR = mkdtempSync(join(tmpdir(), 'aicc-sec-out-'));
/** A wrong key for the failing look-ups (also picked up by the end-of-suite grep). */
const WRONG = { secretKey: 'SEC-APP-wrong-sk-3f9a1c77' };
const SECRETS = knownSecrets();

/** Asserts that `text` holds no known secret and no Authorization header; records it. */
function expectClean(kind: string, what: string, text: string): void {
  recordOutput(kind, text);
  expect(SECRETS.filter((s) => text.includes(s)), `${what} shows a secret`).toEqual([]);
  expect(AUTHORIZATION_PATTERN.exec(text)?.[0], `${what} shows an Authorization header`).toBeUndefined();
}

let sim: RunningSimulator;
const children: ChildProcess[] = [];
beforeAll(async () => {
  sim = await startSimulator({ scenario: generateScenario({ vdnsPerCallCenter: 2, accessCodesPerVdn: 2, agentsPerVdn: 3 }) });
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await sim?.close();
  rmSync(DIR, { recursive: true, force: true });
});

/** Requests `path` of `base` with node:http (no automatic decoding); gzip bodies are decoded here. */
function fetchText(base: string, path: string, init: { method?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${path}`, { method: init.method ?? 'GET', headers: init.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const bytes = Buffer.concat(chunks);
        const gzip = res.headers['content-encoding'] === 'gzip';
        resolve({ status: res.statusCode ?? 0, text: (gzip ? gunzipSync(bytes) : bytes).toString('utf8') });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** Every page of a running exporter at `base`, each checked. */
async function expectPagesClean(base: string): Promise<void> {
  const pages: Array<[string, { method?: string; headers?: Record<string, string> }]> = [
    ['/metrics', {}],
    ['/metrics', { headers: { accept: 'application/openmetrics-text; version=1.0.0' } }],
    ['/metrics', { headers: { 'accept-encoding': 'gzip' } }],
    ['/', {}],
    ['/-/healthy', {}],
    ['/-/ready', {}],
    ['/nope', {}],
    ['/-/reload', { method: 'POST' }],
  ];
  for (const [path, init] of pages) {
    const { status, text } = await fetchText(base, path, init);
    expect(status).toBeLessThan(500);
    expectClean('http', `${init.method ?? 'GET'} ${path}`, text);
  }
}

function configFile(name: string, cms: Record<string, unknown> = {}): string {
  const file = join(DIR, `${name}.json`);
  const doc = {
    cms: { url: sim.url, accessKey: DEMO_ACCESS_KEY, secretKey: DEMO_SECRET_KEY, retries: 0, ...cms },
    callCenters: sim.scenario.callCenters,
    collectors: { sysindex: { intervalSeconds: 1 }, ctiServerTime: { intervalSeconds: 1 } },
  };
  writeFileSync(file, JSON.stringify(doc));
  return file;
}

/** Starts the CLI from source; `done` resolves with its exit code and whole output. */
function cli(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli.ts'), ...args], {
    cwd: ROOT,
    env: Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AICC_'))),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    child.on('exit', (code) => {
      clearTimeout(timer);
      child.stdout?.removeAllListeners();
      resolve({ code, stdout, stderr });
    });
  });
  return { child, done, stdout: () => stdout };
}

describe('no secret in what the exporter shows', () => {
  it('a running app, failing at first: /metrics (text, OpenMetrics, gzip), landing page, probes, 404, log', async () => {
    const log = captureLogger('trace');
    const config = demoConfig(sim.url, DEMO_ACCESS_KEY, DEMO_SECRET_KEY, sim.scenario.callCenters, {
      'listen.host': '127.0.0.1',
      'listen.port': 0,
    });
    // The first answers are 401s and malformed bodies, so that failures are logged and shown too.
    sim.faults.set('all', { unauthorized: true, times: 3 });
    sim.faults.set('sysindex', { malformedJson: true, times: 1 });
    let app: RunningApp | undefined;
    try {
      app = await startApp({ config, logger: log.logger });
      const running = app;
      await vi.waitFor(() => expect(running.ready()).toBe(true), { timeout: 15_000, interval: 100 });
      await vi.waitFor(() => expect(log.text()).toMatch(/HTTP 401/), { timeout: 15_000, interval: 100 });
      await expectPagesClean(app.url);
    } finally {
      await app?.stop();
    }
    expect(log.lines().filter((l) => l.level === 'warn').length).toBeGreaterThan(0);
    expectClean('log', 'the log', log.text());
  });

  it('the CLI: run (debug log, pages, SIGTERM), --check-config, calls, call; also with a wrong secret', async () => {
    const file = configFile('good');
    const run = cli(['--config', file, '--web.listen-address', '127.0.0.1:0', '--log.level', 'trace']);
    const url = await vi.waitFor(
      () => {
        const m = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(run.stdout());
        if (!m) throw new Error('not listening yet');
        return m[1]!;
      },
      { timeout: 30_000, interval: 200 },
    );
    await vi.waitFor(async () => expect((await fetchText(url, '/-/ready')).status).toBe(200), { timeout: 20_000, interval: 200 });
    await expectPagesClean(url);
    run.child.kill('SIGTERM');
    const ran = await run.done;
    expect(ran.code).toBe(0);
    expect(ran.stdout).toMatch(/"msg":"shutting down"/);
    expectClean('cli', 'run output', ran.stdout + ran.stderr);

    const check = await cli(['--check-config', '--config', file]).done;
    expect(check.code).toBe(0);
    expectClean('cli', '--check-config output', check.stdout + check.stderr);

    const cc = sim.scenario.callCenters[0]!;
    const busy = cc.vdns.flatMap((v) => v.agents.map((a) => ({ vdn: v, agent: a }))).find(({ vdn: v, agent: a }) => sim.model.agentCalls(cc.ccId, v.id, a).length > 0);
    const { vdn, agent } = busy ?? { vdn: cc.vdns[0]!, agent: cc.vdns[0]!.agents[0]! };
    const calls = await cli(['calls', '--config', file, '--cc', String(cc.ccId), '--vdn', String(vdn.id), '--agent', String(agent)]).done;
    expect(calls.code, calls.stderr).toBe(0);
    expectClean('cli', 'calls output', calls.stdout + calls.stderr);
    const callId = calls.stdout.split('\n')[0];
    if (callId) {
      const call = await cli(['call', '--config', file, '--cc', String(cc.ccId), '--vdn', String(vdn.id), '--json', callId]).done;
      // 1: the call ended between the two look-ups (the simulator runs in real time).
      expect([0, 1], call.stderr).toContain(call.code);
      expectClean('cli', 'call output', call.stdout + call.stderr);
    }

    const wrong = configFile('wrong', WRONG);
    const refused = await cli(['calls', '--config', wrong, '--cc', String(cc.ccId), '--vdn', String(vdn.id), '--agent', String(agent)]).done;
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/HTTP 401/);
    expectClean('cli', 'calls output with a wrong secret', refused.stdout + refused.stderr);
  }, 120_000);
});
