/**
 * planCollectors: which jobs a shard runs and what those jobs ask the CMS for. The jobs'
 * collectors are run against a fake CmsApi that records every query, so the tests check the
 * work actually done (VDNs, access codes, agents, CTI clocks), not only the job list.
 */
import { describe, expect, it } from 'vitest';
import { COLLECTOR_KEYS, planCollectors, plannedScopes } from '../../src/collectors/collector-plan.js';
import { PERIOD_MS, SysindexMemory } from '../../src/collectors/sysindex-memory.js';
import type { CollectorName } from '../../src/collectors/types.js';
import type { CmsApi, SysindexRow } from '../../src/cms/types.js';
import type { CallCenterConfig, Config, CollectorKey } from '../../src/config/types.js';
import type { Snapshot } from '../../src/metrics/types.js';
import type { ScheduledJob } from '../../src/scheduler/scheduler.js';
import { rowsOf } from '../helpers/families.js';

type PlanConfig = Pick<Config, 'callCenters' | 'collectors' | 'shard'>;

/** A fixed exporter clock: 2024-03-01 10:02:00 UTC (inside a 5-minute period). */
const NOW = Date.UTC(2024, 2, 1, 10, 2, 0);
const PERIOD = Math.floor(NOW / PERIOD_MS) * PERIOD_MS;

function settings(intervalSeconds: number) {
  return { enabled: true, intervalSeconds, staleAfterIntervals: 3 };
}

function planConfig(callCenters: CallCenterConfig[], index = 0, total = 1): PlanConfig {
  return {
    callCenters,
    collectors: {
      sysindex: { ...settings(60), lookbackMinutes: 20 },
      accessCodes: settings(15),
      ctiServerTime: settings(30),
      agentCalls: settings(15),
    },
    shard: { index, total, fromPodName: false },
  };
}

/** `count` VDNs from `first`; each with `codes` access codes and `agents` agents (unique per call center). */
function vdns(first: number, count: number, codes: number, agents: number): CallCenterConfig['vdns'] {
  return Array.from({ length: count }, (_, k) => ({
    id: first + k,
    accessCodes: Array.from({ length: codes }, (_, i) => 1000 + (first + k) * 10 + i),
    agents: Array.from({ length: agents }, (_, i) => 101 + (first + k) * 10 + i),
  }));
}

/** Three explicit call centers of different shapes, and one in discovery mode. */
const CALL_CENTERS: CallCenterConfig[] = [
  { ccId: 1, vdns: vdns(1, 40, 3, 2) },
  { ccId: 2, vdns: vdns(100, 25, 1, 0) }, // no agents: no agent_calls job anywhere
  { ccId: 7, vdns: vdns(4000, 3, 0, 1) }, // few VDNs: some shards own none of them
];

function row(ccId: number, vdn: number, inCallNums = 10): SysindexRow {
  return {
    beginTime: PERIOD,
    ccId,
    vdn,
    onlineAgentNums: 5,
    talkingNums: 1,
    ideaAgentNum: 2,
    busyNums: 1,
    restNums: 1,
    inCallNums,
    rateNum: 3,
    callRate: 30,
    callOutNums: 2,
  };
}

/** What a fake CMS was asked. Keys are `ccId:vdn`, `ccId:vdn:innoId`, `ccId:vdn:agentId`. */
interface Queries {
  sysindex: Array<{ ccId: number; vdns: readonly number[] | undefined }>;
  accessCodes: string[];
  agents: string[];
  ctiClock: number[];
}

/**
 * A CmsApi that records what it is asked and answers plausibly: sysindex one row per asked VDN
 * (in discovery: one per VDN of `discovered`), access codes one row per innoId, agents no call.
 */
