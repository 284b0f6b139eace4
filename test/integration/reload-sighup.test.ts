/**
 * SIGHUP reloads a running `aicc-exporter run --config FILE` (the spawned CLI): a VDN added to
 * the file appears in /metrics; an invalid file is logged with its problems and the process
 * keeps serving the old configuration; SIGTERM still stops it with exit code 0.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { DEMO_ACCESS_KEY, DEMO_SECRET_KEY, generateScenario, startSimulator, type RunningSimulator } from '../../src/simulator/start-simulator.js';
import { recordOutput } from '../helpers/capture-logger.js';
import { parseExposition } from '../helpers/parse-exposition.js';

const ROOT = process.cwd();
const SCENARIO = generateScenario({ callCenters: 1, vdnsPerCallCenter: 4, accessCodesPerVdn: 1, agentsPerVdn: 1 });

function writeConfig(dir: string, url: string, callCenters: unknown): string {
  writeFileSync(join(dir, 'secret-key'), DEMO_SECRET_KEY);
  const interval = { intervalSeconds: 1 };
  const file = join(dir, 'config.yml');
  writeFileSync(
    file,
    stringify({
      listen: { host: '127.0.0.1', port: 0 },
      cms: { url, accessKey: DEMO_ACCESS_KEY, secretKeyFile: 'secret-key' },
      callCenters,
      collectors: { sysindex: interval, accessCodes: interval, ctiServerTime: interval, agentCalls: interval },
    }),
  );
  return file;
}

function withVdns(ids: number[]): unknown {
  const cc = SCENARIO.callCenters[0]!;
  return [{ ccId: cc.ccId, vdns: cc.vdns.filter((v) => ids.includes(v.id)) }];
}

async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function exportedVdns(url: string): Promise<string[]> {
  const res = await fetch(`${url}/metrics`);
  const parsed = parseExposition(await res.text(), 'text');
  return (parsed.family('aicc_agents_online')?.samples ?? []).map((s) => s.labels['vdn']!).sort();
}

describe('SIGHUP', () => {
  let dir: string;
  let sim: RunningSimulator;
  let child: ReturnType<typeof spawn> | undefined;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'aicc-sighup-'));
    sim = await startSimulator({ scenario: SCENARIO, clock: { mode: 'real' }, seed: 2 });
  });

  afterEach(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    }
    child = undefined;
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Spawns `aicc-exporter run --config <file>`; its output is recorded and parsed as log lines. */
  function spawnCli(file: string) {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AICC_') && k !== 'POD_NAME'));
    const proc = (child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli.ts'), '--config', file], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    }));
    let output = '';
    const take = (d: Buffer) => {
      output += d.toString('utf8');
      recordOutput('cli', d.toString('utf8'));
    };
    proc.stdout!.on('data', take);
    proc.stderr!.on('data', take);
    const logLines = () =>
      output
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    const exited = new Promise<{ code: number | null; signal: string | null }>((r) => proc.once('exit', (code, signal) => r({ code, signal })));
    return { proc, output: () => output, logLines, exited };
  }

  it('reloads the configuration file of the running CLI; an invalid file keeps the old one', async () => {
    const file = writeConfig(dir, sim.url, withVdns([1, 2]));
    const { proc, output, logLines, exited } = spawnCli(file);

    await until('the CLI serves metrics', () => {
      if (proc.exitCode !== null) throw new Error(`exited ${proc.exitCode}: ${output()}`);
      return logLines().some((l) => l['msg'] === 'aicc-exporter serving metrics');
    }, 30_000);
    const url = String(logLines().find((l) => l['msg'] === 'aicc-exporter serving metrics')!['url']).replace(/\/metrics$/, '');
    await until('VDNs 1 and 2 exported', async () => JSON.stringify(await exportedVdns(url)) === '["1","2"]');

    writeConfig(dir, sim.url, withVdns([1, 2, 3]));
    proc.kill('SIGHUP');
    await until("'configuration reloaded' logged", () => logLines().some((l) => l['msg'] === 'configuration reloaded'));
    await until('VDN 3 exported', async () => JSON.stringify(await exportedVdns(url)) === '["1","2","3"]');
    expect(proc.exitCode).toBeNull();

    writeConfig(dir, sim.url, [{ ccId: 70000 }]);
    proc.kill('SIGHUP');
    await until('the failed reload logged', () => logLines().some((l) => l['msg'] === 'configuration reload failed; keeping the running configuration'));
    const failure = logLines().find((l) => l['msg'] === 'configuration reload failed; keeping the running configuration')!;
    expect(failure['level']).toBe('error');
    expect((failure['problems'] as string[]).join('\n')).toMatch(/callCenters\[0\]\.ccId: 70000 is out of range/);
    const res = await fetch(`${url}/metrics`);
    const parsed = parseExposition(await res.text(), 'text');
    expect(parsed.value('aicc_exporter_config_last_reload_successful')).toBe(0);
    expect(await exportedVdns(url)).toEqual(['1', '2', '3']);

    proc.kill('SIGTERM');
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(output()).not.toContain(DEMO_SECRET_KEY);
  }, 60_000);

  it('reloads on a SIGHUP right after start; a SIGHUP while shutting down does not kill it (exit code 0)', async () => {
    const file = writeConfig(dir, sim.url, withVdns([1]));
    const { proc, output, logLines, exited } = spawnCli(file);
    // The first log line is written while starting (collectors scheduled, before the server listens).
    await until('the first log line', () => {
      if (proc.exitCode !== null) throw new Error(`exited ${proc.exitCode}: ${output()}`);
      return logLines().length > 0;
    }, 30_000);
    proc.kill('SIGHUP');
    await until("'configuration reloaded' logged", () => logLines().some((l) => l['msg'] === 'configuration reloaded'));
    expect(proc.exitCode).toBeNull();
    // A client in the middle of sending a request holds the shutdown (up to the server's 2 s grace),
    // so the SIGHUP below surely arrives while stopping.
    const url = new URL(String(logLines().find((l) => l['msg'] === 'aicc-exporter serving metrics')!['url']));
    const slow = connect(Number(url.port), '127.0.0.1');
    slow.on('error', () => undefined);
    await new Promise((r) => slow.once('connect', r));
    try {
      slow.write('GET /metrics HTTP/1.1\r\nHost: x\r\n');
      await new Promise((r) => setTimeout(r, 100));
      proc.kill('SIGTERM');
      await until("'shutting down' logged", () => logLines().some((l) => l['msg'] === 'shutting down'));
      proc.kill('SIGHUP');
      expect(await exited).toEqual({ code: 0, signal: null });
    } finally {
      slow.destroy();
    }
  }, 60_000);
});
