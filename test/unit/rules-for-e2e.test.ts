/** The helpers that make the e2e variant of the rules (test/helpers/rules-for-e2e.ts). */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  PROMETHEUS_RULES_DIR,
  buildPrometheusConfig,
  findPrometheusTool,
  listThresholds,
  overrideThresholds,
  shortenForDurations,
  writeRulesForE2e,
} from '../helpers/rules-for-e2e.js';

interface RuleFile {
  groups: Array<{ rules: Array<{ alert?: string; record?: string; expr: string; for?: string }> }>;
}

const alertsText = (): Promise<string> => readFile(join(PROMETHEUS_RULES_DIR, 'alerts.yml'), 'utf8');
const allRules = (text: string): RuleFile['groups'][number]['rules'] => (parse(text) as RuleFile).groups.flatMap((g) => g.rules);

describe('shortenForDurations', () => {
  it('replaces every for: of alerts.yml and nothing else', async () => {
    const original = await alertsText();
    const withFor = allRules(original).filter((r) => r.for !== undefined);
    expect(withFor.length).toBeGreaterThanOrEqual(8);
    const short = shortenForDurations(original, '5s');
    const rules = allRules(short);
    expect(rules.filter((r) => r.for !== undefined).map((r) => r.for)).toEqual(withFor.map(() => '5s'));
    expect(rules.map((r) => r.expr)).toEqual(allRules(original).map((r) => r.expr));
    expect(short.split('\n')).toHaveLength(original.split('\n').length);
  });

  it('refuses a value that is not a Prometheus duration', () => {
    expect(() => shortenForDurations('for: 2m', '5 seconds')).toThrow(/not a Prometheus duration/);
    expect(shortenForDurations('  - alert: X\n    for: 2m\n', '1m30s')).toBe('  - alert: X\n    for: 1m30s\n');
  });
});

describe('overrideThresholds', () => {
  it('changes the named constants only', async () => {
    const text = overrideThresholds(await alertsText(), { 'aicc:queue_wait_warning_threshold:seconds': 5, 'aicc:connection_ratio_threshold:ratio': 0.25 });
    const t = listThresholds(text);
    expect(t['aicc:queue_wait_warning_threshold:seconds']).toBe(5);
    expect(t['aicc:connection_ratio_threshold:ratio']).toBe(0.25);
    expect(t['aicc:queue_wait_critical_threshold:seconds']).toBe(180);
    const rec = allRules(text).find((r) => r.record === 'aicc:queue_wait_warning_threshold:seconds');
    expect(rec?.expr).toBe('vector(5)');
  });

  it('refuses an unknown name or a non-finite value', async () => {
    const text = await alertsText();
    expect(() => overrideThresholds(text, { 'aicc:queue_wait_threshold:seconds': 5 })).toThrow(/no threshold rule named/);
    expect(() => overrideThresholds(text, { 'aicc:queue_wait_warning_threshold:seconds': Number.NaN })).toThrow(/finite/);
  });
});

describe('writeRulesForE2e and buildPrometheusConfig', () => {
  let dir = '';
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = '';
  });

  it('writes both rule files with for: 0s by default and the thresholds given', async () => {
    dir = await mkdtemp(join(tmpdir(), 'aicc-e2e-rules-'));
    const paths = await writeRulesForE2e(dir, { thresholds: { 'aicc:queue_wait_warning_threshold:seconds': 2 } });
    expect(paths).toEqual([join(dir, 'alerts.yml'), join(dir, 'recording.yml')]);
    const alerts = await readFile(paths[0] as string, 'utf8');
    expect(allRules(alerts).filter((r) => r.for !== undefined).every((r) => r.for === '0s')).toBe(true);
    expect(listThresholds(alerts)['aicc:queue_wait_warning_threshold:seconds']).toBe(2);
    expect(await readFile(paths[1] as string, 'utf8')).toBe(await readFile(join(PROMETHEUS_RULES_DIR, 'recording.yml'), 'utf8'));
  });

  it('builds a prometheus.yml scraping the targets as job aicc-exporter', () => {
    const cfg = parse(buildPrometheusConfig({ targets: ['127.0.0.1:4000'], ruleFiles: ['/tmp/a.yml'], alertmanager: '127.0.0.1:9093' })) as Record<string, unknown>;
    expect(cfg).toMatchObject({
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      rule_files: ['/tmp/a.yml'],
      scrape_configs: [{ job_name: 'aicc-exporter', static_configs: [{ targets: ['127.0.0.1:4000'] }] }],
      alerting: { alertmanagers: [{ static_configs: [{ targets: ['127.0.0.1:9093'] }] }] },
    });
  });

  it('finds tools on PATH only', () => {
    const saved = process.env['PATH'];
    try {
      process.env['PATH'] = '';
      expect(findPrometheusTool('promtool')).toBeNull();
    } finally {
      process.env['PATH'] = saved;
    }
  });
});
