import type { SysindexRow } from '../cms/types.js';
import type { CallCenterConfig } from '../config/types.js';
import type { MetricType, Snapshot } from '../metrics/types.js';
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
 * configured the collector covers every VDN the CMS reports (discovery). Each VDN batch is
 * folded in as it arrives (onRows), so that when the last answer comes only its own batch, the
 * end of the run and the render are left; an API that hands nothing over gets its rows folded
 * from the returned list.
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
      const run = options.memory.startRun(begin);
      const fold = (rows: readonly SysindexRow[]): void => {
        const mine: SysindexRow[] = [];
        for (const r of rows) if (r.ccId === ccId && (wanted ? wanted.has(r.vdn) : owns(r.vdn))) mine.push(r);
        run.add(mine);
      };
      let handedOver = 0;
      const onRows = (rows: readonly SysindexRow[]): void => {
        handedOver += rows.length;
        fold(rows);
      };
      const rows = await ctx.api.querySysindex(
        { ccId, vdns: wanted ? configured : undefined, begin: new Date(begin), end: new Date(now) },
        { signal, onRows },
      );
      if (handedOver !== rows.length) fold(rows);
      run.finish(now, lookbackMs);
      return render(options.memory, labels, note);
    },
  };
}

/**
 * The `state` label values of aicc_agents, in series order; valueColumns() reads talkingNums,
 * ideaAgentNum, busyNums and restNums in the same order.
 */
const AGENT_STATES = ['talking', 'idle', 'busy', 'rest'] as const;

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
      for (const state of AGENT_STATES) {
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

/** The value columns of one run: one value per VDN (per VDN and state for `agents`), in entry order. */
interface ValueColumns {
  online: number[];
  agents: number[];
  inCall: number[];
  connected: number[];
  outbound: number[];
  connectionRatio: number[];
  periodStart: number[];
}

/**
 * Fills every value column in one pass over the VDNs: the render is on the critical path at the
 * end of a run, and in the first runs of a process its code is not yet compiled, when one loop
 * costs a fraction of seven.
 */
function valueColumns(entries: readonly VdnEntry[]): ValueColumns {
  const n = entries.length;
  const c: ValueColumns = {
    online: new Array<number>(n),
    agents: new Array<number>(n * AGENT_STATES.length),
    inCall: new Array<number>(n),
    connected: new Array<number>(n),
    outbound: new Array<number>(n),
    connectionRatio: new Array<number>(n),
    periodStart: new Array<number>(n),
  };
  let s = 0;
  for (let i = 0; i < n; i++) {
    const { newest, totals } = entries[i]!;
    c.online[i] = newest.onlineAgentNums;
    c.agents[s++] = newest.talkingNums;
    c.agents[s++] = newest.ideaAgentNum;
    c.agents[s++] = newest.busyNums;
    c.agents[s++] = newest.restNums;
    c.inCall[i] = totals.inCall;
    c.connected[i] = totals.connected;
    c.outbound[i] = totals.outbound;
    c.connectionRatio[i] = Math.min(1, Math.max(0, newest.callRate / 100));
    c.periodStart[i] = newest.beginTime / 1000;
  }
  return c;
}

/** One sysindex family: its name, type, HELP (the cache note is appended) and value column. */
interface SysindexFamily {
  name: string;
  type: MetricType;
  help: string;
  /** Labelled by VDN and agent state (AGENT_STATES order), not by VDN alone. */
  byState?: true;
  column: keyof ValueColumns;
}

/** The families in the order the exposition lists them. */
const FAMILIES: readonly SysindexFamily[] = [
  {
    name: 'aicc_agents_online',
    type: 'gauge',
    help: 'Online agents, including those who take no inbound calls (sysindex onlineAgentNums, newest 5-minute period).',
    column: 'online',
  },
  {
    name: 'aicc_agents',
    type: 'gauge',
    help: 'Agents by state, excluding those who take no inbound calls: talking (talkingNums), idle (ideaAgentNum), busy (busyNums), rest (restNums); sysindex, newest 5-minute period.',
    byState: true,
    column: 'agents',
  },
  {
    name: 'aicc_inbound_calls_total',
    type: 'counter',
    help: 'Inbound calls, the sum of sysindex incallNums over 5-minute periods since the exporter started.',
    column: 'inCall',
  },
  {
    name: 'aicc_inbound_calls_connected_total',
    type: 'counter',
    help: 'Manual inbound calls connected to an agent, the sum of sysindex rateNum over 5-minute periods.',
    column: 'connected',
  },
  {
    name: 'aicc_outbound_calls_total',
    type: 'counter',
    help: 'Outbound calls, the sum of sysindex callOutNums over 5-minute periods.',
    column: 'outbound',
  },
  {
    name: 'aicc_inbound_connection_ratio',
    type: 'gauge',
    help: 'Manual inbound connection ratio 0-1 of the newest 5-minute period (sysindex callRate / 100).',
    column: 'connectionRatio',
  },
  {
    name: 'aicc_period_start_timestamp_seconds',
    type: 'gauge',
    help: 'Start of the newest sysindex 5-minute period the gauges come from, Unix seconds (beginTime / 1000).',
    column: 'periodStart',
  },
];

function render(memory: SysindexMemory, labels: LabelColumns, note: string): Snapshot {
  const entries = memory.entries();
  const { byVdn, byState } = labels.of(entries);
  const values = valueColumns(entries);
  const b = new SnapshotBuilder();
  for (const f of FAMILIES) {
    b.columns(f.name, f.type, `${f.help} ${note}`, f.byState ? STATE_LABELS : VDN_LABELS, f.byState ? byState : byVdn, values[f.column]);
  }
  return b.build();
}
