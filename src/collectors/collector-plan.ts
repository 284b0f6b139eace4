import type { CallCenterConfig, CollectorKey, Config } from '../config/types.js';
import { snapshotKey } from '../scheduler/run-outcomes.js';
import type { ScheduledJob } from '../scheduler/scheduler.js';
import { staggerOffset } from '../scheduler/scheduler.js';
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

type PlanConfig = Pick<Config, 'callCenters' | 'collectors' | 'shard'>;

/** One job to plan: which collector, for which call center (this shard's part of it). */
interface PlanEntry {
  name: CollectorName;
  ccId: number;
  /** The call center as this shard polls it (owned VDNs only); null for the CTI clock. */
  callCenter: CallCenterConfig | null;
  intervalSeconds: number;
}

/**
 * The decisions behind planCollectors and plannedScopes, in one place:
 * - sysindex for every call center with VDNs this shard owns, or in discovery mode;
 * - access codes / agent calls for call centers whose owned VDNs list access codes / agents;
 * - the CTI clock on exactly one shard per call center (even one owning none of its VDNs).
 */
function planEntries(config: PlanConfig): PlanEntry[] {
  const { collectors, shard } = config;
  const owned = new Map(filterCallCentersForShard(config.callCenters, shard).map((cc) => [cc.ccId, cc]));
  const entries: PlanEntry[] = [];
  for (const { ccId } of config.callCenters) {
    const cc = owned.get(ccId) ?? null;
    if (cc && collectors.sysindex.enabled) {
      entries.push({ name: 'sysindex', ccId, callCenter: cc, intervalSeconds: collectors.sysindex.intervalSeconds });
    }
    if (cc && collectors.accessCodes.enabled && cc.vdns.some((v) => v.accessCodes.length > 0)) {
      entries.push({ name: 'access_codes', ccId, callCenter: cc, intervalSeconds: collectors.accessCodes.intervalSeconds });
    }
    if (collectors.ctiServerTime.enabled && ownsCtiClock(shard, ccId)) {
      entries.push({ name: 'cti_server_time', ccId, callCenter: null, intervalSeconds: collectors.ctiServerTime.intervalSeconds });
    }
    if (cc && collectors.agentCalls.enabled && cc.vdns.some((v) => v.agents.length > 0)) {
      entries.push({ name: 'agent_calls', ccId, callCenter: cc, intervalSeconds: collectors.agentCalls.intervalSeconds });
    }
  }
  return entries;
}

/**
 * Decides which collectors run for which call centers in this process, from the configuration
 * and this process's shard (see planEntries); in discovery mode the sysindex collector keeps only
 * the discovered VDNs this shard owns. First runs are staggered over at most 2 s.
 * `memories` keeps sysindex counter memory per call center across calls (configuration reloads);
 * the memory of a call center this shard no longer polls is forgotten.
 */
export function planCollectors(config: PlanConfig, ctx: CollectorContext, memories: Map<number, SysindexMemory>): ScheduledJob[] {
  const entries = planEntries(config);
  const jobs = entries.map(({ name, ccId, callCenter, intervalSeconds }) => {
    const cc = callCenter!;
    switch (name) {
      case 'sysindex': {
        let memory = memories.get(ccId);
        if (!memory) memories.set(ccId, (memory = new SysindexMemory()));
        const { lookbackMinutes } = config.collectors.sysindex;
        const ownsVdn = discoveredVdnFilter(config.shard, ccId);
        return createSysindexCollector(ctx, { callCenter: cc, intervalSeconds, lookbackMinutes, memory, ownsVdn });
      }
      case 'access_codes':
        return createAccessCodesCollector(ctx, { callCenter: cc, intervalSeconds });
      case 'agent_calls':
        return createAgentCallsCollector(ctx, { callCenter: cc, intervalSeconds });
      case 'cti_server_time':
        return createCtiServerTimeCollector(ctx, { ccId, intervalSeconds });
    }
  });
  const polled = new Set(entries.filter((e) => e.name === 'sysindex').map((e) => e.ccId));
  for (const ccId of [...memories.keys()]) if (!polled.has(ccId)) memories.delete(ccId);

  return jobs.map((collector, i) => {
    const intervalMs = entries[i]!.intervalSeconds * 1000;
    return { collector, intervalMs, offsetMs: staggerOffset(i, jobs.length, intervalMs) };
  });
}

/**
 * What each job planned for `config` exports, by snapshot key (`collector:ccId`): one string per
 * VDN (`v:170`), access code (`a:170:5`) or agent (`g:170:101`) it covers; in discovery mode the
 * shard (`discovery:1/3`), since the VDNs are only known at run time. A job whose scope loses an
 * element on a reload serves series that are no longer configured until its next success.
 */
export function plannedScopes(config: PlanConfig): Map<string, Set<string>> {
  const scopes = new Map<string, Set<string>>();
  for (const { name, ccId, callCenter } of planEntries(config)) {
    const scope = new Set<string>();
    const vdns = callCenter?.vdns ?? [];
    if (name === 'sysindex' && vdns.length === 0) scope.add(`discovery:${config.shard.index}/${config.shard.total}`);
    for (const v of vdns) {
      if (name === 'sysindex') scope.add(`v:${v.id}`);
      if (name === 'access_codes') for (const a of v.accessCodes) scope.add(`a:${v.id}:${a}`);
      if (name === 'agent_calls') for (const g of v.agents) scope.add(`g:${v.id}:${g}`);
    }
    scopes.set(snapshotKey(name, ccId), scope);
  }
  return scopes;
}
