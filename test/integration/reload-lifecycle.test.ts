/**
 * Configuration reload through POST /-/reload on an in-process exporter whose configuration is a
 * file in a temporary folder: added VDNs start being polled, removed ones leave /metrics, an
 * invalid file keeps the running configuration (and says why), changed credentials are used
 * from the next request, and the reload gauges follow.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { startApp, type RunningApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';
import { ctiClockShard, ownsVdn } from '../../src/sharding/shard-assignment.js';
import type { CallCenterConfig } from '../../src/config/types.js';
import { DEMO_ACCESS_KEY, DEMO_SECRET_KEY, generateScenario, startSimulator, type RunningSimulator } from '../../src/simulator/start-simulator.js';
import { captureLogger } from '../helpers/capture-logger.js';
import type { ParsedExposition } from '../helpers/parse-exposition.js';
import { scrapeMetrics } from '../helpers/exporter-harness.js';

/** One call center, VDNs 1-6, 2 access codes and 2 agents each. */
const SCENARIO = generateScenario({ callCenters: 1, vdnsPerCallCenter: 6, accessCodesPerVdn: 2, agentsPerVdn: 2 });

interface FileSettings {
  vdns: number[];
  lifecycle?: boolean;
  logLevel?: string;
  shard?: { index: number; total: number };
  /** staleAfterIntervals of every collector (default 3). */
  staleAfter?: number;
  accessKey?: string;
  secretKey?: string;
  /** Written as is instead of a valid VDN list (to make the file invalid). */
  rawCallCenters?: unknown;
}

/** The configured call centers: VDNs `ids` of the scenario's call center, with their codes and agents. */
function callCentersWith(ids: number[]): CallCenterConfig[] {
  const cc = SCENARIO.callCenters[0]!;
  return [{ ccId: cc.ccId, vdns: cc.vdns.filter((v) => ids.includes(v.id)) }];
}

/** Writes the config file (and its secret key file) of `settings`; returns the config file's path. */
function writeConfig(dir: string, sim: RunningSimulator, settings: FileSettings): string {
  writeFileSync(join(dir, 'secret-key'), `${settings.secretKey ?? DEMO_SECRET_KEY}\n`);
  const interval = { intervalSeconds: 1, staleAfterIntervals: settings.staleAfter ?? 3 };
  const document = {
    listen: { host: '127.0.0.1', port: 0 },
    web: { enableLifecycle: settings.lifecycle ?? true },
    cms: { url: sim.url, accessKey: settings.accessKey ?? DEMO_ACCESS_KEY, secretKeyFile: 'secret-key', retries: 0 },
    callCenters: settings.rawCallCenters ?? callCentersWith(settings.vdns),
    collectors: { sysindex: interval, accessCodes: interval, ctiServerTime: interval, agentCalls: interval },
    ...(settings.logLevel === undefined ? {} : { log: { level: settings.logLevel } }),
    ...(settings.shard === undefined ? {} : { shard: settings.shard }),
  };
  const file = join(dir, 'config.yml');
  writeFileSync(file, stringify(document));
  return file;
}

/** Polls `check` every 200 ms until it is true; throws after `timeoutMs`. */
async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The VDNs with series in each vendor family group. */
function exportedVdns(parsed: ParsedExposition): { sysindex: string[]; accessCodes: string[]; agents: string[] } {
  const vdnsOf = (family: string) => [...new Set((parsed.family(family)?.samples ?? []).map((s) => s.labels['vdn']!))].sort();
  return {
    sysindex: vdnsOf('aicc_agents_online'),
    accessCodes: vdnsOf('aicc_access_code_online_calls'),
    agents: vdnsOf('aicc_agent_active_calls'),
  };
}

function same(ids: number[]): { sysindex: string[]; accessCodes: string[]; agents: string[] } {
  const list = ids.map(String).sort();
  return { sysindex: list, accessCodes: list, agents: list };
}

async function postReload(app: RunningApp): Promise<{ status: number; body: string }> {
  const res = await fetch(`${app.url}/-/reload`, { method: 'POST' });
  return { status: res.status, body: await res.text() };
}

const COLLECTORS = ['sysindex', 'access_codes', 'cti_server_time', 'agent_calls'];

/** aicc_up of every collector of call center 1, in COLLECTORS order. */
function upValues(parsed: ParsedExposition): Array<number | undefined> {
  return COLLECTORS.map((collector) => parsed.value('aicc_up', { collector, cc_id: '1' }));
}