function fakeApi(discovered: Map<number, number[]> = new Map(), inCallNums = 10): { api: CmsApi; queries: Queries } {
  const queries: Queries = { sysindex: [], accessCodes: [], agents: [], ctiClock: [] };
  const api: CmsApi = {
    querySysindex(q) {
      queries.sysindex.push({ ccId: q.ccId, vdns: q.vdns });
      const list = q.vdns ?? discovered.get(q.ccId) ?? [];
      return Promise.resolve(list.map((v) => row(q.ccId, v, inCallNums)));
    },
    queryCtiServerTime(q) {
      queries.ctiClock.push(q.ccId);
      return Promise.resolve({ serverTimeMs: NOW + 1500, sentAtMs: NOW, receivedAtMs: NOW });
    },
    queryAccessCodeCallInfo(q) {
      for (const code of q.innoIds) queries.accessCodes.push(`${q.ccId}:${q.vdn}:${code}`);
      return Promise.resolve(
        q.innoIds.map((innoId) => ({ innoId, allCallCount: 2, ivrCallCount: 1, agentCallCount: 1, queueCallCount: 0, longestWaitTime: 4 })),
      );
    },
    queryAgentCalls(q) {
      queries.agents.push(`${q.ccId}:${q.vdn}:${q.agentId}`);
      return Promise.resolve([]);
    },
    queryBasicCallInfo() {
      return Promise.reject(new Error('not expected: no agent has a call'));
    },
  };
  return { api, queries };
}

/** Runs every job's collector once; returns the snapshots by job. */
async function runAll(jobs: readonly ScheduledJob[]): Promise<Array<{ name: CollectorName; ccId: number; snapshot: Snapshot }>> {
  const signal = new AbortController().signal;
  return Promise.all(jobs.map(async (j) => ({ name: j.collector.name, ccId: j.collector.ccId, snapshot: await j.collector.collect(signal) })));
}

/** The label values (joined by `:`) of the series of `family` in `snapshot`. */
function series(snapshot: Snapshot, family: string, labels: string[]): string[] {
  const f = snapshot.find((x) => x.name === family);
  if (!f) return [];
  const at = labels.map((l) => f.labelNames.indexOf(l));
  return rowsOf(f).map((s) => at.map((i) => s.labels[i]).join(':'));
}

/** Every element of `expected` appears exactly once in `actual`, and nothing else does. */
function expectExactlyOnce(actual: string[], expected: string[]): void {
  expect([...actual].sort()).toEqual([...expected].sort());
  expect(new Set(actual).size).toBe(actual.length);
}

const ALL_VDNS = CALL_CENTERS.flatMap((cc) => cc.vdns.map((v) => `${cc.ccId}:${v.id}`));
const ALL_CODES = CALL_CENTERS.flatMap((cc) => cc.vdns.flatMap((v) => v.accessCodes.map((a) => `${cc.ccId}:${v.id}:${a}`)));
const ALL_AGENTS = CALL_CENTERS.flatMap((cc) => cc.vdns.flatMap((v) => v.agents.map((a) => `${cc.ccId}:${v.id}:${a}`)));

