/**
 * The superposed Poisson arrival process of all access codes: one rate per VDN (its access
 * codes' rate times their number), so the next arrival anywhere is one exponential draw and the
 * VDN it lands in is a binary search. Equivalent to one Poisson process per access code, without
 * per-access-code work.
 */
export class ArrivalRates {
  private cumulative: number[] = [];

  /** Replaces the per-VDN rates (calls per minute, index = VDN index). */
  rebuild(ratesPerMinute: readonly number[]): void {
    let total = 0;
    this.cumulative = ratesPerMinute.map((r) => (total += r));
  }

  /** Calls per minute over the whole simulator. */
  get totalPerMinute(): number {
    return this.cumulative[this.cumulative.length - 1] ?? 0;
  }

  /** The VDN index an arrival lands in, for a uniform draw `u` in [0, 1). */
  pick(u: number): number {
    const cum = this.cumulative;
    const r = u * this.totalPerMinute;
    let lo = 0;
    let hi = cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid]! > r) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}
