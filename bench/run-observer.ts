/**
 * Watches the exporter's own metrics to see collector runs finish, and attributes CMS requests
 * to runs: `aicc_collector_last_success_timestamp_seconds` changing marks a finished run,
 * `aicc_collector_duration_seconds` is its wall time (measured by the exporter around collect()),
 * and the delta of `aicc_api_requests_total` (every attempt, by endpoint) since the previous
 * finished run is what that run asked. A run is only counted when the scrape that saw it was
 * taken before the next run could start, so no request of the next run leaks into its figures.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { type CollectorName } from './bench-scenarios.js';
import { parseSamples, selfSamples, sumOf, type Sample, type Scraper } from './metrics-scraper.js';

/** One finished run as seen from /metrics. */
export interface ObservedRun {
  /** 1-based index of the run since the exporter started. */
  run: number;
  /** Requests (every attempt) by endpoint label. */
  requests: Record<string, number>;
  totalRequests: number;
  wallSeconds: number;
  /**
   * Mean duration of this run's requests as the client timed them (aicc_api_request_duration_seconds
   * sum / count deltas), ms: the simulator's latency plus transport, signing, parsing, and any wait
   * for the event loop; the figure that tells exporter overhead from CMS latency.
   */
  meanRequestMs: number;
  /** agent_calls only: sum of aicc_agent_active_calls in the snapshot of this run. */
  activeCalls?: number;
}

/** Requests by endpoint (all result codes) in one scrape. */
export function requestsByEndpoint(samples: readonly Sample[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of samples) {
    if (s.name !== 'aicc_api_requests_total') continue;
    const e = s.labels.endpoint ?? '';
    out[e] = (out[e] ?? 0) + s.value;
  }
  return out;
}

/** Throws when the collector's last run failed (aicc_up 0), with the exporter's warnings. */
function checkUp(samples: readonly Sample[], collector: CollectorName, warnings: readonly string[]): void {
  const up = samples.find((s) => s.name === 'aicc_up' && s.labels.collector === collector);
  if (up && up.value === 0) {
    throw new Error(`collector ${collector} failed a run (aicc_up 0); exporter warnings:\n${warnings.slice(-5).join('\n')}`);
  }
}

export interface ObserveOptions {
  scraper: Scraper;
  metricsUrl: string;
  collector: CollectorName;
  intervalSeconds: number;
  /** Runs to collect (runs seen too late are skipped, not counted). */
  runs: number;
  timeoutMs: number;
  /** Exporter log lines at warn level, for error messages. */
  warnings: readonly string[];
}

/**
 * Observes one collector (the only one enabled in the exporter) until `runs` runs have been
 * attributed. Polls every interval/10 (50-500 ms).
 */
export async function observeRuns(o: ObserveOptions): Promise<{ runs: ObservedRun[]; skipped: number }> {
  const intervalMs = o.intervalSeconds * 1000;
  const pollMs = Math.min(500, Math.max(50, intervalMs / 10));
  const deadline = Date.now() + o.timeoutMs;
  const runs: ObservedRun[] = [];
  let skipped = 0;
  let prevCounts: Record<string, number> = {};
  let prevDuration = { sum: 0, count: 0 };
  let prevSuccess: number | null = null;
  let runIndex = 0;
  while (runs.length < o.runs) {
    if (Date.now() > deadline) throw new Error(`${o.collector}: only ${runs.length} of ${o.runs} runs seen in ${o.timeoutMs} ms`);
    const scrapedAt = Date.now();
    const { body } = await o.scraper.get(o.metricsUrl, false);
    const samples = selfSamples(body);
    checkUp(samples, o.collector, o.warnings);
    const labels = { collector: o.collector };
    const success = samples.find((s) => s.name === 'aicc_collector_last_success_timestamp_seconds' && s.labels.collector === o.collector);
    if (success && success.value !== prevSuccess) {
      const wallSeconds = sumOf(samples, 'aicc_collector_duration_seconds', labels);
      const counts = requestsByEndpoint(samples);
      const durationSum = sumOf(samples, 'aicc_api_request_duration_seconds_sum');
      const durationCount = sumOf(samples, 'aicc_api_request_duration_seconds_count');
      const nextStartMs = success.value * 1000 - wallSeconds * 1000 + intervalMs;
      const missedOne = prevSuccess !== null && (success.value - prevSuccess) * 1000 > 1.5 * intervalMs;
      runIndex += missedOne ? Math.round(((success.value - prevSuccess!) * 1000) / intervalMs) : 1;
      if (scrapedAt < nextStartMs - 50 && !missedOne) {
        const requests: Record<string, number> = {};
        for (const [e, n] of Object.entries(counts)) if (n - (prevCounts[e] ?? 0) > 0) requests[e] = n - (prevCounts[e] ?? 0);
        const meanRequestMs = ((durationSum - prevDuration.sum) / Math.max(1, durationCount - prevDuration.count)) * 1000;
        const run: ObservedRun = {
          run: runIndex,
          requests,
          totalRequests: Object.values(requests).reduce((a, b) => a + b, 0),
          wallSeconds,
          meanRequestMs: Math.round(meanRequestMs * 100) / 100,
        };
        if (o.collector === 'agent_calls') {
          run.activeCalls = sumOf(parseSamples(body.toString('utf8'), (n) => n === 'aicc_agent_active_calls'), 'aicc_agent_active_calls');
        }
        runs.push(run);
      } else {
        skipped++;
      }
      prevCounts = counts;
      prevDuration = { sum: durationSum, count: durationCount };
      prevSuccess = success.value;
    }
    await sleep(pollMs);
  }
  return { runs, skipped };
}

