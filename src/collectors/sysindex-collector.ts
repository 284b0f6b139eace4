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
  const labels = new LabelColumns(String(ccId));

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
      return render(options.memory, labels, note);
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

const VDN_LABELS = ['cc_id', 'vdn'];
const STATE_LABELS = ['cc_id', 'vdn', 'state'];

/**
 * The label columns of the sysindex families for one list of VDNs: `byVdn` (cc_id, vdn per VDN)
 * and `byState` (cc_id, vdn, state per VDN and agent state). Rebuilt, as new arrays, only when
 * memory.entries() is another array (a VDN came or went); otherwise every run's snapshot shares
 * them, and a run only fills its value columns.
 */
class LabelColumns {
  #entries: readonly VdnEntry[] | null = null;
  byVdn: string[] = [];
  byState: string[] = [];

  constructor(private readonly ccId: string) {}

  /** The columns for `entries`, rebuilt if they are not the last entries seen. */
  of(entries: readonly VdnEntry[]): this {
    if (entries === this.#entries) return this;
    const byVdn = new Array<string>(VDN_LABELS.length * entries.length);
    const byState = new Array<string>(STATE_LABELS.length * AGENT_STATES.length * entries.length);
    let v = 0;
    let s = 0;
    for (const { vdn } of entries) {
      const id = String(vdn);
      byVdn[v++] = this.ccId;
      byVdn[v++] = id;
      for (const [state] of AGENT_STATES) {
        byState[s++] = this.ccId;
        byState[s++] = id;
        byState[s++] = state;
      }
    }
    this.byVdn = byVdn;
    this.byState = byState;
    this.#entries = entries;
    return this;
  }
}

function render(memory: SysindexMemory, labels: LabelColumns, note: string): Snapshot {
  const entries = memory.entries();
  const { byVdn, byState } = labels.of(entries);
  const n = entries.length;
  const states = AGENT_STATES.length;
  const online = new Array<number>(n);
  const agents = new Array<number>(states * n);
  const inbound = new Array<number>(n);
  const connected = new Array<number>(n);
  const outbound = new Array<number>(n);
  const ratio = new Array<number>(n);
  const period = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const { newest, totals } = entries[i]!;
    online[i] = newest.onlineAgentNums;
    for (let k = 0; k < states; k++) agents[i * states + k] = AGENT_STATES[k]![1](newest);
    inbound[i] = totals.inCall;
    connected[i] = totals.connected;
    outbound[i] = totals.outbound;
    ratio[i] = Math.min(1, Math.max(0, newest.callRate / 100));
    period[i] = newest.beginTime / 1000;
  }
  const b = new SnapshotBuilder();
  b.columns(
    'aicc_agents_online',
    'gauge',
    `Online agents, including those who take no inbound calls (sysindex onlineAgentNums, newest 5-minute period). ${note}`,
    VDN_LABELS,
    byVdn,
    online,
  );
  b.columns(
    'aicc_agents',
    'gauge',
    `Agents by state, excluding those who take no inbound calls: talking (talkingNums), idle (ideaAgentNum), busy (busyNums), rest (restNums); sysindex, newest 5-minute period. ${note}`,
    STATE_LABELS,
    byState,
    agents,
  );
  b.columns(
    'aicc_inbound_calls_total',
    'counter',
    `Inbound calls, the sum of sysindex incallNums over 5-minute periods since the exporter started. ${note}`,
    VDN_LABELS,
    byVdn,
    inbound,
  );
  b.columns(
    'aicc_inbound_calls_connected_total',
    'counter',
    `Manual inbound calls connected to an agent, the sum of sysindex rateNum over 5-minute periods. ${note}`,
    VDN_LABELS,
    byVdn,
    connected,
  );
  b.columns(
    'aicc_outbound_calls_total',
    'counter',
    `Outbound calls, the sum of sysindex callOutNums over 5-minute periods. ${note}`,
    VDN_LABELS,
    byVdn,
    outbound,
  );
  b.columns(
    'aicc_inbound_connection_ratio',
    'gauge',
    `Manual inbound connection ratio 0-1 of the newest 5-minute period (sysindex callRate / 100). ${note}`,
    VDN_LABELS,
    byVdn,
    ratio,
  );
  b.columns(
    'aicc_period_start_timestamp_seconds',
    'gauge',
    `Start of the newest sysindex 5-minute period the gauges come from, Unix seconds (beginTime / 1000). ${note}`,
    VDN_LABELS,
    byVdn,
    period,
  );
  return b.build();
}
