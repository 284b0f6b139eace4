/**
 * Sharding end to end: three exporters (shards 0..2 of 3) against one simulated CC-CMS together
 * export every VDN, access code and agent exactly once and every CTI clock on one shard; the
 * CLI takes its shard from --shard/--total-shards and from a StatefulSet pod name.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { startApp, type RunningApp } from '../../src/app.js';
import { demoConfig } from '../../src/config/index.js';
import { ownsVdn } from '../../src/sharding/shard-assignment.js';
import { DEMO_ACCESS_KEY, DEMO_SECRET_KEY, generateScenario, startSimulator, type RunningSimulator } from '../../src/simulator/start-simulator.js';
import { captureLogger, recordOutput } from '../helpers/capture-logger.js';
import type { ParsedExposition } from '../helpers/parse-exposition.js';
import { scrapeMetrics } from '../helpers/exporter-harness.js';

const ROOT = process.cwd();
const ONE_SECOND = {
  'collectors.sysindex.intervalSeconds': 1,
  'collectors.accessCodes.intervalSeconds': 1,
  'collectors.ctiServerTime.intervalSeconds': 1,
  'collectors.agentCalls.intervalSeconds': 1,
};

/** Two call centers, 15 VDNs each (30 in all), 2 access codes and 2 agents per VDN. */
const SCENARIO = generateScenario({ callCenters: 2, vdnsPerCallCenter: 15, accessCodesPerVdn: 2, agentsPerVdn: 2 });
const ALL = {
  vdns: SCENARIO.callCenters.flatMap((cc) => cc.vdns.map((v) => `${cc.ccId}:${v.id}`)),
  codes: SCENARIO.callCenters.flatMap((cc) => cc.vdns.flatMap((v) => v.accessCodes.map((a) => `${cc.ccId}:${v.id}:${a}`))),
  agents: SCENARIO.callCenters.flatMap((cc) => cc.vdns.flatMap((v) => v.agents.map((a) => `${cc.ccId}:${v.id}:${a}`))),
};

/** The `labels` values (joined by `:`) of every sample of `family`. */
function keys(parsed: ParsedExposition, family: string, labels: string[]): string[] {
  return (parsed.family(family)?.samples ?? []).map((s) => labels.map((l) => s.labels[l]).join(':'));
}

interface Coverage {
  vdns: string[];
  codes: string[];
  agents: string[];
  clocks: string[];
}

function coverage(parsed: ParsedExposition): Coverage {
  return {
    vdns: keys(parsed, 'aicc_agents_online', ['cc_id', 'vdn']),
    codes: keys(parsed, 'aicc_access_code_online_calls', ['cc_id', 'vdn', 'access_code']),
    agents: keys(parsed, 'aicc_agent_active_calls', ['cc_id', 'vdn', 'agent_id']),
    clocks: keys(parsed, 'aicc_cti_clock_skew_seconds', ['cc_id']),
  };
}

/** Polls `check` every 250 ms until it is true; throws after `timeoutMs`. */
async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function sorted(list: string[]): string[] {
  return [...list].sort();
}

/** A spawned `aicc-exporter run`, its output recorded; `url` is read from its start-up log line. */
interface SpawnedCli {
  child: ChildProcessByStdio<null, Readable, Readable>;
  output(): string;
  url(): Promise<string>;
  stop(): Promise<void>;
}

