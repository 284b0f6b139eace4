import { isCmsError } from '../cms/errors.js';
import type { BasicCallInfo } from '../cms/types.js';
import type { CallCenterConfig } from '../config/types.js';
import type { Snapshot } from '../metrics/types.js';
import { SnapshotBuilder, cachedNote } from './snapshot-builder.js';
import type { Collector, CollectorContext } from './types.js';

/** What the agent-calls collector needs from the configuration. */
export interface AgentCallsCollectorOptions {
  callCenter: CallCenterConfig;
  intervalSeconds: number;
}

interface AgentResult {
  vdn: number;
  agentId: number;
  active: number;
  oldest: BasicCallInfo | null;
}

/**
 * `agent/queryagentcalls` + `calldata/querybasiccallinfo` → per watched agent: how many calls
 * they handle now and the age and queue wait of the oldest. Cost per run: one request per
 * agent plus one per active call, all in parallel under the client's shared limiter.
 * A failing queryagentcalls fails the run; a call whose details fail (it ended between the two
 * requests, typically) is left out of the age figures only. Call IDs are never labels.
 */
export function createAgentCallsCollector(ctx: CollectorContext, options: AgentCallsCollectorOptions): Collector {
  const { ccId } = options.callCenter;
  const note = cachedNote(options.intervalSeconds);

  async function oneAgent(vdn: number, agentId: number, signal: AbortSignal): Promise<AgentResult> {
    const callIds = await ctx.api.queryAgentCalls({ ccId, vdn, agentId }, { signal });
    const details = await Promise.all(
      callIds.map((callId) =>
        ctx.api.queryBasicCallInfo({ ccId, vdn, callId }, { signal }).catch((err: unknown) => {
          if (isCmsError(err) && err.code === 'ABORTED') throw err;
          return null;
        }),
      ),
    );
    let oldest: BasicCallInfo | null = null;
    for (const d of details) if (d && (oldest === null || d.time < oldest.time)) oldest = d;
    return { vdn, agentId, active: callIds.length, oldest };
  }

  return {
    name: 'agent_calls',
    ccId,
    async collect(signal: AbortSignal): Promise<Snapshot> {
      const work: Promise<AgentResult>[] = [];
      for (const v of options.callCenter.vdns) for (const agentId of v.agents) work.push(oneAgent(v.id, agentId, signal));
      const results = await Promise.all(work);
      const now = ctx.now();

      const b = new SnapshotBuilder();
      const l = ['cc_id', 'vdn', 'agent_id'];
      const active = b.family(
        'aicc_agent_active_calls',
        'gauge',
        `Calls the agent is handling now (length of agent/queryagentcalls resultDesc). ${note}`,
        l,
      );
      const age = b.family(
        'aicc_agent_oldest_call_age_seconds',
        'gauge',
        `Seconds since the agent's oldest current call entered the platform (now minus querybasiccallinfo time); 0 when the agent has none. ${note}`,
        l,
      );
      const wait = b.family(
        'aicc_agent_oldest_call_wait_seconds',
        'gauge',
        `Queue wait of the agent's oldest current call, in seconds (querybasiccallinfo waitTime); 0 when the agent has none. ${note}`,
        l,
      );
      for (const r of results) {
        const labels = [ccId, r.vdn, r.agentId];
        active(labels, r.active);
        age(labels, r.oldest ? Math.max(0, (now - r.oldest.time) / 1000) : 0);
        wait(labels, r.oldest ? r.oldest.waitTime : 0);
      }
      return b.build();
    },
  };
}