describe('planCollectors across shards', () => {
  it.each([1, 2, 3, 4, 7])('with %i shard(s), every VDN, access code, agent and CTI clock is polled by exactly one shard', async (total) => {
    const asked: Queries = { sysindex: [], accessCodes: [], agents: [], ctiClock: [] };
    const exported = { vdns: [] as string[], codes: [] as string[], agents: [] as string[], skew: [] as string[] };
    for (let index = 0; index < total; index++) {
      const { api, queries } = fakeApi();
      const jobs = planCollectors(planConfig(CALL_CENTERS, index, total), { api, now: () => NOW }, new Map());
      for (const out of await runAll(jobs)) {
        exported.vdns.push(...series(out.snapshot, 'aicc_agents_online', ['cc_id', 'vdn']));
        exported.codes.push(...series(out.snapshot, 'aicc_access_code_online_calls', ['cc_id', 'vdn', 'access_code']));
        exported.agents.push(...series(out.snapshot, 'aicc_agent_active_calls', ['cc_id', 'vdn', 'agent_id']));
        exported.skew.push(...series(out.snapshot, 'aicc_cti_clock_skew_seconds', ['cc_id']));
      }
      asked.sysindex.push(...queries.sysindex);
      asked.accessCodes.push(...queries.accessCodes);
      asked.agents.push(...queries.agents);
      asked.ctiClock.push(...queries.ctiClock);
      // A shard asks sysindex only for VDNs it owns, never for "all" of an explicit call center.
      for (const q of queries.sysindex) expect(q.vdns?.length).toBeGreaterThan(0);
    }
    expectExactlyOnce(asked.sysindex.flatMap((q) => (q.vdns ?? []).map((v) => `${q.ccId}:${v}`)), ALL_VDNS);
    expectExactlyOnce(asked.accessCodes, ALL_CODES);
    expectExactlyOnce(asked.agents, ALL_AGENTS);
    expectExactlyOnce(asked.ctiClock.map(String), CALL_CENTERS.map((cc) => String(cc.ccId)));
    expectExactlyOnce(exported.vdns, ALL_VDNS);
    expectExactlyOnce(exported.codes, ALL_CODES);
    expectExactlyOnce(exported.agents, ALL_AGENTS);
    expectExactlyOnce(exported.skew, CALL_CENTERS.map((cc) => String(cc.ccId)));
  });

  it('gives a shard that owns none of a call center\'s VDNs only that call center\'s CTI clock, if any', () => {
    // ccId 7 has 3 VDNs: with 7 shards at least 4 shards own none of them.
    let without = 0;
    for (let index = 0; index < 7; index++) {
      const jobs = planCollectors(planConfig(CALL_CENTERS, index, 7), { api: fakeApi().api, now: () => NOW }, new Map());
      const names = jobs.filter((j) => j.collector.ccId === 7).map((j) => j.collector.name);
      if (!names.includes('sysindex')) {
        without++;
        expect(names.filter((n) => n !== 'cti_server_time')).toEqual([]);
      }
    }
    expect(without).toBeGreaterThanOrEqual(4);
  });

  it('plans no agent_calls job for a call center without agents and no access_codes job without access codes', () => {
    const jobs = planCollectors(planConfig(CALL_CENTERS), { api: fakeApi().api, now: () => NOW }, new Map());
    const of = (ccId: number) => jobs.filter((j) => j.collector.ccId === ccId).map((j) => j.collector.name).sort();
    expect(of(1)).toEqual(['access_codes', 'agent_calls', 'cti_server_time', 'sysindex']);
    expect(of(2)).toEqual(['access_codes', 'cti_server_time', 'sysindex']);
    expect(of(7)).toEqual(['agent_calls', 'cti_server_time', 'sysindex']);
  });

  it('uses each collector\'s interval and staggers first runs within 2 s', () => {
    const jobs = planCollectors(planConfig(CALL_CENTERS), { api: fakeApi().api, now: () => NOW }, new Map());
    const seconds: Record<CollectorName, number> = { sysindex: 60, access_codes: 15, cti_server_time: 30, agent_calls: 15 };
    for (const j of jobs) expect(j.intervalMs).toBe(seconds[j.collector.name] * 1000);
    const offsets = jobs.map((j) => j.offsetMs);
    for (const o of offsets) expect(o).toBeGreaterThanOrEqual(0);
    for (const o of offsets) expect(o).toBeLessThan(2000);
    expect(new Set(offsets).size).toBe(jobs.length);
  });
});

