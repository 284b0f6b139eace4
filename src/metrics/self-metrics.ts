/**
 * The exporter's own metrics (run outcomes, CMS request counts and latencies, build, shard and
 * reload state) plus prom-client's process_* and nodejs_* metrics, in a private prom-client
 * Registry. They are few, so they are rendered live on every scrape, in either format, by
 * self-metrics-exposition.ts from the registry's JSON (prom-client's own OpenMetrics mode
 * renames counters in place, which would corrupt a registry also served as text 0.0.4).
 * The process_* and nodejs_* values are collected at most once per PROCESS_METRICS_MAX_AGE_MS.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CmsRequestEvent } from '../cms/types.js';
import { renderMetricObjects, type MetricObjectJson } from './self-metrics-exposition.js';
import type { ExpositionFormat } from './exposition-text.js';

/** Buckets of aicc_api_request_duration_seconds: 5 ms to 30 s (the longest sane CMS timeout). */
export const API_DURATION_BUCKETS: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30,
];

/**
 * How long collected process_* and nodejs_* values are served again, ms. Collecting them costs
 * about 0.7 ms of the event loop (most of it prom-client computing the event-loop delay's mean
 * and standard deviation over the whole delay histogram), ten times the exporter's own metrics.
 * Prometheus scrapes every few seconds, so each of its scrapes still collects afresh; scrapes
 * less than a second apart (two Prometheus replicas, a load test) share one collection. The
 * aicc_* metrics are always live.
 */
export const PROCESS_METRICS_MAX_AGE_MS = 1000;

/** Options of SelfMetrics. */
export interface SelfMetricsOptions {
  /** The exporter's version, the `version` label of aicc_exporter_build_info. */
  version: string;
  /** Register prom-client's process_* and nodejs_* metrics (default true; tests turn it off). */
  defaultMetrics?: boolean;
  /** Monotonic clock, ms, for PROCESS_METRICS_MAX_AGE_MS (tests pass a fake one). */
  nowMs?: () => number;
}

/** The outcome of one collector run. */
export interface RunOutcome {
  ok: boolean;
  /** Wall time of the run, seconds. */
  durationSeconds: number;
  /** When the run finished, epoch milliseconds. */
  finishedAtMs: number;
}

/**
 * prom-client default metrics left out: gauges named `_total` (sums of nodejs_active_handles etc.
 * over their `type` label). promtool flags such gauges, and in OpenMetrics a gauge `x_total` may
 * clash with the samples of a counter `x`; `sum(nodejs_active_handles)` gives the same value.
 */
export const DROPPED_DEFAULT_METRICS: readonly string[] = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

const RUN_LABELS = ['cc_id', 'collector'] as const;

/** Typed recording API over the exporter's own metrics. */
export class SelfMetrics {
  /** The exporter's own (aicc_*) metrics, collected on every render. */
  private readonly registry = new Registry();
  /** prom-client's process_* and nodejs_* metrics (empty without defaultMetrics). */
  private readonly processRegistry = new Registry();
  private processCache: { atMs: number; metrics: Promise<MetricObjectJson[]> } | null = null;
  private readonly nowMs: () => number;
  private readonly up: Gauge<(typeof RUN_LABELS)[number]>;
  private readonly lastSuccess: Gauge<(typeof RUN_LABELS)[number]>;
  private readonly duration: Gauge<(typeof RUN_LABELS)[number]>;
  private readonly skipped: Counter<(typeof RUN_LABELS)[number]>;
  private readonly interval: Gauge<(typeof RUN_LABELS)[number]>;
  private readonly apiRequests: Counter<'endpoint' | 'code'>;
  private readonly apiDuration: Histogram<'endpoint'>;
  private readonly shardIndex: Gauge;
  private readonly shardsTotal: Gauge;
  private readonly reloadOk: Gauge;
  private readonly reloadTime: Gauge;

