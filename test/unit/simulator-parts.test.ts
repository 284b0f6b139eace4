import { describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/types.js';
import { EventQueue } from '../../src/simulator/event-queue.js';
import { FaultInjector, withWrongTypes } from '../../src/simulator/fault-injector.js';
import { PERIOD_MS, PeriodStore, historyCapacity } from '../../src/simulator/period-stats.js';
import { Prng } from '../../src/simulator/prng.js';
import {
  ScenarioError,
  callsPerMinute,
  defaultCallsPerMinute,
  generateScenario,
  normalizeScenario,
  signedInTarget,
} from '../../src/simulator/scenario.js';
import { SimClockError, createSimClock } from '../../src/simulator/sim-clock.js';

describe('simulator building blocks', () => {
  it('Prng: same seed same sequence, other seed other sequence, values in range', () => {
    const a = new Prng(9);
    const b = new Prng(9);
    const c = new Prng(10);
    const sa = Array.from({ length: 50 }, () => a.nextUint32());
    expect(Array.from({ length: 50 }, () => b.nextUint32())).toEqual(sa);
    expect(Array.from({ length: 50 }, () => c.nextUint32())).not.toEqual(sa);
    const r = new Prng(1);
    let sum = 0;
    for (let i = 0; i < 20_000; i++) {
      const x = r.int(3, 7);
      expect(x).toBeGreaterThanOrEqual(3);
      expect(x).toBeLessThanOrEqual(7);
      sum += r.exponential(10);
    }
    expect(sum / 20_000).toBeGreaterThan(9);
    expect(sum / 20_000).toBeLessThan(11);
    expect(r.digits(9)).toMatch(/^[1-9]\d{8}$/);
  });

  it('EventQueue pops by time, then insertion order', () => {
    const q = new EventQueue<string>();
    q.push(5, 'c');
    q.push(1, 'a');
    q.push(5, 'd');
    q.push(3, 'b');
    q.push(1, 'a2');
    expect(Array.from({ length: 5 }, () => q.pop()!.payload)).toEqual(['a', 'a2', 'b', 'c', 'd']);
    expect(q.pop()).toBeUndefined();
  });

  it('clock modes: manual steps only when told, accelerated runs factor times faster, real refuses advance', () => {
    const manual = createSimClock({ mode: 'manual', startMs: 1000 });
    expect(manual.now()).toBe(1000);
    manual.advance(500);
    expect(manual.now()).toBe(1500);
    expect(() => manual.advance(-1)).toThrow(SimClockError);
    let wall = 10_000;
    const fast = createSimClock({ mode: 'accelerated', factor: 60 }, () => wall);
    wall += 1000;
    expect(fast.now()).toBe(10_000 + 60_000);
    expect(() => fast.advance(1)).toThrow(/manual/);
    expect(() => createSimClock({ mode: 'accelerated', factor: 0 })).toThrow(SimClockError);
    expect(() => createSimClock({ mode: 'real' }).advance(1)).toThrow(SimClockError);
  });

  it('generateScenario lays out ids, and refuses ranges the documents forbid', () => {
    const s = generateScenario({ callCenters: 2, vdnsPerCallCenter: 2, accessCodesPerVdn: 3, agentsPerVdn: 2, firstCcId: 7, firstVdn: 10 });
    expect(s.callCenters.map((c) => c.ccId)).toEqual([7, 8]);
    expect(s.callCenters[0]!.vdns).toEqual([
      { id: 10, accessCodes: [1, 2, 3], agents: [101, 102] },
      { id: 11, accessCodes: [4, 5, 6], agents: [103, 104] },
    ]);
    expect(() => generateScenario({ vdnsPerCallCenter: 5001 })).toThrow(ScenarioError);
    expect(() => generateScenario({ firstVdn: 4999, vdnsPerCallCenter: 3 })).toThrow(/VDN/);
    expect(() => generateScenario({ vdnsPerCallCenter: 5000, agentsPerVdn: 12 })).toThrow(/agent id/);
    expect(generateScenario({ vdnsPerCallCenter: 5000, agentsPerVdn: 11 }).callCenters[0]!.vdns[4999]!.agents.at(-1)).toBe(55_100);
    // A generated scenario is usable as the exporter's call center configuration (compile-time check).
    const asConfig: Config['callCenters'] = generateScenario().callCenters;
    expect(asConfig).toHaveLength(1);
  });

  it('normalizeScenario accepts the explicit and the compact form, dedupes, and checks ranges', () => {
    const s = normalizeScenario({ callCenters: [{ ccId: 1, vdns: [{ id: 9, accessCodes: [5, 5, 6], agents: [200, 200] }, { id: 2, accessCodes: [], agents: [] }] }] });
    expect(s.callCenters[0]!.vdns.map((v) => v.id)).toEqual([2, 9]);
    expect(s.callCenters[0]!.vdns[1]).toEqual({ id: 9, accessCodes: [5, 6], agents: [200] });
    expect(normalizeScenario({ vdnsPerCallCenter: 2 }).callCenters[0]!.vdns).toHaveLength(2);
    expect(() => normalizeScenario({ callCenters: [{ ccId: 0, vdns: [] }] })).toThrow(/ccId/);
    expect(() => normalizeScenario({ callCenters: [{ ccId: 1, vdns: [{ id: 1, accessCodes: [], agents: [100] }] }] })).toThrow(/agent/);
    expect(() => normalizeScenario({ callCenters: [{ ccId: 1, vdns: [{ id: 1, accessCodes: [], agents: [] }, { id: 1, accessCodes: [], agents: [] }] }] })).toThrow(/twice/);
  });

  it('traffic and staffing forms resolve as documented', () => {
    expect(defaultCallsPerMinute(15)).toBe(0.4);
    expect(defaultCallsPerMinute(100_000)).toBeCloseTo(0.01);
    expect(callsPerMinute(3, 0.4)).toBeCloseTo(1.2);
    expect(callsPerMinute({ callsPerMinutePerAccessCode: 2 }, 0.4)).toBe(2);
    expect(signedInTarget(0.5, 10)).toBe(5);
    expect(signedInTarget({ agentsSignedIn: 30 }, 10)).toBe(10);
    expect(() => signedInTarget(-0.1, 10)).toThrow(ScenarioError);
  });

  it('PeriodStore: aligned periods, counters in the current one, bounded history, range queries', () => {
    const start = 100 * PERIOD_MS + 1234;
    const store = new PeriodStore(2, 3, start);
    const gauges = (v: number) => [10 + v, 1, 2, 3, 4] as const;
    store.countInbound(0);
    store.countInbound(0);
    store.countAnswered(0);
    store.countOutbound(1);
    expect(store.currentEndMs).toBe(101 * PERIOD_MS);
    const cur = store.periodsInRange(0, Infinity);
    expect(cur).toHaveLength(1);
    expect(store.values(cur[0]!, 0, gauges)).toMatchObject({ beginTime: 100 * PERIOD_MS, inCallNums: 2, rateNum: 1, callRate: 50, onlineAgentNums: 10 });
    for (let i = 0; i < 5; i++) store.close(gauges);
    const all = store.allPeriods();
    expect(all.map((p) => p.periodIndex)).toEqual([102, 103, 104, 105]); // 3 closed + current
    expect(store.periodsInRange(103 * PERIOD_MS, 104 * PERIOD_MS).map((p) => p.periodIndex)).toEqual([103, 104]);
    expect(store.periodsInRange(103 * PERIOD_MS + 1, 104 * PERIOD_MS - 1)).toEqual([]);
    expect(store.values(all[0]!, 1, () => [0, 0, 0, 0, 0])).toMatchObject({ onlineAgentNums: 11, inCallNums: 0, callRate: 0 });
    expect(historyCapacity(5000)).toBe(100);
    expect(historyCapacity(3)).toBe(31 * 288);
  });

  it('FaultInjector: endpoint fault wins over all, times count down, probability is seeded', () => {
    const f = new FaultInjector(1);
    f.set('all', { httpStatus: 503 });
    f.set('sysindex', { resultCode: '0100999', times: 2 });
    expect(f.pick('sysindex')).toMatchObject({ resultCode: '0100999' });
    expect(f.pick('agent_calls')).toMatchObject({ httpStatus: 503 });
    expect(f.pick('sysindex')).toMatchObject({ resultCode: '0100999' });
    expect(f.pick('sysindex')).toMatchObject({ httpStatus: 503 });
    f.clear('all');
    expect(f.pick('sysindex')).toBeUndefined();
    f.set('basic_call_info', { hang: true, probability: 0.5 });
    const hits = Array.from({ length: 400 }, () => f.pick('basic_call_info') !== undefined).filter(Boolean).length;
    expect(hits).toBeGreaterThan(140);
    expect(hits).toBeLessThan(260);
    f.clear();
    expect(f.active()).toEqual({});
    expect(() => f.set('all', { probability: 2 })).toThrow(RangeError);
    expect(() => f.set('all', { httpStatus: 200 })).toThrow(RangeError);
  });

  it('withWrongTypes mistypes every leaf of the payload but keeps the envelope', () => {
    const out = withWrongTypes({ resultCode: '0100000', resultDesc: [{ innoId: 1, allCallCount: 2 }], resultDatas: ['1-1'] });
    expect(out.resultCode).toBe('0100000');
    expect(out.resultDesc).toEqual([{ innoId: { value: 1 }, allCallCount: '2x' }]);
    expect(out.resultDatas).toEqual([{ value: '1-1' }]);
  });
});
