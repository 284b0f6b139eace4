/**
 * Helpers for tests that load deploy/prometheus/*.yml into a real Prometheus (the e2e test) or
 * run promtool/amtool on them: a test variant with shortened `for:` durations and overridden
 * thresholds, a minimal prometheus.yml, and the lookup of the Prometheus binaries.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { delimiter, dirname, join, resolve } from 'node:path';
import { accessSync, constants } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** deploy/prometheus/: alerts.yml, recording.yml, tests/. */
export const PROMETHEUS_RULES_DIR = join(REPO_ROOT, 'deploy', 'prometheus');
/** The rule files, in load order. */
export const RULE_FILE_NAMES = ['alerts.yml', 'recording.yml'] as const;
/** The example Alertmanager configuration. */
export const ALERTMANAGER_CONFIG = join(REPO_ROOT, 'deploy', 'alertmanager', 'alertmanager.yml');

const DURATION = /^(\d+(ms|s|m|h|d|w|y))+$/;
const FOR_LINE = /^([ \t]*)for:[ \t]*\S+[ \t]*$/gm;
const THRESHOLD_RULE = /(- record: ([\w:]+)\n[ \t]+expr: vector\()([^)]*)(\))/g;

/** Replaces every `for:` duration of a rule file's text by `forDuration` (a Prometheus duration, e.g. '5s', '0s'). */
export function shortenForDurations(ruleText: string, forDuration: string): string {
  if (!DURATION.test(forDuration)) throw new Error(`not a Prometheus duration: ${forDuration}`);
  return ruleText.replace(FOR_LINE, (_line, indent: string) => `${indent}for: ${forDuration}`);
}

/** The threshold rules of a rule file's text (`- record: name` + `expr: vector(N)`), name -> N. */
export function listThresholds(ruleText: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of ruleText.matchAll(THRESHOLD_RULE)) out[m[2] as string] = Number(m[3]);
  return out;
}

/**
 * Sets threshold constants, e.g. `{ 'aicc:queue_wait_warning_threshold:seconds': 5 }`. Throws on a
 * name that is not a threshold rule of the text, so a renamed threshold cannot be silently ignored.
 */
export function overrideThresholds(ruleText: string, overrides: Readonly<Record<string, number>>): string {
  const known = listThresholds(ruleText);
  for (const [name, value] of Object.entries(overrides)) {
    if (!(name in known)) throw new Error(`no threshold rule named ${name}; known: ${Object.keys(known).join(', ')}`);
    if (!Number.isFinite(value)) throw new Error(`threshold ${name} must be a finite number, not ${value}`);
  }
  return ruleText.replace(THRESHOLD_RULE, (whole, head: string, name: string, _old: string, tail: string) =>
    name in overrides ? `${head}${String(overrides[name])}${tail}` : whole,
  );
}

export interface RulesForE2eOptions {
  /** Replacement of every `for:` duration; default '0s' (alerts fire at their first evaluation above threshold). */
  forDuration?: string;
  /** Threshold constants to change (see listThresholds). */
  thresholds?: Readonly<Record<string, number>>;
}

/** Writes the test variant of deploy/prometheus/{alerts,recording}.yml into `dir`; returns the paths written. */
export async function writeRulesForE2e(dir: string, options: RulesForE2eOptions = {}): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const paths: string[] = [];
  for (const name of RULE_FILE_NAMES) {
    let text = await readFile(join(PROMETHEUS_RULES_DIR, name), 'utf8');
    text = shortenForDurations(text, options.forDuration ?? '0s');
    if (name === 'alerts.yml' && options.thresholds) text = overrideThresholds(text, options.thresholds);
    const path = join(dir, name);
    await writeFile(path, text, 'utf8');
    paths.push(path);
  }
  return paths;
}

export interface PrometheusConfigOptions {
  /** host:port of each exporter, e.g. ['127.0.0.1:40123']. */
  targets: string[];
  ruleFiles: string[];
  /** Default 'aicc-exporter' (AiccExporterDown expects job=~"aicc.*"). */
  jobName?: string;
  /** Default '1s'. */
  scrapeInterval?: string;
  /** Default '1s'. */
  evaluationInterval?: string;
  /** host:port of an Alertmanager, if alerts are to be sent. */
  alertmanager?: string;
}

/** A minimal prometheus.yml (YAML is a superset of JSON, so JSON text is written). */
export function buildPrometheusConfig(o: PrometheusConfigOptions): string {
  const config: Record<string, unknown> = {
    global: { scrape_interval: o.scrapeInterval ?? '1s', evaluation_interval: o.evaluationInterval ?? '1s' },
    rule_files: o.ruleFiles,
    scrape_configs: [{ job_name: o.jobName ?? 'aicc-exporter', static_configs: [{ targets: o.targets }] }],
  };
  if (o.alertmanager) config['alerting'] = { alertmanagers: [{ static_configs: [{ targets: [o.alertmanager] }] }] };
  return `${JSON.stringify(config, null, 2)}\n`;
}

/** The binaries scripts/install-prometheus-tools.sh installs (Debian names alertmanager prometheus-alertmanager). */
export type PrometheusTool = 'promtool' | 'prometheus' | 'amtool' | 'prometheus-alertmanager' | 'alertmanager';

/** The absolute path of `name` on PATH, or null. */
export function findPrometheusTool(name: PrometheusTool): string | null {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

/**
 * For tests: the tool's path, or null (skip) when it is missing locally. Under CI (process.env.CI
 * set) a missing tool throws instead: CI installs them with scripts/install-prometheus-tools.sh.
 */
export function toolOrSkip(name: PrometheusTool): string | null {
  const path = findPrometheusTool(name);
  if (path === null) {
    const hint = `${name} not found on PATH; install it with: sudo bash scripts/install-prometheus-tools.sh`;
    if (process.env['CI']) throw new Error(`${hint} (required under CI)`);
    console.warn(`SKIPPING: ${hint}`);
  }
  return path;
}
