import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CmsEndpoint } from '../src/cms/types.js';
import type { PhaseRecord } from './fault-driver.js';
import type { Recovery } from './recovery-check.js';
import { percentile, scrapeLatency, type Assertion, type RetryBudgetRow, type SoakData } from './soak-assertions.js';
import { SOAK_CMS, SOAK_COLLECTORS, SOAK_SCENARIO } from './soak-config.js';

/** The soak's outcome: a markdown report (stdout) and a JSON record (soak/results/). */

/** What the report is made of. */
export interface SoakOutcome {
  minutes: number;
  startedAt: string;
  assertions: Assertion[];
  recoveries: Recovery[];
  budgets: RetryBudgetRow[];
  data: SoakData;
}

const SHORT: Record<CmsEndpoint, string> = {
  sysindex: 'sysindex',
  cti_server_time: 'ctiservertime',
  access_code_call_info: 'accesscodes',
  agent_calls: 'agentcalls',
  basic_call_info: 'basiccallinfo',
};

function phaseRow(r: PhaseRecord, rec: readonly Recovery[], t0: number): string {
  const faults = r.phase.global ?? r.phase.endpointFaults.map((f) => `${SHORT[f.endpoint]}: ${f.kind}`).join(', ');
  const mine = rec.filter((x) => x.phaseIndex === r.phase.index);
  const down = mine.filter((x) => x.wentDown).map((x) => x.collector).join(', ') || '—';
  const worst = Math.max(0, ...mine.map((x) => x.recoverySeconds ?? Infinity));
  const s = (ms: number) => ((ms - t0) / 1000).toFixed(0);
  return `| ${r.phase.name} | ${s(r.startMs)}–${s(r.faultEndMs)}–${s(r.endMs)} | ${faults} | ${down} | ${worst.toFixed(2)} |`;
}

/** The markdown report: the assertions, the phases, the warnings and errors logged. */
export function renderMarkdown(o: SoakOutcome): string {
  const { data } = o;
  const failed = o.assertions.filter((a) => !a.pass).length;
  const lines = [
    `# Soak: ${o.minutes} minute(s), ${failed === 0 ? 'PASS' : `FAIL (${failed})`}`,
    '',
    `Started ${o.startedAt}; ${data.records.length} phases; exporter: cms.timeoutSeconds ${SOAK_CMS.timeoutSeconds}, ` +
      `concurrency ${SOAK_CMS.concurrency}, retries ${SOAK_CMS.retries}, retryMaxDelaySeconds ${SOAK_CMS.retryMaxDelaySeconds}; ` +
      `intervals ${Object.entries(SOAK_COLLECTORS).map(([c, s]) => `${c} ${s.intervalSeconds} s × ${s.staleAfterIntervals}`).join(', ')}; ` +
      `scenario ${SOAK_SCENARIO.vdnsPerCallCenter} VDNs, ${SOAK_SCENARIO.accessCodesPerVdn} access codes and ${SOAK_SCENARIO.agentsPerVdn} agents per VDN.`,
    '',
    '| assertion | result | numbers |',
    '|---|---|---|',
    ...o.assertions.map((a) => `| ${a.name} | ${a.pass ? 'pass' : '**FAIL**'} | ${a.detail.replace(/\|/g, '\\|')} |`),
    '',
    '## Phases',
    '',
    'Times in seconds from the start: fault on – fault cleared – phase end. "Down": collectors seen with aicc_up 0.',
    '',
    '| phase | times | faults | down | slowest recovery (s) |',
    '|---|---|---|---|---|',
    ...data.records.map((r) => phaseRow(r, o.recoveries, data.t0Ms)),
    '',
  ];
  const warn = [...data.log.messages.entries()].sort((a, b) => b[1].count - a[1].count);
  if (warn.length) {
    lines.push('## Warnings and errors logged', '', '| level: message | count |', '|---|---|');
    for (const [key, v] of warn.slice(0, 25)) lines.push(`| ${key.replace(/\|/g, '\\|').slice(0, 160)} | ${v.count} |`);
    lines.push('');
  }
  return lines.join('\n');
}

/** The JSON record (assertions, per-phase figures, the raw series to re-check them) and the markdown beside it (.md). */
export function writeJson(file: string, o: SoakOutcome): void {
  const d = o.data;
  const json = {
    minutes: o.minutes,
    startedAt: o.startedAt,
    pass: o.assertions.every((a) => a.pass),
    settings: { cms: SOAK_CMS, collectors: SOAK_COLLECTORS, scenario: SOAK_SCENARIO },
    assertions: o.assertions,
    scrapes: {
      plain: (() => {
        const l = scrapeLatency(d.scrapes, d.heap, d.records[0]?.startMs ?? d.t0Ms);
        return { ...l, slowest: l.slowest.map((x) => ({ ...x, atS: (x.atMs - d.t0Ms) / 1000 })) };
      })(),
      openMetricsGzip: { count: d.scrapes.openMetricsGzipMs.length, p50: percentile(d.scrapes.openMetricsGzipMs, 50), p99: percentile(d.scrapes.openMetricsGzipMs, 99) },
      failures: d.scrapes.failures,
      failureReasons: d.scrapes.failureReasons,
      skippedTicks: d.scrapes.skippedTicks,
    },
    environment: d.environment,
    heapAfterGc: d.heap.map((h) => ({ s: Math.round((h.atMs - d.t0Ms) / 100) / 10, heapUsed: h.heapUsed, rss: h.rss, gcMs: Math.round(h.gcMs * 10) / 10, spaces: h.spaces })),
    heapReported: d.reportedHeap.map((h) => ({ s: Math.round((h.atMs - d.t0Ms) / 100) / 10, bytes: h.bytes })),
    phases: d.records.map((r) => ({
      name: r.phase.name,
      startS: (r.startMs - d.t0Ms) / 1000,
      faultEndS: (r.faultEndMs - d.t0Ms) / 1000,
      endS: (r.endMs - d.t0Ms) / 1000,
      global: r.phase.global,
      endpointFaults: r.phase.endpointFaults,
      requestsDuringFault: r.requestsDuringFault,
    })),
    recoveries: o.recoveries,
    retryBudgets: o.budgets,
    counters: { violations: d.counters.violations, overlappingDecreases: d.counters.overlappingDecreases, returnsAfterGap: d.counters.returns, series: d.counters.seriesChecked },
    stale: { violations: d.stale.violations, worstAgeSeconds: d.stale.worstAge, drops: d.stale.drops },
    maxInFlight: d.maxInFlight,
    log: {
      lines: d.log.lines,
      byLevel: d.log.byLevel,
      messages: Object.fromEntries([...d.log.messages].map(([k, v]) => [k, v.count])),
      withoutContext: d.log.withoutContext,
      notJson: d.log.notJson,
      stderr: d.log.stderr,
    },
    shutdown: d.shutdown,
    earlyExit: d.earlyExit,
  };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(json, null, 1)}\n`);
  writeFileSync(file.replace(/\.json$/, '') + '.md', `${renderMarkdown(o)}\n`);
}
