/**
 * End to end: simulator → exporter → Prometheus (the repository's rules, shortened `for:`) →
 * Alertmanager (the repository's routing, webhooks to a loopback stub). Asserts through the
 * Prometheus and Alertmanager HTTP APIs that every dashboard query and recording rule has data,
 * and drives the simulator into AiccQueueWaitTimeHigh, AiccCtiClockSkew (critical) and
 * AiccCollectorFailing. Run with `npm run test:e2e` (about 1–2 minutes; bounded under 10).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { listAllDashboardQueries, type DashboardQuery } from '../../grafana/src/generate-dashboards.js';
import { PROMETHEUS_RULES_DIR, RULE_FILE_NAMES, toolOrSkip } from '../helpers/rules-for-e2e.js';
import { pidAlive, runToCompletion } from './child-processes.js';
import { pollUntil, type AlertmanagerAlert, type PrometheusAlert, type SeriesResult } from './monitoring-apis.js';
import { startMonitoringStack, type MonitoringStack, type ToolPaths } from './monitoring-stack.js';

/** 1 call center, VDNs 1-2, access codes 1-3 (VDN 1) and 4-6 (VDN 2), agents 101-106 / 107-112. */
const SCENARIO = { callCenters: 1, vdnsPerCallCenter: 2, accessCodesPerVdn: 3, agentsPerVdn: 6 } as const;
/** The VDN the test empties of agents and floods with calls. */
const DRIVEN = { ccId: 1, vdn: 2 } as const;
/** AiccQueueWaitTimeHigh's warning threshold for the test, seconds (60 in the repository). */
const QUEUE_WAIT_THRESHOLD_S = 15;
/** Every `for:` of the rules, shortened so the test exercises pending → firing in seconds. */
const FOR_DURATION = '5s';
/** CTI clock offset set on the simulator, ms (the critical threshold is 5 s). */
const CTI_OFFSET_MS = 10_000;

function findTools(): ToolPaths | null {
  const promtool = toolOrSkip('promtool');
  const prometheus = toolOrSkip('prometheus');
  const amtool = toolOrSkip('amtool');
  const alertmanager = toolOrSkip('prometheus-alertmanager');
  if (!promtool || !prometheus || !amtool || !alertmanager) return null;
  return { promtool, prometheus, amtool, 'prometheus-alertmanager': alertmanager };
}

const tools = findTools();

function showAlerts(alerts: ReadonlyArray<{ labels: Record<string, string> } & Partial<PrometheusAlert>>): string {
  if (alerts.length === 0) return '(no alerts)';
  return alerts.map((a) => `${a.labels['alertname']}{${labelText(a.labels)}} ${a.state ?? ''} ${a.value ?? ''}`).join('\n  ');
}

function labelText(labels: Record<string, string>): string {
  return Object.entries(labels)
    .filter(([k]) => k !== 'alertname')
    .map(([k, v]) => `${k}="${v}"`)
    .join(', ');
}

function matches(labels: Record<string, string>, want: Record<string, string>): boolean {
  return Object.entries(want).every(([k, v]) => labels[k] === v);
}

