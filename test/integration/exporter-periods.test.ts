/**
 * The exporter over simulated time (manual clock stepped by the test): sysindex counters stay
 * monotonic and equal the sum of the simulator's 5-minute periods over 20+ periods, and series
 * leave /metrics when their VDN leaves the CMS answers or an access code / agent / VDN leaves the
 * configuration (reload).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { PERIOD_MS } from '../../src/collectors/sysindex-memory.js';
import type { Config } from '../../src/config/index.js';
import { DEMO_ACCESS_KEY, DEMO_SECRET_KEY } from '../../src/simulator/start-simulator.js';
import {
  eventually,
  HARNESS_START_MS,
  labelValues,
  startExporterHarness,
  stopAllHarnesses,
  valueOf,
  type ExporterHarness,
} from '../helpers/exporter-harness.js';
import { startFakeCmsServer, type FakeCmsServer } from '../helpers/fake-cms-server.js';
import { signedPost } from '../helpers/simulator-helpers.js';

/** A lookback wider than the default 20 minutes, so that a few large steps cover 20+ periods. */
const LOOKBACK_MINUTES = 45;
const LOOKBACK_MS = LOOKBACK_MINUTES * 60_000;
const COUNTERS = ['aicc_inbound_calls_total', 'aicc_inbound_calls_connected_total', 'aicc_outbound_calls_total'] as const;

const proxies: FakeCmsServer[] = [];
afterEach(async () => {
  await stopAllHarnesses();
  await Promise.allSettled(proxies.splice(0).map((p) => p.close()));
});

/** The counters and gauges of every VDN of call center 1 must be what the simulator's periods say. */
function expectSysindexMatchesModel(h: ExporterHarness, parsed: Awaited<ReturnType<ExporterHarness['scrape']>>['parsed'], firstWindow: number): void {
  const now = h.sim.clock.now();
  for (const v of h.sim.scenario.callCenters[0]!.vdns) {
    const l = { cc_id: '1', vdn: String(v.id) };
    const periods = h.sim.model.periods(1, v.id).filter((p) => p.beginTime >= firstWindow);
    const newest = periods.at(-1)!;
    expect(newest.beginTime).toBe(Math.floor(now / PERIOD_MS) * PERIOD_MS);
    expect(valueOf(parsed, 'aicc_inbound_calls_total', l)).toBe(periods.reduce((n, p) => n + p.inCallNums, 0));
    expect(valueOf(parsed, 'aicc_inbound_calls_connected_total', l)).toBe(periods.reduce((n, p) => n + p.rateNum, 0));
    expect(valueOf(parsed, 'aicc_outbound_calls_total', l)).toBe(periods.reduce((n, p) => n + p.callOutNums, 0));
    expect(valueOf(parsed, 'aicc_agents_online', l)).toBe(h.sim.model.vdnState(1, v.id).online);
    expect(valueOf(parsed, 'aicc_agents', { ...l, state: 'idle' })).toBe(h.sim.model.vdnState(1, v.id).idle);
    expect(valueOf(parsed, 'aicc_period_start_timestamp_seconds', l)).toBe(newest.beginTime / 1000);
    expect(valueOf(parsed, 'aicc_inbound_connection_ratio', l)).toBeCloseTo(newest.callRate / 100, 10);
  }
}