/**
 * Waits until every collector in `collectors` has finished at least `runs` runs successfully
 * (distinct last-success timestamps, polled faster than any interval); resolves with the last
 * scrape's self samples and the runs counted per collector.
 */
export async function waitForRuns(o: {
  scraper: Scraper;
  metricsUrl: string;
  collectors: readonly CollectorName[];
  runs: number;
  pollMs: number;
  timeoutMs: number;
  warnings: readonly string[];
}): Promise<{ samples: Sample[]; counted: Record<string, number> }> {
  const deadline = Date.now() + o.timeoutMs;
  const last = new Map<string, number>();
  const counted: Record<string, number> = Object.fromEntries(o.collectors.map((c) => [c, 0]));
  for (;;) {
    const samples = selfSamples((await o.scraper.get(o.metricsUrl, false)).body);
    for (const c of o.collectors) {
      checkUp(samples, c, o.warnings);
      const s = samples.find((x) => x.name === 'aicc_collector_last_success_timestamp_seconds' && x.labels.collector === c);
      if (s && s.value !== last.get(c)) {
        last.set(c, s.value);
        counted[c]!++;
      }
    }
    if (o.collectors.every((c) => counted[c]! >= o.runs)) return { samples, counted };
    if (Date.now() > deadline) throw new Error(`runs seen ${JSON.stringify(counted)}, wanted ${o.runs} each within ${o.timeoutMs} ms`);
    await sleep(o.pollMs);
  }
}

/** When a collector's last successful run started and when its next run is due, epoch ms. */
function nextStartMs(samples: readonly Sample[], collector: CollectorName, intervalSeconds: number): number | null {
  const success = samples.find((s) => s.name === 'aicc_collector_last_success_timestamp_seconds' && s.labels.collector === collector);
  if (!success) return null;
  const wall = sumOf(samples, 'aicc_collector_duration_seconds', { collector });
  return (success.value - wall) * 1000 + intervalSeconds * 1000;
}

/**
 * Waits until no collector is running and none is due for at least `needMs` (each run starts one
 * interval after the previous one started: last success - duration + interval), so a series of
 * scrapes can be timed between runs. Polls every 250 ms. Resolves false when no such gap came
 * within `timeoutMs` (runs longer than their interval leave none): the caller measures anyway
 * and says so.
 */
export async function waitForQuietGap(o: {
  scraper: Scraper;
  metricsUrl: string;
  intervals: Readonly<Record<CollectorName, number>>;
  needMs: number;
  timeoutMs: number;
}): Promise<boolean> {
  const deadline = Date.now() + o.timeoutMs;
  for (;;) {
    const samples = selfSamples((await o.scraper.get(o.metricsUrl, false)).body);
    const now = Date.now();
    const next = Object.entries(o.intervals).map(([c, i]) => nextStartMs(samples, c as CollectorName, i) ?? now);
    if (Math.min(...next) - now >= o.needMs) return true;
    if (now > deadline) return false;
    await sleep(250);
  }
}

/** Sleeps until `delayMs` after the next run of `collector` is due (waiting out one in progress). */
export async function waitForRunStart(o: {
  scraper: Scraper;
  metricsUrl: string;
  collector: CollectorName;
  intervalSeconds: number;
  delayMs: number;
}): Promise<void> {
  for (;;) {
    const next = nextStartMs(selfSamples((await o.scraper.get(o.metricsUrl, false)).body), o.collector, o.intervalSeconds);
    const now = Date.now();
    if (next !== null && next > now) {
      await sleep(next - now + o.delayMs);
      return;
    }
    await sleep(250);
  }
}
