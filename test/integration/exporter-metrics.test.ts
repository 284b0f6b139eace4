/**
 * The exporter's main job against the in-process simulator (manual clock standing still, so the
 * model's state is fixed while the collectors run): every metric of the contract is served with
 * the value the simulator's own state gives, in both formats, gzip-compressed on request, and the
 * text format passes `promtool check metrics`.
 */
import { execFile } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { PERIOD_MS } from '../../src/collectors/sysindex-memory.js';
import type { CollectorName } from '../../src/collectors/types.js';
import {
  HARNESS_START_MS,
  httpGet,
  labelValues,
  startExporterHarness,
  stopAllHarnesses,
  valueOf,
  type ExporterHarness,
} from '../helpers/exporter-harness.js';
import { toolOrSkip } from '../helpers/rules-for-e2e.js';

const CTI_OFFSET_MS = 2_500;
const LOOKBACK_MS = 20 * 60_000;
const ALL: CollectorName[] = ['sysindex', 'access_codes', 'cti_server_time', 'agent_calls'];

/** Waits for one successful run of every collector of call center 1 (the clock stands still: any run sees the same state). */
async function allCollectorsRan(h: ExporterHarness): Promise<void> {
  await Promise.all(ALL.map((c) => h.waitForRun(c, 1, { ok: true })));
}

function promtoolCheck(promtool: string, text: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = execFile(promtool, ['check', 'metrics'], { timeout: 10_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
    child.stdin?.end(text);
  });
}

