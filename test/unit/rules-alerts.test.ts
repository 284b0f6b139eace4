/**
 * deploy/prometheus/alerts.yml read as data: every alert has its severity, annotations and a
 * runbook section; thresholds live in one group; the promtool tests cover every alert firing and
 * staying silent; Alertmanager's inhibition refers to alerts that exist. No binaries needed.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ALERTMANAGER_CONFIG, PROMETHEUS_RULES_DIR, REPO_ROOT, listThresholds } from '../helpers/rules-for-e2e.js';

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface RuleFile {
  groups: Array<{ name: string; rules: Rule[] }>;
}
interface AlertTest {
  eval_time: string;
  alertname: string;
  exp_alerts: Array<{ exp_labels?: Record<string, string> }>;
}

const EXPECTED_ALERTS = [
  'AiccQueueWaitTimeHigh', 'AiccCallsQueuedNoIdleAgents', 'AiccConnectionRatioLow', 'AiccCtiClockSkew',
  'AiccCollectorFailing', 'AiccDataStale', 'AiccCollectorRunsSkipped', 'AiccExporterDown',
  'AiccShardsMissing', 'AiccShardsDisagree', 'AiccShardDuplicated',
];

async function rules(file: string): Promise<RuleFile> {
  return parse(await readFile(join(PROMETHEUS_RULES_DIR, file), 'utf8')) as RuleFile;
}
async function alerts(): Promise<Rule[]> {
  return (await rules('alerts.yml')).groups.flatMap((g) => g.rules).filter((r) => r.alert !== undefined);
}
async function alertTests(): Promise<AlertTest[]> {
  const dir = join(PROMETHEUS_RULES_DIR, 'tests');
  const out: AlertTest[] = [];
  for (const f of (await readdir(dir)).filter((n) => n.endsWith('.yml'))) {
    const doc = parse(await readFile(join(dir, f), 'utf8')) as { tests: Array<{ alert_rule_test?: AlertTest[] }> };
    for (const t of doc.tests) out.push(...(t.alert_rule_test ?? []));
  }
  return out;
}

describe('alerts.yml', () => {
  it('defines the issue\u2019s alerts, the two-level ones once per severity', async () => {
    const all = await alerts();
    expect([...new Set(all.map((a) => a.alert))].sort()).toEqual([...EXPECTED_ALERTS].sort());
    const severities = (name: string): string[] => all.filter((a) => a.alert === name).map((a) => a.labels?.['severity'] ?? '').sort();
    expect(severities('AiccQueueWaitTimeHigh')).toEqual(['critical', 'warning']);
    expect(severities('AiccCtiClockSkew')).toEqual(['critical', 'warning']);
    expect(severities('AiccExporterDown')).toEqual(['critical']);
  });

  it('gives every alert a severity, a summary, a description with the value and a runbook section', async () => {
    const runbook = await readFile(join(REPO_ROOT, 'docs', 'runbook.md'), 'utf8');
    const anchors = new Set([...runbook.matchAll(/^#{2,3} (.+)$/gm)].map((m) => (m[1] as string).trim().toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-')));
    // Their value is a boolean-like 0/1; they name their subject instead.
    const valueless = new Set(['AiccCollectorFailing', 'AiccExporterDown']);
    for (const a of await alerts()) {
      const name = a.alert as string;
      expect(['critical', 'warning', 'info'], name).toContain(a.labels?.['severity']);
      expect(a.annotations?.['summary'], name).toMatch(/\$labels\./);
      expect(a.annotations?.['description'], name).toMatch(/\$labels\./);
      if (!valueless.has(name)) expect(`${a.annotations?.['summary']} ${a.annotations?.['description']}`, name).toContain('$value');
      const url = a.annotations?.['runbook_url'] ?? '';
      expect(url, name).toBe(`docs/runbook.md#${name.toLowerCase()}`);
      expect(anchors, `docs/runbook.md has no section ${name}`).toContain(name.toLowerCase());
    }
  });

  it('keeps every threshold in the alerts\u2019 own group, each used by an alert', async () => {
    const text = await readFile(join(PROMETHEUS_RULES_DIR, 'alerts.yml'), 'utf8');
    expect(listThresholds(text)).toEqual({
      'aicc:queue_wait_warning_threshold:seconds': 60,
      'aicc:queue_wait_critical_threshold:seconds': 180,
      'aicc:connection_ratio_threshold:ratio': 0.8,
      'aicc:connection_ratio_min_inbound_calls:per_minute': 1,
      'aicc:cti_clock_skew_warning_threshold:seconds': 1,
      'aicc:cti_clock_skew_critical_threshold:seconds': 5,
      'aicc:collector_stale_threshold:intervals': 3,
    });
    const doc = await rules('alerts.yml');
    for (const g of doc.groups) {
      const records = g.rules.filter((r) => r.record !== undefined);
      for (const r of records) {
        const users = g.rules.filter((a) => a.alert !== undefined && a.expr.includes(r.record as string));
        expect(users.length, `${r.record} is used by no alert of group ${g.name}`).toBeGreaterThan(0);
        // Evaluated before the alerts that use it.
        expect(g.rules.indexOf(r)).toBeLessThan(g.rules.indexOf(users[0] as Rule));
      }
    }
    // Nothing but thresholds is hard-coded in the alert expressions' comparisons.
    for (const a of await alerts()) expect(a.expr, a.alert).not.toMatch(/[<>]=?\s*(60|180|0\.8|5)\b/);
  });

  it('has promtool tests where each alert fires (each severity) and where it stays silent', async () => {
    const tests = await alertTests();
    for (const a of await alerts()) {
      const name = a.alert as string;
      const mine = tests.filter((t) => t.alertname === name);
      expect(mine.some((t) => t.exp_alerts.length === 0), `${name}: no silent case`).toBe(true);
      const fired = mine.flatMap((t) => t.exp_alerts.map((e) => e.exp_labels?.['severity']));
      expect(fired, `${name}: never tested firing with severity ${a.labels?.['severity']}`).toContain(a.labels?.['severity']);
    }
  });
});

describe('recording.yml', () => {
  it('names its rules level:metric:operations and keeps job', async () => {
    for (const r of (await rules('recording.yml')).groups.flatMap((g) => g.rules)) {
      expect(r.record, r.expr).toMatch(/^[a-z_]+:[a-z_]+:[a-z0-9_]+$/);
      if (/\bsum by\b/.test(r.expr)) expect(r.expr, r.record).toMatch(/by \(job,/);
    }
  });
});

describe('alertmanager.yml', () => {
  it('routes by severity, groups by alertname/cc_id/vdn and inhibits only alerts that exist', async () => {
    const am = parse(await readFile(ALERTMANAGER_CONFIG, 'utf8')) as {
      route: { group_by: string[]; routes: Array<{ matchers: string[]; receiver: string }> };
      inhibit_rules: Array<{ source_matchers: string[]; target_matchers: string[]; equal: string[] }>;
      receivers: Array<{ name: string; webhook_configs: Array<{ url: string }> }>;
    };
    expect(am.route.group_by).toEqual(['alertname', 'cc_id', 'vdn']);
    expect(am.route.routes.map((r) => r.matchers.join())).toEqual(['severity="critical"', 'severity="warning"', 'severity="info"']);
    for (const r of am.receivers) for (const w of r.webhook_configs) expect(w.url).toMatch(/^https:\/\/alerts\.example\.com\//);
    const names = new Set(EXPECTED_ALERTS);
    const mentioned = am.inhibit_rules.flatMap((r) => [...r.source_matchers, ...r.target_matchers]).join(' ');
    for (const m of mentioned.matchAll(/Aicc[A-Za-z]+/g)) expect(names, `inhibition names unknown alert ${m[0]}`).toContain(m[0]);
    const queueInhibit = am.inhibit_rules.find((r) => r.target_matchers.join().includes('AiccQueueWaitTimeHigh') && r.source_matchers.join().includes('AiccCollectorFailing'));
    expect(queueInhibit?.equal).toEqual(['job', 'cc_id']);
    const down = am.inhibit_rules.find((r) => r.source_matchers.join() === 'alertname="AiccExporterDown"');
    expect(down?.equal).toEqual(['job']);
  });
});
