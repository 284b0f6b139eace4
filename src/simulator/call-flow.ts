import type { SimAgent } from './agent-model.js';
import { ArrivalRates } from './arrival-rates.js';
import { createCall, type SimCall } from './call-record.js';
import { EventQueue } from './event-queue.js';
import { MODEL_PARAMS as P } from './model-params.js';
import { PeriodStore, historyCapacity } from './period-stats.js';
import { Prng } from './prng.js';
import {
  DEFAULT_STAFFING,
  callsPerMinute,
  defaultCallsPerMinute,
  signedInTarget,
  type ScenarioSpec,
  type Staffing,
  type TrafficLevel,
} from './scenario.js';
import { buildVdns, type SimVdn } from './sim-vdn.js';

/**
 * The discrete-event engine of the simulated call center: Poisson arrivals per access code, IVR,
 * FIFO queue per VDN, agents of the VDN taking the longest-waiting call, abandonment, wrap-up,
 * voluntary busy/rest/outbound spells, and the 5-minute periods. Work is O(events), done lazily
 * when someone asks (advanceTo): O(events) whether asked every 100 ms or once an hour.
 */

type ModelEvent =
  | { kind: 'arrival'; version: number }
  | { kind: 'ivrEnd' | 'abandon' | 'talkEnd'; call: SimCall }
  | { kind: 'agent'; agent: SimAgent; version: number; next: 'idle' | 'busy' | 'rest' | 'outbound' };

/** Construction parameters of the engine. */
export interface CallFlowOptions {
  scenario: ScenarioSpec;
  seed: number;
  /** Model time the story starts at, epoch ms. */
  startMs: number;
  trafficLevel?: TrafficLevel;
  staffing?: Staffing;
  /** Closed periods kept per VDN (default historyCapacity(vdn count)). */
  historyPeriods?: number;
}

export class CallFlow {
  readonly vdns: SimVdn[];
  readonly byCc: Map<number, Map<number, SimVdn>>;
  readonly calls = new Map<string, SimCall>();
  readonly periods: PeriodStore;
  /** Calls per minute per access code that TrafficLevel multipliers scale. */
  readonly defaultRate: number;
  private readonly rng: Prng;
  private readonly events = new EventQueue<ModelEvent>();
  private nowMs: number;
  private callSeq: number;
  private traffic: TrafficLevel;
  private staffing: Staffing;
  private readonly arrivalRates = new ArrivalRates();
  private arrivalVersion = 0;
  /** Inbound calls that ever arrived (for tests and invariants). */
  arrivals = 0;

  constructor(options: CallFlowOptions) {
    this.rng = new Prng(options.seed);
    this.nowMs = Math.floor(options.startMs);
    const built = buildVdns(options.scenario, this.rng, this.nowMs);
    this.vdns = built.vdns;
    this.byCc = built.byCc;
    this.periods = new PeriodStore(this.vdns.length, options.historyPeriods ?? historyCapacity(this.vdns.length), this.nowMs);
    this.defaultRate = defaultCallsPerMinute(this.vdns.reduce((n, v) => n + v.accessCodes.length, 0));
    this.traffic = options.trafficLevel ?? 1;
    this.staffing = options.staffing ?? DEFAULT_STAFFING;
    callsPerMinute(this.traffic, this.defaultRate); // validates
    this.callSeq = this.rng.int(1, 899_999);
    for (const vdn of this.vdns) this.applyStaffing(vdn, true);
    this.rescheduleArrivals();
  }

  /** Model time, epoch ms. */
  get now(): number {
    return this.nowMs;
  }

  /** Runs every event due up to `target` (and closes the periods it crosses). Never goes back. */
  advanceTo(target: number): void {
    target = Math.floor(target);
    for (;;) {
      const next = this.events.peek();
      const boundary = this.periods.currentEndMs;
      if (next && next.t <= target && next.t < boundary) {
        this.events.pop();
        this.nowMs = Math.max(this.nowMs, next.t);
        this.handle(next.payload);
      } else if (boundary <= target) {
        this.nowMs = Math.max(this.nowMs, boundary);
        this.periods.close((v) => {
          const s = this.vdns[v]!.agents.snapshot();
          return [s.online, s.talking, s.idle, s.busy, s.rest];
        });
      } else {
        break;
      }
    }
    if (target > this.nowMs) this.nowMs = target;
  }

  /** Sets the global traffic level from now on (VDN overrides keep winning). */
  setGlobalTraffic(level: TrafficLevel): void {
    callsPerMinute(level, this.defaultRate);
    this.traffic = level;
    this.rescheduleArrivals();
  }

