import { describe, expect, it } from 'vitest';
import { DROPPED_DEFAULT_METRICS, PROCESS_METRICS_MAX_AGE_MS, SelfMetrics } from '../../src/metrics/self-metrics.js';
import { parseExposition } from '../helpers/parse-exposition.js';

async function both(self: SelfMetrics) {
  return {
    text: parseExposition(await self.render('text'), 'text'),
    om: parseExposition(`${await self.render('openmetrics')}# EOF\n`, 'openmetrics'),
  };
}

describe('SelfMetrics', () => {
  it('records run outcomes per call center and collector', async () => {
    const self = new SelfMetrics({ version: '1.2.3', defaultMetrics: false });
    self.recordRun(1, 'sysindex', { ok: true, durationSeconds: 0.5, finishedAtMs: 1_700_000_000_000 });
    self.recordRun(2, 'sysindex', { ok: false, durationSeconds: 2, finishedAtMs: 1_700_000_001_000 });
    self.recordSkip(2, 'sysindex');
    self.recordSkip(2, 'sysindex');
    for (const parsed of Object.values(await both(self))) {
      const one = { cc_id: '1', collector: 'sysindex' };
      const two = { cc_id: '2', collector: 'sysindex' };
      expect(parsed.value('aicc_up', one)).toBe(1);
      expect(parsed.value('aicc_up', two)).toBe(0);
      expect(parsed.value('aicc_collector_last_success_timestamp_seconds', one)).toBe(1_700_000_000);
      expect(parsed.value('aicc_collector_last_success_timestamp_seconds', two)).toBeUndefined();
      expect(parsed.value('aicc_collector_duration_seconds', two)).toBe(2);
      expect(parsed.value('aicc_collector_skipped_runs_total', two)).toBe(2);
      expect(parsed.value('aicc_exporter_build_info', { version: '1.2.3', nodejs_version: process.version })).toBe(1);
    }
  });

  it('removes a collector’s series', async () => {
    const self = new SelfMetrics({ version: 'x', defaultMetrics: false });
    self.recordRun(1, 'access_codes', { ok: true, durationSeconds: 1, finishedAtMs: 1000 });
    self.recordSkip(1, 'access_codes');
    self.recordRun(1, 'sysindex', { ok: true, durationSeconds: 1, finishedAtMs: 1000 });
    self.removeCollector(1, 'access_codes');
    const { text } = await both(self);
    expect(text.samples().filter((s) => s.labels.collector === 'access_codes')).toEqual([]);
    expect(text.value('aicc_up', { collector: 'sysindex' })).toBe(1);
  });

  it('counts CMS requests and observes their durations in a histogram', async () => {
    const self = new SelfMetrics({ version: 'x', defaultMetrics: false });
    self.recordRequest({ endpoint: 'sysindex', code: '0100000', durationSeconds: 0.03 });
    self.recordRequest({ endpoint: 'sysindex', code: '0100000', durationSeconds: 12 });
    self.recordRequest({ endpoint: 'sysindex', code: 'timeout', durationSeconds: 30 });
    const { text, om } = await both(self);
    expect(text.value('aicc_api_requests_total', { endpoint: 'sysindex', code: '0100000' })).toBe(2);
    expect(om.value('aicc_api_requests_total', { endpoint: 'sysindex', code: 'timeout' })).toBe(1);
    expect(om.family('aicc_api_requests')?.type).toBe('counter');
    expect(text.family('aicc_api_requests_total')?.type).toBe('counter');
    expect(text.value('aicc_api_request_duration_seconds_bucket', { le: '0.05' })).toBe(1);
    expect(text.value('aicc_api_request_duration_seconds_bucket', { le: '10' })).toBe(1);
    expect(text.value('aicc_api_request_duration_seconds_bucket', { le: '30' })).toBe(3);
    expect(text.value('aicc_api_request_duration_seconds_count')).toBe(3);
    // OpenMetrics spells bucket bounds as canonical floats.
    expect(om.value('aicc_api_request_duration_seconds_bucket', { le: '30.0' })).toBe(3);
    expect(om.value('aicc_api_request_duration_seconds_bucket', { le: '+Inf' })).toBe(3);
    expect(om.value('aicc_api_request_duration_seconds_sum')).toBeCloseTo(42.03);
  });

  it('sets shard and reload gauges', async () => {
    const self = new SelfMetrics({ version: 'x', defaultMetrics: false });
    self.setShard(2, 3);
    self.recordReload(true, 1_700_000_000_000);
    self.recordReload(false, 1_700_000_100_000);
    const { text } = await both(self);
    expect(text.value('aicc_exporter_shard_index')).toBe(2);
    expect(text.value('aicc_exporter_shards')).toBe(3);
    expect(text.value('aicc_exporter_config_last_reload_successful')).toBe(0);
    expect(text.value('aicc_exporter_config_last_reload_success_timestamp_seconds')).toBe(1_700_000_000);
  });

  it('serves process_* and nodejs_* metrics in both formats, without _total gauges', async () => {
    const self = new SelfMetrics({ version: 'x' });
    const { text, om } = await both(self);
    expect(text.family('process_cpu_seconds_total')?.type).toBe('counter');
    expect(om.family('process_cpu_seconds')?.type).toBe('counter');
    expect(om.samples().some((s) => s.name === 'process_cpu_seconds_total')).toBe(true);
    expect(text.family('nodejs_heap_size_used_bytes')?.samples[0]?.value).toBeGreaterThan(0);
    expect(text.family('process_start_time_seconds')).toBeDefined();
    for (const name of DROPPED_DEFAULT_METRICS) expect(text.family(name)).toBeUndefined();
    expect(text.family('nodejs_active_handles')).toBeDefined();
    // Rendering OpenMetrics must not disturb the text format (prom-client's own OM mode would).
    expect((await both(self)).text.family('process_cpu_seconds_total')?.type).toBe('counter');
    expect(self.familyNames().has('aicc_up')).toBe(true);
  });

  it('collects process metrics at most once per PROCESS_METRICS_MAX_AGE_MS, its own metrics on every render', async () => {
    let now = 0;
    const self = new SelfMetrics({ version: 'x', nowMs: () => now });
    const cpu = async () => parseExposition(await self.render('text'), 'text').value('process_cpu_user_seconds_total');
    const first = await cpu();
    expect(first).toBeGreaterThan(0);
    const burnFrom = process.cpuUsage().user;
    while (process.cpuUsage().user - burnFrom < 20_000) Math.sqrt(Math.random()); // 20 ms of user CPU
    self.recordRequest({ endpoint: 'sysindex', code: '0', durationSeconds: 0.02 });
    now = PROCESS_METRICS_MAX_AGE_MS - 1;
    const within = parseExposition(await self.render('text'), 'text');
    expect(within.value('process_cpu_user_seconds_total')).toBe(first);
    expect(within.value('aicc_api_requests_total', { endpoint: 'sysindex', code: '0' })).toBe(1);
    now = PROCESS_METRICS_MAX_AGE_MS;
    expect(await cpu()).toBeGreaterThanOrEqual((first ?? 0) + 0.02);
  });
});
