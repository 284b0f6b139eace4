/**
 * The process-wide CMS concurrency limit, with the real CmsClient, scheduler and collectors against
 * the simulator: while several collectors run at once over 300 VDNs (the CMS answering after 20 ms),
 * the simulator never sees more than cms.concurrency requests in flight, and sees exactly that many
 * (the runs are parallel); and a run over many VDNs does not take the whole request queue, so
 * another collector's requests are not held until it ends.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startExporterHarness, stopAllHarnesses, valueOf } from '../helpers/exporter-harness.js';

afterEach(stopAllHarnesses);

const CONCURRENCY = 5;
const LATENCY_MS = 20;
const VDNS = 300;

describe('exporter concurrency towards the CMS', () => {
  it('holds cms.concurrency across collectors and uses all of it', async () => {
    const h = await startExporterHarness({
      sim: {
        latencyMs: LATENCY_MS,
        scenario: { callCenters: 1, vdnsPerCallCenter: VDNS, accessCodesPerVdn: 2, agentsPerVdn: 0 },
      },
      // Every second: access codes (one request per VDN), sysindex (3 batches of 100 VDNs), the CTI clock.
      overrides: { 'cms.concurrency': CONCURRENCY },
    });
    await Promise.all(
      (['access_codes', 'sysindex', 'cti_server_time'] as const).map((c) => h.waitForRun(c, 1, { ok: true, timeoutMs: 15_000 })),
    );
    const { parsed } = await h.scrape();

    expect(h.sim.stats.maxInFlight).toBe(CONCURRENCY);
    expect(h.sim.stats.inFlight).toBeLessThanOrEqual(CONCURRENCY);

    // Collectors overlapped: requests of other interfaces were in flight together with access-code
    // requests (the limiter is FIFO, and a run keeps only a few requests queued at a time).
    // The simulator logs a request when it ends, so the overlapping ones may still be in flight
    // when the first runs have ended: poll the log.
    const overlappingEndpoints = (): number => {
      const log = h.sim.stats.recent;
      const access = log.filter((e) => e.endpoint === 'access_code_call_info');
      const overlapping = log.filter(
        (o) => o.endpoint !== 'access_code_call_info' && access.some((a) => o.atMs < a.atMs + a.durationMs && a.atMs < o.atMs + o.durationMs),
      );
      return new Set(overlapping.map((o) => o.endpoint)).size;
    };
    await expect.poll(overlappingEndpoints, { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
    expect(h.sim.stats.maxInFlight).toBe(CONCURRENCY);

    // One run of access codes is 300 requests: at least ceil(300 / concurrency) latencies long (the
    // limit holds). That it is parallel is proven by maxInFlight above, not by a wall-time bound
    // that a busy 2-core machine could break.
    const lowerBound = (Math.ceil(VDNS / CONCURRENCY) * LATENCY_MS) / 1000;
    const duration = valueOf(parsed, 'aicc_collector_duration_seconds', { collector: 'access_codes' });
    expect(duration).toBeGreaterThanOrEqual(lowerBound * 0.95);
    // Such a run outlasts its 1 s interval: the tick that found it still going was skipped and counted.
    expect(valueOf(parsed, 'aicc_collector_skipped_runs_total', { collector: 'access_codes' })).toBeGreaterThanOrEqual(1);
    expect(valueOf(parsed, 'aicc_access_code_online_calls', { vdn: String(VDNS), access_code: String(VDNS * 2) })).toBeGreaterThanOrEqual(0);
  });

  it("lets another collector's requests through while a long run is going", async () => {
    const vdns = 200;
    const h = await startExporterHarness({
      sim: { latencyMs: 5, scenario: { callCenters: 1, vdnsPerCallCenter: vdns, accessCodesPerVdn: 1, agentsPerVdn: 0 } },
      // One slot: the access-codes run (200 requests, at least 1 s) is still going when the CTI
      // clock (first run at 0.67 s) and the second sysindex run (at 1 s) ask.
      overrides: { 'cms.concurrency': 1 },
    });
    await h.waitForRun('access_codes', 1, { ok: true, timeoutMs: 20_000 });
    const log = [...h.sim.stats.recent].sort((a, b) => a.atMs - b.atMs);
    const access = log.filter((e) => e.endpoint === 'access_code_call_info').slice(0, vdns);
    expect(access).toHaveLength(vdns);
    const from = access[0]!.atMs;
    const to = access[vdns - 1]!.atMs;
    // Had the run queued all its 200 requests at once, every other request would wait behind them.
    const between = log.filter((e) => e.endpoint !== 'access_code_call_info' && e.atMs > from && e.atMs < to);
    expect(new Set(between.map((e) => e.endpoint))).toContain('cti_server_time');
  });
});
