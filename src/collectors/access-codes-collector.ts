import type { CallCenterConfig } from '../config/types.js';
import { allOrAbort } from '../cms/all-or-abort.js';
import { SnapshotBuilder, cachedNote } from './snapshot-builder.js';
import type { Collector, CollectorContext } from './types.js';
import type { Snapshot } from '../metrics/types.js';
import { TimeSlicer } from '../metrics/time-slicer.js';
import { ACCESS_CODE_STAGES, AccessCodeLabels } from './access-code-labels.js';
import { AccessCodeAnswers } from './access-code-answers.js';

const CODE_LABELS = ['cc_id', 'vdn', 'access_code'];

/** What the access-codes collector needs from the configuration. */
export interface AccessCodesCollectorOptions {
  callCenter: CallCenterConfig;
  intervalSeconds: number;
}

/**
 * `vdn/queryaccesscodecallinfo` → per access code: calls by stage, online calls and the longest
 * wait. One request per VDN and 500 access codes (the client batches), ctx.maxTasksInFlight VDNs
 * at a time under the client's shared limiter. Any failing request fails the run: a partial
 * answer would silently drop access codes from /metrics.
 */
export function createAccessCodesCollector(ctx: CollectorContext, options: AccessCodesCollectorOptions): Collector {
  const { ccId } = options.callCenter;
  const note = cachedNote(options.intervalSeconds);
  const labels = new AccessCodeLabels(String(ccId));
  const answers = new AccessCodeAnswers();
  return {
    name: 'access_codes',
    ccId,
    async collect(signal: AbortSignal): Promise<Snapshot> {
      const vdns = options.callCenter.vdns.filter((v) => v.accessCodes.length > 0);
      answers.begin(vdns);
      // Each answer is copied into `answers` as it arrives, so its parsed rows die young.
      await allOrAbort([...vdns.keys()], signal, async (i, runSignal) => {
        const v = vdns[i]!;
        const rows = await ctx.api.queryAccessCodeCallInfo({ ccId, vdn: v.id, innoIds: v.accessCodes }, { signal: runSignal });
        answers.keep(i, rows, v.accessCodes);
      }, ctx.maxTasksInFlight);
      const slicer = new TimeSlicer(); // 250,000 series take tens of ms: let scrapes in between
      const series = answers.series;
      await labels.update(answers, slicer);
      const calls = new Array<number>(ACCESS_CODE_STAGES.length * series);
      const online = new Array<number>(series);
      const wait = new Array<number>(series);
      const { start, filled } = answers;
      let i = 0;
      for (let v = 0; v < start.length; v++) {
        if (slicer.due()) await slicer.pause();
        for (let slot = start[v]!, end = slot + filled[v]!; slot < end; slot++) {
          // In ACCESS_CODE_STAGES order: ivr, queue, agent.
          calls[3 * i] = answers.calls(slot, 0);
          calls[3 * i + 1] = answers.calls(slot, 1);
          calls[3 * i + 2] = answers.calls(slot, 2);
          online[i] = answers.online(slot);
          wait[i] = answers.longestWait(slot);
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
