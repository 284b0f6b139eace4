import type { CollectorKey, Config } from '../config/types.js';
import type { ScheduledJob } from '../scheduler/scheduler.js';
import { staggerOffsets } from '../scheduler/scheduler.js';
import { discoveredVdnFilter, filterCallCentersForShard, ownsCtiClock } from '../sharding/shard-assignment.js';
import { createAccessCodesCollector } from './access-codes-collector.js';
import { createAgentCallsCollector } from './agent-calls-collector.js';
import { createCtiServerTimeCollector } from './cti-server-time-collector.js';
import { createSysindexCollector } from './sysindex-collector.js';
import { SysindexMemory } from './sysindex-memory.js';
import type { CollectorContext, CollectorName } from './types.js';

/** The config key of each collector name (the `collector` label uses the snake_case name). */
export const COLLECTOR_KEYS: Readonly<Record<CollectorName, CollectorKey>> = {
  sysindex: 'sysindex',
  access_codes: 'accessCodes',
  cti_server_time: 'ctiServerTime',
  agent_calls: 'agentCalls',
};

/**
 * Decides which collectors run for which call centers in this process, from the configuration
 * and this process's shard:
 * - sysindex for every call center with VDNs this shard owns, or in discovery mode (then the
 *   collector keeps only the discovered VDNs this shard owns);
 * - access codes / agent calls for call centers whose owned VDNs list access codes / agents;
 * - the CTI clock on exactly one shard per call center.
 * `memories` keeps sysindex counter memory per call center across calls (configuration reloads).
 */
export function planCollectors(
  config: Pick<Config, 'callCenters' | 'collectors' | 'shard'>,
  ctx: CollectorContext,
  memories: Map<number, SysindexMemory>,
): ScheduledJob[] {
  const { collectors, shard } = config;
  const owned = new Map(filterCallCentersForShard(config.callCenters, shard).map((cc) => [cc.ccId, cc]));
  const planned: Array<{ job: Omit<ScheduledJob, 'offsetMs'> }> = [];
  const add = (collector: ScheduledJob['collector'], intervalSeconds: number) =>
    planned.push({ job: { collector, intervalMs: intervalSeconds * 1000 } });

  for (const { ccId } of config.callCenters) {
    const cc = owned.get(ccId);
    if (cc && collectors.sysindex.enabled) {
      let memory = memories.get(ccId);
      if (!memory) memories.set(ccId, (memory = new SysindexMemory()));
      const s = collectors.sysindex;
      add(
        createSysindexCollector(ctx, {
          callCenter: cc,
          intervalSeconds: s.intervalSeconds,
          lookbackMinutes: s.lookbackMinutes,
          memory,
          ownsVdn: discoveredVdnFilter(shard, ccId),
        }),
        s.intervalSeconds,
      );
    }
    if (cc && collectors.accessCodes.enabled && cc.vdns.some((v) => v.accessCodes.length > 0)) {
      const s = collectors.accessCodes;
      add(createAccessCodesCollector(ctx, { callCenter: cc, intervalSeconds: s.intervalSeconds }), s.intervalSeconds);
    }
    if (collectors.ctiServerTime.enabled && ownsCtiClock(shard, ccId)) {
      const s = collectors.ctiServerTime;
      add(createCtiServerTimeCollector(ctx, { ccId, intervalSeconds: s.intervalSeconds }), s.intervalSeconds);
    }
    if (cc && collectors.agentCalls.enabled && cc.vdns.some((v) => v.agents.length > 0)) {
      const s = collectors.agentCalls;
      add(createAgentCallsCollector(ctx, { callCenter: cc, intervalSeconds: s.intervalSeconds }), s.intervalSeconds);
    }
  }
  for (const ccId of [...memories.keys()]) if (!owned.has(ccId)) memories.delete(ccId);

  const offsets = staggerOffsets(planned.length);
  return planned.map(({ job }, i) => ({ ...job, offsetMs: offsets[i]! }));
}
