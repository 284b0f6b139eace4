import { describe, expect, it } from 'vitest';
import { PERIOD_MS, SysindexMemory } from '../../src/collectors/sysindex-memory.js';
import type { SysindexRow } from '../../src/cms/types.js';

const T0 = Date.UTC(2026, 10, 21, 8, 0, 0);
const LOOKBACK = 20 * 60_000;

function row(vdn: number, beginTime: number, inCall: number, extra: Partial<SysindexRow> = {}): SysindexRow {
  return {
    beginTime, ccId: 1, vdn, onlineAgentNums: 5, talkingNums: 1, ideaAgentNum: 2, busyNums: 1, restNums: 1,
    inCallNums: inCall, rateNum: Math.floor(inCall / 2), callRate: 50, callOutNums: 1, ...extra,
  };
}

/** One run: asks for the window the memory wants and folds the answer in. Returns the window start. */
function run(m: SysindexMemory, now: number, answer: (start: number) => SysindexRow[]): number {
  const start = m.windowStart(now, LOOKBACK);
  const r = m.startRun(start);
  r.add(answer(start));
  r.finish(now, LOOKBACK);
  return start;
}

describe('SysindexMemory', () => {
  it('counts every period of the first window, once', () => {
    const m = new SysindexMemory();
    const now = T0 + 20 * 60_000 + 10_000;
    const start = run(m, now, () => [row(1, T0, 3), row(1, T0 + PERIOD_MS, 4), row(1, T0 + 2 * PERIOD_MS, 5)]);
    expect(start).toBe(T0); // aligned down to a period start
    expect(m.entries()[0]!.totals.inCall).toBe(12);
    expect(m.entries()[0]!.newest.beginTime).toBe(T0 + 2 * PERIOD_MS);
  });

  it('adds only the growth of a period seen again, and nothing for a smaller value', () => {
    const m = new SysindexMemory();
    const totals: number[] = [];
    for (const [i, value] of [3, 7, 2, 9].entries()) {
      run(m, T0 + (i + 1) * 60_000, () => [row(1, T0, value)]);
      totals.push(m.entries()[0]!.totals.inCall);
    }
    expect(totals).toEqual([3, 7, 7, 9]);
  });

  it('after the first run asks only from the period still open at the last success', () => {
    const m = new SysindexMemory();
    const first = T0 + 3 * PERIOD_MS + 30_000;
    expect(run(m, first, () => [row(1, T0 + 2 * PERIOD_MS, 1), row(1, T0 + 3 * PERIOD_MS, 1)])).toBe(T0 - PERIOD_MS);
    expect(m.windowStart(first + 60_000, LOOKBACK)).toBe(T0 + 3 * PERIOD_MS);
  });

  it('ignores rows older than the window (their period may be counted and forgotten already)', () => {
    const m = new SysindexMemory();
    run(m, T0 + PERIOD_MS + 1_000, () => [row(1, T0, 3), row(1, T0 + PERIOD_MS, 1)]);
    expect(m.entries()[0]!.totals.inCall).toBe(4);
    const start = run(m, T0 + 2 * PERIOD_MS + 1_000, () => [row(1, T0, 3), row(1, T0 + PERIOD_MS, 2), row(1, T0 + 2 * PERIOD_MS, 1)]);
    expect(start).toBe(T0 + PERIOD_MS);
    expect(m.entries()[0]!.totals.inCall).toBe(6); // T0 not counted twice
  });

  it('forgets VDNs absent from an answer that has rows, and keeps memory bounded', () => {
    const m = new SysindexMemory();
    for (let i = 0; i < 500; i++) {
      const now = T0 + i * 60_000 + 1;
      const p = Math.floor(now / PERIOD_MS) * PERIOD_MS;
      run(m, now, () => (i < 499 ? [row(1, p, i), row(2, p, 1)] : [row(2, p, 1)]));
      expect(m.periodCount()).toBeLessThanOrEqual(4);
    }
    expect(m.entries().map((e) => e.vdn)).toEqual([2]);
  });

  it('copes with a CMS that publishes a period only once it has closed', () => {
    // The CMS below answers only closed periods, each with its final value 10.
    const m = new SysindexMemory();
    const closedOnly = (now: number) => (start: number) => {
      const rows: SysindexRow[] = [];
      for (let p = start; p + PERIOD_MS <= now; p += PERIOD_MS) rows.push(row(1, p, 10));
      return rows;
    };
    const totals: number[] = [];
    const vdnCounts: number[] = [];
    for (let minute = 21; minute <= 60; minute++) {
      const now = T0 + minute * 60_000 + 5_000;
      run(m, now, closedOnly(now));
      totals.push(m.entries()[0]?.totals.inCall ?? -1);
      vdnCounts.push(m.entries().length);
    }
    // The first window starts at T0; by minute 60 the periods T0 .. T0+55min have closed: 12 of them.
    expect(totals.at(-1)).toBe(10 * 12);
    expect(Math.min(...vdnCounts)).toBe(1); // never forgotten between publications
    expect(totals.every((t, i) => i === 0 || t >= totals[i - 1]!)).toBe(true);
  });

  it('lists VDNs by id as they come and go, whatever order the answers use', () => {
    const m = new SysindexMemory();
    const ids = () => m.entries().map((e) => e.vdn);
    run(m, T0 + 60_000, () => [row(30, T0, 1), row(4, T0, 1)]);
    expect(ids()).toEqual([4, 30]);
    run(m, T0 + 2 * 60_000, () => [row(30, T0, 2), row(100, T0, 1), row(4, T0, 1), row(7, T0, 1)]);
    expect(ids()).toEqual([4, 7, 30, 100]);
    run(m, T0 + 3 * 60_000, () => [row(100, T0, 1), row(4, T0, 1)]);
    expect(ids()).toEqual([4, 100]);
    expect(m.size).toBe(2);
    expect(m.entries()[0]!.totals.inCall).toBe(1);
  });

  it('keeps VDNs through empty answers only while their newest period is within the lookback', () => {
    const m = new SysindexMemory();
    run(m, T0 + 60_000, () => [row(1, T0, 1)]);
    run(m, T0 + 10 * 60_000, () => []);
    expect(m.entries()).toHaveLength(1);
    run(m, T0 + 26 * 60_000, () => []);
    expect(m.entries()).toHaveLength(0);
  });

  it('folds a run batch by batch like one answer: forgets only at finish, counts a batch given twice once', () => {
    const m = new SysindexMemory();
    run(m, T0 + 60_000, () => [row(1, T0, 1), row(2, T0, 1), row(3, T0, 1)]);
    const now = T0 + PERIOD_MS + 60_000;
    const r = m.startRun(m.windowStart(now, LOOKBACK));
    r.add([row(3, T0 + PERIOD_MS, 4)]);
    r.add([row(1, T0, 5), row(1, T0 + PERIOD_MS, 2)]);
    r.add([row(1, T0, 5), row(1, T0 + PERIOD_MS, 2)]);
    expect(m.entries().map((e) => e.vdn)).toEqual([1, 2, 3]); // 2 is forgotten only when the run ends
    r.finish(now, LOOKBACK);
    expect(m.entries().map((e) => [e.vdn, e.totals.inCall])).toEqual([[1, 7], [3, 5]]);
    expect(m.windowStart(now + 60_000, LOOKBACK)).toBe(T0 + PERIOD_MS);
    expect(m.periodCount()).toBe(2); // the T0 periods are swept: they are final
  });

  it('leaves the window where it was when a run is never finished', () => {
    const m = new SysindexMemory();
    const first = T0 + 60_000;
    run(m, first, () => [row(1, T0, 1)]);
    const start = m.windowStart(first + PERIOD_MS, LOOKBACK);
    m.startRun(start).add([row(1, T0 + PERIOD_MS, 3)]); // the run failed after this batch
    expect(m.windowStart(first + PERIOD_MS + 60_000, LOOKBACK)).toBe(start);
    run(m, first + PERIOD_MS + 60_000, () => [row(1, T0, 1), row(1, T0 + PERIOD_MS, 3)]);
    expect(m.entries()[0]!.totals.inCall).toBe(4);
  });
});
