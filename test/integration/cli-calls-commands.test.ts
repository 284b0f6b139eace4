import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateScenario, startSimulator, type RunningSimulator } from '../../src/simulator/index.js';
import { recordOutput } from '../helpers/capture-logger.js';
import { runCli, type CliResult } from '../helpers/run-cli.js';

// `aicc-exporter calls` and `aicc-exporter call`, spawned as a user runs them (node + tsx on
// src/cli.ts), against a simulator started here with its own key pair. Every output is checked
// for the secret key and recorded for the suite's final secret grep.

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = join(ROOT, 'src/cli.ts');
const AK = 'cli-test-ak';
const SK = 'cli-test-SK-7b2c91e4-never-printed';

const outputs: string[] = [];

/** Runs the CLI to its end (killed by PID after 20 s); its output must never hold the secret. */
async function cli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const r = await runCli(args, { env, timeoutMs: 20_000 });
  outputs.push(r.stdout, r.stderr);
  expect(r.stdout + r.stderr).not.toContain(SK);
  return r;
}

/** Exit code 2 (or 1), nothing on stdout, exactly one line on stderr naming the command. */
function expectOneLineError(r: CliResult, code: number, command: 'calls' | 'call', pattern: RegExp): void {
  expect(r.code, r.stderr).toBe(code);
  expect(r.stdout).toBe('');
  expect(r.stderr.endsWith('\n')).toBe(true);
  expect(r.stderr.trimEnd().split('\n'), r.stderr).toHaveLength(1);
  expect(r.stderr).toMatch(new RegExp(`^aicc-exporter ${command}: `));
  expect(r.stderr).toMatch(pattern);
}

let sim: RunningSimulator;
let dir: string;
let config: string;

/** A watched agent with a call now, and one without. */
function agents(): { busy: { vdn: number; agent: number; callId: string }; free: { vdn: number; agent: number } } {
  let busy;
  let free;
  for (const v of sim.scenario.callCenters[0]!.vdns) {
    for (const a of v.agents) {
      const ids = sim.model.agentCalls(1, v.id, a);
      if (ids.length > 0) busy ??= { vdn: v.id, agent: a, callId: ids[0]! };
      else free ??= { vdn: v.id, agent: a };
    }
  }
  expect(busy && free).toBeTruthy();
  return { busy: busy!, free: free! };
}

beforeAll(async () => {
  // Manual clock: the model stands still while the CLI asks (auth timestamps use the wall clock).
  sim = await startSimulator({
    accessKey: AK,
    secretKey: SK,
    clock: { mode: 'manual' },
    scenario: generateScenario({ vdnsPerCallCenter: 2, accessCodesPerVdn: 4, agentsPerVdn: 10 }),
    trafficLevel: 4,
    staffing: 0.7,
    seed: 5,
  });
  dir = await mkdtemp(join(tmpdir(), 'cli-calls-'));
  await writeFile(join(dir, 'secret-key'), `${SK}\n`, { mode: 0o600 });
  config = join(dir, 'config.yml');
  await writeFile(
    config,
    [
      'cms:',
      `  url: ${sim.url}`,
      `  accessKey: ${AK}`,
      '  secretKeyFile: secret-key',
      '  retries: 0',
      'callCenters:',
      '  - ccId: 1',
      '',
    ].join('\n'),
  );
});

afterAll(async () => {
  await sim?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  for (const text of outputs) expect(text).not.toContain(SK);
});

