import type { AccessCodeCallInfo } from '../cms/types.js';
import type { CallCenterConfig } from '../config/types.js';
import { allOrAbort } from '../cms/all-or-abort.js';
import { SnapshotBuilder, cachedNote } from './snapshot-builder.js';
import type { Collector, CollectorContext } from './types.js';
import type { Snapshot } from '../metrics/types.js';
import { TimeSlicer } from '../metrics/time-slicer.js';

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
      const b = new SnapshotBuilder();
      const labels = ['cc_id', 'vdn', 'access_code'];
      const codes = answers.reduce((n, a) => n + a.asked.length, 0);
      const calls = b.family(
        'aicc_access_code_calls',
        'gauge',
        `Calls of the access code now in a stage: ivr (ivrCallCount), queue (queueCallCount) or agent (agentCallCount), from vdn/queryaccesscodecallinfo. ${note}`,
        [...labels, 'stage'],
        3 * codes,
      );
      const online = b.family(
        'aicc_access_code_online_calls',
        'gauge',
        `Online calls of the access code in any stage (allCallCount), from vdn/queryaccesscodecallinfo. ${note}`,
        labels,
        codes,
      );
      const wait = b.family(
        'aicc_access_code_longest_wait_seconds',
        'gauge',
        `Longest wait among the access code's calls, in seconds (longestWaitTime), from vdn/queryaccesscodecallinfo. ${note}`,
        labels,
        codes,
      );
      // Label strings are made once and shared: at 50,000 access codes every copy counts. For
      // the same reason the label arrays are two scratch arrays, refilled for every series.
      const cc = String(ccId);
      const byStage = [cc, '', '', ''];
      const byCode = [cc, '', ''];
      const slicer = new TimeSlicer(); // 250,000 series take ~60 ms: let scrapes in between
      for (const { vdn, asked, rows } of answers) {
        if (slicer.due()) await slicer.pause();
        byStage[1] = byCode[1] = String(vdn);
        for (const row of oneRowPerAccessCode(rows, asked)) {
          byStage[2] = byCode[2] = String(row.innoId);
          byStage[3] = 'ivr';
          calls(byStage, row.ivrCallCount);
          byStage[3] = 'queue';
          calls(byStage, row.queueCallCount);
          byStage[3] = 'agent';
          calls(byStage, row.agentCallCount);
          online(byCode, row.allCallCount);
          wait(byCode, row.longestWaitTime);
        }
      }
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
