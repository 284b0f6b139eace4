import type { CmsEndpoint } from '../src/cms/types.js';
import type { EnvironmentSummary } from './environment-monitor.js';
import type { HeapReading } from './exporter-process.js';
import type { PhaseRecord } from './fault-driver.js';
import type { LogAudit } from './log-audit.js';
import { recoveries, type Recovery } from './recovery-check.js';
import type { ScrapeStats } from './scrape-load.js';
import { COLLECTOR_NAMES, SOAK_CMS, SOAK_COLLECTORS, SOAK_SCENARIO } from './soak-config.js';
import type { CounterWatch, StaleWatch, UpTimeline } from './soak-observers.js';

/**
 * Turns what the soak observed into the issue's assertions, each with its numbers. The
 * thresholds: heap growth under 5% (median post-GC heap of the last fifth of the run against the
 * middle fifth), scrape p99 at most 25 ms, at most cms.concurrency requests in flight at the
 * CMS, and per faulted interface at most runs × requests per run × (1 + retries) requests.
 */

/** Largest accepted growth of the post-GC heap from the middle to the end of the run (fraction). */
export const HEAP_GROWTH_LIMIT = 0.05;
/** p99 target of a plain-text scrape, ms. */
export const SCRAPE_P99_TARGET_MS = 25;

/** One line of the report: an assertion of the issue, whether it held, and its numbers. */
export interface Assertion {
  name: string;
  pass: boolean;
  detail: string;
}

/** Everything the soak observed, as handed to evaluate(). */
export interface SoakData {
  durationMs: number;
  t0Ms: number;
  /** The exporter died before the end (code/signal), or null. */
  earlyExit: { code: number | null; signal: string | null } | null;
  shutdown: { code: number | null; signal: string | null; clean: boolean };
  log: LogAudit;
  heap: HeapReading[];
  records: PhaseRecord[];
  phasesPlanned: number;
  up: UpTimeline;
  counters: CounterWatch;
  stale: StaleWatch;
  scrapes: ScrapeStats;
  maxInFlight: number;
  environment: EnvironmentSummary;
  /** nodejs_heap_size_used_bytes as served, about once a second (without forcing a GC). */
  reportedHeap: ReadonlyArray<{ atMs: number; bytes: number }>;
}

/** The nearest-rank percentile `p` (0-100) of `values`; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const median = (v: readonly number[]) => percentile(v, 50);

/**
 * Latencies of the plain scrapes sent from `fromMs` on (the first fault: the issue asks for the
 * p99 "while faults run", not while the exporter starts), also without the scrapes that
 * overlapped one of the soak's own forced GCs (a measurement artefact: the probe stops the
 * exporter for gcMs).
 */
