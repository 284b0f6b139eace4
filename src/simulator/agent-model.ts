import type { Prng } from './prng.js';

/**
 * The agents of one VDN and their states. Counts by state are kept incrementally so the sysindex
 * gauges of a VDN cost O(1); the roster (who should be signed in) follows the staffing setting.
 */

/** States an agent moves between. `signedOut` agents are not online. */
export type AgentState = 'signedOut' | 'idle' | 'talking' | 'busy' | 'rest';

/** One agent. Mutated only by the model. */
export interface SimAgent {
  readonly agentId: number;
  readonly vdnIndex: number;
  state: AgentState;
  /** Model time the current state was entered, epoch ms. */
  since: number;
  /** The call the agent is talking on (state `talking` only). */
  callId: string | null;
  /** Whether staffing wants this agent signed in; a talking agent leaves after the call. */
  rostered: boolean;
  /** Bumped on every state change; a scheduled voluntary change with an older version is stale. */
  version: number;
}

/** Agents by state, as the model accessors and sysindex report them. */
export interface AgentCounts {
  online: number;
  talking: number;
  idle: number;
  busy: number;
  rest: number;
  signedOut: number;
}

export class AgentPool {
  readonly agents: SimAgent[];
  private readonly byId = new Map<number, SimAgent>();
  private readonly counts: Record<AgentState, number> = { signedOut: 0, idle: 0, talking: 0, busy: 0, rest: 0 };
  /** Seeded order in which agents are rostered: the first `n` are signed in when staffing is `n`. */
  private readonly rosterOrder: SimAgent[];

  constructor(vdnIndex: number, agentIds: readonly number[], rng: Prng, now: number) {
    this.agents = agentIds.map((agentId) => ({
      agentId,
      vdnIndex,
      state: 'signedOut' as AgentState,
      since: now,
      callId: null,
      rostered: false,
      version: 0,
    }));
    for (const a of this.agents) this.byId.set(a.agentId, a);
    this.counts.signedOut = this.agents.length;
    this.rosterOrder = rng.shuffled(this.agents);
  }

  get size(): number {
    return this.agents.length;
  }

  get(agentId: number): SimAgent | undefined {
    return this.byId.get(agentId);
  }

  /** Agents by state right now. */
  snapshot(): AgentCounts {
    const c = this.counts;
    return {
      online: this.agents.length - c.signedOut,
      talking: c.talking,
      idle: c.idle,
      busy: c.busy,
      rest: c.rest,
      signedOut: c.signedOut,
    };
  }

  /** Moves an agent to `state` at model time `now`, keeping the counts right. */
  setState(agent: SimAgent, state: AgentState, now: number, callId: string | null = null): void {
    this.counts[agent.state]--;
    this.counts[state]++;
    agent.state = state;
    agent.since = now;
    agent.callId = state === 'talking' ? callId : null;
    agent.version++;
  }

  /** The agent idle the longest (ties: the earlier in the roster), or undefined when none is idle. */
  longestIdle(): SimAgent | undefined {
    if (this.counts.idle === 0) return undefined;
    let best: SimAgent | undefined;
    for (const a of this.rosterOrder) {
      if (a.state === 'idle' && (best === undefined || a.since < best.since)) best = a;
    }
    return best;
  }

  /**
   * Marks the first `target` agents of the roster order as rostered and the rest as not.
   * Returns the agents whose `rostered` flag changed, in roster order; the model moves them.
   */
  setRoster(target: number): SimAgent[] {
    const changed: SimAgent[] = [];
    this.rosterOrder.forEach((a, i) => {
      const want = i < target;
      if (a.rostered !== want) {
        a.rostered = want;
        changed.push(a);
      }
    });
    return changed;
  }
}