function spawnCli(args: string[], env: Record<string, string>): SpawnedCli {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('AICC_') && k !== 'POD_NAME' && k !== 'HOSTNAME'),
  );
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli.ts'), ...args], {
    cwd: ROOT,
    env: { ...base, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const take = (d: Buffer) => {
    const s = d.toString('utf8');
    text += s;
    recordOutput('cli', s);
  };
  child.stdout.on('data', take);
  child.stderr.on('data', take);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    output: () => text,
    async url() {
      await expect
        .poll(() => (child.exitCode !== null ? `exited ${child.exitCode}: ${text}` : text), { timeout: 30_000, interval: 100 })
        .toMatch(/"msg":"aicc-exporter serving metrics"/);
      const line = text.split('\n').find((l) => l.includes('"msg":"aicc-exporter serving metrics"'))!;
      return (JSON.parse(line) as { url: string }).url.replace(/\/metrics$/, '');
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 8_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

describe('three shards against one CC-CMS', () => {
  let sim: RunningSimulator;
  const apps: RunningApp[] = [];
  const merged: Coverage = { vdns: [], codes: [], agents: [], clocks: [] };
  const byShard: Coverage[] = [];

  beforeAll(async () => {
    sim = await startSimulator({ scenario: SCENARIO, clock: { mode: 'real' }, seed: 3 });
    for (let index = 0; index < 3; index++) {
      const config = demoConfig(sim.url, DEMO_ACCESS_KEY, DEMO_SECRET_KEY, sim.scenario.callCenters, {
        'listen.host': '127.0.0.1',
        'listen.port': 0,
        'shard.index': index,
        'shard.total': 3,
        ...ONE_SECOND,
      });
      apps.push(await startApp({ config, logger: captureLogger('info').logger }));
    }
    // Until every shard has served every collector's first successful snapshot (bounded).
    const want = JSON.stringify([ALL.vdns.length, ALL.codes.length, ALL.agents.length, SCENARIO.callCenters.length]);
    await until(async () => {
      const parts = await Promise.all(apps.map(async (a) => coverage(await scrapeMetrics(a.url))));
      const got = [parts.flatMap((p) => p.vdns), parts.flatMap((p) => p.codes), parts.flatMap((p) => p.agents), parts.flatMap((p) => p.clocks)];
      return JSON.stringify(got.map((l) => new Set(l).size)) === want;
    }, 15_000);
    for (const app of apps) {
      const c = coverage(await scrapeMetrics(app.url));
      byShard.push(c);
      merged.vdns.push(...c.vdns);
      merged.codes.push(...c.codes);
      merged.agents.push(...c.agents);
      merged.clocks.push(...c.clocks);
    }
  }, 30_000);

  afterAll(async () => {
    await Promise.all(apps.map((a) => a.stop()));
    await sim?.close();
  });

  it('export every VDN exactly once across the shards (sysindex)', () => {
    expect(sorted(merged.vdns)).toEqual(sorted(ALL.vdns));
    // Each shard has a share, and each VDN sits where the stable hash puts it.
    for (const [index, c] of byShard.entries()) {
      expect(c.vdns.length).toBeGreaterThan(0);
      for (const k of c.vdns) {
        const [cc, vdn] = k.split(':').map(Number) as [number, number];
        expect(ownsVdn({ index, total: 3 }, cc, vdn)).toBe(true);
      }
    }
  });

  it('export every access code and every agent exactly once, on the shard of its VDN', () => {
    expect(sorted(merged.codes)).toEqual(sorted(ALL.codes));
    expect(sorted(merged.agents)).toEqual(sorted(ALL.agents));
    for (const c of byShard) {
      const vdns = new Set(c.vdns);
      for (const k of [...c.codes, ...c.agents]) expect(vdns.has(k.split(':').slice(0, 2).join(':'))).toBe(true);
    }
  });

  it('poll the CTI clock of each call center on exactly one shard', () => {
    expect(sorted(merged.clocks)).toEqual(sorted(SCENARIO.callCenters.map((cc) => String(cc.ccId))));
  });

  it('report their shard in aicc_exporter_shard_index and aicc_exporter_shards', async () => {
    for (const [index, app] of apps.entries()) {
      const parsed = await scrapeMetrics(app.url);
      expect(parsed.value('aicc_exporter_shard_index')).toBe(index);
      expect(parsed.value('aicc_exporter_shards')).toBe(3);
      expect(parsed.family('aicc_exporter_shards_total')).toBeUndefined();
    }
  });

  describe('the CLI', () => {
    let dir: string;
    const clis: SpawnedCli[] = [];

    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'aicc-shard-cli-'));
      writeFileSync(join(dir, 'secret-key'), `${DEMO_SECRET_KEY}\n`);
      const config = {
        listen: { host: '127.0.0.1', port: 0 },
        cms: { url: sim.url, accessKey: DEMO_ACCESS_KEY, secretKeyFile: 'secret-key' },
        callCenters: sim.scenario.callCenters,
        collectors: Object.fromEntries(['sysindex', 'accessCodes', 'ctiServerTime', 'agentCalls'].map((k) => [k, { intervalSeconds: 1 }])),
      };
      writeFileSync(join(dir, 'config.yml'), stringify(config));
    });

    afterAll(async () => {
      await Promise.all(clis.map((c) => c.stop()));
      rmSync(dir, { recursive: true, force: true });
    });

    /** Polls the spawned exporter until its VDN share equals `expected` (or the wait ends). */
    async function expectShare(url: string, expected: Coverage): Promise<ParsedExposition> {
      const share = (c: Coverage) => JSON.stringify([sorted(c.vdns), sorted(c.codes), sorted(c.agents)]);
      let parsed = await scrapeMetrics(url);
      await until(async () => share(coverage((parsed = await scrapeMetrics(url)))) === share(expected), 20_000).catch(() => undefined);
      const c = coverage(parsed);
      expect(sorted(c.vdns)).toEqual(sorted(expected.vdns));
      expect(sorted(c.codes)).toEqual(sorted(expected.codes));
      expect(sorted(c.agents)).toEqual(sorted(expected.agents));
      return parsed;
    }

    it('with --shard 1 --total-shards 3 serves shard 1 and the same share as the in-process shard 1', async () => {
      const cli = spawnCli(['--config', join(dir, 'config.yml'), '--shard', '1', '--total-shards', '3'], {});
      clis.push(cli);
      const url = await cli.url();
      const parsed = await expectShare(url, byShard[1]!);
      expect(parsed.value('aicc_exporter_shard_index')).toBe(1);
      expect(parsed.value('aicc_exporter_shards')).toBe(3);
      expect(cli.output()).not.toContain(DEMO_SECRET_KEY);
    }, 60_000);

    it('with AICC_SHARD_FROM_POD_NAME=true and POD_NAME=aicc-exporter-2 serves shard 2', async () => {
      const cli = spawnCli(['--config', join(dir, 'config.yml')], {
        AICC_SHARD_FROM_POD_NAME: 'true',
        AICC_SHARD_TOTAL: '3',
        POD_NAME: 'aicc-exporter-2',
      });
      clis.push(cli);
      const url = await cli.url();
      const parsed = await expectShare(url, byShard[2]!);
      expect(parsed.value('aicc_exporter_shard_index')).toBe(2);
      expect(parsed.value('aicc_exporter_shards')).toBe(3);
    }, 60_000);

    /** Resolves with the exit code of a CLI expected to exit by itself. */
    function exitCode(cli: SpawnedCli): Promise<number | null> {
      return new Promise((resolve) => {
        if (cli.child.exitCode !== null) resolve(cli.child.exitCode);
        else cli.child.once('exit', (c) => resolve(c));
      });
    }

    it.each([['0x1'], [''], ['3']])('refuses --shard %j of 3 with exit code 2, naming the value', async (value) => {
      const cli = spawnCli(['--config', join(dir, 'config.yml'), `--shard=${value}`, '--total-shards', '3'], {});
      clis.push(cli);
      expect(await exitCode(cli)).toBe(2);
      expect(cli.output()).toContain(value === '3' ? 'shard.index: 3 is out of range' : `shard.index: "${value}" is not an integer`);
      expect(cli.output()).toContain('[from the command line]');
    }, 60_000);

    it('refuses a pod name whose ordinal is not below the shard total, with exit code 2', async () => {
      const cli = spawnCli(['--config', join(dir, 'config.yml')], {
        AICC_SHARD_FROM_POD_NAME: 'true',
        AICC_SHARD_TOTAL: '3',
        POD_NAME: 'aicc-exporter-3',
      });
      clis.push(cli);
      expect(await exitCode(cli)).toBe(2);
      expect(cli.output()).toMatch(/shard\.fromPodName: .*aicc-exporter-3.*shard\.total \(3\)/);
    }, 60_000);
  });
});