describe('exporter against the simulator: the metric contract', () => {
  afterEach(stopAllHarnesses);

  it('serves every metric with the value the simulator state says', async () => {
    const h = await startExporterHarness({ sim: { ctiClockOffsetMs: CTI_OFFSET_MS, latencyMs: 2 } });
    await allCollectorsRan(h);
    const { parsed, status } = await h.scrape();
    expect(status).toBe(200);
    const now = h.sim.clock.now();
    expect(now).toBe(HARNESS_START_MS);
    const firstWindow = Math.floor((HARNESS_START_MS - LOOKBACK_MS) / PERIOD_MS) * PERIOD_MS;

    for (const { ccId, vdns } of h.sim.scenario.callCenters) {
      const cc = String(ccId);
      expect(labelValues(parsed, 'aicc_agents_online', 'vdn', { cc_id: cc })).toEqual(vdns.map((v) => String(v.id)));
      for (const v of vdns) {
        const l = { cc_id: cc, vdn: String(v.id) };
        const periods = h.sim.model.periods(ccId, v.id);
        const newest = periods.at(-1)!;
        const state = h.sim.model.vdnState(ccId, v.id);
        // The newest period is the open one: its gauges are the live state.
        expect(newest.beginTime).toBe(Math.floor(now / PERIOD_MS) * PERIOD_MS);
        expect(valueOf(parsed, 'aicc_agents_online', l)).toBe(state.online);
        expect(valueOf(parsed, 'aicc_agents', { ...l, state: 'talking' })).toBe(state.talking);
        expect(valueOf(parsed, 'aicc_agents', { ...l, state: 'idle' })).toBe(state.idle);
        expect(valueOf(parsed, 'aicc_agents', { ...l, state: 'busy' })).toBe(state.busy);
        expect(valueOf(parsed, 'aicc_agents', { ...l, state: 'rest' })).toBe(state.rest);
        const counted = periods.filter((p) => p.beginTime >= firstWindow);
        const sum = (f: (p: (typeof periods)[number]) => number) => counted.reduce((n, p) => n + f(p), 0);
        expect(valueOf(parsed, 'aicc_inbound_calls_total', l)).toBe(sum((p) => p.inCallNums));
        expect(valueOf(parsed, 'aicc_inbound_calls_connected_total', l)).toBe(sum((p) => p.rateNum));
        expect(valueOf(parsed, 'aicc_outbound_calls_total', l)).toBe(sum((p) => p.callOutNums));
        expect(sum((p) => p.inCallNums)).toBeGreaterThan(0); // the warm-up made traffic: a real comparison
        expect(valueOf(parsed, 'aicc_inbound_connection_ratio', l)).toBeCloseTo(newest.callRate / 100, 10);
        expect(valueOf(parsed, 'aicc_period_start_timestamp_seconds', l)).toBe(newest.beginTime / 1000);

        for (const code of v.accessCodes) {
          const a = h.sim.model.accessCodeState(ccId, v.id, code);
          const al = { ...l, access_code: String(code) };
          expect(valueOf(parsed, 'aicc_access_code_calls', { ...al, stage: 'ivr' })).toBe(a.ivrCallCount);
          expect(valueOf(parsed, 'aicc_access_code_calls', { ...al, stage: 'queue' })).toBe(a.queueCallCount);
          expect(valueOf(parsed, 'aicc_access_code_calls', { ...al, stage: 'agent' })).toBe(a.agentCallCount);
          expect(valueOf(parsed, 'aicc_access_code_online_calls', al)).toBe(a.allCallCount);
          expect(valueOf(parsed, 'aicc_access_code_longest_wait_seconds', al)).toBe(a.longestWaitTime);
        }
        for (const agent of v.agents) {
          const ag = { ...l, agent_id: String(agent) };
          expect(valueOf(parsed, 'aicc_agent_active_calls', ag)).toBe(h.sim.model.agentCalls(ccId, v.id, agent).length);
          expect(valueOf(parsed, 'aicc_agent_oldest_call_age_seconds', ag)).toBeGreaterThanOrEqual(0);
        }
      }
      // CTI: the simulator answers model time + offset; the exporter clock is the model clock here.
      expect(valueOf(parsed, 'aicc_cti_time_seconds', { cc_id: cc })).toBe((now + CTI_OFFSET_MS) / 1000);
      const skew = valueOf(parsed, 'aicc_cti_clock_skew_seconds', { cc_id: cc });
      const cti = { endpoint: 'cti_server_time' };
      const rtt = valueOf(parsed, 'aicc_api_request_duration_seconds_sum', cti) / valueOf(parsed, 'aicc_api_request_duration_seconds_count', cti);
      expect(Math.abs(skew - CTI_OFFSET_MS / 1000)).toBeLessThanOrEqual(rtt * 2 + 0.01);

      for (const collector of ALL) {
        const c = { cc_id: cc, collector };
        expect(valueOf(parsed, 'aicc_up', c)).toBe(1);
        expect(valueOf(parsed, 'aicc_collector_last_success_timestamp_seconds', c)).toBe(now / 1000);
        // Durations are wall time (the simulator answers after latencyMs), not simulated time.
        expect(valueOf(parsed, 'aicc_collector_duration_seconds', c)).toBeGreaterThan(0);
        expect(valueOf(parsed, 'aicc_collector_duration_seconds', c)).toBeLessThan(5);
        // Declared at 0 when scheduled; exporter-concurrency.test.ts forces and counts a skip.
        expect(valueOf(parsed, 'aicc_collector_skipped_runs_total', c)).toBeGreaterThanOrEqual(0);
        expect(valueOf(parsed, 'aicc_collector_interval_seconds', c)).toBe(1);
      }
    }

    // Every CMS exchange is counted by interface and result, and timed in the histogram.
    const byEndpoint = h.sim.stats.requestsByEndpoint;
    for (const endpoint of ['sysindex', 'cti_server_time', 'access_code_call_info', 'agent_calls'] as const) {
      const ok = valueOf(parsed, 'aicc_api_requests_total', { endpoint, code: '0100000' });
      expect(ok).toBeGreaterThan(0);
      expect(ok).toBeLessThanOrEqual(byEndpoint[endpoint]);
      const count = valueOf(parsed, 'aicc_api_request_duration_seconds_count', { endpoint });
      expect(count).toBe(parsed.samples().filter((s) => s.name === 'aicc_api_requests_total' && s.labels.endpoint === endpoint).reduce((n, s) => n + s.value, 0));
      expect(valueOf(parsed, 'aicc_api_request_duration_seconds_bucket', { endpoint, le: '+Inf' })).toBe(count);
      expect(valueOf(parsed, 'aicc_api_request_duration_seconds_sum', { endpoint })).toBeGreaterThan(0);
    }
    expect(parsed.family('aicc_api_request_duration_seconds')?.type).toBe('histogram');
    const build = parsed.samples().find((s) => s.name === 'aicc_exporter_build_info');
    expect(build?.value).toBe(1);
    expect(build?.labels.nodejs_version).toBe(process.version);
    expect(build?.labels.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(valueOf(parsed, 'process_cpu_seconds_total')).toBeGreaterThan(0);
    expect(valueOf(parsed, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(valueOf(parsed, 'process_start_time_seconds')).toBeGreaterThan(0);

    // Types as the contract says.
    const types: Record<string, string> = {
      aicc_agents_online: 'gauge', aicc_agents: 'gauge', aicc_inbound_calls_total: 'counter',
      aicc_inbound_calls_connected_total: 'counter', aicc_outbound_calls_total: 'counter',
      aicc_inbound_connection_ratio: 'gauge', aicc_period_start_timestamp_seconds: 'gauge',
      aicc_access_code_calls: 'gauge', aicc_access_code_online_calls: 'gauge',
      aicc_access_code_longest_wait_seconds: 'gauge', aicc_cti_clock_skew_seconds: 'gauge', aicc_cti_time_seconds: 'gauge',
      aicc_up: 'gauge', aicc_collector_skipped_runs_total: 'counter', aicc_api_requests_total: 'counter',
    };
    for (const [name, type] of Object.entries(types)) expect(parsed.family(name)?.type, name).toBe(type);
  });

  it('serves both formats (OpenMetrics via Accept), gzip on request, and passes promtool check metrics', async () => {
    const promtool = toolOrSkip('promtool');
    const h = await startExporterHarness();
    await allCollectorsRan(h);

    const text = await h.scrape();
    expect(text.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(text.headers['content-encoding']).toBeUndefined();
    const om = await h.scrape({ openMetrics: true });
    expect(om.headers['content-type']).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
    expect(om.text.endsWith('# EOF\n')).toBe(true);
    expect(om.parsed.family('aicc_inbound_calls')?.type).toBe('counter'); // OpenMetrics names the family without _total
    const gz = await h.scrape({ gzip: true });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.rawBytes).toBeLessThan(Buffer.byteLength(gz.text));
    const omGz = await h.scrape({ gzip: true, openMetrics: true });
    expect(omGz.headers['content-encoding']).toBe('gzip');

    // The clock stands still: the vendor series are the same in every body.
    const vendor = (p: typeof text.parsed) =>
      JSON.stringify(p.samples().filter((s) => /^aicc_(agents|inbound|outbound|period|access_code|cti)/.test(s.name)));
    expect(vendor(gz.parsed)).toBe(vendor(text.parsed));
    expect(vendor(om.parsed)).toBe(vendor(text.parsed));
    expect(vendor(omGz.parsed)).toBe(vendor(text.parsed));

    if (promtool) {
      const check = await promtoolCheck(promtool, text.text);
      expect(check.output).toBe('');
      expect(check.code).toBe(0);
    }
  });

  it('answers an unknown path with 404 and a wrong method with 405 without disturbing polling', async () => {
    const h = await startExporterHarness();
    await h.waitForRun('sysindex', 1, { ok: true });
    const answers = await Promise.all([
      ...Array.from({ length: 20 }, (_, i) => httpGet(`${h.app.url}/nothing-${i}`)),
      ...Array.from({ length: 10 }, () => httpGet(`${h.app.url}/metrics`, {}, 'POST')),
      ...Array.from({ length: 10 }, () => httpGet(`${h.app.url}/metrics`, {}, 'DELETE')),
    ]);
    expect(answers.slice(0, 20).every((a) => a.status === 404)).toBe(true);
    expect(answers.slice(20).every((a) => a.status === 405 && a.headers.allow === 'GET, HEAD')).toBe(true);
    const before = h.runs.length;
    await allCollectorsRan(h);
    expect(h.runs.slice(before).every((r) => r.ok)).toBe(true);
    expect((await h.scrape()).status).toBe(200);
  });

  it('covers whatever VDNs sysindex returns for a call center with no VDNs configured (discovery)', async () => {
    const h = await startExporterHarness({
      sim: { scenario: { callCenters: 1, vdnsPerCallCenter: 7, accessCodesPerVdn: 1, agentsPerVdn: 1, firstVdn: 40 } },
      callCenters: (sim) => sim.scenario.callCenters.map((cc) => ({ ccId: cc.ccId, vdns: [] })),
    });
    await h.waitForRun('sysindex', 1, { ok: true });
    const { parsed } = await h.scrape();
    const simVdns = h.sim.model.callCenters()[0]!.vdns.map(String);
    expect(simVdns).toHaveLength(7);
    expect(labelValues(parsed, 'aicc_agents_online', 'vdn')).toEqual(simVdns);
    expect(labelValues(parsed, 'aicc_inbound_calls_total', 'vdn')).toEqual(simVdns);
    for (const vdn of simVdns) {
      expect(valueOf(parsed, 'aicc_agents_online', { cc_id: '1', vdn })).toBe(h.sim.model.vdnState(1, Number(vdn)).online);
    }
    // Nothing to ask per access code or agent: those collectors are not scheduled at all.
    expect(labelValues(parsed, 'aicc_collector_interval_seconds', 'collector')).toEqual(['cti_server_time', 'sysindex']);
  });
});
