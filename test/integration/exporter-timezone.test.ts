/**
 * The process time zone does not change a single number: the same seeded simulation, stepped the
 * same way, gives the same exposition under TZ=UTC and TZ=Asia/Shanghai (CMS dates are UTC).
 * Node applies an assignment to process.env.TZ at once (this file runs in its own forked process);
 * the test proves the switch took effect before comparing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { HARNESS_START_MS, startExporterHarness, stopAllHarnesses } from '../helpers/exporter-harness.js';
import type { CollectorName } from '../../src/collectors/types.js';

const ORIGINAL_TZ = process.env.TZ;
afterEach(async () => {
  await stopAllHarnesses();
  if (ORIGINAL_TZ === undefined) delete process.env.TZ;
  else process.env.TZ = ORIGINAL_TZ;
});

const COLLECTORS: CollectorName[] = ['sysindex', 'access_codes', 'cti_server_time', 'agent_calls'];

/** One seeded run: first runs, a 13-minute step across periods, a run after it; the vendor samples as JSON. */
async function seededRun(): Promise<{ samples: string; count: number; skew: number }> {
  const h = await startExporterHarness({ sim: { seed: 11, ctiClockOffsetMs: 1_500 } });
  await Promise.all(COLLECTORS.map((c) => h.waitForRun(c, 1, { ok: true })));
  h.advance(13 * 60_000);
  await Promise.all(COLLECTORS.map((c) => h.waitForRun(c, 1, { ok: true, fresh: true })));
  const { parsed } = await h.scrape();
  await h.stop();
  // The skew carries the request's wall-clock round trip: compared rounded, below.
  const vendor = parsed
    .samples()
    .filter((s) => s.name.startsWith('aicc_') && !/^aicc_(api_|collector_duration|collector_skipped|exporter_)/.test(s.name))
    .filter((s) => s.name !== 'aicc_cti_clock_skew_seconds');
  const skew = parsed.value('aicc_cti_clock_skew_seconds', { cc_id: '1' });
  return { samples: JSON.stringify(vendor), count: vendor.length, skew: skew ?? Number.NaN };
}

describe('time zone independence', () => {
  it('gives the same numbers under TZ=UTC and TZ=Asia/Shanghai', async () => {
    process.env.TZ = 'UTC';
    expect(new Date(0).getTimezoneOffset()).toBe(0);
    expect(new Date(HARNESS_START_MS).getHours()).toBe(10);
    const utc = await seededRun();

    process.env.TZ = 'Asia/Shanghai';
    expect(new Date(0).getTimezoneOffset()).toBe(-480);
    expect(new Date(HARNESS_START_MS).getHours()).toBe(18);
    const shanghai = await seededRun();

    expect(utc.count).toBeGreaterThan(100);
    expect(shanghai.samples).toBe(utc.samples);
    expect(utc.skew).toBeCloseTo(1.5, 1);
    expect(shanghai.skew).toBeCloseTo(1.5, 1);
  });
});