  /** Sets (or with null removes) one VDN's traffic override from now on. */
  setVdnTraffic(vdn: SimVdn, level: TrafficLevel | null): void {
    if (level !== null) callsPerMinute(level, this.defaultRate);
    vdn.trafficOverride = level;
    this.rescheduleArrivals();
  }

  /** Sets the global staffing now: agents sign in or out (talking ones after their call). */
  setGlobalStaffing(staffing: Staffing): void {
    signedInTarget(staffing, 0);
    this.staffing = staffing;
    for (const v of this.vdns) this.applyStaffing(v, false);
  }

  /** Sets (or with null removes) one VDN's staffing override now. */
  setVdnStaffing(vdn: SimVdn, staffing: Staffing | null): void {
    if (staffing !== null) signedInTarget(staffing, 0);
    vdn.staffingOverride = staffing;
    this.applyStaffing(vdn, false);
  }

  /** Calls per minute per access code currently in effect for `vdn`. */
  rateOf(vdn: SimVdn): number {
    return callsPerMinute(vdn.trafficOverride ?? this.traffic, this.defaultRate);
  }

  private handle(e: ModelEvent): void {
    switch (e.kind) {
      case 'arrival':
        if (e.version === this.arrivalVersion) this.arrive();
        break;
      case 'ivrEnd':
        this.leaveIvr(e.call);
        break;
      case 'abandon':
        if (e.call.active && e.call.stage === 'queue') {
          const vdn = this.vdns[e.call.vdnIndex]!;
          vdn.queue.delete(e.call);
          vdn.codeCounters.get(e.call.innoId!)!.queue--;
          this.end(e.call);
        }
        break;
      case 'talkEnd':
        this.hangUp(e.call);
        break;
      case 'agent':
        if (e.version === e.agent.version) this.agentMoves(e.agent, e.next);
        break;
    }
  }

  private nextCallId(): string {
    this.callSeq = (this.callSeq % 999_999) + 1;
    return `${this.nowMs}-${this.callSeq}`;
  }

  private rescheduleArrivals(): void {
    this.arrivalVersion++;
    this.arrivalRates.rebuild(this.vdns.map((v) => this.rateOf(v) * v.accessCodes.length));
    if (this.arrivalRates.totalPerMinute > 0) this.scheduleArrival();
  }

  private scheduleArrival(): void {
    const gap = Math.max(1, Math.round(this.rng.exponential(60_000 / this.arrivalRates.totalPerMinute)));
    this.events.push(this.nowMs + gap, { kind: 'arrival', version: this.arrivalVersion });
  }

  private arrive(): void {
    const vdn = this.vdns[this.arrivalRates.pick(this.rng.next())]!;
    const innoId = vdn.accessCodes[this.rng.int(0, vdn.accessCodes.length - 1)]!;
    const call = createCall({
      callId: this.nextCallId(),
      direction: 'inbound',
      ccId: vdn.ccId,
      vdn: vdn.vdn,
      vdnIndex: vdn.index,
      innoId,
      startMs: this.nowMs,
      callingNum: `13${this.rng.digits(9)}`,
      calledNum: String(innoId),
      trunkNo: this.rng.int(1, 1023),
      ivrChannel: this.rng.int(1, 4095),
    });
    this.calls.set(call.callId, call);
    this.arrivals++;
    vdn.codeCounters.get(innoId)!.ivr++;
    this.periods.countInbound(vdn.index);
    this.events.push(this.nowMs + this.rng.int(P.ivrMinMs, P.ivrMaxMs), { kind: 'ivrEnd', call });
    this.scheduleArrival();
  }

  private leaveIvr(call: SimCall): void {
    const vdn = this.vdns[call.vdnIndex]!;
    const counters = vdn.codeCounters.get(call.innoId!)!;
    counters.ivr--;
    if (this.rng.chance(P.ivrOnlyShare)) {
      this.end(call);
      return;
    }
    counters.queue++;
    call.stage = 'queue';
    call.queueEnterMs = this.nowMs;
    vdn.queue.add(call);
    const patience = Math.max(P.patienceMinMs, Math.round(this.rng.exponential(P.patienceMeanMs)));
    this.events.push(this.nowMs + patience, { kind: 'abandon', call });
    this.dispatch(vdn);
  }

