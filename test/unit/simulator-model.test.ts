import { describe, expect, it } from 'vitest';
import { CallCenterModel } from '../../src/simulator/call-center-model.js';
import { PERIOD_MS } from '../../src/simulator/period-stats.js';
import { generateScenario, type GenerateScenarioOptions, type Staffing, type TrafficLevel } from '../../src/simulator/scenario.js';
import { createSimClock } from '../../src/simulator/sim-clock.js';
import { TEST_START_MS } from '../helpers/simulator-helpers.js';

function makeModel(
  seed: number,
  opts: { scenario?: GenerateScenarioOptions; warmupMs?: number; trafficLevel?: TrafficLevel; staffing?: Staffing } = {},
) {
  const clock = createSimClock({ mode: 'manual', startMs: TEST_START_MS });
  const model = new CallCenterModel(clock, {
    scenario: generateScenario(opts.scenario ?? {}),
    seed,
    startMs: TEST_START_MS - (opts.warmupMs ?? 15 * 60_000),
    trafficLevel: opts.trafficLevel,
    staffing: opts.staffing,
  });
  model.sync();
  return {
    model,
    advance(ms: number) {
      clock.advance(ms);
      model.sync();
    },
  };
}

/** Everything observable, for same-story comparisons. */
function story(model: CallCenterModel): string {
  return JSON.stringify({
    now: model.now(),
    calls: model.calls(),
    totals: model.totals(),
    vdns: model.callCenters().flatMap((cc) =>
      cc.vdns.map((v) => ({ agents: model.agents(cc.ccId, v), periods: model.periods(cc.ccId, v) })),
    ),
  });
}

/** Asserts the model's invariants at its current time; returns the rows seen, for monotonicity checks. */
function checkInvariants(model: CallCenterModel): void {
  const now = model.now();
  const calls = model.calls();
  for (const cc of model.callCenters()) {
    for (const vdn of cc.vdns) {
      const s = model.vdnState(cc.ccId, vdn);
      const agents = model.agents(cc.ccId, vdn);
      expect(s.online).toBe(s.talking + s.idle + s.busy + s.rest);
      expect(s.online + s.signedOut).toBe(agents.length);
      const vdnCalls = calls.filter((c) => c.ccId === cc.ccId && c.vdn === vdn);
      // A talking agent has exactly its call, and that call is with that agent; nobody else has a call.
      for (const a of agents) {
        if (a.state === 'talking') {
          expect(a.callIds).toHaveLength(1);
          const call = vdnCalls.find((c) => c.callId === a.callIds[0]);
          expect(call?.stage).toBe('agent');
          expect(call?.agentId).toBe(a.agentId);
          expect(call!.startMs).toBeLessThanOrEqual(now);
          expect(model.agentCalls(cc.ccId, vdn, a.agentId)).toEqual(a.callIds);
        } else {
          expect(a.callIds).toEqual([]);
        }
      }
      expect(vdnCalls.filter((c) => c.stage === 'agent')).toHaveLength(s.talking);
      // Work-conserving: nobody queues while an agent of the VDN is idle.
      const queued = vdnCalls.filter((c) => c.stage === 'queue');
      expect(model.queueLength(cc.ccId, vdn)).toBe(queued.length);
      if (queued.length > 0) expect(s.idle).toBe(0);
      const codes = new Set(vdnCalls.flatMap((c) => (c.innoId === null ? [] : [c.innoId])));
      for (const code of [...codes, 1]) {
        const st = model.accessCodeState(cc.ccId, vdn, code);
        const mine = vdnCalls.filter((c) => c.innoId === code);
        expect(st.ivrCallCount).toBe(mine.filter((c) => c.stage === 'ivr').length);
        expect(st.queueCallCount).toBe(mine.filter((c) => c.stage === 'queue').length);
        expect(st.agentCallCount).toBe(mine.filter((c) => c.stage === 'agent').length);
        expect(st.allCallCount).toBe(st.ivrCallCount + st.queueCallCount + st.agentCallCount);
        expect(st.queueCallCount).toBeLessThanOrEqual(st.allCallCount);
        const oldest = Math.min(...mine.filter((c) => c.stage === 'queue').map((c) => c.queueEnterMs!));
        expect(st.longestWaitTime).toBe(Number.isFinite(oldest) ? Math.floor((now - oldest) / 1000) : 0);
      }
      for (const c of vdnCalls) {
        expect(c.callId).toMatch(/^\d{13}-\d{1,6}$/);
        expect(c.callId.length).toBeLessThanOrEqual(20);
        expect(c.callId.startsWith(`${c.startMs}-`)).toBe(true);
      }
    }
  }
}

