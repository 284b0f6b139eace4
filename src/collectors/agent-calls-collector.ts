import { isCmsError } from '../cms/errors.js';
import type { CallCenterConfig } from '../config/types.js';
import type { Snapshot } from '../metrics/types.js';
import { callStartMs } from './call-start-time.js';
import { SnapshotBuilder, cachedNote } from './snapshot-builder.js';
import type { Collector, CollectorContext } from './types.js';
import { allOrAbort } from '../cms/all-or-abort.js';

/** What the agent-calls collector needs from the configuration. */
export interface AgentCallsCollectorOptions {
  callCenter: CallCenterConfig;
  intervalSeconds: number;
}

/** The start and queue wait of one current call whose details were answered. */
interface CallTiming {
  /** Epoch ms (querybasiccallinfo `time`, seconds scaled up). */
  startMs: number;
  /** Seconds (querybasiccallinfo `waitTime`). */
  waitSeconds: number;
}

interface AgentResult {
  vdn: number;
  agentId: number;
  /** Distinct call IDs the agent has now. */
  active: number;
  /** The earliest-started call among those whose details came back; null when none did. */
  oldest: CallTiming | null;
}

/**
 * `agent/queryagentcalls` + `calldata/querybasiccallinfo` → per watched agent: how many calls
 * they handle now and the age and queue wait of the oldest.
 *
 * Cost per run: one request per watched agent plus one per active call, ctx.maxTasksInFlight
 * agents at a time under the client's shared limiter (so the run lasts about requests /
 * cms.concurrency × latency).
 * A failing queryagentcalls fails the run and cancels the rest of it. A call whose details fail
 * (it ended between the two requests, typically: resultCode 0100001) is left out of the age
 * figures only; the client has already counted the failure in aicc_api_requests_total. An agent
 * with calls none of whose details came back gets no age/wait series (unknown is not 0).
 * Call IDs are never labels: their number is unbounded.
 */
export function createAgentCallsCollector(ctx: CollectorContext, options: AgentCallsCollectorOptions): Collector {
  const { ccId } = options.callCenter;
  const note = cachedNote(options.intervalSeconds);

  async function callTiming(vdn: number, callId: string, signal: AbortSignal): Promise<CallTiming | null> {
    try {
      const info = await ctx.api.queryBasicCallInfo({ ccId, vdn, callId }, { signal });
      const startMs = callStartMs(info.time);
      return startMs === null ? null : { startMs, waitSeconds: info.waitTime };
    } catch (err) {
      if (!isCmsError(err) || err.code === 'ABORTED') throw err;
      return null;
    }
  }

  async function oneAgent(vdn: number, agentId: number, signal: AbortSignal): Promise<AgentResult> {
    // A call listed twice is one call.
    const callIds = [...new Set(await ctx.api.queryAgentCalls({ ccId, vdn, agentId }, { signal }))];
    const timings = await Promise.all(callIds.map((callId) => callTiming(vdn, callId, signal)));
    let oldest: CallTiming | null = null;
    for (const t of timings) if (t && (oldest === null || t.startMs < oldest.startMs)) oldest = t;
    return { vdn, agentId, active: callIds.length, oldest };
  }

  /** Every agent, ctx.maxTasksInFlight at a time; the first failure aborts the others (no point finishing a failed run). */
  function allAgents(signal: AbortSignal): Promise<AgentResult[]> {
    const agents = options.callCenter.vdns.flatMap((v) => v.agents.map((agentId) => ({ vdn: v.id, agentId })));
    return allOrAbort(agents, signal, (a, runSignal) => oneAgent(a.vdn, a.agentId, runSignal), ctx.maxTasksInFlight);
  }

  return {
    name: 'agent_calls',
    ccId,
    async collect(signal: AbortSignal): Promise<Snapshot> {
      const results = await allAgents(signal);
      const now = ctx.now();

      const b = new SnapshotBuilder();
      const l = ['cc_id', 'vdn', 'agent_id'];
      const active = b.family(
        'aicc_agent_active_calls',
        'gauge',
        `Calls the watched agent is handling now (agent/queryagentcalls). ${note}`,
        l,
      );
      const age = b.family(
        'aicc_agent_oldest_call_age_seconds',
        'gauge',
        `Seconds since the agent's oldest current call entered the platform (exporter clock minus querybasiccallinfo time); 0 when the agent has none, absent when no call's details could be read. ${note}`,
        l,
      );
      const wait = b.family(
        'aicc_agent_oldest_call_wait_seconds',
        'gauge',
        `Queue wait of the agent's oldest current call, seconds (querybasiccallinfo waitTime); 0 when the agent has none, absent when no call's details could be read. ${note}`,
        l,
      );
      for (const r of results) {
        const labels = [ccId, r.vdn, r.agentId];
        active(labels, r.active);
        if (r.active === 0) {
          age(labels, 0);
          wait(labels, 0);
        } else if (r.oldest) {
          age(labels, Math.max(0, (now - r.oldest.startMs) / 1000));
          wait(labels, r.oldest.waitSeconds);
        }
      }
      return b.build();
    },
  };
}
