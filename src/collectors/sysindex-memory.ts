import type { SysindexRow } from '../cms/types.js';

/** Five minutes: the length of a sysindex statistics period, ms. */
export const PERIOD_MS = 5 * 60_000;

interface PeriodCounts {
  inCall: number;
  connected: number;
  outbound: number;
}

/** One VDN as remembered: what the render reads. */
export interface VdnEntry {
  readonly vdn: number;
  /** The row of the newest period seen: the gauges. */
  readonly newest: SysindexRow;
  /** Monotonic sums: each period counted once, growth of a period counted as its difference. */
  readonly totals: Readonly<PeriodCounts>;
}

interface VdnMemory extends VdnEntry {
  newest: SysindexRow;
  totals: PeriodCounts;
  /** Per period start (ms): the largest values seen so far. */
  periods: Map<number, PeriodCounts>;
}

/** One run being folded in (SysindexMemory.startRun). */
export interface SysindexRun {
  /** Folds in rows of the run (one batch, any order); rows before the window are ignored. */
  add(rows: readonly SysindexRow[]): void;
  /** Ends a successful run after its last rows: forgets absent VDNs, moves the next window on. */
  finish(fetchedAtMs: number, lookbackMs: number): void;
}

/**
 * What the sysindex collector remembers between runs for one call center: per VDN the periods
 * still inside the query window (to count each once) and the counter totals. Kept outside the
 * collector so a configuration reload does not reset the counters.
 */
export class SysindexMemory {
  private readonly vdns = new Map<number, VdnMemory>();
  /** The VDNs by id, rebuilt only when one comes or goes (runs mostly see the same ones). */
  private sorted: VdnMemory[] | null = null;
  /** Start (ms) of the oldest period that may still change; null before the first success. */
  private completeBeforeMs: number | null = null;
  /** No remembered period starts before this, ms: the periods are only swept when one may. */
  private lowestPeriodMs = Number.POSITIVE_INFINITY;

  /**
   * Start of the window the next run asks for: the whole lookback the first time, afterwards only
   * from the newest period the last answer held, or the period open at that run if that is older
   * (the earlier ones are final). Starting at the newest period *seen* rather than the one open
   * covers a CMS that publishes a period's row only once the period has closed, or late.
   */
  windowStart(nowMs: number, lookbackMs: number): number {
    const lookbackStart = Math.floor((nowMs - lookbackMs) / PERIOD_MS) * PERIOD_MS;
    return this.completeBeforeMs === null ? lookbackStart : Math.max(lookbackStart, this.completeBeforeMs);
  }

  /**
   * Starts folding in the answers of one run that asked from `windowStartMs`, batch by batch as
   * they arrive. Counters add each period once; a period seen again with a larger value adds
   * only the difference, a smaller value adds nothing, so totals never decrease. Rows older than
   * the window asked for are ignored: their period may already have been counted and forgotten.
   * A run that fails after some batches were added leaves them folded, which is harmless: they
   * are what the CMS reported, each VDN-period counts once whatever comes later, and nothing is
   * published until a run finishes.
   */
  startRun(windowStartMs: number): SysindexRun {
    const seen = new Set<number>();
    let newestSeen = -1;
    return {
      add: (rows) => {
        for (const row of rows) {
          if (row.beginTime < windowStartMs) continue;
          seen.add(row.vdn);
          if (row.beginTime > newestSeen) newestSeen = row.beginTime;
          this.fold(row);
        }
      },
      finish: (fetchedAtMs, lookbackMs) => this.finishRun(seen, newestSeen, fetchedAtMs, lookbackMs),
    };
  }

  /**
   * VDNs absent from a run that has rows are forgotten (they leave /metrics). A run with no row at
   * all for the window says nothing (the CMS may not have published the period yet): then VDNs
   * are kept until their newest period falls out of the lookback.
   */
  private finishRun(seen: ReadonlySet<number>, newestSeen: number, fetchedAtMs: number, lookbackMs: number): void {
    if (newestSeen < 0) {
      const oldestKept = fetchedAtMs - lookbackMs - PERIOD_MS;
      for (const [vdn, mem] of this.vdns) if (mem.newest.beginTime < oldestKept) this.forget(vdn);
      return;
    }
    // Every VDN seen was folded in, and runs of one memory never overlap (the scheduler runs a
    // collector once at a time, and a reload stops the old runs first), so as many seen as
    // remembered means none to forget.
    if (seen.size !== this.vdns.size) for (const vdn of this.vdns.keys()) if (!seen.has(vdn)) this.forget(vdn);

    const nextStart = Math.min(Math.floor(fetchedAtMs / PERIOD_MS) * PERIOD_MS, newestSeen);
    if (this.lowestPeriodMs < nextStart) {
      for (const mem of this.vdns.values()) {
        for (const start of mem.periods.keys()) if (start < nextStart) mem.periods.delete(start);
      }
      this.lowestPeriodMs = nextStart;
    }
    this.completeBeforeMs = nextStart;
  }

  private forget(vdn: number): void {
    this.vdns.delete(vdn);
    this.sorted = null;
  }

  /** Folds one row in place: no allocation for a VDN-period already known. */
  private fold(row: SysindexRow): void {
    let mem = this.vdns.get(row.vdn);
    if (!mem) {
      mem = { vdn: row.vdn, periods: new Map(), totals: { inCall: 0, connected: 0, outbound: 0 }, newest: row };
      this.vdns.set(row.vdn, mem);
      this.sorted = null;
    }
    let counts = mem.periods.get(row.beginTime);
    if (!counts) {
      counts = { inCall: 0, connected: 0, outbound: 0 };
      mem.periods.set(row.beginTime, counts);
      if (row.beginTime < this.lowestPeriodMs) this.lowestPeriodMs = row.beginTime;
    }
    const { totals } = mem;
    if (row.inCallNums > counts.inCall) {
      totals.inCall += row.inCallNums - counts.inCall;
      counts.inCall = row.inCallNums;
    }
    if (row.rateNum > counts.connected) {
      totals.connected += row.rateNum - counts.connected;
      counts.connected = row.rateNum;
    }
    if (row.callOutNums > counts.outbound) {
      totals.outbound += row.callOutNums - counts.outbound;
      counts.outbound = row.callOutNums;
    }
    if (row.beginTime >= mem.newest.beginTime) mem.newest = row;
  }

  /**
   * The VDNs remembered, ascending by id. The array is the memory's own: do not change it. It is
   * the same array until a VDN comes or goes, so a caller may key what it derives from the VDN
   * list (label columns) on its identity.
   */
  entries(): readonly VdnEntry[] {
    this.sorted ??= [...this.vdns.values()].sort((a, b) => a.vdn - b.vdn);
    return this.sorted;
  }

  /** How many VDNs are remembered. */
  get size(): number {
    return this.vdns.size;
  }

  /** How many periods are remembered in all (bounded by VDNs × periods in the window). */
  periodCount(): number {
    let n = 0;
    for (const m of this.vdns.values()) n += m.periods.size;
    return n;
  }
}
