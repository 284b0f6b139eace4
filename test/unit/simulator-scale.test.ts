import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../src/simulator/start-simulator.js';
import { SIM_PATHS, TEST_START_MS, cmsDate, signedPost } from '../helpers/simulator-helpers.js';

describe('simulator at scale (5,000 VDNs x 20 access codes)', () => {
  let sim: RunningSimulator | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });

  it('advances 10 simulated minutes and answers a 500-innoId query and an all-VDN sysindex page consistently', async () => {
    sim = await startSimulator({
      clock: { mode: 'manual', startMs: TEST_START_MS },
      scenario: { vdnsPerCallCenter: 5000, accessCodesPerVdn: 20, agentsPerVdn: 10 },
      seed: 3,
    });
    sim.clock.advance(600_000);
    const { activeCalls, arrivals } = sim.model.totals();
    // Traffic is scaled down at this size: active calls in the thousands, not hundreds of thousands.
    expect(activeCalls).toBeGreaterThan(100);
    expect(activeCalls).toBeLessThan(10_000);
    expect(arrivals).toBeGreaterThan(10_000);

    // A VDN with calls right now; ask its 20 access codes and 480 of other VDNs (zeros for it).
    const busy = sim.model.calls().find((c) => c.innoId !== null)!;
    const innoIds = Array.from({ length: 500 }, (_, i) => (busy.vdn - 1) * 20 + 1 + i);
    const res = await signedPost(sim.url, SIM_PATHS.accessCodeCallInfo, { ccId: 1, vdn: busy.vdn, innoIds });
    expect(res.status).toBe(200);
    expect(res.json.resultCode).toBe('0100000');
    expect(res.json.resultDesc).toHaveLength(500);
    for (const [i, row] of (res.json.resultDesc as Array<Record<string, number>>).entries()) {
      expect(row.innoId).toBe(innoIds[i]);
      const { innoId: _innoId, ...state } = row;
      expect(state).toEqual(sim.model.accessCodeState(1, busy.vdn, innoIds[i]!));
      if (i >= 20) expect(row.allCallCount).toBe(0);
    }
    expect((res.json.resultDesc as Array<{ allCallCount: number }>).some((r) => r.allCallCount > 0)).toBe(true);

    const now = sim.clock.now();
    const page = await signedPost(sim.url, SIM_PATHS.sysindex, {
      ccId: 1,
      beginDate: cmsDate(now - 600_000),
      endDate: cmsDate(now),
      limit: 100,
      offset: 4950,
    });
    expect(page.json.resultCode).toBe(0);
    expect(page.json.resultDesc.count).toBe(3 * 5000);
    expect(page.json.resultDesc.data).toHaveLength(100);
    expect(page.json.resultDesc.data[49]).toMatchObject({ vdn: 5000 });
    expect(page.json.resultDesc.data[50]).toMatchObject({ vdn: 1 });
  }, 60_000);
});