  constructor(options: SelfMetricsOptions) {
    this.nowMs = options.nowMs ?? (() => performance.now());
    const registers = [this.registry];
    const labelNames = [...RUN_LABELS];
    this.up = new Gauge({
      name: 'aicc_up',
      help: 'Whether the last run of the collector for the call center succeeded (1) or failed (0).',
      labelNames,
      registers,
    });
    this.lastSuccess = new Gauge({
      name: 'aicc_collector_last_success_timestamp_seconds',
      help: 'When the last successful run of the collector for the call center finished, Unix time in seconds.',
      labelNames,
      registers,
    });
    this.duration = new Gauge({
      name: 'aicc_collector_duration_seconds',
      help: 'Duration of the last run of the collector for the call center, seconds.',
      labelNames,
      registers,
    });
    this.skipped = new Counter({
      name: 'aicc_collector_skipped_runs_total',
      help: 'Runs of the collector for the call center skipped because the previous run was still going.',
      labelNames,
      registers,
    });
    this.interval = new Gauge({
      name: 'aicc_collector_interval_seconds',
      help: 'Configured interval between runs of the collector for the call center, seconds (for staleness alerts).',
      labelNames,
      registers,
    });
    this.apiRequests = new Counter({
      name: 'aicc_api_requests_total',
      help: 'HTTP exchanges with the CC-CMS (every attempt), by interface and resultCode or failure kind.',
      labelNames: ['endpoint', 'code'],
      registers,
    });
    this.apiDuration = new Histogram({
      name: 'aicc_api_request_duration_seconds',
      help: 'Duration of HTTP exchanges with the CC-CMS (every attempt), by interface, seconds.',
      labelNames: ['endpoint'],
      buckets: [...API_DURATION_BUCKETS],
      registers,
    });
    const buildInfo = new Gauge({
      name: 'aicc_exporter_build_info',
      help: 'Always 1; labels give the exporter version and the Node.js version running it.',
      labelNames: ['version', 'nodejs_version'],
      registers,
    });
    buildInfo.set({ version: options.version, nodejs_version: process.version }, 1);
    this.shardIndex = new Gauge({ name: 'aicc_exporter_shard_index', help: "This process's shard, 0-based.", registers });
    // Named without `_total`, unlike the draft: a gauge must not carry the counter suffix
    // (Prometheus naming guidelines; promtool check metrics rejects it).
    this.shardsTotal = new Gauge({ name: 'aicc_exporter_shards', help: 'Number of shards the call centers are split into.', registers });
    this.reloadOk = new Gauge({
      name: 'aicc_exporter_config_last_reload_successful',
      help: 'Whether the last configuration reload succeeded (1) or failed (0).',
      registers,
    });
    this.reloadTime = new Gauge({
      name: 'aicc_exporter_config_last_reload_success_timestamp_seconds',
      help: 'When the configuration was last loaded successfully, Unix time in seconds.',
      registers,
    });
    if (options.defaultMetrics ?? true) {
      collectDefaultMetrics({ register: this.processRegistry });
      for (const name of DROPPED_DEFAULT_METRICS) this.processRegistry.removeSingleMetric(name);
    }
  }

  /**
   * Declares a scheduled collector × call center: publishes its interval and starts its skip
   * counter at 0, so that rate() and the dashboards see the series before the first skip.
   */
  trackCollector(ccId: number, collector: string, intervalSeconds: number): void {
    const labels = { cc_id: String(ccId), collector };
    this.interval.set(labels, intervalSeconds);
    this.skipped.inc(labels, 0);
  }

  /** Records the end of a run: aicc_up, the duration, and on success the success timestamp. */
  recordRun(ccId: number, collector: string, outcome: RunOutcome): void {
    const labels = { cc_id: String(ccId), collector };
    this.up.set(labels, outcome.ok ? 1 : 0);
    this.duration.set(labels, outcome.durationSeconds);
    if (outcome.ok) this.lastSuccess.set(labels, outcome.finishedAtMs / 1000);
  }

  /** Counts a run skipped because the previous one was still in flight. */
  recordSkip(ccId: number, collector: string): void {
    this.skipped.inc({ cc_id: String(ccId), collector });
  }

  /** Drops every series of a collector × call center that is no longer scheduled (after a reload). */
  removeCollector(ccId: number, collector: string): void {
    const labels = { cc_id: String(ccId), collector };
    for (const metric of [this.up, this.lastSuccess, this.duration, this.interval]) metric.remove(labels);
    this.skipped.remove(labels);
  }

  /** Counts one HTTP exchange with the CMS and observes its duration (a CmsRequestObserver). */
  recordRequest(event: CmsRequestEvent): void {
    this.apiRequests.inc({ endpoint: event.endpoint, code: event.code });
    this.apiDuration.observe({ endpoint: event.endpoint }, event.durationSeconds);
  }

  /** Sets the shard gauges. */
  setShard(index: number, total: number): void {
    this.shardIndex.set(index);
    this.shardsTotal.set(total);
  }

  /** Records a configuration (re)load; call it after the initial load too. `atMs`: epoch ms. */
  recordReload(ok: boolean, atMs: number): void {
    this.reloadOk.set(ok ? 1 : 0);
    if (ok) this.reloadTime.set(atMs / 1000);
  }

  /**
   * Names vendor snapshots may not use: every family served here, plus each counter's name
   * without `_total` (its OpenMetrics family name).
   */
  familyNames(): Set<string> {
    const names = new Set<string>();
    for (const metric of [...this.registry.getMetricsAsArray(), ...this.processRegistry.getMetricsAsArray()]) {
      names.add(metric.name);
      if ((metric.type as unknown) === 'counter') names.add(metric.name.replace(/_total$/, ''));
    }
    return names;
  }

  /** The self metrics in `format`, without OpenMetrics' `# EOF` (the body's caller adds it). */
  async render(format: ExpositionFormat): Promise<string> {
    const [own, runtime] = await Promise.all([this.registry.getMetricsAsJSON(), this.processMetrics()]);
    return renderMetricObjects([...own, ...runtime], format);
  }

  /** The process_* and nodejs_* metrics, collected again once the last collection is too old. */
  private processMetrics(): Promise<MetricObjectJson[]> {
    const now = this.nowMs();
    if (this.processCache === null || now - this.processCache.atMs >= PROCESS_METRICS_MAX_AGE_MS) {
      const metrics: Promise<MetricObjectJson[]> = this.processRegistry.getMetricsAsJSON();
      this.processCache = { atMs: now, metrics };
      metrics.catch(() => {
        if (this.processCache?.metrics === metrics) this.processCache = null;
      });
    }
    return this.processCache.metrics;
  }
}