describe('planCollectors in discovery mode', () => {
  const discovered = new Map([[5, Array.from({ length: 50 }, (_, i) => 10 + i * 3)]]);
  const discovery: CallCenterConfig[] = [{ ccId: 5, vdns: [] }];

  it.each([1, 3, 4])('with %i shard(s): sysindex runs on every shard, asks for all VDNs and keeps a disjoint share', async (total) => {
    const kept: string[] = [];
    let clocks = 0;
    for (let index = 0; index < total; index++) {
      const { api, queries } = fakeApi(discovered);
      const jobs = planCollectors(planConfig(discovery, index, total), { api, now: () => NOW }, new Map());
      expect(jobs.filter((j) => j.collector.name === 'sysindex')).toHaveLength(1);
      expect(jobs.some((j) => j.collector.name === 'access_codes' || j.collector.name === 'agent_calls')).toBe(false);
      const outs = await runAll(jobs);
      expect(queries.sysindex).toEqual([{ ccId: 5, vdns: undefined }]);
      clocks += queries.ctiClock.length;
      const mine = outs.flatMap((o) => series(o.snapshot, 'aicc_agents_online', ['cc_id', 'vdn']));
      if (total > 1) expect(mine.length).toBeLessThan(50);
      kept.push(...mine);
    }
    expectExactlyOnce(kept, discovered.get(5)!.map((v) => `5:${v}`));
    expect(clocks).toBe(1);
  });

  it('splits discovered VDNs the same way as configured ones (a VDN moves to discovery without changing shard)', async () => {
    const ids = discovered.get(5)!;
    const explicit: CallCenterConfig[] = [{ ccId: 5, vdns: ids.map((id) => ({ id, accessCodes: [], agents: [] })) }];
    for (let index = 0; index < 3; index++) {
      const byDiscovery = await runAll(planCollectors(planConfig(discovery, index, 3), { api: fakeApi(discovered).api, now: () => NOW }, new Map()));
      const byConfig = await runAll(planCollectors(planConfig(explicit, index, 3), { api: fakeApi().api, now: () => NOW }, new Map()));
      const vdnsOf = (outs: typeof byConfig) => outs.flatMap((o) => series(o.snapshot, 'aicc_agents_online', ['vdn'])).sort();
      expect(vdnsOf(byDiscovery)).toEqual(vdnsOf(byConfig));
    }
  });
});

