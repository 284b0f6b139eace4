/**
 * The committed Grafana dashboards: up to date with their generator, and following the rules of
 * the issue (units on every panel, no hard-coded data source, chained variables, known metrics).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DASHBOARDS, DASHBOARDS_DIR, listAllDashboardQueries, renderDashboardFiles } from '../../grafana/src/generate-dashboards.js';
import { PROMETHEUS_RULES_DIR, RULE_FILE_NAMES } from '../helpers/rules-for-e2e.js';

type Obj = Record<string, unknown>;

/** The exporter's metric contract (issue 5), plus the prom-client defaults the dashboards use. */
const CONTRACT_METRICS = [
  'aicc_agents_online', 'aicc_agents', 'aicc_inbound_calls_total', 'aicc_inbound_calls_connected_total',
  'aicc_outbound_calls_total', 'aicc_inbound_connection_ratio', 'aicc_period_start_timestamp_seconds',
  'aicc_access_code_calls', 'aicc_access_code_online_calls', 'aicc_access_code_longest_wait_seconds',
  'aicc_cti_clock_skew_seconds', 'aicc_cti_time_seconds', 'aicc_up', 'aicc_collector_last_success_timestamp_seconds',
  'aicc_collector_duration_seconds', 'aicc_collector_interval_seconds', 'aicc_collector_skipped_runs_total',
  'aicc_api_requests_total', 'aicc_api_request_duration_seconds_bucket', 'aicc_exporter_build_info',
  'aicc_exporter_shard_index', 'aicc_exporter_shards', 'aicc_agent_active_calls',
  'aicc_agent_oldest_call_age_seconds', 'aicc_agent_oldest_call_wait_seconds',
  'process_resident_memory_bytes', 'process_cpu_seconds_total', 'process_start_time_seconds',
  'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_p99_seconds',
];

async function committed(fileName: string): Promise<string> {
  return readFile(join(DASHBOARDS_DIR, fileName), 'utf8');
}

async function loadDashboards(): Promise<Array<{ fileName: string; json: Obj }>> {
  return Promise.all(DASHBOARDS.map(async (d) => ({ fileName: d.fileName, json: JSON.parse(await committed(d.fileName)) as Obj })));
}

function panelsOf(d: Obj): Obj[] {
  return (d['panels'] as Obj[]).filter((p) => p['type'] !== 'row');
}

function exprsOf(p: Obj): string[] {
  return ((p['targets'] as Obj[] | undefined) ?? []).map((t) => String(t['expr']));
}

/** Every object under `node` that has a `datasource` key, with the path to it. */
function datasourceRefs(node: unknown, path = '$'): Array<{ path: string; ref: unknown }> {
  if (Array.isArray(node)) return node.flatMap((n, i) => datasourceRefs(n, `${path}[${i}]`));
  if (node === null || typeof node !== 'object') return [];
  const o = node as Obj;
  const own = 'datasource' in o ? [{ path, ref: o['datasource'] }] : [];
  return [...own, ...Object.entries(o).flatMap(([k, v]) => datasourceRefs(v, `${path}.${k}`))];
}

async function recordedNames(): Promise<string[]> {
  const names: string[] = [];
  for (const f of RULE_FILE_NAMES) {
    const doc = parse(await readFile(join(PROMETHEUS_RULES_DIR, f), 'utf8')) as { groups: Array<{ rules: Obj[] }> };
    for (const g of doc.groups) for (const r of g.rules) if (typeof r['record'] === 'string') names.push(r['record']);
  }
  return names;
}

