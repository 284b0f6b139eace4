/**
 * The inhibition rules of deploy/alertmanager/alertmanager.yml, in a real Alertmanager on
 * 127.0.0.1: alerts are posted through its API and their `suppressed` / `active` state read back.
 * The example webhook URLs are rewritten to a loopback sink first, so nothing leaves the machine.
 * Skipped locally without the binary; under CI a missing binary fails the file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALERTMANAGER_CONFIG, findPrometheusTool, toolOrSkip } from '../helpers/rules-for-e2e.js';

const binary = findPrometheusTool('alertmanager') ?? toolOrSkip('prometheus-alertmanager');

async function freePort(): Promise<number> {
  const srv = createNetServer();
  await new Promise<void>((res) => srv.listen(0, '127.0.0.1', res));
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((res) => srv.close(() => res()));
  return port;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

const base = { job: 'aicc-exporter', instance: 'exp-0:9464' };
/** name -> labels, and whether the configuration must suppress it. */
const ALERTS: Record<string, { labels: Record<string, string>; suppressed: boolean }> = {
  warnTwin: { labels: { ...base, alertname: 'AiccQueueWaitTimeHigh', severity: 'warning', cc_id: '2', vdn: '20', access_code: '2001' }, suppressed: true },
  critTwin: { labels: { ...base, alertname: 'AiccQueueWaitTimeHigh', severity: 'critical', cc_id: '2', vdn: '20', access_code: '2001' }, suppressed: false },
  queueOfFailingCc: { labels: { ...base, alertname: 'AiccQueueWaitTimeHigh', severity: 'warning', cc_id: '1', vdn: '10', access_code: '1001' }, suppressed: true },
  failing: { labels: { ...base, alertname: 'AiccCollectorFailing', severity: 'warning', cc_id: '1', collector: 'access_codes' }, suppressed: false },
  staleOfFailing: { labels: { ...base, alertname: 'AiccDataStale', severity: 'warning', cc_id: '1', collector: 'access_codes' }, suppressed: true },
  skewOtherCc: { labels: { ...base, alertname: 'AiccCtiClockSkew', severity: 'warning', cc_id: '3' }, suppressed: false },
  down: { labels: { job: 'aicc-other', instance: 'exp-9:9464', alertname: 'AiccExporterDown', severity: 'critical' }, suppressed: false },
  shardsOfDownJob: { labels: { job: 'aicc-other', alertname: 'AiccShardsMissing', severity: 'warning' }, suppressed: true },
};

describe.skipIf(binary === null)('alertmanager.yml inhibition (real Alertmanager)', () => {
  let dir = '';
  let sink: Server | undefined;
  let am: ChildProcess | undefined;
  let url = '';
  let log = '';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aicc-am-'));
    sink = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((res) => sink?.listen(0, '127.0.0.1', res));
    const sinkPort = (sink.address() as AddressInfo).port;
    const original = await readFile(ALERTMANAGER_CONFIG, 'utf8');
    const config = original.replaceAll('https://alerts.example.com/', `http://127.0.0.1:${sinkPort}/`);
    expect(config).not.toMatch(/example\.com/);
    await writeFile(join(dir, 'alertmanager.yml'), config, 'utf8');
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    am = spawn(binary as string, [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    am.stdout?.on('data', (b: Buffer) => (log += b.toString()));
    am.stderr?.on('data', (b: Buffer) => (log += b.toString()));
    await until('Alertmanager ready', async () => ((await fetch(`${url}/-/ready`)).ok ? true : undefined)).catch((e: Error) => {
      throw new Error(`${e.message}\n${log.slice(-2000)}`);
    });
  });

  afterAll(async () => {
    if (am && am.exitCode === null) {
      const exited = new Promise((res) => am?.once('exit', res));
      am.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
      if (am.exitCode === null) am.kill('SIGKILL');
    }
    if (sink) await new Promise((res) => sink?.close(res));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('suppresses warning twins, data alerts of a failing call center, stale-of-failing, and a down job\u2019s other alerts', async () => {
    const body = Object.values(ALERTS).map((a) => ({ labels: a.labels, annotations: { summary: 'test' } }));
    const post = await fetch(`${url}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(post.status).toBe(200);

    type Got = { labels: Record<string, string>; status: { state: string } };
    const key = (l: Record<string, string>): string => JSON.stringify(Object.entries(l).sort());
    const expected = new Map(Object.entries(ALERTS).map(([name, a]) => [key(a.labels), { name, state: a.suppressed ? 'suppressed' : 'active' }]));
    // Inhibition follows the alerts asynchronously: wait until every state is the expected one.
    let states: Record<string, string> = {};
    await until('the expected alert states', async () => {
      const got = (await (await fetch(`${url}/api/v2/alerts`)).json()) as Got[];
      states = Object.fromEntries(got.map((g) => [expected.get(key(g.labels))?.name ?? key(g.labels), g.status.state]));
      const ok = got.length === expected.size && got.every((g) => expected.get(key(g.labels))?.state === g.status.state);
      return ok ? true : undefined;
    }).catch(() => undefined);
    expect(states).toEqual(Object.fromEntries(Object.entries(ALERTS).map(([name, a]) => [name, a.suppressed ? 'suppressed' : 'active'])));
  });
});
