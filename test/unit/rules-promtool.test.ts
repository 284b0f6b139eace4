/**
 * The Prometheus rules and the Alertmanager configuration, checked by promtool and amtool:
 * syntax, the promtool unit tests of deploy/prometheus/tests/, that those tests cover every alert
 * and would catch a changed threshold or `for:`, and the Alertmanager routing.
 * Skipped locally when the binaries are missing; under CI a missing binary fails the file.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ALERTMANAGER_CONFIG,
  PROMETHEUS_RULES_DIR,
  RULE_FILE_NAMES,
  overrideThresholds,
  shortenForDurations,
  toolOrSkip,
} from '../helpers/rules-for-e2e.js';

const run = promisify(execFile);
const promtool = toolOrSkip('promtool');
const amtool = toolOrSkip('amtool');
const TESTS_DIR = join(PROMETHEUS_RULES_DIR, 'tests');

interface RunResult {
  code: number;
  output: string;
}

async function exec(bin: string, args: string[]): Promise<RunResult> {
  try {
    const { stdout, stderr } = await run(bin, args, { timeout: 60_000 });
    return { code: 0, output: stdout + stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : -1, output: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}

async function testFiles(dir = TESTS_DIR): Promise<string[]> {
  return (await readdir(dir)).filter((f) => f.endsWith('.yml')).sort().map((f) => join(dir, f));
}

describe.skipIf(promtool === null)('promtool', () => {
  const bin = promtool as string;
  let scratch = '';

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'aicc-rules-'));
  });
  afterAll(async () => {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it('accepts the rule files (promtool check rules)', async () => {
    const r = await exec(bin, ['check', 'rules', ...RULE_FILE_NAMES.map((f) => join(PROMETHEUS_RULES_DIR, f))]);
    expect(r.output).not.toMatch(/FAILED/);
    expect(r.code, r.output).toBe(0);
  });

  it('passes the rule unit tests (promtool test rules deploy/prometheus/tests/*.yml)', async () => {
    const files = await testFiles();
    expect(files.length).toBeGreaterThanOrEqual(4);
    const r = await exec(bin, ['test', 'rules', ...files]);
    expect(r.code, r.output).toBe(0);
    expect(r.output.match(/SUCCESS/g)?.length).toBe(files.length);
  });

  /** Copies the rules and their tests into a scratch tree, rewritten by `edit`, and runs the tests. */
  async function runTestsOnVariant(name: string, edit: (alertsYml: string) => string): Promise<RunResult> {
    const dir = join(scratch, name);
    await cp(PROMETHEUS_RULES_DIR, dir, { recursive: true });
    const alerts = await readFile(join(dir, 'alerts.yml'), 'utf8');
    await writeFile(join(dir, 'alerts.yml'), edit(alerts), 'utf8');
    return exec(bin, ['test', 'rules', ...(await testFiles(join(dir, 'tests')))]);
  }

  it('fails the unit tests when the queue wait warning threshold is raised by 1 s', async () => {
    const r = await runTestsOnVariant('threshold', (t) => overrideThresholds(t, { 'aicc:queue_wait_warning_threshold:seconds': 61 }));
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/alertname: AiccQueueWaitTimeHigh/);
  });

  it('fails the unit tests when the for: durations are removed', async () => {
    const r = await runTestsOnVariant('for', (t) => shortenForDurations(t, '0s'));
    expect(r.code).not.toBe(0);
    for (const a of ['AiccQueueWaitTimeHigh', 'AiccCallsQueuedNoIdleAgents', 'AiccConnectionRatioLow', 'AiccCtiClockSkew', 'AiccExporterDown']) {
      expect(r.output).toContain(`alertname: ${a},`);
    }
  });
});

describe.skipIf(amtool === null)('amtool', () => {
  const bin = amtool as string;

  it('accepts the Alertmanager configuration (amtool check-config)', async () => {
    const r = await exec(bin, ['check-config', ALERTMANAGER_CONFIG]);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/SUCCESS/);
  });

  it.each([
    [['severity=critical', 'alertname=AiccExporterDown'], 'aicc-critical'],
    [['severity=warning', 'alertname=AiccQueueWaitTimeHigh', 'cc_id=1', 'vdn=10'], 'aicc-warning'],
    [['severity=info', 'alertname=AiccCollectorRunsSkipped'], 'aicc-info'],
    [['alertname=SomethingElse'], 'aicc-warning'],
  ])('routes %j to %s', async (labels, receiver) => {
    const r = await exec(bin, ['config', 'routes', 'test', `--config.file=${ALERTMANAGER_CONFIG}`, `--verify.receivers=${receiver}`, ...labels]);
    expect(r.code, r.output).toBe(0);
    expect(r.output.trim().split('\n')).toContain(receiver);
  });
});
