/**
 * Turns the phases' measurements into issue 7's figures (value, target, met, how measured), the
 * markdown summary printed on stdout and the JSON written to bench/results/<scenario>.json.
 */
import type { CpuScrapeResult, IsolatedResult, MemoryResult } from './bench-phases.js';
import { percentile } from './scrape-latency.js';
import { minimumRequests, wallBoundSeconds, type BenchScenario, type CollectorName } from './bench-scenarios.js';

/** One row of the summary. */
export interface Figure {
  figure: string;
  value: string;
  target: string;
  /** true/false when a target applies to this scenario; null when informational only. */
  met: boolean | null;
  /** Which kind of figure (rows of one kind share `how`). */
  kind: string;
  how: string;
}

/** Decimal megabyte, as in the targets (200 MB). */
const MB = 1_000_000;
const fmtS = (s: number): string => (s < 1 ? `${Math.round(s * 1000)} ms` : `${s.toFixed(2)} s`);

/** The minimum of one observed run (agent_calls: agents + the calls active in its snapshot). */
function minimumOf(s: BenchScenario, c: CollectorName, activeCalls: number | undefined): number {
  return minimumRequests(s, c, activeCalls ?? 0);
}

function requestFigures(s: BenchScenario, r: IsolatedResult): Figure[] {
  const how = 'each collector alone in its own exporter process (interval: twice the expected run + 1 s); the delta of aicc_api_requests_total (every endpoint and result code, every attempt) between two scrapes, each taken after a run ended and before the next began; agent_calls minimum = watched agents + the sum of aicc_agent_active_calls in that run\'s snapshot';
  const rows = r.collector === 'sysindex' ? [{ label: 'first run (whole lookback)', runs: r.runs.slice(0, 1) }, { label: 'later runs (incremental window)', runs: r.runs.slice(1) }] : [{ label: 'per run', runs: r.runs }];
  return rows.map(({ label, runs }) => {
    const pairs = runs.map((run) => ({ got: run.totalRequests, min: minimumOf(s, r.collector, run.activeCalls) }));
    const values = pairs.map((p) => (r.collector === 'agent_calls' ? `${p.got} (min ${p.min})` : String(p.got)));
    const minimum = r.collector === 'agent_calls' ? `${s.watchedAgents} agents + active calls` : String(pairs[0]?.min ?? '?');
    return {
      figure: `${r.collector}: CMS requests ${label}`,
      value: values.join(', '),
      target: `= minimum (${minimum})`,
      met: pairs.length > 0 && pairs.every((p) => p.got === p.min),
      kind: 'CMS requests per run',
      how,
    };
  });
}

const median = (xs: readonly number[]): number => percentile(xs, 0.5);

function wallFigure(s: BenchScenario, r: IsolatedResult): Figure {
  const warm = r.runs.slice(1);
  const ratios = warm.map((run) => run.wallSeconds / wallBoundSeconds(s, run.totalRequests));
  const worst = warm[ratios.indexOf(Math.max(...ratios))] ?? r.runs[0]!;
  const bound = wallBoundSeconds(s, worst.totalRequests);
  const ratio = worst.wallSeconds / bound;
  const first = r.runs[0]!;
  const medianRatio = ratios.length > 0 ? median(ratios) : ratio;
  const floorBound = wallBoundSeconds(s, r.floor.requests);
  const floorWorst = Math.max(...r.floor.wallSeconds);
  const floorMedian = median(r.floor.wallSeconds);
  const times = (x: number): string => `${x.toFixed(2)} ×`;
  return {
    figure: `${r.collector}: wall time of a run (worst of runs 2-${r.runs.length})`,
    value: `${fmtS(worst.wallSeconds)} = ${times(ratio)} bound ${fmtS(bound)} (median ${times(medianRatio)}); mean request ${worst.meanRequestMs} ms (first run ${fmtS(first.wallSeconds)}); floor ${fmtS(floorWorst)} = ${times(floorWorst / floorBound)} (median ${times(floorMedian / floorBound)})`,
    target: `<= 1.25 × ceil(requests / ${s.concurrency}) × ${s.latencyMs} ms${s.targetsApply ? '' : ' (large only)'}`,
    met: s.targetsApply ? ratio <= 1.25 : null,
    kind: 'wall time of a run',
    how: `aicc_collector_duration_seconds (the exporter times collect()) of each run, collector alone; the first run (cold connections, unoptimised code) is shown but not judged; mean request: the client's own timing of each request (aicc_api_request_duration_seconds sum / count over the run), of which ${s.latencyMs} ms is the simulator's response time (its own computing included); floor: the most requests of a run, of the same interface with bodies shaped like the exporter's, sent to the same simulator by a bare node:http client in the benchmark process (keep-alive, at most ${s.concurrency} in flight, signed, answers read but not parsed) once the exporter has stopped (the simulator served one untimed pass of such requests before the exporter started), worst and median of ${r.floor.wallSeconds.length} runs after an untimed one, started one interval apart like the exporter's: the part of the wall time that is the machine's loopback and scheduling, not the exporter`,
  };
}

