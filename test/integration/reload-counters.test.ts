/**
 * A configuration reload does not reset the sysindex counters. The exporter's collectors and the
 * simulator share a manual clock (signatures still carry the wall clock), so that 5-minute
 * periods can leave the sysindex window within the test: a counter rebuilt from scratch would
 * then come back lower, which the control exporter at the end shows.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { startApp, type RunningApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';
import { DEMO_ACCESS_KEY, DEMO_SECRET_KEY, generateScenario, startSimulator, type RunningSimulator } from '../../src/simulator/start-simulator.js';
import { captureLogger } from '../helpers/capture-logger.js';
import type { ParsedExposition } from '../helpers/parse-exposition.js';
import { TEST_START_MS } from '../helpers/simulator-helpers.js';
import { scrapeMetrics } from '../helpers/exporter-harness.js';

const SCENARIO = generateScenario({ callCenters: 1, vdnsPerCallCenter: 3, accessCodesPerVdn: 3, agentsPerVdn: 4 });
const FIVE_MINUTES = 5 * 60_000;

function writeConfig(dir: string, url: string, vdns: number[]): string {
  writeFileSync(join(dir, 'secret-key'), DEMO_SECRET_KEY);
  const cc = SCENARIO.callCenters[0]!;
  const document = {
    listen: { host: '127.0.0.1', port: 0 },
    cms: { url, accessKey: DEMO_ACCESS_KEY, secretKeyFile: 'secret-key', retries: 0 },
    callCenters: [{ ccId: cc.ccId, vdns: cc.vdns.filter((v) => vdns.includes(v.id)) }],
    collectors: {
      sysindex: { intervalSeconds: 1, lookbackMinutes: 20, staleAfterIntervals: 1000 },
      accessCodes: { enabled: false },
      agentCalls: { enabled: false },
      ctiServerTime: { enabled: false },
    },
  };
  const file = join(dir, 'config.yml');
  writeFileSync(file, stringify(document));
  return file;
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits for a sysindex run that finished at or after the shared clock's current time. */
async function sysindexRunAtNow(app: RunningApp, sim: RunningSimulator): Promise<ParsedExposition> {
  const now = sim.clock.now() / 1000;
  let parsed = await scrapeMetrics(app.url);
  await until(`a sysindex run at ${now}`, async () => {
    parsed = await scrapeMetrics(app.url);
    const at = parsed.value('aicc_collector_last_success_timestamp_seconds', { collector: 'sysindex', cc_id: '1' });
    return at !== undefined && at >= now;
  });
  return parsed;
}

function inbound(parsed: ParsedExposition): Map<string, number> {
  return new Map((parsed.family('aicc_inbound_calls_total')?.samples ?? []).map((s) => [s.labels['vdn']!, s.value]));
}

describe('sysindex counters across a reload', () => {
  const stops: Array<() => Promise<void>> = [];
  let dir: string | undefined;

  afterEach(async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('never decrease: the counter memory outlives the reload (a fresh exporter would report less)', async () => {
    dir = mkdtempSync(join(tmpdir(), 'aicc-reload-counters-'));
    const shared: { sim?: RunningSimulator } = {};
    const clock = () => shared.sim!.clock.now();
    const sim = (shared.sim = await startSimulator({
      scenario: SCENARIO,
      clock: { mode: 'manual', startMs: TEST_START_MS },
      trafficLevel: 5,
      seed: 11,
    }));
    stops.push(() => sim.close());
    const file = writeConfig(dir, sim.url, [1, 2]);
    const load = () => loadConfig({ file, env: {} }).config;
    const app = await startApp({ config: load(), logger: captureLogger('info').logger, now: clock, reloadConfig: load });
    stops.push(() => app.stop());

    await sysindexRunAtNow(app, sim);
    let previous = inbound(await scrapeMetrics(app.url));
    // 40 minutes in steps of 5: the periods of the first window leave the 20-minute window.
    for (let step = 0; step < 8; step++) {
      sim.clock.advance(FIVE_MINUTES);
      const now = inbound(await sysindexRunAtNow(app, sim));
      for (const [vdn, value] of previous) expect(now.get(vdn)).toBeGreaterThanOrEqual(value);
      previous = now;
    }
    const beforeReload = previous;
    expect([...beforeReload.keys()].sort()).toEqual(['1', '2']);

    writeConfig(dir, sim.url, [1, 2, 3]);
    expect(await app.reload()).toEqual({ ok: true });
    sim.clock.advance(60_000);
    let afterReload = inbound(await sysindexRunAtNow(app, sim));
    await until('VDN 3 exported', async () => {
      afterReload = inbound(await scrapeMetrics(app.url));
      return afterReload.has('3');
    });
    for (const [vdn, value] of beforeReload) expect(afterReload.get(vdn)).toBeGreaterThanOrEqual(value);

    // A second reload and a new period: still monotonic.
    expect(await app.reload()).toEqual({ ok: true });
    sim.clock.advance(FIVE_MINUTES);
    const later = inbound(await sysindexRunAtNow(app, sim));
    for (const [vdn, value] of afterReload) expect(later.get(vdn)).toBeGreaterThanOrEqual(value);

    // Control: an exporter started now counts only the 20-minute window, so a reset would show.
    const fresh = await startApp({ config: load(), logger: captureLogger('info').logger, now: clock });
    stops.push(() => fresh.stop());
    const freshValues = inbound(await sysindexRunAtNow(fresh, sim));
    for (const vdn of ['1', '2']) expect(freshValues.get(vdn)!).toBeLessThan(later.get(vdn)!);
  }, 60_000);
});
