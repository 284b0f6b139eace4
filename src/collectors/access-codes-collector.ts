import type { AccessCodeCallInfo } from '../cms/types.js';
import type { CallCenterConfig } from '../config/types.js';
import { allOrAbort } from '../cms/all-or-abort.js';
import { SnapshotBuilder, cachedNote } from './snapshot-builder.js';
import type { Collector, CollectorContext } from './types.js';
import type { Snapshot } from '../metrics/types.js';
import { TimeSlicer } from '../metrics/time-slicer.js';
import { ACCESS_CODE_STAGES, AccessCodeLabels, type VdnRows } from './access-code-labels.js';

const CODE_LABELS = ['cc_id', 'vdn', 'access_code'];

/** What the access-codes collector needs from the configuration. */
export interface AccessCodesCollectorOptions {
  callCenter: CallCenterConfig;
  intervalSeconds: number;
}

/**
 * `vdn/queryaccesscodecallinfo` → per access code: calls by stage, online calls and the longest
 * wait. One request per VDN and 500 access codes (the client batches), all VDNs in parallel
 * under the client's shared limiter. Any failing request fails the run: a partial answer would
 * silently drop access codes from /metrics.
 */
export function createAccessCodesCollector(ctx: CollectorContext, options: AccessCodesCollectorOptions): Collector {
  const { ccId } = options.callCenter;
  const note = cachedNote(options.intervalSeconds);
  const labels = new AccessCodeLabels(String(ccId));
  return {
    name: 'access_codes',
    ccId,
    async collect(signal: AbortSignal): Promise<Snapshot> {
      const vdns = options.callCenter.vdns.filter((v) => v.accessCodes.length > 0);
      const answers = await allOrAbort(vdns, signal, async (v, runSignal) => ({
        vdn: v.id,
        asked: v.accessCodes,
        rows: await ctx.api.queryAccessCodeCallInfo({ ccId, vdn: v.id, innoIds: v.accessCodes }, { signal: runSignal }),
      }));
      const slicer = new TimeSlicer(); // 250,000 series take tens of ms: let scrapes in between
      // One row per access code asked, in the answer's order: the series of this run.
      const kept: VdnRows[] = [];
      let series = 0;
      for (const { vdn, asked, rows } of answers) {
        if (slicer.due()) await slicer.pause();
        const mine = oneRowPerAccessCode(rows, asked);
        kept.push({ vdn, rows: mine });
        series += mine.length;
      }
      await labels.update(kept, series, slicer);
      const calls = new Array<number>(ACCESS_CODE_STAGES.length * series);
      const online = new Array<number>(series);
      const wait = new Array<number>(series);
      let i = 0;
      for (const { rows } of kept) {
        if (slicer.due()) await slicer.pause();
        for (const row of rows) {
          // In ACCESS_CODE_STAGES order: ivr, queue, agent.
          calls[3 * i] = row.ivrCallCount;
          calls[3 * i + 1] = row.queueCallCount;
          calls[3 * i + 2] = row.agentCallCount;
          online[i] = row.allCallCount;
          wait[i] = row.longestWaitTime;
          i++;
        }
      }
      const b = new SnapshotBuilder();
      b.columns(
        'aicc_access_code_calls',
        'gauge',
        `Calls of the access code now in a stage: ivr (ivrCallCount), queue (queueCallCount) or agent (agentCallCount), from vdn/queryaccesscodecallinfo. ${note}`,
        [...CODE_LABELS, 'stage'],
        labels.byStage,
        calls,
      );
      b.columns(
        'aicc_access_code_online_calls',
        'gauge',
        `Online calls of the access code in any stage (allCallCount), from vdn/queryaccesscodecallinfo. ${note}`,
        CODE_LABELS,
        labels.byCode,
        online,
      );
      b.columns(
        'aicc_access_code_longest_wait_seconds',
        'gauge',
        `Longest wait among the access code's calls, in seconds (longestWaitTime), from vdn/queryaccesscodecallinfo. ${note}`,
        CODE_LABELS,
        labels.byCode,
        wait,
      );
      return b.build();
    },
  };
}

/**
 * The rows for the access codes asked for, one each (the first the CMS sent): a duplicate or an
 * access code nobody asked for would otherwise become a duplicate or unexpected series.
 */
function oneRowPerAccessCode(rows: readonly AccessCodeCallInfo[], asked: readonly number[]): AccessCodeCallInfo[] {
  const wanted = new Set(asked);
  const kept: AccessCodeCallInfo[] = [];
  for (const row of rows) {
    if (!wanted.delete(row.innoId)) continue;
    kept.push(row);
  }
  return kept;
}
