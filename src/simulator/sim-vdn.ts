import { AgentPool } from './agent-model.js';
import type { SimCall } from './call-record.js';
import type { Prng } from './prng.js';
import type { ScenarioSpec, Staffing, TrafficLevel } from './scenario.js';

/**
 * One VDN of the model, indexed so that every per-request question about it is answered without
 * touching other VDNs: its access codes' live counters, its FIFO queue, its agents.
 */

/** Live counts of one access code's calls. */
export interface AccessCodeCounters {
  ivr: number;
  queue: number;
  agent: number;
}

/** The per-access-code answer of vdn/queryaccesscodecallinfo (longestWaitTime in seconds). */
export interface AccessCodeState {
  allCallCount: number;
  ivrCallCount: number;
  queueCallCount: number;
  agentCallCount: number;
  longestWaitTime: number;
}

export interface SimVdn {
  /** Position in the model's flat VDN list (also the period store's row). */
  readonly index: number;
  readonly ccId: number;
  readonly vdn: number;
  readonly accessCodes: readonly number[];
  readonly codeCounters: Map<number, AccessCodeCounters>;
  readonly agents: AgentPool;
  /** Queued calls in arrival-to-queue order (a Set keeps insertion order, O(1) removal). */
  readonly queue: Set<SimCall>;
  trafficOverride: TrafficLevel | null;
  staffingOverride: Staffing | null;
}

/** Builds the flat VDN list (call centers in order, VDNs sorted by id) and a lookup by ccId/vdn. */
export function buildVdns(
  scenario: ScenarioSpec,
  rng: Prng,
  now: number,
): { vdns: SimVdn[]; byCc: Map<number, Map<number, SimVdn>> } {
  const vdns: SimVdn[] = [];
  const byCc = new Map<number, Map<number, SimVdn>>();
  for (const cc of scenario.callCenters) {
    const map = new Map<number, SimVdn>();
    byCc.set(cc.ccId, map);
    for (const v of cc.vdns) {
      const index = vdns.length;
      const vdn: SimVdn = {
        index,
        ccId: cc.ccId,
        vdn: v.id,
        accessCodes: [...v.accessCodes],
        codeCounters: new Map(v.accessCodes.map((code) => [code, { ivr: 0, queue: 0, agent: 0 }])),
        agents: new AgentPool(index, v.agents, rng, now),
        queue: new Set(),
        trafficOverride: null,
        staffingOverride: null,
      };
      vdns.push(vdn);
      map.set(v.id, vdn);
    }
  }
  return { vdns, byCc };
}

/**
 * The state of the given access codes of a VDN at model time `now`, in the order asked.
 * Unknown access codes answer all zeros (no calls), as for an access code nobody dials.
 * Cost: O(queue length + innoIds): the longest wait is the wait of the first queued call of
 * that access code, the queue being FIFO.
 */
export function accessCodeStates(vdn: SimVdn | undefined, innoIds: readonly number[], now: number): AccessCodeState[] {
  const oldestQueued = new Map<number, number>();
  if (vdn && vdn.queue.size > 0) {
    const wanted = new Set(innoIds);
    for (const call of vdn.queue) {
      const code = call.innoId;
      if (code !== null && wanted.has(code) && !oldestQueued.has(code)) oldestQueued.set(code, call.queueEnterMs ?? now);
    }
  }
  return innoIds.map((innoId) => {
    const c = vdn?.codeCounters.get(innoId);
    const since = oldestQueued.get(innoId);
    return {
      allCallCount: c ? c.ivr + c.queue + c.agent : 0,
      ivrCallCount: c?.ivr ?? 0,
      queueCallCount: c?.queue ?? 0,
      agentCallCount: c?.agent ?? 0,
      longestWaitTime: since === undefined ? 0 : Math.max(0, Math.floor((now - since) / 1000)),
    };
  });
}
