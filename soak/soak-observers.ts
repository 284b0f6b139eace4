import type { CollectorName } from '../src/collectors/types.js';
import type { ScrapeSample } from './exposition-sample.js';
import { COLLECTOR_NAMES, staleLimitSeconds } from './soak-config.js';

/**
 * What the soak watches on every plain scrape: counters (never lower than any value they had
 * before, also across a gap where the series was absent), aicc_up per collector over time, the
 * age of the vendor series served, and the heap the exporter reports.
 */

/** Vendor families by the collector that produces them. */
const FAMILIES: Readonly<Record<CollectorName, readonly string[]>> = {
  sysindex: [
    'aicc_agents_online',
    'aicc_agents',
    'aicc_inbound_calls_total',
    'aicc_inbound_calls_connected_total',
    'aicc_outbound_calls_total',
    'aicc_inbound_connection_ratio',
    'aicc_period_start_timestamp_seconds',
  ],
  access_codes: ['aicc_access_code_calls', 'aicc_access_code_online_calls', 'aicc_access_code_longest_wait_seconds'],
  cti_server_time: ['aicc_cti_clock_skew_seconds', 'aicc_cti_time_seconds'],
  agent_calls: ['aicc_agent_active_calls', 'aicc_agent_oldest_call_age_seconds', 'aicc_agent_oldest_call_wait_seconds'],
};
const COLLECTOR_OF_FAMILY = new Map<string, CollectorName>(
  COLLECTOR_NAMES.flatMap((c) => FAMILIES[c].map((f) => [f, c] as [string, CollectorName])),
);

/** Timer lateness and scrape duration allowed on top of a stale limit, seconds. */
export const STALE_TOLERANCE_SECONDS = 0.25;

/** A counter seen lower than an earlier scrape showed it. */
export interface CounterViolation {
  series: string;
  before: number;
  after: number;
  atMs: number;
  afterGap: boolean;
}

/**
 * Counters must never be lower than the highest value an earlier scrape showed. "Earlier" means
 * finished before this one started: two scrapes that overlap in time may be served in either
 * order (Prometheus never overlaps scrapes of one target), so a lower value then is only counted
 * in `overlappingDecreases`.
 */
export class CounterWatch {
  private readonly max = new Map<string, { value: number; endMs: number }>();
  private readonly present = new Set<string>();
  readonly violations: CounterViolation[] = [];
  violationCount = 0;
  overlappingDecreases = 0;
  /** Counter series seen again after being absent from a scrape (they must resume, not restart). */
  returns = 0;
  seriesChecked = 0;

  observe(startMs: number, endMs: number, sample: ScrapeSample): void {
    const now = new Set<string>();
    for (const [key, s] of sample) {
      if (!s.monotonic) continue;
      now.add(key);
      const before = this.max.get(key);
      const afterGap = before !== undefined && !this.present.has(key);
      if (afterGap) this.returns++;
      if (before !== undefined && s.value < before.value) {
        if (startMs < before.endMs) this.overlappingDecreases++;
        else {
          this.violationCount++;
          if (this.violations.length < 20) this.violations.push({ series: key, before: before.value, after: s.value, atMs: startMs, afterGap });
        }
      }
      if (before === undefined || s.value > before.value) this.max.set(key, { value: s.value, endMs });
    }
    this.present.clear();
    for (const k of now) this.present.add(k);
    this.seriesChecked = this.max.size;
  }
}

/** aicc_up of each collector at each scrape (1, 0, or -1 when absent). */
export class UpTimeline {
  readonly atMs: number[] = [];
  readonly up: Record<CollectorName, number[]> = { sysindex: [], access_codes: [], cti_server_time: [], agent_calls: [] };

  /** Records one scrape, kept in order of start (a slow scrape may report after a later one). */
  observe(atMs: number, sample: ScrapeSample): void {
    const found: Partial<Record<CollectorName, number>> = {};
    for (const s of sample.values()) {
      if (s.name === 'aicc_up') found[s.labels.collector as CollectorName] = s.value;
    }
    let i = this.atMs.length;
    while (i > 0 && this.atMs[i - 1]! > atMs) i--;
    this.atMs.splice(i, 0, atMs);
    for (const c of COLLECTOR_NAMES) this.up[c].splice(i, 0, found[c] ?? -1);
  }
}

/** A collector's series served longer after its last success than its stale limit allows. */
export interface StaleViolation {
  collector: CollectorName;
  ageSeconds: number;
  limitSeconds: number;
  atMs: number;
}

/** Checks that no vendor series is served after its collector's stale limit. */
export class StaleWatch {
  readonly violations: StaleViolation[] = [];
  violationCount = 0;
  /** Per collector: oldest data served (seconds since its last success) and how often its series were dropped. */
  readonly worstAge: Record<CollectorName, number> = { sysindex: 0, access_codes: 0, cti_server_time: 0, agent_calls: 0 };
  readonly drops: Record<CollectorName, number> = { sysindex: 0, access_codes: 0, cti_server_time: 0, agent_calls: 0 };
  private readonly wasServing = new Set<CollectorName>();

  observe(startMs: number, sample: ScrapeSample): void {
    const lastSuccess: Partial<Record<CollectorName, number>> = {};
    const serving = new Set<CollectorName>();
    for (const s of sample.values()) {
      if (s.name === 'aicc_collector_last_success_timestamp_seconds') lastSuccess[s.labels.collector as CollectorName] = s.value;
      const c = COLLECTOR_OF_FAMILY.get(s.name);
      if (c) serving.add(c);
    }
    for (const c of COLLECTOR_NAMES) {
      if (this.wasServing.has(c) && !serving.has(c)) this.drops[c]++;
      if (!serving.has(c)) continue;
      const last = lastSuccess[c];
      const limit = staleLimitSeconds(c);
      const age = last === undefined ? Infinity : startMs / 1000 - last;
      if (age > this.worstAge[c]) this.worstAge[c] = age;
      if (age > limit + STALE_TOLERANCE_SECONDS) {
        this.violationCount++;
        if (this.violations.length < 20) this.violations.push({ collector: c, ageSeconds: age, limitSeconds: limit, atMs: startMs });
      }
    }
    this.wasServing.clear();
    for (const c of serving) this.wasServing.add(c);
  }
}

/** nodejs_heap_size_used_bytes as served, at most once a second (the passive heap view). */
export class ReportedHeap {
  readonly samples: Array<{ atMs: number; bytes: number }> = [];

  observe(atMs: number, sample: ScrapeSample): void {
    const last = this.samples.at(-1);
    if (last && atMs - last.atMs < 1000) return;
    const v = sample.get('nodejs_heap_size_used_bytes{}');
    if (v) this.samples.push({ atMs, bytes: v.value });
  }
}