describe('configuration reload (POST /-/reload)', () => {
  let dir: string;
  let sim: RunningSimulator | undefined;
  let app: RunningApp | undefined;
  let log: ReturnType<typeof captureLogger>;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'aicc-reload-'));
    log = captureLogger('debug');
  });

  afterEach(async () => {
    await app?.stop();
    await sim?.close();
    app = undefined;
    sim = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  async function start(settings: FileSettings, simOptions: Parameters<typeof startSimulator>[0] = {}): Promise<{ app: RunningApp; file: string }> {
    sim = await startSimulator({ scenario: SCENARIO, clock: { mode: 'real' }, seed: 5, ...simOptions });
    const file = writeConfig(dir, sim, settings);
    app = await startApp({
      config: loadConfig({ file, env: {} }).config,
      logger: log.logger,
      reloadConfig: () => loadConfig({ file, env: {} }).config,
    });
    return { app, file };
  }

  it('polls an added VDN and drops a removed one from every family; the reload gauges follow', async () => {
    const { app } = await start({ vdns: [1, 2, 3, 4] });
    await until('VDNs 1-4 exported', async () => JSON.stringify(exportedVdns(await scrapeMetrics(app.url))) === JSON.stringify(same([1, 2, 3, 4])));
    const before = await scrapeMetrics(app.url);
    expect(before.value('aicc_exporter_config_last_reload_successful')).toBe(1);
    const firstLoad = before.value('aicc_exporter_config_last_reload_success_timestamp_seconds')!;
    expect(firstLoad).toBeGreaterThan(0);

    writeConfig(dir, sim!, { vdns: [2, 3, 4, 5] });
    await new Promise((r) => setTimeout(r, 20)); // the timestamp has millisecond resolution
    const answer = await postReload(app);
    expect(answer.status).toBe(200);
    await until('VDN 5 in, VDN 1 out', async () => JSON.stringify(exportedVdns(await scrapeMetrics(app.url))) === JSON.stringify(same([2, 3, 4, 5])));

    const after = await scrapeMetrics(app.url);
    expect(after.value('aicc_exporter_config_last_reload_successful')).toBe(1);
    expect(after.value('aicc_exporter_config_last_reload_success_timestamp_seconds')!).toBeGreaterThan(firstLoad);
    expect(after.value('aicc_agent_active_calls', { vdn: '5', agent_id: String(SCENARIO.callCenters[0]!.vdns[4]!.agents[0]) })).toBeDefined();
    expect(log.lines().some((l) => l['msg'] === 'configuration reloaded')).toBe(true);
  });

  it('drops the series of removed VDNs even when the CMS fails after the reload; unchanged jobs keep serving', async () => {
    const { app } = await start({ vdns: [1, 2], staleAfter: 1000 });
    await until('first runs succeeded', async () => upValues(await scrapeMetrics(app.url)).every((v) => v === 1));
    await until('VDNs 1 and 2 exported', async () => JSON.stringify(exportedVdns(await scrapeMetrics(app.url))) === JSON.stringify(same([1, 2])));
    sim!.faults.set('all', { httpStatus: 503 });
    writeConfig(dir, sim!, { vdns: [1], staleAfter: 1000 });
    expect((await postReload(app)).status).toBe(200);
    await until('every collector failing', async () => upValues(await scrapeMetrics(app.url)).every((v) => v === 0));
    const p = await scrapeMetrics(app.url);
    // Jobs that lost VDN 2 dropped their snapshot at their first failed run...
    expect(exportedVdns(p)).toEqual({ sysindex: [], accessCodes: [], agents: [] });
    // ...the CTI clock job, whose scope did not change, still serves its last value (stale limit far).
    expect(p.value('aicc_cti_clock_skew_seconds', { cc_id: '1' })).toBeDefined();
    sim!.faults.clear();
    await until('VDN 1 back', async () => JSON.stringify(exportedVdns(await scrapeMetrics(app.url))) === JSON.stringify(same([1])));
    expect(log.lines().filter((l) => l['msg'] === 'collector series dropped: the first run after a reload that removed some of them failed')).toHaveLength(3);
  });

  it('drops the series and self-metrics of a call center removed from the file', async () => {
    const scenario = generateScenario({ callCenters: 2, vdnsPerCallCenter: 2, accessCodesPerVdn: 1, agentsPerVdn: 1 });
    sim = await startSimulator({ scenario, clock: { mode: 'real' }, seed: 5 });
    const file = writeConfig(dir, sim, { vdns: [], rawCallCenters: scenario.callCenters });
    const running = (app = await startApp({ config: loadConfig({ file, env: {} }).config, logger: log.logger, reloadConfig: () => loadConfig({ file, env: {} }).config }));
    await until('both call centers exported', async () => {
      const p = await scrapeMetrics(running.url);
      return new Set((p.family('aicc_agents_online')?.samples ?? []).map((s) => s.labels['cc_id'])).size === 2;
    });
    writeConfig(dir, sim, { vdns: [], rawCallCenters: [scenario.callCenters[0]] });
    expect((await postReload(running)).status).toBe(200);
    // Right after the reload answers, nothing of call center 2 is left: neither its series nor its self-metrics.
    const after = await scrapeMetrics(running.url);
    expect(after.samples().filter((s) => s.labels['cc_id'] === '2')).toEqual([]);
    expect(after.samples().filter((s) => s.labels['cc_id'] === '1').length).toBeGreaterThan(0);
  });

  it('applies a changed shard: the VDNs of other shards leave, the shard gauges follow', async () => {
    const all = [1, 2, 3, 4, 5, 6];
    const { app } = await start({ vdns: all });
    await until('all VDNs exported', async () => exportedVdns(await scrapeMetrics(app.url)).sysindex.length === 6);
    const mine = all.filter((v) => ownsVdn({ index: 1, total: 2 }, 1, v));
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.length).toBeLessThan(6);
    writeConfig(dir, sim!, { vdns: all, shard: { index: 1, total: 2 } });
    expect((await postReload(app)).status).toBe(200);
    await until("only shard 1's VDNs exported", async () => JSON.stringify(exportedVdns(await scrapeMetrics(app.url))) === JSON.stringify(same(mine)));
    const after = await scrapeMetrics(app.url);
    expect(after.value('aicc_exporter_shard_index')).toBe(1);
    expect(after.value('aicc_exporter_shards')).toBe(2);
    const clockHere = ctiClockShard(1, 2) === 1;
    expect(after.value('aicc_cti_clock_skew_seconds', { cc_id: '1' }) !== undefined).toBe(clockHere);
  });

  it('answers 403 when the lifecycle API is not enabled, and changes nothing', async () => {
    const { app } = await start({ vdns: [1], lifecycle: false });
    writeConfig(dir, sim!, { vdns: [1, 2], lifecycle: false });
    const answer = await postReload(app);
    expect(answer.status).toBe(403);
    await until('VDN 1 exported', async () => exportedVdns(await scrapeMetrics(app.url)).sysindex.length === 1);
    await new Promise((r) => setTimeout(r, 1_500)); // more than one interval: VDN 2 would have appeared
    expect(exportedVdns(await scrapeMetrics(app.url)).sysindex).toEqual(['1']);
  });

  it('keeps the running configuration when the new file is invalid, says why, and recovers once it is fixed', async () => {
    const { app } = await start({ vdns: [1, 2] });
    await until('first runs succeeded', async () => upValues(await scrapeMetrics(app.url)).every((v) => v === 1));
    const loadedAt = (await scrapeMetrics(app.url)).value('aicc_exporter_config_last_reload_success_timestamp_seconds')!;

    writeConfig(dir, sim!, { vdns: [], rawCallCenters: [{ ccId: 1, vdns: [{ id: 6000 }, { id: 2, agents: [7] }] }] });
    const answer = await postReload(app);
    expect(answer.status).toBe(500);
    expect(answer.body).toMatch(/^Reload failed: invalid configuration/);
    expect(answer.body).toContain('callCenters[0].vdns[0].id: 6000 is out of range');
    expect(answer.body).toContain('callCenters[0].vdns[1].agents');
    const failure = log.lines().find((l) => l['msg'] === 'configuration reload failed; keeping the running configuration');
    expect(failure?.['level']).toBe('error');
    const problems = failure?.['problems'] as string[];
    expect(problems.some((p) => p.startsWith('callCenters[0].vdns[0].id: 6000 is out of range'))).toBe(true);
    expect(problems.some((p) => p.startsWith('callCenters[0].vdns[1].agents'))).toBe(true);

    const failed = await scrapeMetrics(app.url);
    expect(failed.value('aicc_exporter_config_last_reload_successful')).toBe(0);
    expect(failed.value('aicc_exporter_config_last_reload_success_timestamp_seconds')).toBe(loadedAt);
    // The old configuration keeps running: every collector keeps succeeding after the failed reload.
    const successAt = (p: ParsedExposition) => COLLECTORS.map((collector) => p.value('aicc_collector_last_success_timestamp_seconds', { collector, cc_id: '1' })!);
    const successBefore = successAt(failed);
    await until('every collector succeeded again', async () => {
      const now = successAt(await scrapeMetrics(app.url));
      return now.every((t, i) => t > successBefore[i]!);
    });
    const still = await scrapeMetrics(app.url);
    expect(upValues(still)).toEqual([1, 1, 1, 1]);
    expect(exportedVdns(still)).toEqual(same([1, 2]));

    writeConfig(dir, sim!, { vdns: [1, 2, 3] });
    expect((await postReload(app)).status).toBe(200);
    const fixed = await scrapeMetrics(app.url);
    expect(fixed.value('aicc_exporter_config_last_reload_successful')).toBe(1);
    expect(fixed.value('aicc_exporter_config_last_reload_success_timestamp_seconds')!).toBeGreaterThan(loadedAt);
    await until('VDN 3 exported', async () => exportedVdns(await scrapeMetrics(app.url)).sysindex.includes('3'));
  });

  it('uses changed credentials from the next request', async () => {
    const B = { accessKey: 'rotated-ak', secretKey: 'rotated-sk-value-B' };
    const { app } = await start({ vdns: [1, 2] }, { accessKey: B.accessKey, secretKey: B.secretKey });
    await until('runs failing with HTTP 401', async () => {
      const p = await scrapeMetrics(app.url);
      return (p.value('aicc_api_requests_total', { endpoint: 'sysindex', code: 'http_401' }) ?? 0) > 0 && upValues(p).every((v) => v === 0);
    });
    expect(exportedVdns(await scrapeMetrics(app.url)).sysindex).toEqual([]);

    writeConfig(dir, sim!, { vdns: [1, 2], ...B });
    expect((await postReload(app)).status).toBe(200);
    await until('every collector succeeding with the new keys', async () => upValues(await scrapeMetrics(app.url)).every((v) => v === 1));
    const p = await scrapeMetrics(app.url);
    expect(exportedVdns(p)).toEqual(same([1, 2]));
    expect((p.value('aicc_api_requests_total', { endpoint: 'sysindex', code: '0' }) ?? 0) + (p.value('aicc_api_requests_total', { endpoint: 'sysindex', code: '0100000' }) ?? 0)).toBeGreaterThan(0);
    expect(log.text()).not.toContain(B.secretKey);
    expect(log.text()).not.toContain(DEMO_SECRET_KEY);
  });

  it('applies a changed log.level and warns about settings that need a restart', async () => {
    const { app } = await start({ vdns: [1], lifecycle: false });
    writeConfig(dir, sim!, { vdns: [1], lifecycle: true, logLevel: 'warn' });
    expect(await app.reload()).toEqual({ ok: true });
    const warning = log.lines().find((l) => l['msg'] === 'changes of these settings take effect only after a restart');
    expect(warning?.['settings']).toEqual(['web.enableLifecycle']);
    expect((await postReload(app)).status).toBe(403); // still as started
    // The reload to warn applied the level before its own info line: not written.
    const reloadedLines = () => log.lines().filter((l) => l['msg'] === 'configuration reloaded').length;
    expect(reloadedLines()).toBe(0);
    expect(await app.reload()).toEqual({ ok: true }); // still at warn; still a restart-only difference
    expect(reloadedLines()).toBe(0);
    expect(log.lines().filter((l) => l['msg'] === 'changes of these settings take effect only after a restart')).toHaveLength(2);
    writeConfig(dir, sim!, { vdns: [1], lifecycle: true, logLevel: 'info' });
    expect(await app.reload()).toEqual({ ok: true });
    expect(reloadedLines()).toBe(1);
  });

  it('refuses a reload without a configuration file (logged) and once stopping', async () => {
    sim = await startSimulator({ scenario: SCENARIO, clock: { mode: 'real' }, seed: 5 });
    const file = writeConfig(dir, sim, { vdns: [1] });
    const noFile = await startApp({ config: loadConfig({ file, env: {} }).config, logger: log.logger });
    app = noFile;
    const refused = await noFile.reload();
    expect(refused.ok).toBe(false);
    expect(refused.message).toMatch(/no configuration file/);
    expect(log.lines().some((l) => l['level'] === 'warn' && String(l['msg']).startsWith('configuration reload requested, but there is no configuration file'))).toBe(true);
    expect((await postReload(noFile)).status).toBe(500);
    expect((await scrapeMetrics(noFile.url)).value('aicc_exporter_config_last_reload_successful')).toBe(1);

    const reloadable = await startApp({ config: loadConfig({ file, env: {} }).config, logger: log.logger, reloadConfig: () => loadConfig({ file, env: {} }).config });
    await reloadable.stop();
    expect(await reloadable.reload()).toEqual({ ok: false, message: 'the exporter is shutting down' });
    expect(log.lines().filter((l) => l['msg'] === 'configuration reloaded')).toHaveLength(0);
  });
});