describe('planCollectors settings and memory', () => {
  it.each(Object.entries(COLLECTOR_KEYS) as Array<[CollectorName, CollectorKey]>)('does not plan %s when it is disabled', (name, key) => {
    const config = planConfig(CALL_CENTERS);
    config.collectors[key].enabled = false;
    const jobs = planCollectors(config, { api: fakeApi().api, now: () => NOW }, new Map());
    expect(jobs.some((j) => j.collector.name === name)).toBe(false);
    // The others are still there, one per call center that needs them.
    expect(new Set(jobs.map((j) => j.collector.name)).size).toBe(3);
  });

  it('keeps the sysindex memory of a call center across replans, so counters continue, and forgets removed call centers', async () => {
    const memories = new Map<number, SysindexMemory>();
    let clock = NOW;
    const first = fakeApi(new Map(), 10);
    const jobs1 = planCollectors(planConfig(CALL_CENTERS), { api: first.api, now: () => clock }, memories);
    const sys1 = jobs1.find((j) => j.collector.name === 'sysindex' && j.collector.ccId === 1)!;
    await sys1.collector.collect(new AbortController().signal);
    const memory1 = memories.get(1);
    expect(memory1).toBeInstanceOf(SysindexMemory);
    expect([...memories.keys()].sort()).toEqual([1, 2, 7]);

    // Reload: call center 2 removed, call center 1 loses VDN 40, the period's count grows 10 → 14.
    const changed: CallCenterConfig[] = [{ ccId: 1, vdns: CALL_CENTERS[0]!.vdns.slice(0, 39) }, CALL_CENTERS[2]!];
    clock = NOW + 30_000;
    const second = fakeApi(new Map(), 14);
    const jobs2 = planCollectors(planConfig(changed), { api: second.api, now: () => clock }, memories);
    expect(memories.get(1)).toBe(memory1);
    expect([...memories.keys()].sort()).toEqual([1, 7]);
    const sys2 = jobs2.find((j) => j.collector.name === 'sysindex' && j.collector.ccId === 1)!;
    const snapshot = await sys2.collector.collect(new AbortController().signal);
    const inbound = snapshot.find((f) => f.name === 'aicc_inbound_calls_total')!;
    // The same period seen again with 14: counted once (14), not 10 + 14.
    expect(inbound.values).toHaveLength(39);
    for (const value of inbound.values) expect(value).toBe(14);
    expect(series(snapshot, 'aicc_agents_online', ['vdn'])).not.toContain('40');
  });

  it('continues counters across a replan: a new period adds to the total instead of restarting it', async () => {
    const memories = new Map<number, SysindexMemory>();
    const cc: CallCenterConfig[] = [{ ccId: 1, vdns: vdns(1, 2, 0, 0) }];
    const ctx = (now: number, beginTime: number, inCallNums: number) => ({
      now: () => now,
      api: {
        ...fakeApi().api,
        querySysindex: (q: { ccId: number; vdns?: readonly number[] }) =>
          Promise.resolve((q.vdns ?? []).map((v) => ({ ...row(q.ccId, v, inCallNums), beginTime }))),
      } satisfies CmsApi,
    });
    const run = async (jobs: ScheduledJob[]) => {
      const s = await jobs.find((j) => j.collector.name === 'sysindex')!.collector.collect(new AbortController().signal);
      return s.find((f) => f.name === 'aicc_inbound_calls_total')!.values;
    };
    expect(await run(planCollectors(planConfig(cc), ctx(NOW, PERIOD, 10), memories))).toEqual([10, 10]);
    // After a "reload" (a new plan with the same memories), the next period's 4 calls are added.
    const later = PERIOD + PERIOD_MS;
    expect(await run(planCollectors(planConfig(cc), ctx(later + 60_000, later, 4), memories))).toEqual([14, 14]);
    // Without the memory (a fresh map), the counter would have restarted: the control case.
    expect(await run(planCollectors(planConfig(cc), ctx(later + 60_000, later, 4), new Map()))).toEqual([4, 4]);
  });
});

describe('plannedScopes', () => {
  it('has one entry per planned job, listing the VDNs, access codes and agents it covers', () => {
    for (const total of [1, 3]) {
      for (let index = 0; index < total; index++) {
        const config = planConfig(CALL_CENTERS, index, total);
        const scopes = plannedScopes(config);
        const jobs = planCollectors(config, { api: fakeApi().api, now: () => NOW }, new Map());
        expect([...scopes.keys()].sort()).toEqual(jobs.map((j) => `${j.collector.name}:${j.collector.ccId}`).sort());
      }
    }
    const scopes = plannedScopes(planConfig([{ ccId: 3, vdns: [{ id: 170, accessCodes: [5], agents: [101, 102] }] }, { ccId: 4, vdns: [] }]));
    expect(scopes.get('sysindex:3')).toEqual(new Set(['v:170']));
    expect(scopes.get('access_codes:3')).toEqual(new Set(['a:170:5']));
    expect(scopes.get('agent_calls:3')).toEqual(new Set(['g:170:101', 'g:170:102']));
    expect(scopes.get('cti_server_time:3')).toEqual(new Set());
    expect(scopes.get('sysindex:4')).toEqual(new Set(['discovery:0/1']));
  });

  it('tells a removal from an addition: only the removed element is missing from the new scope', () => {
    const before = plannedScopes(planConfig([{ ccId: 3, vdns: vdns(1, 3, 1, 1) }]));
    const after = plannedScopes(planConfig([{ ccId: 3, vdns: vdns(2, 3, 1, 1) }]));
    const lost = (key: string) => [...before.get(key)!].filter((x) => !after.get(key)!.has(x));
    expect(lost('sysindex:3')).toEqual(['v:1']);
    expect(lost('access_codes:3')).toEqual(['a:1:1010']);
    expect(lost('agent_calls:3')).toEqual(['g:1:111']);
  });
});
