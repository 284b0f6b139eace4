/**
 * The CLI as a process: `aicc-exporter run --config FILE` against an in-process simulator, stopped
 * by SIGTERM or SIGINT while a CMS request hangs in flight, exits 0 within 5 seconds.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_ACCESS_KEY, DEMO_SECRET_KEY, startSimulator, type RunningSimulator } from '../../src/simulator/start-simulator.js';
import { recordOutput } from '../helpers/capture-logger.js';
import { eventually, httpGet } from '../helpers/exporter-harness.js';

const ROOT = join(import.meta.dirname, '..', '..');
const children: ChildProcess[] = [];
const sims: RunningSimulator[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  await Promise.allSettled(sims.splice(0).map((s) => s.close()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

interface Exited {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** From the signal to the exit, ms. */
  afterMs: number;
}

/** Runs the CLI on a config for `sim`, waits for a hanging request, sends `signal`, reports the exit. */
async function stopWhileHanging(signal: 'SIGTERM' | 'SIGINT'): Promise<{ exited: Exited; lines: Array<Record<string, unknown>> }> {
  const sim = await startSimulator({ seed: 3, scenario: { callCenters: 1, vdnsPerCallCenter: 2, accessCodesPerVdn: 1, agentsPerVdn: 1 } });
  sims.push(sim);
  sim.faults.set('sysindex', { hang: true });
  const dir = mkdtempSync(join(tmpdir(), 'aicc-signals-'));
  dirs.push(dir);
  const configFile = join(dir, 'config.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      cms: { url: sim.url, accessKey: DEMO_ACCESS_KEY, secretKey: DEMO_SECRET_KEY, retries: 0, timeoutSeconds: 60 },
      callCenters: sim.scenario.callCenters,
      collectors: { sysindex: { intervalSeconds: 1 }, accessCodes: { intervalSeconds: 1 } },
    }),
  );

  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'src', 'cli.ts'), 'run', '--config', configFile, '--web.listen-address', '127.0.0.1:0', '--log.level', 'info'],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' } },
  );
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, sig) => resolve({ code, signal: sig })),
  );
  const lines = (): Array<Record<string, unknown>> =>
    out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);

  try {
    const url = await eventually(
      'the HTTP server listening line',
      () => {
        if (child.exitCode !== null) throw new Error(`the CLI exited early (${child.exitCode}): ${err}`);
        return lines().find((l) => l.msg === 'HTTP server listening')?.url as string | undefined;
      },
      15_000,
    );
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    // A sysindex request is hanging in the simulator, and the exporter serves meanwhile.
    await eventually('a hanging sysindex request', () => (sim.stats.inFlight > 0 ? true : undefined), 10_000);
    expect((await httpGet(`${url}/-/healthy`)).status).toBe(200);

    const sentAt = performance.now();
    child.kill(signal);
    const deadline = new Promise<null>((resolve) => setTimeout(() => resolve(null), 5_000).unref());
    const result = await Promise.race([exit, deadline]);
    if (result === null) throw new Error(`the CLI did not exit within 5 s of ${signal}`);
    return { exited: { ...result, afterMs: performance.now() - sentAt }, lines: lines() };
  } finally {
    recordOutput('cli', out + err);
  }
}

describe('the CLI on SIGTERM / SIGINT', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`exits 0 within 5 s on ${signal} while a CMS request hangs`, async () => {
      const { exited, lines } = await stopWhileHanging(signal);
      expect(exited.code).toBe(0);
      expect(exited.signal).toBeNull();
      expect(exited.afterMs).toBeLessThan(5_000);
      expect(lines.some((l) => l.msg === 'shutting down' && l.signal === signal)).toBe(true);
      expect(lines.some((l) => l.level === 'error')).toBe(false);
      // The hanging request was given up, not left open.
      await eventually('the hanging request to close', () => (sims[0]!.stats.inFlight === 0 ? true : undefined), 5_000);
    });
  }
});