describe('simulator model', () => {
  it('keeps its invariants at every step of a 2-hour stepped run, and periods behave', () => {
    const { model, advance } = makeModel(7, { scenario: { vdnsPerCallCenter: 3 } });
    const closed = new Map<string, string>();
    let lastCurrent: { key: string; inCallNums: number; rateNum: number; callOutNums: number } | undefined;
    let sawQueue = false;
    for (let step = 0; step < 720; step++) {
      advance(10_000);
      checkInvariants(model);
      const now = model.now();
      sawQueue ||= model.queueLength(1, 1) > 0;
      const rows = model.periods(1, 2);
      const current = rows[rows.length - 1]!;
      expect(current.beginTime).toBe(Math.floor(now / PERIOD_MS) * PERIOD_MS);
      rows.forEach((r, i) => {
        expect(r.beginTime % PERIOD_MS).toBe(0);
        if (i > 0) expect(r.beginTime - rows[i - 1]!.beginTime).toBe(PERIOD_MS);
        expect(r.callRate).toBeGreaterThanOrEqual(0);
        expect(r.callRate).toBeLessThanOrEqual(100);
        expect(r.talkingNums + r.ideaAgentNum + r.busyNums + r.restNums).toBeLessThanOrEqual(r.onlineAgentNums);
        const key = String(r.beginTime);
        if (r !== current) {
          // A closed period never changes.
          const seen = closed.get(key);
          if (seen !== undefined) expect(JSON.stringify(r)).toBe(seen);
          else closed.set(key, JSON.stringify(r));
        }
      });
      // The current period's counters only grow.
      const key = String(current.beginTime);
      if (lastCurrent?.key === key) {
        expect(current.inCallNums).toBeGreaterThanOrEqual(lastCurrent.inCallNums);
        expect(current.rateNum).toBeGreaterThanOrEqual(lastCurrent.rateNum);
        expect(current.callOutNums).toBeGreaterThanOrEqual(lastCurrent.callOutNums);
      }
      lastCurrent = { key, inCallNums: current.inCallNums, rateNum: current.rateNum, callOutNums: current.callOutNums };
    }
    // Every arrival is counted in exactly one period of one VDN (history keeps all of it here).
    const counted = [1, 2, 3].reduce((n, v) => n + model.periods(1, v).reduce((m, r) => m + r.inCallNums, 0), 0);
    expect(counted).toBe(model.totals().arrivals);
    expect(model.totals().arrivals).toBeGreaterThan(500);
    expect(sawQueue).toBe(true);
  });

  it('tells the same story for the same seed, however time is stepped, and another for another seed', () => {
    const a = makeModel(42);
    const b = makeModel(42);
    const c = makeModel(43);
    for (let i = 0; i < 1800; i++) a.advance(1000);
    b.advance(600_000);
    b.advance(1_200_000);
    c.advance(1_800_000);
    expect(story(b.model)).toBe(story(a.model));
    expect(story(c.model)).not.toBe(story(a.model));
  });

  it('makes queue waits climb when staffing drops and traffic rises', () => {
    const { model, advance } = makeModel(3);
    const longest = () =>
      Math.max(...[1, 2, 3].flatMap((v) => [1, 2, 3, 4, 5].map((k) => model.accessCodeState(1, v, (v - 1) * 5 + k).longestWaitTime)));
    advance(300_000);
    const before = longest();
    const queuedBefore = model.queueLength(1, 1);
    model.adjust({ staffing: 0.2, trafficLevel: 5 });
    advance(600_000);
    expect(model.vdnState(1, 1).online).toBe(2);
    expect(longest()).toBeGreaterThan(Math.max(120, before + 60));
    expect(model.queueLength(1, 1)).toBeGreaterThan(queuedBefore + 10);
    // Staffing back up drains the queue.
    model.adjust({ staffing: 1, trafficLevel: 0 });
    advance(1_800_000);
    expect(model.queueLength(1, 1)).toBe(0);
    expect(longest()).toBe(0);
  });

  it('applies per-VDN staffing: talking agents sign out after their call', () => {
    const { model, advance } = makeModel(11);
    const talkingBefore = model.vdnState(1, 2).talking;
    model.adjust({ vdns: [{ ccId: 1, vdn: 2, staffing: { agentsSignedIn: 0 } }] });
    const right = model.vdnState(1, 2);
    expect(right.online).toBe(right.talking);
    expect(right.talking).toBe(talkingBefore);
    advance(3_600_000);
    expect(model.vdnState(1, 2)).toMatchObject({ online: 0, signedOut: 10 });
    expect(model.vdnState(1, 1).online).toBe(8);
    model.adjust({ vdns: [{ ccId: 1, vdn: 2, staffing: null }] });
    expect(model.vdnState(1, 2).online).toBe(8);
  });

  it('gives a talking agent a call that started in the past, with the wait the model measured', () => {
    const { model, advance } = makeModel(5, { trafficLevel: 2 });
    advance(120_000);
    const now = model.now();
    const inbound = model.calls().filter((c) => c.stage === 'agent' && c.direction === 'inbound');
    expect(inbound.length).toBeGreaterThan(0);
    for (const call of inbound) {
      const info = model.basicCallInfo(call.callId)!;
      expect(info.time).toBe(call.startMs);
      expect(call.startMs).toBeLessThan(now);
      expect(info.waitTime).toBe(Math.floor((call.answerMs! - call.queueEnterMs!) / 1000));
      expect(info.totalTalkingTimes).toBe(Math.floor((now - call.answerMs!) / 1000));
      expect(info).toMatchObject({ deviceType: 2, deviceNo: call.agentId, calledNum: String(call.innoId) });
      expect(model.agentCalls(call.ccId, call.vdn, call.agentId!)).toEqual([call.callId]);
    }
  });

  it('refuses lookups of VDNs the scenario lacks, and invalid adjustments', () => {
    const { model } = makeModel(1);
    expect(() => model.vdnState(1, 99)).toThrow(/no VDN 99/);
    expect(() => model.periods(2, 1)).toThrow(/call center 2/);
    expect(() => model.adjust({ staffing: 1.5 })).toThrow(/<= 1/);
    expect(() => model.adjust({ trafficLevel: -1 })).toThrow(/>= 0/);
    expect(() => model.adjust({ vdns: [{ ccId: 1, vdn: 42, staffing: 0 }] })).toThrow(/no VDN 42/);
    expect(model.call('1-1')).toBeUndefined();
    expect(model.agentCalls(1, 1, 59999)).toEqual([]);
  });

  it('starts empty without warm-up and with zero traffic stays without calls', () => {
    const { model, advance } = makeModel(1, { warmupMs: 0, trafficLevel: 0 });
    expect(model.calls()).toEqual([]);
    advance(3_600_000);
    // Only outbound calls happen without inbound traffic.
    expect(model.calls().every((c) => c.direction === 'outbound')).toBe(true);
    expect(model.totals().arrivals).toBe(0);
  });
});
