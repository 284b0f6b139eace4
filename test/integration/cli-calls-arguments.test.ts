import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callCommand, callsCommand } from '../../src/commands/call-commands.js';
import { generateScenario, startSimulator, type RunningSimulator } from '../../src/simulator/index.js';
import { recordOutput } from '../helpers/capture-logger.js';
import { startFakeCmsServer, TEST_AK, TEST_SK } from '../helpers/fake-cms-server.js';

// Every argument and configuration mistake of `calls` / `call`, run in-process (the spawned
// tests in cli-calls-commands.test.ts take one case of each kind): exit code 2, one line on
// stderr, nothing on stdout, no request to the CMS, never the secret.

const AK = 'args-test-ak';
const SK = 'args-test-SK-5d1f0a77-never-printed';

let sim: RunningSimulator;
let dir: string;
let config: string;

function io() {
  let stdout = '';
  let stderr = '';
  return {
    io: { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, env: {} },
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
  };
}

async function run(command: 'calls' | 'call', args: string[]) {
  const out = io();
  const code = await (command === 'calls' ? callsCommand : callCommand)(args, out.io);
  recordOutput('cli', `$ aicc-exporter ${command} ${args.join(' ')}\n${out.stdout}${out.stderr}`);
  expect(out.stdout + out.stderr).not.toContain(SK);
  return { code, stdout: out.stdout, stderr: out.stderr };
}

beforeAll(async () => {
  sim = await startSimulator({
    accessKey: AK,
    secretKey: SK,
    clock: { mode: 'manual' },
    scenario: generateScenario({ vdnsPerCallCenter: 1, agentsPerVdn: 10 }),
    trafficLevel: 5,
    staffing: 1,
  });
  dir = await mkdtemp(join(tmpdir(), 'cli-args-'));
  await writeFile(join(dir, 'sk'), SK);
  config = join(dir, 'config.yml');
  await writeFile(config, `cms:\n  url: ${sim.url}\n  accessKey: ${AK}\n  secretKeyFile: sk\ncallCenters:\n  - ccId: 1\n`);
});

