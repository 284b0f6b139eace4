import type { SysindexRow } from '../cms/types.js';
import type { CallCenterConfig } from '../config/types.js';
import type { Snapshot } from '../metrics/types.js';
import { SnapshotBuilder, cachedNote } from './snapshot-builder.js';
import type { SysindexMemory, VdnEntry } from './sysindex-memory.js';
import type { Collector, CollectorContext } from './types.js';

/** What the sysindex collector needs from the configuration. */
export interface SysindexCollectorOptions {
  callCenter: CallCenterConfig;
  intervalSeconds: number;
  /** Width of the first query window, minutes. */
  lookbackMinutes: number;
  /** Counter memory that outlives the collector (configuration reloads). */
  memory: SysindexMemory;
  /** Sharding: whether this process serves a discovered VDN. Defaults to all. */
  ownsVdn?: (vdn: number) => boolean;
}

/**
 * `cti/sysindex` → agents by state and call counters per VDN. Gauges come from the newest
 * 5-minute period of each VDN; counters sum the periods (SysindexMemory). With no VDNs
 * configured the collector covers every VDN the CMS reports (discovery).
 */
export function createSysindexCollector(ctx: CollectorContext, options: SysindexCollectorOptions): Collector {
  const { ccId } = options.callCenter;
  const note = cachedNote(options.intervalSeconds);
  const configured = options.callCenter.vdns.map((v) => v.id);
  const wanted = configured.length > 0 ? new Set(configured) : null;
  const owns = options.ownsVdn ?? (() => true);
  const lookbackMs = options.lookbackMinutes * 60_000;

  return {
    name: 'sysindex',
    ccId,
    async collect(signal: AbortSignal): Promise<Snapshot> {
      const now = ctx.now();
      const begin = options.memory.windowStart(now, lookbackMs);
      const rows = await ctx.api.querySysindex(
        { ccId, vdns: wanted ? configured : undefined, begin: new Date(begin), end: new Date(now) },
        { signal },
      );
      const mine: SysindexRow[] = [];
      for (const r of rows) if (r.ccId === ccId && (wanted ? wanted.has(r.vdn) : owns(r.vdn))) mine.push(r);
      options.memory.apply(mine, now, begin, lookbackMs);
      return render(ccId, options.memory, note);
    },
  };
}

/** The `state` label of aicc_agents and the sysindex field it counts. */
const AGENT_STATES: ReadonlyArray<readonly [string, (row: SysindexRow) => number]> = [
  ['talking', (r) => r.talkingNums],
  ['idle', (r) => r.ideaAgentNum],
  ['busy', (r) => r.busyNums],
  ['rest', (r) => r.restNums],
];

/** The families of one snapshot, each a series writer from SnapshotBuilder.family. */
interface SysindexFamilies {
  online: SeriesWriter;
  agents: SeriesWriter;
  inbound: SeriesWriter;
  connected: SeriesWriter;
  outbound: SeriesWriter;
  ratio: SeriesWriter;
  period: SeriesWriter;
}

type SeriesWriter = ReturnType<SnapshotBuilder['family']>;

function render(ccId: number, memory: SysindexMemory, note: string): Snapshot {
  const b = new SnapshotBuilder();
  const families = declareFamilies(b, memory.size, note);
  // The builder copies label values out at once, so two scratch arrays serve every series.
  const v = [String(ccId), ''];
  const vs = [v[0]!, '', ''];
  // One call per VDN: the loop body stays compiled on its own, whatever becomes of render's.
  for (const entry of memory.entries()) writeVdn(families, v, vs, entry);
  return b.build();
}

function writeVdn(f: SysindexFamilies, v: string[], vs: string[], { vdn, newest, totals }: VdnEntry): void {
  v[1] = vs[1] = String(vdn);
  f.online(v, newest.onlineAgentNums);
  for (const [state, count] of AGENT_STATES) {
    vs[2] = state;
    f.agents(vs, count(newest));
  }
  f.inbound(v, totals.inCall);
  f.connected(v, totals.connected);
  f.outbound(v, totals.outbound);
  f.ratio(v, Math.min(1, Math.max(0, newest.callRate / 100)));
  f.period(v, newest.beginTime / 1000);
}

function declareFamilies(b: SnapshotBuilder, n: number, note: string): SysindexFamilies {
  const l = ['cc_id', 'vdn'];
  return {
    online: b.family(
      'aicc_agents_online',
      'gauge',
      `Online agents, including those who take no inbound calls (sysindex onlineAgentNums, newest 5-minute period). ${note}`,
      l,
      n,
    ),
    agents: b.family(
      'aicc_agents',
      'gauge',
      `Agents by state, excluding those who take no inbound calls: talking (talkingNums), idle (ideaAgentNum), busy (busyNums), rest (restNums); sysindex, newest 5-minute period. ${note}`,
      [...l, 'state'],
      4 * n,
    ),
    inbound: b.family(
      'aicc_inbound_calls_total',
      'counter',
      `Inbound calls, the sum of sysindex incallNums over 5-minute periods since the exporter started. ${note}`,
      l,
      n,
    ),
    connected: b.family(
      'aicc_inbound_calls_connected_total',
      'counter',
      `Manual inbound calls connected to an agent, the sum of sysindex rateNum over 5-minute periods. ${note}`,
      l,
      n,
    ),
    outbound: b.family(
      'aicc_outbound_calls_total',
      'counter',
      `Outbound calls, the sum of sysindex callOutNums over 5-minute periods. ${note}`,
      l,
      n,
    ),
    ratio: b.family(
      'aicc_inbound_connection_ratio',
      'gauge',
      `Manual inbound connection ratio 0-1 of the newest 5-minute period (sysindex callRate / 100). ${note}`,
      l,
      n,
    ),
    period: b.family(
      'aicc_period_start_timestamp_seconds',
      'gauge',
      `Start of the newest sysindex 5-minute period the gauges come from, Unix seconds (beginTime / 1000). ${note}`,
      l,
      n,
    ),
  };
}
