import type { SysindexRow } from '../cms/types.js';

/** Five minutes: the length of a sysindex statistics period, ms. */
export const PERIOD_MS = 5 * 60_000;

interface PeriodCounts {
  inCall: number;
  connected: number;
  outbound: number;
}

interface VdnMemory {
  /** Per period start (ms): the largest values seen so far. */
  periods: Map<number, PeriodCounts>;
  /** Monotonic sums: each period counted once, growth of a period counted as its difference. */
  totals: PeriodCounts;
  newest: SysindexRow;
}

/**
 * What the sysindex collector remembers between runs for one call center: per VDN the periods
 * still inside the query window (to count each once) and the counter totals. Kept outside the
 * collector so a configuration reload does not reset the counters.
 */
export class SysindexMemory {
  private readonly vdns = new Map<number, VdnMemory>();
  /** Start (ms) of the oldest period that may still change; null before the first success. */
  private completeBeforeMs: number | null = null;

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
   * Folds one successful answer in. Counters add each period once; a period seen again with a
   * larger value adds only the difference, a smaller value adds nothing, so totals never decrease.
   * Rows older than the window asked for are ignored: their period may already have been counted
   * and forgotten. VDNs absent from an answer that has rows are forgotten (they leave /metrics).
   * An answer with no row at all for the window says nothing (the CMS may not have published the
   * period yet): then VDNs are kept until their newest period falls out of the lookback.
   */
  apply(rows: readonly SysindexRow[], fetchedAtMs: number, windowStartMs: number, lookbackMs: number): void {
    const inWindow = rows.filter((row) => row.beginTime >= windowStartMs);
    if (inWindow.length === 0) {
      const oldestKept = fetchedAtMs - lookbackMs - PERIOD_MS;
      for (const [vdn, mem] of [...this.vdns]) if (mem.newest.beginTime < oldestKept) this.vdns.delete(vdn);
      return;
    }
    const seen = new Set<number>();
    let newestSeen = 0;
    for (const row of inWindow) {
      seen.add(row.vdn);
      newestSeen = Math.max(newestSeen, row.beginTime);
      this.fold(row);
    }
    for (const vdn of [...this.vdns.keys()]) if (!seen.has(vdn)) this.vdns.delete(vdn);

    const nextStart = Math.min(Math.floor(fetchedAtMs / PERIOD_MS) * PERIOD_MS, newestSeen);
    for (const mem of this.vdns.values()) {
      for (const start of [...mem.periods.keys()]) if (start < nextStart) mem.periods.delete(start);
    }
    this.completeBeforeMs = nextStart;
  }

  private fold(row: SysindexRow): void {
    let mem = this.vdns.get(row.vdn);
    if (!mem) {
      mem = { periods: new Map(), totals: { inCall: 0, connected: 0, outbound: 0 }, newest: row };
      this.vdns.set(row.vdn, mem);
    }
    const before = mem.periods.get(row.beginTime) ?? { inCall: 0, connected: 0, outbound: 0 };
    const after = {
      inCall: Math.max(before.inCall, row.inCallNums),
      connected: Math.max(before.connected, row.rateNum),
      outbound: Math.max(before.outbound, row.callOutNums),
    };
    mem.totals.inCall += after.inCall - before.inCall;
    mem.totals.connected += after.connected - before.connected;
    mem.totals.outbound += after.outbound - before.outbound;
    mem.periods.set(row.beginTime, after);
    if (row.beginTime >= mem.newest.beginTime) mem.newest = row;
  }

  /** Per VDN (ascending): the newest period's row and the counter totals. */
  entries(): Array<{ vdn: number; newest: SysindexRow; totals: Readonly<PeriodCounts> }> {
    return [...this.vdns.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([vdn, m]) => ({ vdn, newest: m.newest, totals: m.totals }));
  }

  /** How many periods are remembered in all (bounded by VDNs × periods in the window). */
  periodCount(): number {
    let n = 0;
    for (const m of this.vdns.values()) n += m.periods.size;
    return n;
  }
}
