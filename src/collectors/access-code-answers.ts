import type { AccessCodeCallInfo } from '../cms/types.js';

/** Numbers kept per access code, in this order: ivr, queue, agent, all (online), longest wait. */
const FIELDS = 5;

/** One VDN of a run: its ID and the access codes asked for it. */
export interface AskedVdn {
  id: number;
  accessCodes: readonly number[];
}

/**
 * The answers of one access-codes run, kept as numbers in typed arrays that live as long as the
 * collector: each VDN has a fixed range of slots (as many as access codes asked), filled as its
 * answer arrives, in the answer's order.
 *
 * Why not keep the parsed rows until the run ends: at 50,000 access codes a run lasts ~2.5 s
 * and the rows (50,000 objects) survived every young collection of it, so each collection
 * copied them and they were then promoted, growing the old generation run after run. Scrapes
 * served during a run waited out those pauses. Copied into these arrays, a row dies young.
 * Runs of one collector never overlap (the scheduler waits for a run to end), so one set of
 * arrays serves every run.
 */
export class AccessCodeAnswers {
  /** VDN IDs of the run, in the order given to begin(). */
  vdns: readonly number[] = [];
  /** First slot of each VDN. */
  start = new Int32Array(0);
  /** Slots filled for each VDN: rows kept from its answer. */
  filled = new Int32Array(0);
  /** Access code (innoId) of each slot. */
  codes = new Float64Array(0);
  /** FIELDS numbers per slot. */
  #numbers = new Float64Array(0);

  /** Starts a run over `vdns`: every VDN's range is empty until keep() fills it. */
  begin(vdns: readonly AskedVdn[]): void {
    const slots = vdns.reduce((n, v) => n + v.accessCodes.length, 0);
    if (this.codes.length !== slots) {
      this.codes = new Float64Array(slots);
      this.#numbers = new Float64Array(FIELDS * slots);
    }
    if (this.start.length !== vdns.length) {
      this.start = new Int32Array(vdns.length);
      this.filled = new Int32Array(vdns.length);
    }
    let at = 0;
    vdns.forEach((v, i) => {
      this.start[i] = at;
      at += v.accessCodes.length;
    });
    this.filled.fill(0);
    this.vdns = vdns.map((v) => v.id);
  }

  /**
   * Keeps VDN `index`'s rows for the access codes asked, one each (the first the CMS sent): a
   * duplicate or an access code nobody asked for would otherwise become a duplicate or
   * unexpected series.
   */
  keep(index: number, rows: readonly AccessCodeCallInfo[], asked: readonly number[]): void {
    const wanted = new Set(asked);
    let slot = this.start[index]!;
    for (const row of rows) {
      if (!wanted.delete(row.innoId)) continue;
      this.codes[slot] = row.innoId;
      const n = FIELDS * slot;
      this.#numbers[n] = row.ivrCallCount;
      this.#numbers[n + 1] = row.queueCallCount;
      this.#numbers[n + 2] = row.agentCallCount;
      this.#numbers[n + 3] = row.allCallCount;
      this.#numbers[n + 4] = row.longestWaitTime;
      slot++;
    }
    this.filled[index] = slot - this.start[index]!;
  }

  /** Series of the run so far: rows kept over every VDN. */
  get series(): number {
    let n = 0;
    for (const f of this.filled) n += f;
    return n;
  }

  /** The calls of `slot` in stage `stage` (an index into ACCESS_CODE_STAGES: ivr, queue, agent). */
  calls(slot: number, stage: number): number {
    return this.#numbers[FIELDS * slot + stage]!;
  }

  /** Online calls of `slot` (allCallCount). */
  online(slot: number): number {
    return this.#numbers[FIELDS * slot + 3]!;
  }

  /** Longest wait of `slot`, seconds. */
  longestWait(slot: number): number {
    return this.#numbers[FIELDS * slot + 4]!;
  }
}
