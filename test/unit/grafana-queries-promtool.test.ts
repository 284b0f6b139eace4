/**
 * Every dashboard query, run by promtool against synthetic series shaped like the exporter's
 * metric contract, with deploy/prometheus/{alerts,recording}.yml loaded: each must parse and
 * return data (a misspelled label or metric returns nothing), and the chained template variables
 * must list the values of the chosen call center / VDN only.
 * Skipped locally without promtool; under CI a missing promtool fails the file.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { listAllDashboardQueries, type TemplateValues } from '../../grafana/src/generate-dashboards.js';
import { PROMETHEUS_RULES_DIR, RULE_FILE_NAMES, toolOrSkip } from '../helpers/rules-for-e2e.js';

const run = promisify(execFile);
const promtool = toolOrSkip('promtool');

const T = { job: 'aicc-exporter', instance: 'exp-0:9464' };
type Labels = Record<string, string>;

/** One synthetic series: 15 one-minute samples `start+step` each. */
function series(name: string, labels: Labels, start: number, step = 0): { series: string; values: string } {
  const all = { ...T, ...labels };
  const body = Object.entries(all).map(([k, v]) => `${k}="${v}"`).join(',');
  return { series: `${name}{${body}}`, values: `${start}+${step}x15` };
}

/** Two call centers (1: VDN 10, access codes 1001/1002, agent 101; 2: VDN 20, access code 2001), and another job. */
function contractSeries(): Array<{ series: string; values: string }> {
  const out: Array<{ series: string; values: string }> = [];
  const vdns = [{ cc_id: '1', vdn: '10', codes: ['1001', '1002'] }, { cc_id: '2', vdn: '20', codes: ['2001'] }];
  for (const { cc_id, vdn, codes } of vdns) {
    const v = { cc_id, vdn };
    out.push(series('aicc_agents_online', v, 5));
    for (const state of ['talking', 'idle', 'busy', 'rest']) out.push(series('aicc_agents', { ...v, state }, 2));
    out.push(series('aicc_inbound_calls_total', v, 0, 10), series('aicc_inbound_calls_connected_total', v, 0, 8));
    out.push(series('aicc_outbound_calls_total', v, 0, 3), series('aicc_inbound_connection_ratio', v, 0.8));
    for (const access_code of codes) {
      for (const stage of ['ivr', 'queue', 'agent']) out.push(series('aicc_access_code_calls', { ...v, access_code, stage }, 1));
      out.push(series('aicc_access_code_online_calls', { ...v, access_code }, 3), series('aicc_access_code_longest_wait_seconds', { ...v, access_code }, 20));
    }
    out.push(series('aicc_cti_clock_skew_seconds', { cc_id }, 0.2));
    for (const collector of ['sysindex', 'access_codes', 'cti_server_time', 'agent_calls']) {
      const c = { cc_id, collector };
      out.push(series('aicc_up', c, 1), series('aicc_collector_last_success_timestamp_seconds', c, 60, 60));
      out.push(series('aicc_collector_duration_seconds', c, 2), series('aicc_collector_interval_seconds', c, 60));
      out.push(series('aicc_collector_skipped_runs_total', c, 0, 1));
    }
  }
  const agent = { cc_id: '1', vdn: '10', agent_id: '101' };
  out.push(series('aicc_agent_active_calls', agent, 1), series('aicc_agent_oldest_call_age_seconds', agent, 30, 60), series('aicc_agent_oldest_call_wait_seconds', agent, 5));
  for (const endpoint of ['sysindex', 'access_code_call_info']) {
    out.push(series('aicc_api_requests_total', { endpoint, code: '0100000' }, 0, 60), series('aicc_api_requests_total', { endpoint, code: 'timeout' }, 0, 1));
    for (const le of ['0.1', '1', '+Inf']) out.push(series('aicc_api_request_duration_seconds_bucket', { endpoint, le }, 0, le === '0.1' ? 30 : 61));
  }
  out.push(series('aicc_exporter_build_info', { version: '0.1.0', nodejs_version: 'v20.19.0' }, 1));
  out.push(series('aicc_exporter_shard_index', {}, 0), series('aicc_exporter_shards', {}, 1), series('up', {}, 1));
  out.push(series('process_resident_memory_bytes', {}, 5e7), series('process_cpu_seconds_total', {}, 0, 3));
  out.push(series('process_start_time_seconds', {}, 0), series('nodejs_heap_size_used_bytes', {}, 2e7), series('nodejs_eventloop_lag_p99_seconds', {}, 0.01));
  // Another job's call center, which the job variable must keep out.
  out.push({ series: 'aicc_up{job="other",instance="x:1",cc_id="9",collector="sysindex"}', values: '1x15' });
  return out;
}

