/**
 * AccessCodeAnswers: the per-run typed arrays the access-codes collector copies each answer into
 * as it arrives (so parsed rows die young): slot ranges per VDN, one row per code asked, and
 * reuse of the same arrays across runs.
 */
import { describe, expect, it } from 'vitest';
import { AccessCodeAnswers } from '../../src/collectors/access-code-answers.js';
import type { AccessCodeCallInfo } from '../../src/cms/types.js';

function info(innoId: number, n: number): AccessCodeCallInfo {
  return { innoId, allCallCount: 6 * n, ivrCallCount: n, queueCallCount: 2 * n, agentCallCount: 3 * n, longestWaitTime: 10 * n };
}

/** Every kept slot as [vdn, code, ivr, queue, agent, online, wait], VDN by VDN. */
function dump(a: AccessCodeAnswers): number[][] {
  const out: number[][] = [];
  a.vdns.forEach((vdn, v) => {
    for (let slot = a.start[v]!; slot < a.start[v]! + a.filled[v]!; slot++) {
      out.push([vdn, a.codes[slot]!, a.calls(slot, 0), a.calls(slot, 1), a.calls(slot, 2), a.online(slot), a.longestWait(slot)]);
    }
  });
  return out;
}

describe('AccessCodeAnswers', () => {
  const vdns = [
    { id: 10, accessCodes: [100, 101, 102] },
    { id: 12, accessCodes: [120] },
  ];

  it('keeps each VDN in its own range, whatever order the answers arrive in', () => {
    const a = new AccessCodeAnswers();
    a.begin(vdns);
    a.keep(1, [info(120, 4)], [120]);
    a.keep(0, [info(101, 1), info(100, 2)], [100, 101, 102]);
    expect(a.series).toBe(3);
    expect(dump(a)).toEqual([
      [10, 101, 1, 2, 3, 6, 10],
      [10, 100, 2, 4, 6, 12, 20],
      [12, 120, 4, 8, 12, 24, 40],
    ]);
  });

  it('keeps the first row of a code and drops codes nobody asked for', () => {
    const a = new AccessCodeAnswers();
    a.begin(vdns);
    a.keep(0, [info(100, 1), info(999, 9), info(100, 5), info(102, 2)], [100, 101, 102]);
    expect(dump(a).map((r) => r.slice(0, 3))).toEqual([
      [10, 100, 1],
      [10, 102, 2],
    ]);
    expect(a.filled[1]).toBe(0);
  });

  it('starts every run empty, reusing its arrays while the number of codes asked is the same', () => {
    const a = new AccessCodeAnswers();
    a.begin(vdns);
    a.keep(0, [info(100, 1), info(101, 1), info(102, 1)], [100, 101, 102]);
    a.keep(1, [info(120, 1)], [120]);
    const codes = a.codes;
    a.begin(vdns);
    expect(a.series).toBe(0);
    expect(a.codes).toBe(codes);
    a.keep(1, [info(120, 7)], [120]);
    expect(dump(a)).toEqual([[12, 120, 7, 14, 21, 42, 70]]);

    // Another configuration (a reload): more codes, other VDNs.
    const more = [{ id: 20, accessCodes: [200] }, { id: 21, accessCodes: [210, 211, 212, 213] }];
    a.begin(more);
    expect(a.codes).not.toBe(codes);
    a.keep(1, [info(213, 1), info(210, 2)], [210, 211, 212, 213]);
    a.keep(0, [info(200, 3)], [200]);
    expect(dump(a).map((r) => r.slice(0, 3))).toEqual([
      [20, 200, 3],
      [21, 213, 1],
      [21, 210, 2],
    ]);
  });
});
