/**
 * The 5-minute statistics behind cti/sysindex, for every VDN of the simulator. Each period keeps
 * per VDN: the agent gauges as of the period's end (taken when the period closes) and the counts
 * of inbound, manually connected and outbound calls that happened in it. The current period's
 * counters only grow; its gauges are the live ones. Closed periods never change.
 *
 * Memory: one Int32Array of 8 cells per VDN per period. History is bounded to `capacity` closed
 * periods (see historyCapacity), oldest dropped first.
 */
import type { SysindexRow } from '../cms/types.js';

/** Length of a statistics period, ms; periods are aligned to multiples of it (UTC). */
export const PERIOD_MS = 300_000;

/** Most closed periods ever kept: 31 days, the widest window sysindex accepts. */
export const MAX_HISTORY_PERIODS = 31 * 288;

/** Cells per VDN per period. */
const CELLS = 8;
const ONLINE = 0;
const IN_CALL = 5;
const RATE = 6;
const CALL_OUT = 7;

/** Gauges of one VDN, in this order: online, talking, idle, busy, rest. */
export type GaugeReader = (vdnIndex: number) => readonly [number, number, number, number, number];

/**
 * One period of one VDN, in the document's units (beginTime epoch ms); callRate is
 * round(100 * rateNum / inCallNums), capped at 100, and 0 without inbound calls.
 */
export type PeriodValues = Omit<SysindexRow, 'ccId' | 'vdn'>;

/**
 * Closed periods kept per VDN: enough for 31 days for small scenarios, at most ~500,000 VDN-periods
 * in total (16 MB) for big ones (e.g. 100 periods = 8h20m at 5,000 VDNs), never fewer than 12 (1 h).
 */
export function historyCapacity(vdnCount: number): number {
  if (vdnCount <= 0) return MAX_HISTORY_PERIODS;
  return Math.max(12, Math.min(MAX_HISTORY_PERIODS, Math.floor(500_000 / vdnCount)));
}

interface ClosedPeriod {
  periodIndex: number;
  data: Int32Array;
}

/** A period in a query result: `data` is null for the current (still open) period. */
export interface PeriodRef {
  periodIndex: number;
  data: Int32Array | null;
}

export class PeriodStore {
  private readonly closed: ClosedPeriod[] = [];
  private currentIndex: number;
  private current: Int32Array;

  constructor(
    private readonly vdnCount: number,
    private readonly capacity: number,
    startMs: number,
  ) {
    this.currentIndex = Math.floor(startMs / PERIOD_MS);
    this.current = new Int32Array(vdnCount * CELLS);
  }

  /** End of the current period (= start of the next), epoch ms. */
  get currentEndMs(): number {
    return (this.currentIndex + 1) * PERIOD_MS;
  }

  /** Counts an inbound call arriving now. */
  countInbound(vdnIndex: number): void {
    this.current[vdnIndex * CELLS + IN_CALL]!++;
  }

  /** Counts an inbound call connected to an agent now. */
  countAnswered(vdnIndex: number): void {
    this.current[vdnIndex * CELLS + RATE]!++;
  }

  /** Counts an outbound call started now. */
  countOutbound(vdnIndex: number): void {
    this.current[vdnIndex * CELLS + CALL_OUT]!++;
  }

  /** Closes the current period with the gauges as they are now and opens the next one. */
  close(gauges: GaugeReader): void {
    for (let v = 0; v < this.vdnCount; v++) {
      const g = gauges(v);
      const base = v * CELLS + ONLINE;
      for (let i = 0; i < 5; i++) this.current[base + i] = g[i]!;
    }
    this.closed.push({ periodIndex: this.currentIndex, data: this.current });
    const evicted = this.closed.length > this.capacity ? this.closed.shift() : undefined;
    this.currentIndex++;
    this.current = evicted ? evicted.data.fill(0) : new Int32Array(this.vdnCount * CELLS);
  }

  /** Periods (closed, then the current one) whose start lies in [beginMs, endMs], oldest first. */
  periodsInRange(beginMs: number, endMs: number): PeriodRef[] {
    const first = Math.ceil(beginMs / PERIOD_MS);
    const last = Math.floor(endMs / PERIOD_MS);
    const out: PeriodRef[] = [];
    const oldest = this.closed[0]?.periodIndex ?? this.currentIndex;
    for (let p = Math.max(first, oldest); p <= Math.min(last, this.currentIndex); p++) {
      out.push(p === this.currentIndex ? { periodIndex: p, data: null } : this.closed[p - oldest]!);
    }
    return out;
  }

  /** Every retained period, oldest first. */
  allPeriods(): PeriodRef[] {
    return this.periodsInRange(-Infinity, Infinity);
  }

  /** The values of one VDN in one period; `live` supplies the gauges of the current period. */
  values(ref: PeriodRef, vdnIndex: number, live: GaugeReader): PeriodValues {
    const base = vdnIndex * CELLS;
    const src = ref.data ?? this.current;
    const g = ref.data ? Array.from(src.subarray(base, base + 5)) : live(vdnIndex);
    const inCallNums = src[base + IN_CALL]!;
    const rateNum = src[base + RATE]!;
    return {
      beginTime: ref.periodIndex * PERIOD_MS,
      onlineAgentNums: g[0]!,
      talkingNums: g[1]!,
      ideaAgentNum: g[2]!,
      busyNums: g[3]!,
      restNums: g[4]!,
      inCallNums,
      rateNum,
      callRate: inCallNums === 0 ? 0 : Math.min(100, Math.round((100 * rateNum) / inCallNums)),
      callOutNums: src[base + CALL_OUT]!,
    };
  }
}
