import type { SysindexRow } from '../cms/types.js';
import type { AgentCounts, AgentState } from './agent-model.js';
import { basicCallInfo, type SimCall } from './call-record.js';
import { CallFlow, type CallFlowOptions } from './call-flow.js';
import type { GaugeReader, PeriodRef } from './period-stats.js';
import type { ScenarioAdjustment } from './scenario.js';
import type { SimClock } from './sim-clock.js';
import { accessCodeStates, type AccessCodeState, type SimVdn } from './sim-vdn.js';

/**
 * The model as tests, handlers and the demo see it: read-only accessors that first bring the
 * model up to the clock's now, plus the few setters of the running scenario.
 */

/** A frozen copy of a call (see SimCall for the fields). */
export type CallRecord = Readonly<Omit<SimCall, 'vdnIndex'>>;

/** One agent as the accessors report it. */
export interface AgentRecord {
  agentId: number;
  state: AgentState;
  /** Model time the state was entered, epoch ms. */
  since: number;
  /** Whether staffing wants the agent signed in. */
  rostered: boolean;
  /** The agent's current call IDs (empty unless talking). */
  callIds: string[];
}

/** Thrown by accessors for a call center or VDN the scenario does not have. */
export class SimulatorLookupError extends Error {
  readonly code = 'SIM_LOOKUP';
  constructor(message: string) {
    super(message);
    this.name = 'SimulatorLookupError';
  }
}

export class CallCenterModel {
  /** The engine; exposed for the HTTP handlers of this package, not for tests. */
  readonly flow: CallFlow;

  constructor(
    private readonly clock: SimClock,
    options: CallFlowOptions,
  ) {
    this.flow = new CallFlow(options);
  }

  /** Brings the model up to the clock's now. Every accessor does it first. */
  sync(): void {
    this.flow.advanceTo(this.clock.now());
  }

  /** Model time, epoch ms. */
  now(): number {
    this.sync();
    return this.flow.now;
  }

  /** The call centers and their VDN ids. */
  callCenters(): Array<{ ccId: number; vdns: number[] }> {
    return [...this.flow.byCc].map(([ccId, m]) => ({ ccId, vdns: [...m.keys()] }));
  }

  /** True when the call center exists. */
  hasCallCenter(ccId: number): boolean {
    return this.flow.byCc.has(ccId);
  }

  /** The VDN, or undefined (no sync, no throw): for the handlers. */
  findVdn(ccId: number, vdn: number): SimVdn | undefined {
    return this.flow.byCc.get(ccId)?.get(vdn);
  }

  private vdnOrThrow(ccId: number, vdn: number): SimVdn {
    const found = this.findVdn(ccId, vdn);
    if (!found) throw new SimulatorLookupError(`no VDN ${vdn} in call center ${ccId}`);
    return found;
  }

  /** Agents of a VDN by state, now (online = talking + idle + busy + rest). */
  vdnState(ccId: number, vdn: number): AgentCounts {
    this.sync();
    return this.vdnOrThrow(ccId, vdn).agents.snapshot();
  }

  /** The queryaccesscodecallinfo values of one access code now (zeros for an unknown one). */
  accessCodeState(ccId: number, vdn: number, innoId: number): AccessCodeState {
    this.sync();
    return accessCodeStates(this.vdnOrThrow(ccId, vdn), [innoId], this.flow.now)[0]!;
  }

  /** Calls queued in a VDN now. */
  queueLength(ccId: number, vdn: number): number {
    this.sync();
    return this.vdnOrThrow(ccId, vdn).queue.size;
  }

  /** Every retained sysindex row of a VDN (closed periods, then the current one), oldest first. */
  periods(ccId: number, vdn: number): SysindexRow[] {
    this.sync();
    const v = this.vdnOrThrow(ccId, vdn);
    return this.flow.periods.allPeriods().map((ref) => this.row(ref, v));
  }

  /** The agents of a VDN, in scenario order. */
  agents(ccId: number, vdn: number): AgentRecord[] {
    this.sync();
    return this.vdnOrThrow(ccId, vdn).agents.agents.map((a) => ({
      agentId: a.agentId,
      state: a.state,
      since: a.since,
      rostered: a.rostered,
      callIds: a.callId ? [a.callId] : [],
    }));
  }