const VALUES: Partial<TemplateValues> = { job: 'aicc-exporter', instance: 'exp-0:9464', cc_id: '1', vdn: '10', access_code: '1001', collector: 'sysindex', __rate_interval: '5m' };

/** `{}` 1 when the expression returns at least one series, `{}` 0 otherwise. */
const hasData = (expr: string): string => `clamp_max(count(${expr}), 1) or vector(0)`;

describe.skipIf(promtool === null)('dashboard queries on contract-shaped series (promtool)', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aicc-dash-'));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function promtoolTest(promqlTests: unknown[]): Promise<{ code: number; output: string }> {
    const file = join(dir, `test-${Date.now()}-${Math.random().toString(36).slice(2)}.yml`);
    const doc = {
      rule_files: RULE_FILE_NAMES.map((f) => join(PROMETHEUS_RULES_DIR, f)),
      evaluation_interval: '1m',
      tests: [{ interval: '1m', input_series: contractSeries(), promql_expr_test: promqlTests }],
    };
    await writeFile(file, stringify(doc), 'utf8');
    try {
      const { stdout, stderr } = await run(promtool as string, ['test', 'rules', file], { timeout: 60_000 });
      return { code: 0, output: stdout + stderr };
    } catch (e) {
      const err = e as { code?: number; stdout?: string; stderr?: string };
      return { code: typeof err.code === 'number' ? err.code : -1, output: `${err.stdout ?? ''}${err.stderr ?? ''}` };
    }
  }

  it('every panel query and variable query parses and returns data', async () => {
    const queries = listAllDashboardQueries(VALUES);
    expect(queries.length).toBeGreaterThan(40);
    const r = await promtoolTest(queries.map((q) => ({ expr: hasData(q.expr), eval_time: '14m', exp_samples: [{ labels: '{}', value: 1 }] })));
    expect(r.code, r.output).toBe(0);
  });

  it('the promtool check itself fails on a query that returns nothing', async () => {
    const r = await promtoolTest([{ expr: hasData('aicc_agents{state="no-such-state"}'), eval_time: '14m', exp_samples: [{ labels: '{}', value: 1 }] }]);
    expect(r.code).not.toBe(0);
  });

  it('chains the variables: call centers of the job, VDNs of the call center, access codes of the VDN', async () => {
    const variable = (dashboard: string, name: string, values: Partial<TemplateValues>): string => {
      const q = listAllDashboardQueries(values).find((x) => x.dashboard === dashboard && x.kind === 'variable' && x.source === name);
      if (!q) throw new Error(`no variable ${name}`);
      return `clamp_max(${q.expr}, 1)`;
    };
    const one = (label: string, ...values: string[]): unknown[] => values.map((v) => ({ labels: `{${label}="${v}"}`, value: 1 }));
    const tests = [
      { expr: variable('aicc-overview', 'cc_id', { job: 'aicc-exporter' }), exp: one('cc_id', '1', '2') },
      { expr: variable('aicc-overview', 'vdn', { job: 'aicc-exporter', cc_id: '2' }), exp: one('vdn', '20') },
      { expr: variable('aicc-overview', 'access_code', { job: 'aicc-exporter', cc_id: '1', vdn: '10' }), exp: one('access_code', '1001', '1002') },
      { expr: variable('aicc-exporter', 'collector', { job: 'aicc-exporter', cc_id: '1' }), exp: one('collector', 'access_codes', 'agent_calls', 'cti_server_time', 'sysindex') },
    ].map((t) => ({ expr: t.expr, eval_time: '14m', exp_samples: t.exp }));
    const r = await promtoolTest(tests);
    expect(r.code, r.output).toBe(0);
  });
});
