/**
 * The process-wide CMS concurrency limit, with the real CmsClient, scheduler and collectors against
 * the simulator: while several collectors run at once over 300 VDNs (the CMS answering after 20 ms),
 * the simulator never sees more than cms.concurrency requests in flight, and sees exactly that many
 * (the runs are parallel).
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
    // requests (the limiter is FIFO, so another collector's requests join at the end of the queue).
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
});
