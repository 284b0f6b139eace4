import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { simulateCommand } from '../../src/commands/simulate-command.js';
import { DEMO_SECRET_KEY } from '../../src/simulator/start-simulator.js';
import { SIM_PATHS, signedPost } from '../helpers/simulator-helpers.js';

function capture() {
  let text = '';
  return { write: (s: string) => (text += s), get text() { return text; } };
}

/** Starts the command in-process; resolves once it prints its URL. */
async function run(argv: string[], env: Record<string, string | undefined> = {}) {
  const stdout = capture();
  const stderr = capture();
  const controller = new AbortController();
  const done = simulateCommand(argv, { stdout, stderr, env, signal: controller.signal });
  let exited: number | undefined;
  void done.then((code) => (exited = code));
  await expect.poll(() => (exited !== undefined ? `exited ${exited}: ${stderr.text}` : stdout.text), { timeout: 10_000 }).toMatch(/listening on http/);
  const url = /listening on (http:\/\/\S+)/.exec(stdout.text)![1]!;
  return { url, stdout, stderr, done, stop: () => controller.abort() };
}

describe('aicc-exporter simulate', () => {
  let dir: string;
  const stops: Array<() => void> = [];
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sim-cmd-'));
  });
  afterEach(async () => {
    for (const stop of stops.splice(0)) stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('under --expose-gc, collects its start-up garbage once, before it tells anyone its address', async () => {
    const g = globalThis as { gc?: () => void };
    const original = g.gc;
    const stdout = capture();
    const printedAtGc: string[] = [];
    const controller = new AbortController();
    g.gc = () => printedAtGc.push(stdout.text);
    try {
      const done = simulateCommand(['--host', '127.0.0.1', '--port', '0', '--vdns', '2'], { stdout, stderr: capture(), env: {}, signal: controller.signal });
      stops.push(() => controller.abort());
      await expect.poll(() => stdout.text, { timeout: 10_000 }).toMatch(/listening on http/);
      controller.abort();
      expect(await done).toBe(0);
    } finally {
      g.gc = original;
    }
    expect(printedAtGc).toEqual(['']);
  });

  it('prints help and exits 0', async () => {
    const stdout = capture();
    expect(await simulateCommand(['--help'], { stdout, stderr: capture() })).toBe(0);
    expect(stdout.text).toMatch(/^Usage: aicc-exporter simulate/);
    expect(stdout.text).toMatch(/--secret-key-file/);
  });

  it.each([
    [['--bogus']],
    [['--secret-key', 'abc']],
    [['--secret-key=abc']],
    [['--port', 'abc']],
    [['--port', '70000']],
    [['--vdns', '6000']],
    [['--speed', '0']],
    [['--staffing', '2']],
    [['extra']],
    [['--secret-key-file', '/nonexistent/sk']],
    [['--vdns', '5000', '--agents-per-vdn', '20']],
  ])('refuses %j with one line on stderr and exit code 2', async (argv) => {
    const stdout = capture();
    const stderr = capture();
    expect(await simulateCommand(argv, { stdout, stderr, env: {} })).toBe(2);
    expect(stderr.text.trim().split('\n')).toHaveLength(1);
    expect(stderr.text).toMatch(/^aicc-exporter simulate: /);
    if (argv[0]!.startsWith('--secret-key=') || argv[0] === '--secret-key') expect(stderr.text).not.toContain('abc');
    expect(stdout.text).toBe('');
  });

  it('serves with the secret key from a file, never printing it, and stops on abort with 0', async () => {
    const file = join(dir, 'sk');
    await writeFile(file, 'file-secret-123\n');
    const r = await run(['--port', '0', '--access-key', 'my-ak', '--secret-key-file', file, '--vdns', '2', '--seed', '9']);
    stops.push(r.stop);
    expect(r.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(r.stdout.text).toContain('my-ak');
    expect(r.stdout.text + r.stderr.text).not.toContain('file-secret-123');
    expect(r.stderr.text).toBe('');
    const good = await signedPost(r.url, SIM_PATHS.agentCalls, { ccId: 1, vdn: 2, agentId: 111 }, { accessKey: 'my-ak', secretKey: 'file-secret-123' });
    expect(good.json.resultCode).toBe('0100000');
    const wrong = await signedPost(r.url, SIM_PATHS.agentCalls, { ccId: 1, vdn: 2, agentId: 111 }, { accessKey: 'my-ak', secretKey: DEMO_SECRET_KEY });
    expect(wrong.status).toBe(401);
    r.stop();
    expect(await r.done).toBe(0);
    await expect(fetch(r.url)).rejects.toThrow();
  });

  it('takes the secret from AICC_SIMULATOR_SECRET_KEY, else the demo key (and says so)', async () => {
    const env = await run(['--port', '0'], { AICC_SIMULATOR_SECRET_KEY: 'env-secret' });
    stops.push(env.stop);
    expect((await signedPost(env.url, SIM_PATHS.ctiServerTime, { ccId: 1 }, { secretKey: 'env-secret' })).status).toBe(200);
    expect(env.stderr.text).toBe('');
    env.stop();
    await env.done;

    const demo = await run(['--port', '0']);
    stops.push(demo.stop);
    expect(demo.stderr.text).toMatch(/demo secret key/);
    expect(demo.stderr.text).not.toContain(DEMO_SECRET_KEY);
    expect((await signedPost(demo.url, SIM_PATHS.ctiServerTime, { ccId: 1 })).status).toBe(200);
    demo.stop();
    expect(await demo.done).toBe(0);
  });

  it('applies --cti36, --cti-offset-ms and --speed', async () => {
    const r = await run(['--port', '0', '--cti36', '--latency-ms', '1']);
    stops.push(r.stop);
    expect((await signedPost(r.url, SIM_PATHS.ctiServerTime, { ccId: 1 })).json.resultCode).toBe('0100003');
    r.stop();
    await r.done;

    const fast = await run(['--port', '0', '--speed', '120', '--cti-offset-ms=-86400000']);
    stops.push(fast.stop);
    const first = (await signedPost(fast.url, SIM_PATHS.ctiServerTime, { ccId: 1 })).json.resultDesc as number;
    // One day behind wall time (give or take the accelerated run since start).
    expect(Math.abs(first + 86_400_000 - Date.now())).toBeLessThan(3_600_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const second = (await signedPost(fast.url, SIM_PATHS.ctiServerTime, { ccId: 1 })).json.resultDesc as number;
    // At 120x, at least 0.3 s of wall time is at least 36 s of model time.
    expect(second - first).toBeGreaterThanOrEqual(36_000 - 1000);
    fast.stop();
    await fast.done;
  });

  it('as a process: prints its URL, serves, and exits 0 on SIGTERM', async () => {
    const script = "import { simulateCommand } from './src/commands/simulate-command.ts'; process.exitCode = await simulateCommand(process.argv.slice(1));";
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, '--', '--port', '0', '--vdns', '1'], {
      cwd: join(import.meta.dirname, '..', '..'),
      env: { ...process.env, AICC_SIMULATOR_SECRET_KEY: 'proc-secret' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      await expect.poll(() => out, { timeout: 15_000 }).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+/);
      const url = /listening on (http:\/\/\S+)/.exec(out)![1]!;
      expect((await signedPost(url, SIM_PATHS.ctiServerTime, { ccId: 1 }, { secretKey: 'proc-secret' })).status).toBe(200);
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(out.trim().split('\n')).toHaveLength(1);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }, 30_000);
});