afterAll(async () => {
  await sim?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('calls / call arguments (in-process)', () => {
  const cfg = (): string[] => ['--config', config];

  it.each([
    ['calls', ['--cc', '65536', '--vdn', '1', '--agent', '101'], /--cc must be an integer 1-65535, got '65536'/],
    ['calls', ['--cc', '1.5', '--vdn', '1', '--agent', '101'], /--cc must be an integer/],
    ['calls', ['--cc', '-1', '--vdn', '1', '--agent', '101'], /--cc/],
    ['calls', ['--cc', '1e3', '--vdn', '1', '--agent', '101'], /--cc must be an integer/],
    ['calls', ['--cc', '99999999999999999999', '--vdn', '1', '--agent', '101'], /--cc must be an integer/],
    ['calls', ['--cc', '1', '--vdn', '0', '--agent', '101'], /--vdn must be an integer 1-5000, got '0'/],
    ['calls', ['--cc', '1', '--vdn', '1', '--agent', '100'], /--agent must be an integer 101-59999, got '100'/],
    ['calls', ['--cc', '1', '--vdn', '1'], /--agent is required/],
    ['calls', ['--vdn', '1', '--agent', '101'], /--cc is required/],
    ['calls', ['--cc', '1', '--vdn', '1', '--agent', '101', 'extra'], /Unexpected argument 'extra'/],
    ['calls', ['--cc', '1', '--vdn', '1', '--agent'], /--agent/],
    ['calls', ['--cc', '1', '--vdn', '1', '--agent', '101', '--json'], /Unknown option '--json'/],
    ['call', ['--cc', '1', '--vdn', '1'], /exactly one CALL_ID is required, got 0/],
    ['call', ['--cc', '1', '--vdn', '1', '1-1', '2-2'], /exactly one CALL_ID is required, got 2/],
    ['call', ['--cc', '1', '--vdn', '1', '1234567890123456-6789'], /at most 20 characters, got '1234567890123456-6789'/],
    ['call', ['--cc', '1', '--vdn', '1', '-'], /CALL_ID must be/],
    ['call', ['--cc', '1', '--vdn', '1', '1659513159000-'], /CALL_ID must be/],
    ['call', ['--cc', '1', '--vdn', '1', ' 1-1'], /CALL_ID must be/],
    ['call', ['--cc', '1', '--vdn', '1', `1-1\n${'x'.repeat(100)}`], /CALL_ID must be/],
    ['call', ['--cc', '1', '--agent', '101', '1-1'], /Unknown option '--agent'/],
  ] as const)('%s %j: exit 2, one line, no request', async (command, args, pattern) => {
    const before = sim.stats.total;
    const r = await run(command, [...cfg(), ...args]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(new RegExp(`^aicc-exporter ${command}: .*\\(see --help\\)\\n$`));
    expect(r.stderr).toMatch(pattern);
    expect(r.stderr.length).toBeLessThan(300); // a long argument is cut, not echoed whole
    expect(sim.stats.total).toBe(before);
  });

  it('--help or -h wins over any other mistake on the line', async () => {
    for (const [command, args] of [
      ['calls', ['-h']],
      ['calls', ['--bogus', '--help']],
      ['call', ['--cc', 'x', '-h']],
    ] as const) {
      const r = await run(command, [...args]);
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(new RegExp(`^Usage: aicc-exporter ${command} `));
    }
  });

  it.each([
    ['two secrets', (url: string) => `cms:\n  url: ${url}\n  accessKey: ${AK}\n  secretKey: ${SK}\n  secretKeyFile: sk\ncallCenters:\n  - ccId: 1\n`, /secretKey/],
    ['not YAML', () => `cms: [url: ${SK}\n`, /./],
    ['an unknown key', (url: string) => `cms:\n  url: ${url}\n  accessKey: ${AK}\n  secretKey: ${SK}\n  secret: ${SK}\ncallCenters:\n  - ccId: 1\n`, /secret/],
    ['no call center', (url: string) => `cms:\n  url: ${url}\n  accessKey: ${AK}\n  secretKey: ${SK}\n`, /callCenters/],
    ['a bad URL', () => `cms:\n  url: not-a-url\n  accessKey: ${AK}\n  secretKey: ${SK}\ncallCenters:\n  - ccId: 1\n`, /cms\.url/],
  ])('a configuration with %s: exit 2, one line naming the file, never the secret', async (name, text, pattern) => {
    const file = join(dir, `${name.replace(/\W/g, '-')}.yml`);
    await writeFile(file, text(sim.url));
    const before = sim.stats.total;
    const r = await run('calls', ['--config', file, '--cc', '1', '--vdn', '1', '--agent', '101']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(new RegExp(`^aicc-exporter calls: invalid configuration \\(${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\): `));
    expect(r.stderr).toMatch(pattern);
    expect(sim.stats.total).toBe(before);
  });

  it('a CALL_ID of exactly 20 characters is accepted and asked for (the simulator does not know it: exit 1)', async () => {
    const before = sim.stats.total;
    const r = await run('call', [...cfg(), '--cc', '1', '--vdn', '1', '123456789012345-6789']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('aicc-exporter call: basic_call_info: resultCode 0100001 (interface call failed): The call does not exist\n');
    expect(sim.stats.total).toBe(before + 1);
  });

  it('in-process success path: the same output as the spawned command', async () => {
    const agent = sim.scenario.callCenters[0]!.vdns[0]!.agents.find((a) => sim.model.agentCalls(1, 1, a).length > 0)!;
    const r = await run('calls', [...cfg(), '--cc', '1', '--vdn', '1', '--agent', String(agent)]);
    expect(r).toEqual({ code: 0, stdout: `${sim.model.agentCalls(1, 1, agent)[0]}\n`, stderr: '' });
  });

  it('what a CMS sends cannot break a line or drive the terminal: control characters are escaped', async () => {
    const fake = await startFakeCmsServer({
      handler: (req) =>
        req.path.endsWith('/queryagentcalls')
          ? { body: { resultCode: '0100000', resultDesc: ['1-1\n2-2', '3-3\u001b[2J'] } }
          : { body: { resultCode: '0100999', resultDesc: 'broken\n\u001b[31mred' } },
    });
    try {
      const file = join(dir, 'fake.yml');
      await writeFile(file, `cms:\n  url: ${fake.url}\n  accessKey: ${TEST_AK}\n  secretKey: ${TEST_SK}\n  retries: 0\ncallCenters:\n  - ccId: 1\n`);
      const listed = await run('calls', ['--config', file, '--cc', '1', '--vdn', '1', '--agent', '101']);
      expect(listed).toEqual({ code: 0, stdout: '1-1\\u000a2-2\n3-3\\u001b[2J\n', stderr: '' });
      const failed = await run('call', ['--config', file, '--cc', '1', '--vdn', '1', '1-1']);
      expect(failed.code).toBe(1);
      expect(failed.stderr).toBe('aicc-exporter call: basic_call_info: resultCode 0100999 (unknown error): broken \\u001b[31mred\n');
      expect(fake.requests.every((r) => r.signatureValid)).toBe(true);
    } finally {
      await fake.close();
    }
  });
});