describe('exporter over simulated time', () => {
  it('keeps counters monotonic and equal to the sum of the periods across 20 simulated periods', async () => {
    const h = await startExporterHarness({
      overrides: {
        'collectors.sysindex.lookbackMinutes': LOOKBACK_MINUTES,
        'collectors.accessCodes.enabled': false,
        'collectors.agentCalls.enabled': false,
        'collectors.ctiServerTime.enabled': false,
      },
    });
    const firstWindow = Math.floor((HARNESS_START_MS - LOOKBACK_MS) / PERIOD_MS) * PERIOD_MS;
    await h.waitForRun('sysindex', 1, { ok: true });
    expectSysindexMatchesModel(h, (await h.scrape()).parsed, firstWindow);

    // Steps of 1-40 minutes (below the lookback), most crossing several periods; one stays inside one.
    const stepsMin = [4, 26, 1, 17, 40, 13];
    const last = new Map<string, number>();
    for (const [i, minutes] of stepsMin.entries()) {
      if (i === 2) h.sim.setScenario({ trafficLevel: 4 }); // busier: counters must follow
      if (i === 4) h.sim.setScenario({ trafficLevel: 0.5, staffing: 0.4 });
      h.advance(minutes * 60_000);
      await h.waitForRun('sysindex', 1, { ok: true });
      const { parsed } = await h.scrape();
      for (const name of COUNTERS) {
        for (const s of parsed.samples().filter((x) => x.name === name)) {
          const key = `${name}${s.labels.vdn}`;
          expect(s.value, key).toBeGreaterThanOrEqual(last.get(key) ?? 0);
          last.set(key, s.value);
        }
      }
    }
    const elapsed = h.sim.clock.now() - HARNESS_START_MS;
    expect(elapsed / PERIOD_MS).toBeGreaterThanOrEqual(20);

    // A run that started after the last step sees the final state: totals are the periods' sum.
    await h.waitForRun('sysindex', 1, { ok: true, fresh: true });
    const { parsed } = await h.scrape();
    expectSysindexMatchesModel(h, parsed, firstWindow);
    expect(valueOf(parsed, 'aicc_inbound_calls_total', { vdn: '1' })).toBeGreaterThan(20);
    expect(h.runs.every((r) => r.ok)).toBe(true);
  });

  it('drops a VDN that leaves the sysindex answers from /metrics', async () => {
    const hidden = new Set<number>();
    let simUrl = '';
    // A proxy in front of the simulator that can leave VDNs out of the sysindex answers.
    const proxy = await startFakeCmsServer({
      accessKey: DEMO_ACCESS_KEY,
      secretKey: DEMO_SECRET_KEY,
      handler: async (req) => {
        try {
          const answer = await signedPost(simUrl, req.path, req.text);
          const desc = answer.json?.resultDesc as { data?: Array<{ vdn: unknown }>; count?: number } | undefined;
          if (!req.path.endsWith('/cti/sysindex') || !Array.isArray(desc?.data)) return { status: answer.status, body: answer.text };
          const data = desc.data.filter((r) => !hidden.has(Number(r.vdn)));
          const count = (desc.count ?? data.length) - (desc.data.length - data.length);
          return { status: answer.status, body: { ...answer.json, resultDesc: { data, count } } };
        } catch {
          return { destroy: true };
        }
      },
    });
    proxies.push(proxy);
    const h = await startExporterHarness({
      cmsUrl: (sim) => {
        simUrl = sim.url;
        return proxy.url;
      },
      callCenters: (sim) => sim.scenario.callCenters.map((cc) => ({ ccId: cc.ccId, vdns: [] })), // discovery
      overrides: { 'collectors.ctiServerTime.enabled': false },
    });
    await h.waitForRun('sysindex', 1, { ok: true });
    expect(labelValues((await h.scrape()).parsed, 'aicc_agents_online', 'vdn')).toEqual(['1', '2', '3']);

    hidden.add(2);
    const parsed = await eventually('VDN 2 to leave /metrics', async () => {
      const p = (await h.scrape()).parsed;
      return labelValues(p, 'aicc_agents_online', 'vdn').includes('2') ? undefined : p;
    });
    for (const name of ['aicc_agents_online', 'aicc_agents', 'aicc_inbound_calls_total', 'aicc_period_start_timestamp_seconds']) {
      expect(labelValues(parsed, name, 'vdn'), name).toEqual(['1', '3']);
    }
    expect(valueOf(parsed, 'aicc_up', { collector: 'sysindex' })).toBe(1);

    // It comes back when the CMS reports it again (its counters restart from the lookback window).
    hidden.clear();
    await eventually('VDN 2 to come back', async () =>
      labelValues((await h.scrape()).parsed, 'aicc_agents_online', 'vdn').join() === '1,2,3' ? true : undefined,
    );
  });

  it('drops a VDN, an access code and an agent that leave the configuration with the next snapshot (reload)', async () => {
    let next: Config | null = null;
    const h = await startExporterHarness({
      sim: { scenario: { callCenters: 1, vdnsPerCallCenter: 3, accessCodesPerVdn: 2, agentsPerVdn: 2 } },
      reloadConfig: (initial) => next ?? initial,
    });
    await Promise.all((['sysindex', 'access_codes', 'agent_calls'] as const).map((c) => h.waitForRun(c, 1, { ok: true })));
    const before = (await h.scrape()).parsed;
    expect(labelValues(before, 'aicc_agents_online', 'vdn')).toEqual(['1', '2', '3']);
    expect(labelValues(before, 'aicc_access_code_online_calls', 'access_code')).toEqual(['1', '2', '3', '4', '5', '6']);
    expect(labelValues(before, 'aicc_agent_active_calls', 'agent_id')).toEqual(['101', '102', '103', '104', '105', '106']);
    const inboundVdn1 = valueOf(before, 'aicc_inbound_calls_total', { vdn: '1' });

    // VDN 3 leaves; VDN 1 loses access code 2; VDN 2 loses agent 104.
    const cc = h.config.callCenters[0]!;
    next = {
      ...h.config,
      callCenters: [
        {
          ccId: cc.ccId,
          vdns: [
            { ...cc.vdns[0]!, accessCodes: [1] },
            { ...cc.vdns[1]!, agents: [103] },
          ],
        },
      ],
    };
    expect(await h.app.reload()).toEqual({ ok: true });
    // Runs of the old schedule are aborted and report nothing: the next run of each is the new one.
    await Promise.all((['sysindex', 'access_codes', 'agent_calls'] as const).map((c) => h.waitForRun(c, 1, { ok: true })));
    const after = (await h.scrape()).parsed;
    expect(labelValues(after, 'aicc_agents_online', 'vdn')).toEqual(['1', '2']);
    expect(labelValues(after, 'aicc_inbound_calls_total', 'vdn')).toEqual(['1', '2']);
    expect(labelValues(after, 'aicc_access_code_online_calls', 'access_code')).toEqual(['1', '3', '4']);
    expect(labelValues(after, 'aicc_access_code_calls', 'vdn')).toEqual(['1', '2']);
    expect(labelValues(after, 'aicc_agent_active_calls', 'agent_id')).toEqual(['101', '102', '103']);
    // The counter memory outlives the reload: VDN 1's counter did not restart.
    expect(valueOf(after, 'aicc_inbound_calls_total', { vdn: '1' })).toBe(inboundVdn1);
    expect(valueOf(after, 'aicc_exporter_config_last_reload_successful')).toBe(1);

    // The last agent leaves: the agent_calls collector is no longer scheduled, its series and self-metrics go at once.
    next = { ...next, callCenters: [{ ccId: cc.ccId, vdns: next.callCenters[0]!.vdns.map((v) => ({ ...v, agents: [] })) }] };
    expect(await h.app.reload()).toEqual({ ok: true });
    const gone = (await h.scrape()).parsed;
    expect(gone.family('aicc_agent_active_calls')).toBeUndefined();
    expect(labelValues(gone, 'aicc_up', 'collector')).toEqual(['access_codes', 'cti_server_time', 'sysindex']);
  });
});