export function scrapeLatency(all: ScrapeStats, heap: readonly HeapReading[], fromMs: number) {
  const keep = all.plainAtMs.map((at, i) => (at >= fromMs ? i : -1)).filter((i) => i >= 0);
  const s = { plainMs: keep.map((i) => all.plainMs[i]!), plainAtMs: keep.map((i) => all.plainAtMs[i]!) };
  const overlapsGc = (i: number) => {
    const from = s.plainAtMs[i]!;
    const to = from + s.plainMs[i]!;
    return heap.some((h) => from <= h.atMs + 5 && to >= h.atMs - h.gcMs - 5);
  };
  const clean = s.plainMs.filter((_, i) => !overlapsGc(i));
  const slowest = s.plainMs
    .map((ms, i) => ({ ms, atMs: s.plainAtMs[i]!, duringForcedGc: overlapsGc(i) }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, 10);
  return {
    count: s.plainMs.length,
    p50: percentile(s.plainMs, 50),
    p99: percentile(s.plainMs, 99),
    max: Math.max(...s.plainMs),
    overlappingForcedGc: s.plainMs.length - clean.length,
    p99WithoutForcedGc: percentile(clean, 99),
    slowest,
  };
}
const mb = (bytes: number) => `${(bytes / 1048576).toFixed(2)} MiB`;

/** Requests one run sends to `endpoint` when that interface fails (the first failure ends the run). */
const REQUESTS_PER_RUN: Partial<Record<CmsEndpoint, { interval: number; requests: number }>> = {
  sysindex: { interval: SOAK_COLLECTORS.sysindex.intervalSeconds, requests: 1 },
  cti_server_time: { interval: SOAK_COLLECTORS.cti_server_time.intervalSeconds, requests: 1 },
  access_code_call_info: { interval: SOAK_COLLECTORS.access_codes.intervalSeconds, requests: SOAK_SCENARIO.vdnsPerCallCenter },
  agent_calls: {
    interval: SOAK_COLLECTORS.agent_calls.intervalSeconds,
    requests: SOAK_SCENARIO.vdnsPerCallCenter * SOAK_SCENARIO.agentsPerVdn,
  },
};
const RETRIED_KINDS = new Set(['http_500', 'http_502', 'http_503', 'http_429_retry_after']);

/** One faulted interface in one phase: requests the CMS received against the budget. */
export interface RetryBudgetRow {
  phase: string;
  endpoint: CmsEndpoint;
  fault: string;
  requests: number;
  budget: number;
}

/** Per interface that answered 5xx/429 to every request during a phase: requests seen against the budget. */
export function retryBudgets(records: readonly PhaseRecord[]): RetryBudgetRow[] {
  const rows: RetryBudgetRow[] = [];
  for (const r of records) {
    const seconds = (r.faultEndMs - r.startMs) / 1000;
    const faulted: Array<[CmsEndpoint, string]> =
      r.phase.global === 'all_503'
        ? (Object.keys(REQUESTS_PER_RUN) as CmsEndpoint[]).map((e) => [e, 'all_503'])
        : r.phase.endpointFaults.filter((f) => RETRIED_KINDS.has(f.kind)).map((f) => [f.endpoint, f.kind]);
    for (const [endpoint, fault] of faulted) {
      const per = REQUESTS_PER_RUN[endpoint];
      if (!per) continue; // basic call info: its request count follows the live calls
      // Runs started during the fault, plus the one in flight when it began.
      const runs = Math.floor(seconds / per.interval) + 2;
      const budget = runs * per.requests * (1 + SOAK_CMS.retries);
      rows.push({ phase: r.phase.name, endpoint, fault, requests: r.requestsDuringFault[endpoint], budget });
    }
  }
  return rows;
}

/** The post-GC heap in the middle fifth and the last fifth of the run (medians, bytes) and the growth between them. */
export function heapPlateau(heap: readonly HeapReading[], t0Ms: number, durationMs: number) {
  const inWindow = (from: number, to: number) =>
    heap.filter((h) => h.atMs >= t0Ms + from * durationMs && h.atMs <= t0Ms + to * durationMs).map((h) => h.heapUsed);
  const mid = inWindow(0.4, 0.6);
  const end = inWindow(0.8, 1.0);
  const midMedian = median(mid);
  const endMedian = median(end);
  return { mid: midMedian, end: endMedian, growth: endMedian / midMedian - 1, midCount: mid.length, endCount: end.length };
}

/** Checks every assertion; also returns the per-phase recoveries and retry budgets behind them. */
export function evaluate(d: SoakData): { assertions: Assertion[]; recoveries: Recovery[]; budgets: RetryBudgetRow[] } {
  const a: Assertion[] = [];
  const add = (name: string, pass: boolean, detail: string) => a.push({ name, pass, detail });
  const log = d.log;

  add('no crash', d.earlyExit === null && d.shutdown.clean && d.records.length === d.phasesPlanned,
    d.earlyExit ? `exporter exited during the run: ${JSON.stringify(d.earlyExit)}`
      : `alive for ${(d.durationMs / 60000).toFixed(1)} min, ${d.records.length}/${d.phasesPlanned} phases; SIGTERM → exit ${d.shutdown.code ?? d.shutdown.signal}${d.shutdown.clean ? '' : ' (not clean)'}`);
  add('no unhandled rejection, exception or warning', log.crashLines.length === 0 && log.stderr.length === 0,
    log.stderr.length === 0 ? 'stderr empty' : `stderr: ${log.stderr.slice(0, 3).join(' | ')}`);
  add('no error log without context', log.withoutContext.length === 0 && log.notJson.length === 0,
    `${log.lines} lines (${Object.entries(log.byLevel).map(([k, v]) => `${k} ${v}`).join(', ')}); error/fatal without context: ${log.withoutContext.length}; not JSON: ${log.notJson.length}`);
  add('no secret in the output', log.secretLeaks === 0, `${log.secretLeaks} line(s) with the secret key`);

  const h = heapPlateau(d.heap, d.t0Ms, d.durationMs);
  add('heap after GC reaches a plateau', h.midCount > 0 && h.endCount > 0 && h.growth < HEAP_GROWTH_LIMIT,
    `middle ${mb(h.mid)} (${h.midCount} readings) → end ${mb(h.end)} (${h.endCount}): ${(h.growth * 100).toFixed(2)}% (limit ${HEAP_GROWTH_LIMIT * 100}%)`);

  const rec = recoveries(d.records, d.up);
  const slow = rec.filter((r) => !r.ok);
  const perCollector = COLLECTOR_NAMES.map((c) => {
    const mine = rec.filter((r) => r.collector === c);
    const worst = Math.max(0, ...mine.map((r) => r.recoverySeconds ?? Infinity));
    return `${c} ${worst.toFixed(2)} s (bound ${mine[0]?.boundSeconds ?? '-'} s)`;
  });
  add('every collector back to aicc_up 1 after its fault clears', rec.length > 0 && slow.length === 0,
    `${rec.length} recoveries; slowest: ${perCollector.join(', ')}` +
      (slow.length ? `; late: ${slow.slice(0, 5).map((r) => `${r.phase}/${r.collector} ${r.recoverySeconds ?? 'never'}`).join(', ')}` : ''));
  const silent = rec.filter((r) => r.mustGoDown && !r.wentDown);
  add('every fault that fails all runs showed as aicc_up 0', silent.length === 0,
    `${rec.filter((r) => r.mustGoDown).length} such faults` + (silent.length ? `; not seen: ${silent.slice(0, 5).map((r) => `${r.phase}/${r.collector} ${r.fault}`).join(', ')}` : ''));

  add('counters never decrease', d.counters.violationCount === 0,
    `${d.counters.seriesChecked} monotonic series checked on ${d.up.atMs.length} scrapes; ${d.counters.returns} returns after a gap; ${d.counters.violationCount} decreases (${d.counters.overlappingDecreases} between overlapping scrapes, not counted)` +
      (d.counters.violations[0] ? ` e.g. ${d.counters.violations[0].series} ${d.counters.violations[0].before} → ${d.counters.violations[0].after}` : ''));
  add('no series served past its stale limit', d.stale.violationCount === 0,
    `oldest served (s since last success / limit): ${Object.entries(d.stale.worstAge).map(([c, v]) => `${c} ${v.toFixed(2)}/${SOAK_COLLECTORS[c as keyof typeof SOAK_COLLECTORS].intervalSeconds * SOAK_COLLECTORS[c as keyof typeof SOAK_COLLECTORS].staleAfterIntervals}`).join(', ')}; drops ${Object.values(d.stale.drops).reduce((x, y) => x + y, 0)}; violations ${d.stale.violationCount}`);

  const s = d.scrapes;
  const lat = scrapeLatency(s, d.heap, d.records[0]?.startMs ?? d.t0Ms);
  const env = d.environment;
  add(`scrapes answer within p99 ${SCRAPE_P99_TARGET_MS} ms`,
    s.failures === 0 && s.skippedTicks === 0 && lat.p99WithoutForcedGc <= SCRAPE_P99_TARGET_MS && s.unreadableLines === 0,
    `${lat.count} plain scrapes during the faults: p50 ${lat.p50.toFixed(2)} ms, p99 ${lat.p99WithoutForcedGc.toFixed(2)} ms ` +
      `(${lat.p99.toFixed(2)} ms with the ${lat.overlappingForcedGc} that overlapped a forced GC), max ${lat.max.toFixed(2)} ms; ` +
      `${s.openMetricsGzipMs.length} OpenMetrics+gzip p99 ${percentile(s.openMetricsGzipMs, 99).toFixed(2)} ms; failures ${s.failures}, skipped ticks ${s.skippedTicks}; ` +
      `load average mean ${env.loadAverageMean.toFixed(1)} / max ${env.loadAverageMax.toFixed(1)} on ${env.cpus} CPUs, driver loop delay p99 ${env.driverLoopDelayP99Ms.toFixed(1)} ms`);

  add('CMS never sees more than cms.concurrency requests in flight', d.maxInFlight <= SOAK_CMS.concurrency,
    `max in flight ${d.maxInFlight}, cms.concurrency ${SOAK_CMS.concurrency}`);
  const budgets = retryBudgets(d.records);
  const over = budgets.filter((b) => b.requests > b.budget);
  const top = [...budgets].sort((x, y) => y.requests / y.budget - x.requests / x.budget)[0];
  add('retries stay within their budget', budgets.length > 0 && over.length === 0,
    `${budgets.length} interface-phases answering 5xx/429 to everything` +
      (top ? `; highest use ${top.requests}/${top.budget} requests (${top.phase}, ${top.endpoint}${top.phase.startsWith(top.fault) ? '' : `, ${top.fault}`})` : '') +
      (over.length ? `; over: ${over.slice(0, 5).map((b) => `${b.phase}/${b.endpoint} ${b.requests}>${b.budget}`).join(', ')}` : ''));
  return { assertions: a, recoveries: rec, budgets };
}