describe.skipIf(tools === null)('monitoring stack end to end', () => {
  let stack: MonitoringStack;
  let failed = false;
  const drivenCodes = new Set<string>();

  beforeEach(({ onTestFailed }) => {
    onTestFailed(() => {
      failed = true;
    });
  });

  beforeAll(async () => {
    stack = await startMonitoringStack({
      tools: tools as ToolPaths,
      scenario: SCENARIO,
      forDuration: FOR_DURATION,
      thresholds: { 'aicc:queue_wait_warning_threshold:seconds': QUEUE_WAIT_THRESHOLD_S },
    });
    const vdn = stack.sim.scenario.callCenters[0]?.vdns.find((v) => v.id === DRIVEN.vdn);
    for (const code of vdn?.accessCodes ?? []) drivenCodes.add(String(code));
  }, 60_000);

  afterAll(async () => {
    if (!stack) return;
    if (failed) console.error(`e2e: output of the processes at the failure:\n${stack.describeProcesses()}`);
    const problems = await stack.stop();
    expect(problems).toEqual([]);
    for (const child of stack.children) {
      expect(pidAlive(child.pid), `${child.name} (pid ${child.pid}) still running after stop`).toBe(false);
    }
  }, 30_000);

  it('Prometheus scrapes the exporter, and every dashboard panel and variable query returns data', async () => {
    let targets = '';
    await pollUntil(
      `target ${stack.exporterTarget} up`,
      20_000,
      async () => {
        const t = await stack.prom.targets();
        targets = JSON.stringify(t);
        return t.length === 1 && t[0]?.health === 'up' ? true : undefined;
      },
      () => targets,
    );

    const queries = listAllDashboardQueries();
    // The ones that may be empty because alerts.yml is not loaded must have data here: it is loaded.
    const required = queries.filter((q) => q.mayBeEmpty === undefined || /alerts\.yml/.test(q.mayBeEmpty));
    expect(required.length).toBeGreaterThan(40);
    const run = (q: DashboardQuery): Promise<SeriesResult[]> => (q.instant ? stack.prom.query(q.expr) : stack.prom.queryRange(q.expr, 60, 2));
    let empty: DashboardQuery[] = [];
    await pollUntil(
      'every dashboard query to return data',
      75_000,
      async () => {
        const results = await Promise.all(queries.map(async (q) => ({ q, series: await run(q) })));
        empty = results.filter((r) => required.includes(r.q) && !r.series.some((s) => s.samples > 0)).map((r) => r.q);
        return empty.length === 0 ? true : undefined;
      },
      () => `${empty.length} empty:\n  ${empty.map((q) => `${q.dashboard} / ${q.source} / ${q.refId}: ${q.expr}`).join('\n  ')}`,
      2_000,
    );
  }, 100_000);

  it('loads every rule of the repository, each evaluates without error, and every recording rule returns data', async () => {
    const expected: string[] = [];
    for (const name of RULE_FILE_NAMES) {
      const doc = parse(await readFile(join(PROMETHEUS_RULES_DIR, name), 'utf8')) as { groups: Array<{ rules: Array<{ record?: string; alert?: string }> }> };
      for (const g of doc.groups) for (const r of g.rules) expected.push((r.record ?? r.alert) as string);
    }
    const loaded = await stack.prom.rules();
    expect(loaded.map((r) => r.name).sort()).toEqual([...expected].sort());

    let problems: string[] = [];
    await pollUntil(
      'every rule healthy and every recording rule with data',
      45_000,
      async () => {
        const rules = await stack.prom.rules();
        problems = rules.filter((r) => r.health !== 'ok').map((r) => `${r.group}/${r.name}: health ${r.health} ${r.lastError ?? ''}`);
        for (const r of rules.filter((x) => x.type === 'recording')) {
          const series = await stack.prom.query(r.name);
          if (series.length === 0) problems.push(`${r.group}/${r.name}: no data (${r.query})`);
        }
        return problems.length === 0 ? true : undefined;
      },
      () => problems.join('\n  '),
      2_000,
    );
  }, 60_000);

  it('agents leave and traffic rises on a VDN → AiccQueueWaitTimeHigh fires in Prometheus and reaches Alertmanager', async () => {
    stack.sim.setScenario({ vdns: [{ ...DRIVEN, staffing: 0, trafficLevel: { callsPerMinutePerAccessCode: 20 } }] });
    const want = { alertname: 'AiccQueueWaitTimeHigh', severity: 'warning', cc_id: String(DRIVEN.ccId), vdn: String(DRIVEN.vdn) };

    let seen: PrometheusAlert[] = [];
    let waits = '';
    const firing = await pollUntil(
      `AiccQueueWaitTimeHigh firing for VDN ${DRIVEN.vdn}`,
      110_000,
      async () => {
        seen = await stack.prom.alerts();
        const wait = await stack.prom.query(`aicc_access_code_longest_wait_seconds{vdn="${DRIVEN.vdn}"}`);
        const online = await stack.prom.query(`aicc_agents_online{vdn="${DRIVEN.vdn}"}`);
        waits = `longest waits ${wait.map((s) => `${s.metric['access_code']}=${s.lastValue}`).join(' ')}; agents online ${online[0]?.lastValue}`;
        return seen.find((a) => a.state === 'firing' && matches(a.labels, want));
      },
      () => `${waits}\n  ${showAlerts(seen)}`,
      2_000,
    );
    expect(drivenCodes.has(firing.labels['access_code'] ?? '')).toBe(true);
    expect(Number(firing.value)).toBeGreaterThan(QUEUE_WAIT_THRESHOLD_S);
    expect(firing.labels['job']).toBe('aicc-exporter');
    expect(firing.labels['instance']).toBe(stack.exporterTarget);

    const exact = { ...want, access_code: firing.labels['access_code'] as string };
    let inAm: AlertmanagerAlert[] = [];
    const received = await pollUntil(
      'Alertmanager to list the alert',
      20_000,
      async () => {
        inAm = await stack.am.alerts(['alertname="AiccQueueWaitTimeHigh"']);
        return inAm.find((a) => matches(a.labels, exact));
      },
      () => showAlerts(inAm),
    );
    expect(received.status.state).toBe('active');
    expect(received.receivers.map((r) => r.name)).toEqual(['aicc-warning']);

    // The same through amtool, the CLI operators use.
    const amtool = await runToCompletion(
      'amtool alert query',
      stack.amtool,
      [`--alertmanager.url=${stack.am.baseUrl}`, 'alert', 'query', '-o', 'json', ...Object.entries(exact).map(([k, v]) => `${k}=${v}`)],
      20_000,
    );
    expect(amtool.code, amtool.output).toBe(0);
    const listed = JSON.parse(amtool.output) as AlertmanagerAlert[];
    expect(listed.map((a) => a.labels['access_code'])).toEqual([exact.access_code]);
  }, 140_000);

  it('a CTI clock offset of 10 s → AiccCtiClockSkew critical, its warning inhibited, the critical receiver notified', async () => {
    stack.sim.setCtiClockOffsetMs(CTI_OFFSET_MS);
    const critical = { alertname: 'AiccCtiClockSkew', severity: 'critical', cc_id: '1' };
    let seen: PrometheusAlert[] = [];
    const firing = await pollUntil(
      'AiccCtiClockSkew critical firing',
      30_000,
      async () => {
        seen = await stack.prom.alerts();
        return seen.find((a) => a.state === 'firing' && matches(a.labels, critical));
      },
      () => showAlerts(seen),
    );
    expect(Number(firing.value)).toBeGreaterThan(9);
    expect(Number(firing.value)).toBeLessThan(11);

    let inAm: AlertmanagerAlert[] = [];
    await pollUntil(
      'Alertmanager to hold the critical alert active and its warning twin inhibited',
      20_000,
      async () => {
        inAm = await stack.am.alerts(['alertname="AiccCtiClockSkew"']);
        const crit = inAm.find((a) => a.labels['severity'] === 'critical' && a.status.state === 'active');
        const warn = inAm.find((a) => a.labels['severity'] === 'warning' && a.status.state === 'suppressed' && a.status.inhibitedBy.length > 0);
        return crit && warn ? true : undefined;
      },
      () => inAm.map((a) => `${a.labels['severity']}: ${JSON.stringify(a.status)}`).join('; ') || '(none)',
    );

    // group_wait of the critical route is 10 s.
    await pollUntil(
      'a notification of the critical receiver (webhook stub)',
      25_000,
      async () =>
        stack.webhook.received.find(
          (n) => n.path === '/aicc-critical' && n.status === 'firing' && n.alerts.some((a) => matches(a.labels, critical)),
        ),
      () => stack.webhook.received.map((n) => `${n.path} ${n.status} ${n.alerts.map((a) => a.labels['alertname']).join(',')}`).join('; ') || '(none)',
    );
    expect(stack.webhook.received.some((n) => n.path === '/aicc-critical' && n.alerts.some((a) => a.labels['severity'] === 'warning'))).toBe(false);
  }, 80_000);

  it('the simulator stopped → aicc_up 0 and AiccCollectorFailing for every collector', async () => {
    await stack.sim.close();
    const collectors = ['sysindex', 'access_codes', 'cti_server_time', 'agent_calls'];
    let seen: PrometheusAlert[] = [];
    let up = '';
    await pollUntil(
      'AiccCollectorFailing firing for every collector',
      45_000,
      async () => {
        seen = await stack.prom.alerts();
        up = (await stack.prom.query('aicc_up')).map((s) => `${s.metric['collector']}=${s.lastValue}`).join(' ');
        const failing = new Set(
          seen.filter((a) => a.state === 'firing' && matches(a.labels, { alertname: 'AiccCollectorFailing', cc_id: '1' })).map((a) => a.labels['collector']),
        );
        return collectors.every((c) => failing.has(c)) ? true : undefined;
      },
      () => `aicc_up: ${up}\n  ${showAlerts(seen)}`,
      2_000,
    );
    const upNow = await stack.prom.query('aicc_up');
    expect(upNow.map((s) => [s.metric['collector'], s.lastValue]).sort()).toEqual(collectors.map((c) => [c, 0]).sort());
    expect(seen.some((a) => a.labels['alertname'] === 'AiccExporterDown')).toBe(false);

    let inAm: AlertmanagerAlert[] = [];
    await pollUntil(
      'Alertmanager to list AiccCollectorFailing for every collector',
      15_000,
      async () => {
        inAm = await stack.am.alerts(['alertname="AiccCollectorFailing"']);
        const listed = new Set(inAm.map((a) => a.labels['collector']));
        return collectors.every((c) => listed.has(c)) ? true : undefined;
      },
      () => showAlerts(inAm),
    );
  }, 75_000);
});