describe('aicc-exporter calls / call, spawned', { timeout: 60_000 }, () => {
  it('--help on both commands: usage on stdout, exit 0, no request', async () => {
    const before = sim.stats.total;
    for (const args of [['calls', '--help'], ['call', '--help']]) {
      const r = await cli(args);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(new RegExp(`^Usage: aicc-exporter ${args[0]} --config FILE`));
      expect(r.stdout).toMatch(/Exit codes: 0 ok, 1 the CMS request failed, 2 usage or configuration error/);
    }
    expect(sim.stats.total).toBe(before);
  });

  it("calls: the agent's current call IDs, one per line, equal to the model's; nothing for an agent without calls", async () => {
    const { busy, free } = agents();
    const r = await cli(['calls', '--config', config, '--cc', '1', '--vdn', String(busy.vdn), '--agent', String(busy.agent)]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(sim.model.agentCalls(1, busy.vdn, busy.agent).map((id) => `${id}\n`).join(''));
    expect(r.stdout).toBe(`${busy.callId}\n`);
    const none = await cli(['calls', `--config=${config}`, '--cc=1', `--vdn=${free.vdn}`, `--agent=${free.agent}`]);
    expect(none).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('call: an aligned table, ISO-8601 UTC time and durations in seconds, matching the model; --json the raw object', async () => {
    const { busy } = agents();
    const model = sim.model.basicCallInfo(busy.callId)!;
    const call = sim.model.call(busy.callId)!;
    const r = await cli(['call', '--config', config, '--cc', '1', '--vdn', String(busy.vdn), busy.callId]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.map((l) => l.split(' ')[0])).toEqual(Object.keys(model));
    const column = Math.max(...Object.keys(model).map((k) => k.length)) + 2;
    const row = (key: string): string => lines.find((l) => l.startsWith(`${key} `))!.slice(column);
    expect(row('time')).toBe(new Date(call.startMs).toISOString());
    expect(row('time')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(row('waitTime')).toBe(`${model.waitTime as number} s`);
    expect(row('totalTalkingTimes')).toBe(`${model.totalTalkingTimes as number} s`);
    expect(row('logonTimes')).toBe(`${model.logonTimes as number} s`);
    expect(row('deviceNo')).toBe(String(busy.agent));
    expect(row('callSkill')).toBe('defaultAudioSkill');

    const json = await cli(['call', '--config', config, '--cc', '1', '--vdn', String(busy.vdn), '--json', busy.callId]);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual(model);
  });

  it('usage errors: exit 2, one line, and no request sent', async () => {
    const base = ['--config', config, '--cc', '1', '--vdn', '1'];
    // One spawned case per kind of mistake; every variant is in cli-calls-arguments.test.ts (in-process).
    const cases: Array<[string[], 'calls' | 'call', RegExp]> = [
      [['calls', '--config', config, '--cc', 'abc', '--vdn', '1', '--agent', '101'], 'calls', /--cc must be an integer 1-65535, got 'abc'/],
      [['calls', '--config', config, '--cc', '1', '--vdn', '5001', '--agent', '101'], 'calls', /--vdn must be an integer 1-5000, got '5001'/],
      [['calls', '--config', config, '--cc', '1', '--vdn', '1', '--agent', '60000'], 'calls', /--agent must be an integer 101-59999, got '60000'/],
      [['calls', '--cc', '1', '--vdn', '1', '--agent', '101'], 'calls', /--config FILE is required/],
      [['calls', ...base, '--agent', '101', '--bogus'], 'calls', /Unknown option '--bogus'/],
      [['call', ...base, '1659513159000-5467501'], 'call', /CALL_ID must be <start time>-<number> \(digits\) of at most 20 characters/],
      [['call', ...base, '1659513159000_546750'], 'call', /CALL_ID must be/],
    ];
    const before = sim.stats.total;
    const results = await Promise.all(cases.map(([args]) => cli(args)));
    results.forEach((r, i) => {
      const [args, command, pattern] = cases[i]!;
      expect(r.stderr, args.join(' ')).toMatch(/\(see --help\)\n$/);
      expectOneLineError(r, 2, command, pattern);
    });
    expect(sim.stats.total).toBe(before);
  });

  it('configuration errors: exit 2, one line naming the problem, never the secret', async () => {
    const bad = async (name: string, text: string): Promise<string> => {
      const file = join(dir, name);
      await writeFile(file, text);
      return file;
    };
    const noUrl = await bad('no-url.yml', `cms:\n  accessKey: ${AK}\n  secretKey: ${SK}\ncallCenters:\n  - ccId: 1\n`);
    const cases: Array<[string, RegExp]> = [
      [join(dir, 'missing.yml'), /cannot read it/],
      [noUrl, /cms\.url/],
    ];
    const before = sim.stats.total;
    for (const [file, pattern] of cases) {
      const r = await cli(['calls', '--config', file, '--cc', '1', '--vdn', '1', '--agent', '101']);
      expectOneLineError(r, 2, 'calls', /invalid configuration \(/);
      expect(r.stderr, file).toMatch(pattern);
      expect(r.stderr).toContain(file);
    }
    expect(sim.stats.total).toBe(before);
  });

  it('CMS failures: exit 1 with the resultCode and its meaning, or the HTTP status', async () => {
    const { busy } = agents();
    const unknownCall = await cli(['call', '--config', config, '--cc', '1', '--vdn', '1', '1659513159000-546750']);
    expectOneLineError(unknownCall, 1, 'call', /basic_call_info: resultCode 0100001 \(interface call failed\)/);

    const unknownCc = await cli(['calls', '--config', config, '--cc', '77', '--vdn', '1', '--agent', '101']);
    expectOneLineError(unknownCc, 1, 'calls', /agent_calls: resultCode 0100002 \(invalid parameter\)/);

    sim.setCti36(true);
    try {
      const cti36 = await cli(['call', '--config', config, '--cc', '1', '--vdn', String(busy.vdn), busy.callId]);
      expectOneLineError(cti36, 1, 'call', /resultCode 0100003 \(interface supports only CTI V300R008 \(not CTI 3\.6\)\)/);
    } finally {
      sim.setCti36(false);
    }

    const wrongKeyFile = join(dir, 'wrong-key');
    await writeFile(wrongKeyFile, 'not-the-right-secret\n');
    const wrongConfig = join(dir, 'wrong.yml');
    await writeFile(wrongConfig, `cms:\n  url: ${sim.url}\n  accessKey: ${AK}\n  secretKeyFile: wrong-key\n  retries: 0\ncallCenters:\n  - ccId: 1\n`);
    const wrongSecret = await cli(['calls', '--config', wrongConfig, '--cc', '1', '--vdn', '1', '--agent', '101']);
    expectOneLineError(wrongSecret, 1, 'calls', /agent_calls: HTTP 401 \(signature rejected/);
    expect(wrongSecret.stderr).not.toContain('not-the-right-secret');

    // Nothing listens: a network error, still one line and exit 1.
    const deadConfig = join(dir, 'dead.yml');
    await writeFile(deadConfig, `cms:\n  url: http://127.0.0.1:1\n  accessKey: ${AK}\n  secretKeyFile: secret-key\n  retries: 0\ncallCenters:\n  - ccId: 1\n`);
    const dead = await cli(['calls', '--config', deadConfig, '--cc', '1', '--vdn', '1', '--agent', '101']);
    expectOneLineError(dead, 1, 'calls', /agent_calls: network error/);
  });

  it('takes the secret key from AICC_CMS_SECRET_KEY as the exporter does', async () => {
    const envConfig = join(dir, 'env.yml');
    await writeFile(envConfig, `cms:\n  url: ${sim.url}\n  accessKey: ${AK}\ncallCenters:\n  - ccId: 1\n`);
    const { busy } = agents();
    const r = await cli(['calls', '--config', envConfig, '--cc', '1', '--vdn', String(busy.vdn), '--agent', String(busy.agent)], {
      AICC_CMS_SECRET_KEY: SK,
    });
    expect(r).toEqual({ code: 0, stdout: `${busy.callId}\n`, stderr: '' });
  });

  it('against a spawned `aicc-exporter simulate`: calls and call show live, consistent data', async () => {
    const simulate = spawn(
      process.execPath,
      ['--import', 'tsx', CLI, 'simulate', '--port', '0', '--seed', '3', '--vdns', '1', '--agents-per-vdn', '10', '--traffic', '5', '--staffing', '1', '--access-key', AK, '--secret-key-file', join(dir, 'secret-key')],
      { cwd: ROOT, env: Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AICC_'))), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      let printed = '';
      simulate.stdout.on('data', (d: Buffer) => (printed += d.toString('utf8')));
      simulate.stderr.on('data', (d: Buffer) => (printed += d.toString('utf8')));
      await expect
        .poll(() => (simulate.exitCode !== null ? `exited ${simulate.exitCode}: ${printed}` : printed), { timeout: 30_000, interval: 100 })
        .toMatch(/listening on http:\/\/\S+/);
      const url = /listening on (http:\/\/\S+)/.exec(printed)![1]!;
      const simConfig = join(dir, 'simulate.yml');
      await writeFile(simConfig, `cms:\n  url: ${url}\n  accessKey: ${AK}\n  secretKeyFile: secret-key\n  retries: 0\ncallCenters:\n  - ccId: 1\n`);

      // Model time runs in real time there: a call may end between the two commands, so look
      // again (bounded) until one is caught in progress.
      let checked = false;
      for (let attempt = 0; attempt < 5 && !checked; attempt++) {
        for (let agent = 101; agent <= 110 && !checked; agent++) {
          const listed = await cli(['calls', '--config', simConfig, '--cc', '1', '--vdn', '1', '--agent', String(agent)]);
          expect(listed.code, listed.stderr).toBe(0);
          if (listed.stdout === '') continue;
          const ids = listed.stdout.trimEnd().split('\n');
          expect(ids).toHaveLength(1);
          expect(ids[0]).toMatch(/^\d{13}-\d{1,6}$/);
          const shown = await cli(['call', '--config', simConfig, '--cc', '1', '--vdn', '1', '--json', ids[0]!]);
          if (shown.code === 1 && /0100001/.test(shown.stderr)) continue; // it ended meanwhile
          expect(shown.code, shown.stderr).toBe(0);
          const info = JSON.parse(shown.stdout) as { time: number; deviceType: number; deviceNo: number; waitTime: number; totalTalkingTimes: number; logonTimes: number };
          const startMs = Number(ids[0]!.split('-')[0]);
          expect(info.time).toBe(startMs); // the call ID carries its start
          expect(info.time).toBeLessThanOrEqual(Date.now()); // it started in the past
          expect(info.deviceType).toBe(2); // with an agent...
          expect(info.deviceNo).toBe(agent); // ...this one
          expect(info.logonTimes).toBeGreaterThanOrEqual(info.waitTime + info.totalTalkingTimes - 1);
          checked = true;
        }
      }
      expect(checked).toBe(true);
      expect(printed).not.toContain(SK);
      recordOutput('cli', printed);
    } finally {
      if (simulate.pid !== undefined && simulate.exitCode === null && simulate.signalCode === null) process.kill(simulate.pid, 'SIGTERM');
      const killer = setTimeout(() => simulate.pid !== undefined && simulate.exitCode === null && process.kill(simulate.pid, 'SIGKILL'), 5_000);
      if (simulate.exitCode === null && simulate.signalCode === null) await new Promise((resolve) => simulate.once('close', resolve));
      clearTimeout(killer);
    }
  });
});
