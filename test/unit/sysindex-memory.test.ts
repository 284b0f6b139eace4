import { describe, expect, it } from 'vitest';
import { PERIOD_MS, SysindexMemory } from '../../src/collectors/sysindex-memory.js';
import type { SysindexRow } from '../../src/cms/types.js';

const T0 = Date.UTC(2026, 10, 21, 8, 0, 0);

function row(vdn: number, beginTime: number, inCall: number, extra: Partial<SysindexRow> = {}): SysindexRow {
  return {
    beginTime, ccId: 1, vdn, onlineAgentNums: 5, talkingNums: 1, ideaAgentNum: 2, busyNums: 1, restNums: 1,
    inCallNums: inCall, rateNum: Math.floor(inCall / 2), callRate: 50, callOutNums: 1, ...extra,
  };
}

describe('SysindexMemory', () => {
  it('counts every period of the first window, once', () => {
    const m = new SysindexMemory();
    const now = T0 + 20 * 60_000 + 10_000;
    const start = m.windowStart(now, 20 * 60_000);
    expect(start).toBe(T0); // aligned down to a period start
    m.apply([row(1, T0, 3), row(1, T0 + PERIOD_MS, 4), row(1, T0 + 2 * PERIOD_MS, 5)], now, start);
    expect(m.entries()[0]!.totals.inCall).toBe(12);
    expect(m.entries()[0]!.newest.beginTime).toBe(T0 + 2 * PERIOD_MS);
  });

  it('adds only the growth of a period seen again, and nothing for a smaller value', () => {
    const m = new SysindexMemory();
    let now = T0 + 60_000;
    m.apply([row(1, T0, 3)], now, m.windowStart(now, 20 * 60_000));
    now += 60_000;
    m.apply([row(1, T0, 7)], now, m.windowStart(now, 20 * 60_000));
    expect(m.entries()[0]!.totals.inCall).toBe(7);
    now += 60_000;
    m.apply([row(1, T0, 2)], now, m.windowStart(now, 20 * 60_000)); // a smaller value: ignored
    expect(m.entries()[0]!.totals.inCall).toBe(7);
    now += 60_000;
    m.apply([row(1, T0, 9)], now, m.windowStart(now, 20 * 60_000));
    expect(m.entries()[0]!.totals.inCall).toBe(9);
  });

  it('after the first run asks only from the period still open at the last success', () => {
    const m = new SysindexMemory();
    const first = T0 + 3 * PERIOD_MS + 30_000;
    expect(m.windowStart(first, 20 * 60_000)).toBe(T0 - PERIOD_MS);
    m.apply([], first, m.windowStart(first, 20 * 60_000));
    expect(m.windowStart(first + 60_000, 20 * 60_000)).toBe(T0 + 3 * PERIOD_MS);
  });

  it('ignores rows older than the window (their period may be counted and forgotten already)', () => {
    const m = new SysindexMemory();
    let now = T0 + PERIOD_MS + 1_000;
    m.apply([row(1, T0, 3), row(1, T0 + PERIOD_MS, 1)], now, m.windowStart(now, 20 * 60_000));
    expect(m.entries()[0]!.totals.inCall).toBe(4);
    now += PERIOD_MS;
    const start = m.windowStart(now, 20 * 60_000);
    expect(start).toBe(T0 + PERIOD_MS);
    m.apply([row(1, T0, 3), row(1, T0 + PERIOD_MS, 2), row(1, T0 + 2 * PERIOD_MS, 1)], now, start);
    expect(m.entries()[0]!.totals.inCall).toBe(6); // T0 not counted twice
  });

  it('forgets VDNs absent from the answer and keeps memory bounded', () => {
    const m = new SysindexMemory();
    let now = T0;
    for (let i = 0; i < 500; i++) {
      now = T0 + i * 60_000 + 1;
      const start = m.windowStart(now, 20 * 60_000);
      const p = Math.floor(now / PERIOD_MS) * PERIOD_MS;
      m.apply(i < 499 ? [row(1, p, i), row(2, p, 1)] : [row(2, p, 1)], now, start);
      expect(m.periodCount()).toBeLessThanOrEqual(4);
    }
    expect(m.entries().map((e) => e.vdn)).toEqual([2]);
  });
});