describe('grafana dashboards', () => {
  it('are up to date with grafana/src (else run: npx tsx grafana/src/generate-dashboards.ts)', async () => {
    for (const { fileName, text } of renderDashboardFiles()) {
      expect(await committed(fileName), `${fileName} is out of date`).toBe(text);
    }
  });

  it('set a unit on every panel, and the expected unit on typical ones', async () => {
    for (const { fileName, json } of await loadDashboards()) {
      for (const p of panelsOf(json)) {
        const unit = ((p['fieldConfig'] as Obj)['defaults'] as Obj)['unit'];
        expect(typeof unit === 'string' && unit.length > 0, `${fileName}: "${String(p['title'])}" has no unit`).toBe(true);
      }
    }
    const unitOf = (title: string): unknown => {
      for (const d of DASHBOARDS) for (const r of d.rows) for (const p of r.panels) if (p.title === title) return p.unit;
      throw new Error(`no panel "${title}"`);
    };
    expect(unitOf('Inbound connection ratio')).toBe('percentunit');
    expect(unitOf('Error ratio by endpoint')).toBe('percentunit');
    expect(unitOf('Longest wait')).toBe('s');
    expect(unitOf('CTI clock skew')).toBe('s');
    expect(unitOf('Calls by stage')).toBe('short');
    expect(unitOf('Agents by state')).toBe('short');
  });

  it('refer to the data source only through ${datasource}', async () => {
    for (const { fileName, json } of await loadDashboards()) {
      const refs = datasourceRefs(json['panels']).concat(datasourceRefs(json['templating']));
      expect(refs.length).toBeGreaterThan(10);
      for (const { path, ref } of refs) expect(ref, `${fileName} ${path}`).toEqual({ type: 'prometheus', uid: '${datasource}' });
      const ds = ((json['templating'] as Obj)['list'] as Obj[]).find((v) => v['name'] === 'datasource');
      expect(ds).toMatchObject({ type: 'datasource', query: 'prometheus' });
    }
  });

  it('have chained template variables: datasource, job, then cc_id before vdn before access_code', async () => {
    const [overview, exporter] = await loadDashboards();
    const vars = (d: Obj): Obj[] => (d['templating'] as Obj)['list'] as Obj[];
    expect(vars(overview!.json).map((v) => v['name'])).toEqual(['datasource', 'job', 'cc_id', 'vdn', 'access_code']);
    expect(vars(exporter!.json).map((v) => v['name'])).toEqual(['datasource', 'job', 'instance', 'cc_id', 'collector']);
    const query = (d: Obj, name: string): string => String(vars(d).find((v) => v['name'] === name)?.['query']);
    expect(query(overview!.json, 'cc_id')).toMatch(/^label_values\(.*job=~"\$job".*, cc_id\)$/);
    expect(query(overview!.json, 'vdn')).toMatch(/cc_id=~"\$cc_id".*, vdn\)$/);
    expect(query(overview!.json, 'access_code')).toMatch(/cc_id=~"\$cc_id".*vdn=~"\$vdn".*, access_code\)$/);
    // A variable refers only to variables defined before it.
    for (const { json } of await loadDashboards()) {
      const seen: string[] = [];
      for (const v of vars(json)) {
        for (const ref of String(v['query']).matchAll(/\$(\w+)/g)) expect(seen, `${String(v['name'])} uses $${ref[1]}`).toContain(ref[1]);
        seen.push(String(v['name']));
      }
    }
  });

  it('filter every query by job, and the overview\u2019s by call center', async () => {
    for (const { fileName, json } of await loadDashboards()) {
      for (const p of panelsOf(json)) {
        for (const e of exprsOf(p)) {
          if (/^aicc:[\w:]+$/.test(e)) continue; // a threshold constant of alerts.yml
          expect(e, `${fileName}: "${String(p['title'])}"`).toContain('job=~"$job"');
          if (fileName === 'aicc-overview.json') expect(e, String(p['title'])).toContain('cc_id=~"$cc_id"');
        }
      }
    }
  });

  it('use only metrics of the exporter contract and series recorded by deploy/prometheus/*.yml', async () => {
    const known = new Set([...CONTRACT_METRICS, ...(await recordedNames())]);
    const used = new Set<string>();
    for (const { json } of await loadDashboards()) {
      for (const p of panelsOf(json)) for (const e of exprsOf(p)) for (const m of e.matchAll(/\b(?:aicc|process|nodejs|cc_id_\w+|instance_\w+)[\w:]*/g)) used.add(m[0]);
    }
    for (const name of used) expect(known, `unknown series ${name}`).toContain(name);
    // The panels: every call-center metric but the two timestamps, and the health ones.
    for (const name of CONTRACT_METRICS.filter((n) => !/period_start|cti_time|_bucket|_total$|last_success|_duration_seconds$/.test(n))) {
      expect(used, `no panel shows ${name}`).toContain(name);
    }
  });

  it('lay panels out on the 24-column grid without overlaps, with unique ids', async () => {
    for (const { fileName, json } of await loadDashboards()) {
      const panels = json['panels'] as Obj[];
      const ids = panels.map((p) => p['id']);
      expect(new Set(ids).size, fileName).toBe(ids.length);
      const cells = new Set<string>();
      for (const p of panels) {
        const g = p['gridPos'] as { h: number; w: number; x: number; y: number };
        expect(g.x + g.w, `${fileName}: ${String(p['title'])}`).toBeLessThanOrEqual(24);
        for (let x = g.x; x < g.x + g.w; x++) {
          for (let y = g.y; y < g.y + g.h; y++) {
            expect(cells.has(`${x},${y}`), `${fileName}: "${String(p['title'])}" overlaps at ${x},${y}`).toBe(false);
            cells.add(`${x},${y}`);
          }
        }
      }
    }
  });
});

describe('listAllDashboardQueries', () => {
  it('lists every panel target and query variable, with the variables substituted', async () => {
    const queries = listAllDashboardQueries({ cc_id: '1', vdn: '10', access_code: '1001', __rate_interval: '2m' });
    let targets = 0;
    let variables = 0;
    for (const { json } of await loadDashboards()) {
      for (const p of panelsOf(json)) targets += exprsOf(p).length;
      variables += ((json['templating'] as Obj)['list'] as Obj[]).filter((v) => v['type'] === 'query').length;
    }
    expect(queries.filter((q) => q.kind === 'panel')).toHaveLength(targets);
    expect(queries.filter((q) => q.kind === 'variable')).toHaveLength(variables);
    for (const q of queries) expect(q.expr, `${q.dashboard} ${q.source}`).not.toContain('$');
    const vdn = queries.find((q) => q.dashboard === 'aicc-overview' && q.kind === 'variable' && q.source === 'vdn');
    expect(vdn?.raw).toMatch(/^label_values\(/);
    expect(vdn?.expr).toBe('count by (vdn) ({__name__=~"aicc_agents_online|aicc_access_code_online_calls|aicc_agent_active_calls", job=~".*", cc_id=~"1"})');
    const table = queries.find((q) => q.source === 'Access codes with the longest waits' && q.refId === 'A');
    expect(table).toMatchObject({ instant: true });
    expect(table?.expr).toContain('access_code=~"1001"');
    expect(queries.find((q) => q.source === 'CPU')?.expr).toContain('[2m]');
  });

  it('marks as possibly empty only queries with a stated reason', () => {
    const empty = listAllDashboardQueries().filter((q) => q.mayBeEmpty !== undefined);
    expect(empty.map((q) => q.source).sort()).toEqual(
      ['Age of the last success', 'Failed requests by endpoint and code', 'Inbound connection ratio', 'Longest wait', 'Longest wait', 'Skipped runs'].sort(),
    );
  });
});