  /** An agent's current call IDs ([] for an agent not talking or not in the VDN). */
  agentCalls(ccId: number, vdn: number, agentId: number): string[] {
    this.sync();
    const callId = this.vdnOrThrow(ccId, vdn).agents.get(agentId)?.callId;
    return callId ? [callId] : [];
  }

  /** A copy of an active call, or undefined once it has ended (or never existed). */
  call(callId: string): CallRecord | undefined {
    this.sync();
    const c = this.flow.calls.get(callId);
    return c ? copyCall(c) : undefined;
  }

  /** Copies of the active calls, optionally of one call center / VDN. */
  calls(filter: { ccId?: number; vdn?: number } = {}): CallRecord[] {
    this.sync();
    const out: CallRecord[] = [];
    for (const c of this.flow.calls.values()) {
      if ((filter.ccId === undefined || c.ccId === filter.ccId) && (filter.vdn === undefined || c.vdn === filter.vdn)) {
        out.push(copyCall(c));
      }
    }
    return out;
  }

  /** The resultDesc querybasiccallinfo would answer for an active call now. */
  basicCallInfo(callId: string): Record<string, unknown> | undefined {
    this.sync();
    const c = this.flow.calls.get(callId);
    return c ? basicCallInfo(c, this.flow.now) : undefined;
  }

  /** Inbound calls that ever arrived, and calls active now. */
  totals(): { arrivals: number; activeCalls: number } {
    this.sync();
    return { arrivals: this.flow.arrivals, activeCalls: this.flow.calls.size };
  }

  /** Applies a traffic/staffing change at the current model time. */
  adjust(change: ScenarioAdjustment): void {
    this.sync();
    for (const o of change.vdns ?? []) this.vdnOrThrow(o.ccId, o.vdn); // all-or-nothing
    if (change.trafficLevel !== undefined) this.flow.setGlobalTraffic(change.trafficLevel);
    if (change.staffing !== undefined) this.flow.setGlobalStaffing(change.staffing);
    for (const o of change.vdns ?? []) {
      const v = this.vdnOrThrow(o.ccId, o.vdn);
      if (o.trafficLevel !== undefined) this.flow.setVdnTraffic(v, o.trafficLevel);
      if (o.staffing !== undefined) this.flow.setVdnStaffing(v, o.staffing);
    }
  }

  /**
   * One page of sysindex rows (no sync: the caller syncs), ordered by period then VDN id, and
   * the total number of matching rows. `vdnIds` undefined: every VDN of the call center;
   * ids the call center lacks match nothing. Cost: O(periods + page), whatever the VDN count.
   */
  sysindexPage(
    ccId: number,
    vdnIds: readonly number[] | undefined,
    beginMs: number,
    endMs: number,
    limit: number,
    offset: number,
  ): { rows: SysindexRow[]; count: number } {
    const m = this.flow.byCc.get(ccId);
    if (!m) return { rows: [], count: 0 };
    const vdns = vdnIds === undefined ? [...m.values()] : [...new Set(vdnIds)].sort((a, b) => a - b).flatMap((id) => m.get(id) ?? []);
    const refs = this.flow.periods.periodsInRange(beginMs, endMs);
    const count = refs.length * vdns.length;
    const rows: SysindexRow[] = [];
    for (let i = offset; i < Math.min(count, offset + limit); i++) {
      rows.push(this.row(refs[Math.floor(i / vdns.length)]!, vdns[i % vdns.length]!));
    }
    return { rows, count };
  }

  private readonly live: GaugeReader = (v) => {
    const s = this.flow.vdns[v]!.agents.snapshot();
    return [s.online, s.talking, s.idle, s.busy, s.rest];
  };

  private row(ref: PeriodRef, v: SimVdn): SysindexRow {
    const p = this.flow.periods.values(ref, v.index, this.live);
    return {
      beginTime: p.beginTime,
      ccId: v.ccId,
      vdn: v.vdn,
      onlineAgentNums: p.onlineAgentNums,
      talkingNums: p.talkingNums,
      ideaAgentNum: p.ideaAgentNum,
      busyNums: p.busyNums,
      restNums: p.restNums,
      inCallNums: p.inCallNums,
      rateNum: p.rateNum,
      callRate: p.callRate,
      callOutNums: p.callOutNums,
    };
  }
}

function copyCall(c: SimCall): CallRecord {
  const { vdnIndex: _vdnIndex, ...rest } = c;
  return Object.freeze({ ...rest });
}
