/**
 * Failing collectors, against the in-process simulator: a collector failing past its stale limit
 * loses its series while the others keep working (aicc_up tells which), the CTI 3.6 answer
 * (resultCode 0100003) is logged once, not every interval, and the clock skew equals the CTI
 * offset within a request's round trip on real clocks.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, startExporterHarness, stopAllHarnesses, valueOf } from '../helpers/exporter-harness.js';

afterEach(stopAllHarnesses);

const VENDOR_ACCESS_CODE = ['aicc_access_code_calls', 'aicc_access_code_online_calls', 'aicc_access_code_longest_wait_seconds'];

describe('exporter with failing collectors', () => {
  it('drops the series of a collector failing past its stale limit; the others keep working', async () => {
    const h = await startExporterHarness({
      overrides: { 'collectors.accessCodes.staleAfterIntervals': 3, 'collectors.agentCalls.enabled': false },
    });
    await h.waitForRun('access_codes', 1, { ok: true });
    h.sim.faults.set('access_code_call_info', { httpStatus: 503 });

    // Failed, but within the stale limit (3 s after the last success): the last snapshot is still served.
    await h.waitForRun('access_codes', 1, { ok: false });
    const failing = (await h.scrape()).parsed;
    expect(valueOf(failing, 'aicc_up', { collector: 'access_codes' })).toBe(0);
    expect(failing.family('aicc_access_code_online_calls')?.samples.length).toBe(15);

    const stale = await eventually('the access code series to go stale', async () => {
      const p = (await h.scrape()).parsed;
      return p.family('aicc_access_code_online_calls') === undefined ? p : undefined;
    }, 8_000);
    for (const name of VENDOR_ACCESS_CODE) expect(stale.family(name), name).toBeUndefined();
    expect(valueOf(stale, 'aicc_up', { collector: 'access_codes' })).toBe(0);
    expect(valueOf(stale, 'aicc_up', { collector: 'sysindex' })).toBe(1);
    expect(valueOf(stale, 'aicc_up', { collector: 'cti_server_time' })).toBe(1);
    expect(valueOf(stale, 'aicc_api_requests_total', { endpoint: 'access_code_call_info', code: 'http_503' })).toBeGreaterThanOrEqual(3);
    expect(stale.family('aicc_agents_online')?.samples.length).toBe(3);
    const logged = h.log.lines().filter((l) => l.msg === 'collector series dropped: no successful run within the stale limit');
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ level: 'warn', collector: 'access_codes', ccId: 1, staleAfterSeconds: 3 });

    // The others keep running and succeeding meanwhile.
    const sysindexBefore = h.runs.filter((r) => r.collector === 'sysindex' && r.ok).length;
    await h.waitForRun('sysindex', 1, { ok: true });
    expect(h.runs.filter((r) => r.collector === 'sysindex' && r.ok).length).toBeGreaterThan(sysindexBefore);

    // Recovery: the series come back with the next successful run, and it is logged once.
    h.sim.faults.clear();
    await h.waitForRun('access_codes', 1, { ok: true });
    const back = (await h.scrape()).parsed;
    expect(valueOf(back, 'aicc_up', { collector: 'access_codes' })).toBe(1);
    expect(back.family('aicc_access_code_online_calls')?.samples.length).toBe(15);
    expect(h.log.lines().filter((l) => l.msg === 'collector recovered' && l.collector === 'access_codes')).toHaveLength(1);
  });

  it('logs the CTI 3.6 answer (0100003) once at warning level and reports aicc_up 0 for cti_server_time', async () => {
    const h = await startExporterHarness({
      sim: { cti36: true },
      // The CTI clock alone, so that its first run comes at once (no stagger offset).
      overrides: { 'collectors.sysindex.enabled': false, 'collectors.accessCodes.enabled': false, 'collectors.agentCalls.enabled': false },
    });
    for (let i = 0; i < 3; i++) await h.waitForRun('cti_server_time', 1, { ok: false });
    const { parsed } = await h.scrape();
    expect(valueOf(parsed, 'aicc_up', { collector: 'cti_server_time' })).toBe(0);
    expect(parsed.family('aicc_cti_clock_skew_seconds')).toBeUndefined();
    expect(valueOf(parsed, 'aicc_api_requests_total', { endpoint: 'cti_server_time', code: '0100003' })).toBeGreaterThanOrEqual(3);

    const ctiLines = h.log.lines().filter((l) => l.collector === 'cti_server_time');
    expect(ctiLines).toHaveLength(1);
    expect(ctiLines[0]).toMatchObject({ level: 'warn', ccId: 1, err: { endpoint: 'cti_server_time', resultCode: '0100003' } });
    expect(String(ctiLines[0]!.msg)).toContain('0100003');
  });

  it('measures the clock skew as the CTI offset within the request round trip (real clocks)', async () => {
    const offsetMs = -4_321;
    const h = await startExporterHarness({
      sim: { clock: { mode: 'real' }, ctiClockOffsetMs: offsetMs, latencyMs: 30 },
      simClock: false,
      overrides: { 'collectors.accessCodes.enabled': false, 'collectors.agentCalls.enabled': false, 'collectors.sysindex.enabled': false },
    });
    await h.waitForRun('cti_server_time', 1, { ok: true });
    const { parsed } = await h.scrape();
    const skew = valueOf(parsed, 'aicc_cti_clock_skew_seconds', { cc_id: '1' });
    const cti = { endpoint: 'cti_server_time' };
    const count = valueOf(parsed, 'aicc_api_request_duration_seconds_count', cti);
    expect(count).toBe(1);
    const roundTrip = valueOf(parsed, 'aicc_api_request_duration_seconds_sum', cti);
    expect(roundTrip).toBeGreaterThanOrEqual(0.03); // the simulator's latency
    // Half the round trip is the error bound of the midpoint method; 2 ms covers whole-ms clocks.
    expect(Math.abs(skew - offsetMs / 1000)).toBeLessThanOrEqual(roundTrip / 2 + 0.002);
    const ctiTime = valueOf(parsed, 'aicc_cti_time_seconds', { cc_id: '1' });
    expect(Math.abs(ctiTime - (Date.now() + offsetMs) / 1000)).toBeLessThan(30);
  });
});