/** Every figure of one scenario, in table order. */
export function buildFigures(s: BenchScenario, isolated: IsolatedResult[], memory: MemoryResult, cpu: CpuScrapeResult, runsForMemory: number): Figure[] {
  const figures: Figure[] = [];
  for (const r of isolated) figures.push(...requestFigures(s, r));
  for (const r of isolated) figures.push(wallFigure(s, r));
  const sc = cpu.scrape;
  const large = (t: string): string => (s.targetsApply ? t : `${t} (large only)`);
  const between = sc.betweenRuns;
  const scrapeHow = `${between.exporter.plain.scrapes} sequential GETs per row over one keep-alive connection after 5 untimed ones, timed from sending to the last byte (gzip bodies not decompressed), all collectors polling at default intervals; "between runs": each series started in a gap with no collector running or due for 1.5 × its expected length (at most 8 s; waited for up to 45 s); "during a run": started 0.1 s after an access_codes run began; floor: the same bytes from a Buffer in a bare node:http server (a worker thread of the benchmark process, so it does not share the scraper's event loop), scraped the same way between runs, and during two more access_codes runs for the "during a run" rows`;
  const latencyRow = (label: string, l: { p50Ms: number; p99Ms: number; maxMs: number }, floor: { p50Ms: number; p99Ms: number } | null, limit: number): Figure => ({
    figure: `/metrics ${label}: p50 / p99`,
    value: `${l.p50Ms} / ${l.p99Ms} ms (max ${l.maxMs}${floor ? `; floor ${floor.p50Ms} / ${floor.p99Ms} ms` : ''})`,
    target: large(`p99 <= ${limit} ms`),
    met: s.targetsApply ? l.p99Ms <= limit : null,
    kind: 'scrape latency',
    how: scrapeHow,
  });
  const when = between.quiet ? 'between runs' : 'between runs (NO quiet gap found: collectors always busy)';
  figures.push(latencyRow(`plain, ${when}`, between.exporter.plain, between.floor.plain, 25));
  figures.push(latencyRow(`gzip, ${when}`, between.exporter.gzip, between.floor.gzip, 10));
  if (sc.duringRun) {
    figures.push(latencyRow(`plain, during an ${sc.duringRun.collector} run`, sc.duringRun.plain, sc.duringRun.floor.plain, 25));
    figures.push(latencyRow(`gzip, during an ${sc.duringRun.collector} run`, sc.duringRun.gzip, sc.duringRun.floor.gzip, 10));
  }
  figures.push({
    figure: '/metrics size',
    value: `${sc.series} series; ${(between.exporter.plain.bytes / MB).toFixed(2)} MB plain, ${(between.exporter.gzip.bytes / MB).toFixed(2)} MB gzip`,
    target: '-',
    met: null,
    kind: 'response size',
    how: 'sample lines of one plain scrape; body bytes as received',
  });
  figures.push({
    figure: `resident memory after ${runsForMemory} runs of every collector`,
    value: `${(memory.rssBytes / MB).toFixed(1)} MB (peak ${memory.peakRssBytes === null ? '?' : (memory.peakRssBytes / MB).toFixed(1)} MB; V8 heap ${(memory.heapUsedBytes / MB).toFixed(0)} of ${(memory.heapTotalBytes / MB).toFixed(0)} MB used; ${memory.startRssBytes === null ? '?' : (memory.startRssBytes / MB).toFixed(0)} MB at start)`,
    target: large('<= 200 MB'),
    met: s.targetsApply ? memory.rssBytes <= 200 * MB : null,
    kind: 'resident memory',
    how: `process_resident_memory_bytes of an exporter running all collectors every ${memory.intervalSeconds} s, read once each had finished ${runsForMemory} runs; peak: VmHWM from /proc`,
  });
  figures.push({
    figure: 'exporter CPU per minute of polling',
    value: `${cpu.cpuSecondsPerMinute.toFixed(2)} CPU s/min`,
    target: '-',
    met: null,
    kind: 'CPU',
    how: `delta of process_cpu_seconds_total over ${cpu.windowSeconds} s${cpu.windowSeconds < 59 ? ' (scaled to 60 s)' : ''} with all collectors at their default intervals (${Object.entries(cpu.intervals).map(([c, i]) => `${c} ${i} s`).join(', ')}), no scrapes in the window`,
  });
  return figures;
}

/** The markdown summary: a table of figures, then how each was measured and the machine's load. */
export function markdownSummary(s: BenchScenario, figures: readonly Figure[], context: { command: string; exporterNodeOptions: readonly string[]; simulatorNodeOptions: readonly string[]; placement: string; loadBefore: number[]; loadAfter: number[]; nproc: number; node: string; machineBusyCores: number | null }): string {
  const met = (m: boolean | null): string => (m === null ? '-' : m ? 'yes' : '**no**');
  const lines = [
    `## Benchmark \`${s.name}\`: ${s.vdns} VDNs × ${s.accessCodesPerVdn} access codes, ${s.watchedAgents} watched agents, latency ${s.latencyMs} ms, concurrency ${s.concurrency}`,
    '',
    '| figure | value | target | met |',
    '|---|---|---|---|',
    ...figures.map((f) => `| ${f.figure} | ${f.value} | ${f.target} | ${met(f.met)} |`),
    '',
    'How each figure was measured:',
    '',
    ...[...new Map(figures.map((f) => [f.kind, f.how])).entries()].map(([kind, how]) => `- ${kind}: ${how}.`),
    '',
    `Command: \`${context.command}\`. Exporter run as \`node ${[...context.exporterNodeOptions, 'dist/cli.js'].join(' ')}\`, the simulator as \`node ${[...context.simulatorNodeOptions, 'dist/cli.js', 'simulate'].join(' ')}\`; ${context.placement}. Node ${context.node}, ${context.nproc} CPUs; load average before ${context.loadBefore.join(' ')}, after ${context.loadAfter.join(' ')}; whole machine busy during the CPU window: ${context.machineBusyCores ?? '?'} cores.`,
  ];
  return lines.join('\n');
}