  /** Gives queued calls to idle agents, longest-waiting call to longest-idle agent. */
  private dispatch(vdn: SimVdn): void {
    while (vdn.queue.size > 0) {
      const agent = vdn.agents.longestIdle();
      if (!agent) return;
      const call = vdn.queue.values().next().value as SimCall;
      vdn.queue.delete(call);
      const counters = vdn.codeCounters.get(call.innoId!)!;
      counters.queue--;
      counters.agent++;
      call.stage = 'agent';
      call.answerMs = this.nowMs;
      call.agentId = agent.agentId;
      vdn.agents.setState(agent, 'talking', this.nowMs, call.callId);
      this.periods.countAnswered(vdn.index);
      const talk = Math.max(P.talkMinMs, Math.round(this.rng.exponential(P.talkMeanMs)));
      this.events.push(this.nowMs + talk, { kind: 'talkEnd', call });
    }
  }

  private end(call: SimCall): void {
    call.active = false;
    this.calls.delete(call.callId);
  }

  private hangUp(call: SimCall): void {
    const vdn = this.vdns[call.vdnIndex]!;
    if (call.innoId !== null) vdn.codeCounters.get(call.innoId)!.agent--;
    this.end(call);
    const agent = vdn.agents.get(call.agentId!)!;
    if (!agent.rostered) vdn.agents.setState(agent, 'signedOut', this.nowMs);
    else if (call.direction === 'inbound' && this.rng.chance(P.wrapUpShare)) {
      this.enter(vdn, agent, 'busy', this.rng.exponential(P.wrapUpMeanMs));
    } else this.enter(vdn, agent, 'idle');
    this.dispatch(vdn);
  }

  /** Puts a signed-in agent in idle/busy/rest and schedules their next voluntary move. */
  private enter(vdn: SimVdn, agent: SimAgent, state: 'idle' | 'busy' | 'rest', durationMs?: number): void {
    vdn.agents.setState(agent, state, this.nowMs);
    let next: 'idle' | 'busy' | 'rest' | 'outbound' = 'idle';
    let dt = durationMs;
    if (state === 'idle') {
      const rates = [1 / P.idleToBusyMeanMs, 1 / P.idleToRestMeanMs, 1 / P.idleToOutboundMeanMs];
      dt = this.rng.exponential(1 / (rates[0]! + rates[1]! + rates[2]!));
      next = (['busy', 'rest', 'outbound'] as const)[this.rng.weightedIndex(rates)]!;
    } else if (dt === undefined) {
      dt = this.rng.exponential(state === 'busy' ? P.busyMeanMs : P.restMeanMs);
    }
    const t = this.nowMs + Math.max(1, Math.round(dt));
    this.events.push(t, { kind: 'agent', agent, version: agent.version, next });
  }

  private agentMoves(agent: SimAgent, next: 'idle' | 'busy' | 'rest' | 'outbound'): void {
    const vdn = this.vdns[agent.vdnIndex]!;
    if (next !== 'outbound') {
      this.enter(vdn, agent, next);
      if (next === 'idle') this.dispatch(vdn);
      return;
    }
    const call = createCall({
      callId: this.nextCallId(),
      direction: 'outbound',
      ccId: vdn.ccId,
      vdn: vdn.vdn,
      vdnIndex: vdn.index,
      innoId: null,
      startMs: this.nowMs,
      callingNum: String(vdn.accessCodes[0] ?? vdn.vdn),
      calledNum: `13${this.rng.digits(9)}`,
      trunkNo: this.rng.int(1, 1023),
      ivrChannel: 0,
      agentId: agent.agentId,
    });
    this.calls.set(call.callId, call);
    vdn.agents.setState(agent, 'talking', this.nowMs, call.callId);
    this.periods.countOutbound(vdn.index);
    const talk = Math.max(P.talkMinMs, Math.round(this.rng.exponential(P.outboundTalkMeanMs)));
    this.events.push(this.nowMs + talk, { kind: 'talkEnd', call });
  }

  /** Signs agents in or out so the VDN matches its staffing; `initial` draws starting states. */
  private applyStaffing(vdn: SimVdn, initial: boolean): void {
    const target = signedInTarget(vdn.staffingOverride ?? this.staffing, vdn.agents.size);
    for (const agent of vdn.agents.setRoster(target)) {
      if (agent.rostered && agent.state === 'signedOut') {
        const r = initial ? this.rng.next() : 1;
        if (r < P.initialBusyShare) this.enter(vdn, agent, 'busy');
        else if (r < P.initialBusyShare + P.initialRestShare) this.enter(vdn, agent, 'rest');
        else this.enter(vdn, agent, 'idle');
      } else if (!agent.rostered && agent.state !== 'talking' && agent.state !== 'signedOut') {
        vdn.agents.setState(agent, 'signedOut', this.nowMs);
      }
    }
    this.dispatch(vdn);
  }
}
