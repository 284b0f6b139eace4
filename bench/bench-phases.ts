/**
 * The measuring phases of the benchmark, each against a fresh exporter process talking to the
 * one simulator process over loopback:
 * 1. each collector alone (requests per run vs the minimum, wall time vs the bound), then the
 *    same requests from a bare client (the floor under the wall time); the exporter's main
 *    thread on a CPU of its own (cpu-placement.ts);
 * 2. all collectors together at a short interval until each has run 10 times (resident memory);
 * 3. all collectors at their default intervals: CPU over a polling window, then scrape latency
 *    between runs (and during an access_codes run), with the in-memory floor.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startNodeChild, type BenchChild } from './bench-children.js';
import { asExporterPlaced, placeAwayFromExporter, placeExporter, releaseProcess, threadsOutOfPlace, type CpuPlacement } from './cpu-placement.js';
import {
  COLLECTORS,
  DEFAULT_INTERVALS,
  exporterConfig,
  isolatedInterval,
  minimumRequests,
  sharedInterval,
  type BenchScenario,
  type CollectorName,
} from './bench-scenarios.js';
import { machineCpu, processMemory } from './host-stats.js';
import { Scraper, selfSamples, sumOf } from './metrics-scraper.js';
import { observeRuns, waitForQuietGap, waitForRunStart, waitForRuns, type ObservedRun } from './run-observer.js';
import { floorRequests, measureRequestFloor } from './request-floor.js';
import { measureScrapes, type ScrapeFigures } from './scrape-latency.js';

/** Where the CLI is and how the exporter reaches the simulator. */
export interface BenchContext {
  scenario: BenchScenario;
  cliPath: string;
  /** Node options of every exporter process (default EXPORTER_NODE_OPTIONS, as shipped). */
  exporterNodeOptions: readonly string[];
  /** Private temporary directory (configs, the secret key file). */
  dir: string;
  cms: { url: string; accessKey: string; secretKeyFile: string };
  /** The simulator process, placed off the exporter's CPU during phase 1. */
  simulatorPid: number;
  /**
   * Where the threads run during phase 1 (cpu-placement.ts): there two processes are busy at
   * once, the exporter and the simulator, and each can have CPUs of its own. Phases 2 and 3 add
   * the load generator (this process) on a machine with as few as two CPUs: left to the kernel.
   */
  placement: CpuPlacement;
  /** Progress lines go here (stderr), so stdout carries only the summary. */
  progress: (line: string) => void;
}

/** A running exporter process. */
export interface RunningExporter {
  child: BenchChild;
  metricsUrl: string;
}

/**
 * Node options of the benchmark's simulator, so that its answers take the configured latency and
 * its own garbage collections do not pass for the CMS's (or the exporter's) time. Measured at
 * `large` with the default options: young-generation collections of 2-10 ms during the first
 * ~16 s (a young generation grown to 16 MB while the model was built) and a memory-reducing full
 * collection of 10-20 ms around 16 s after start, i.e. during the first isolated phase.
 * - `--expose-gc`: the simulate command collects the start-up garbage before it listens;
 * - `--max-semi-space-size=1`: a young generation of 1 MB, so young collections stay short
 *   (median 0.5 ms; more of them);
 * - `--no-memory-reducer`: no full collection just because the simulator went quieter.
 * The exporter is not given any of these: it runs with EXPORTER_NODE_OPTIONS, as shipped.
 */
export const SIMULATOR_NODE_OPTIONS: readonly string[] = ['--expose-gc', '--max-semi-space-size=1', '--no-memory-reducer'];

/** Starts the simulator process (SIMULATOR_NODE_OPTIONS); resolves with its base URL. */
export async function startSimulatorProcess(cliPath: string, args: string[]): Promise<{ child: BenchChild; url: string }> {
  const child = startNodeChild('simulator', cliPath, args, SIMULATOR_NODE_OPTIONS);
  const line = await child.waitForLine(/listening on http:\/\//, 120_000);
  return { child, url: /(http:\/\/[^\s]+)/.exec(line)![1]! };
}

let configSeq = 0;

/**
 * Starts an exporter with `enabled` collectors at `intervals`; resolves once it serves (and, with
 * a `placement`, once its threads are placed).
 */
export async function startExporter(
  ctx: BenchContext,
  enabled: ReadonlySet<CollectorName>,
  intervals: Readonly<Record<CollectorName, number>>,
  placement?: CpuPlacement,
): Promise<RunningExporter> {
  const file = path.join(ctx.dir, `config-${++configSeq}.json`);
  writeFileSync(file, JSON.stringify(exporterConfig(ctx.scenario, ctx.cms, enabled, intervals)), { mode: 0o600 });
  const child = startNodeChild('exporter', ctx.cliPath, ['--config', file, '--web.listen-address', '127.0.0.1:0'], ctx.exporterNodeOptions);
  const line = await child.waitForLine(/"msg":"HTTP server listening"/, 60_000);
  const url = (JSON.parse(line) as { url: string }).url;
  if (placement) placeExporter(child.pid, placement);
  return { child, metricsUrl: `${url}/metrics` };
}

/**
 * Log lines at warn level and above, except the expected one about plain http:// to the CMS;
 * for an exporter started with a `placement`, one more if threads it started after it was placed
 * share its main thread's CPU.
 */
export function unexpectedWarnings(child: BenchChild, placement?: CpuPlacement): string[] {
  const warnings = child.warnings.filter((l) => !l.includes('travel unencrypted'));
  const misplaced = placement ? threadsOutOfPlace(child.pid, placement) : 0;
  if (misplaced > 0) warnings.push(`bench: ${misplaced} exporter thread(s) started after placement share its main thread's CPU`);
  return warnings;
}

/** Phase 1 result for one collector. */
export interface IsolatedResult {
  collector: CollectorName;
  intervalSeconds: number;
  runs: ObservedRun[];
  /** Runs seen too late to attribute (excluded). */
  skippedObservations: number;
  /** VmRSS / VmHWM of this exporter after its runs (null off Linux): which collector costs memory. */
  memory: { rssBytes: number; peakRssBytes: number } | null;
  /** The same number of requests from a bare client once the exporter has stopped (request-floor.ts). */
  floor: { requests: number; wallSeconds: number[] };
  warnings: string[];
}

/** Where and how the request floor sends: the simulator, the benchmark's key, the scenario's concurrency. */
function floorTarget(ctx: BenchContext): { baseUrl: string; accessKey: string; secretKeyFile: string; concurrency: number } {
  return { baseUrl: ctx.cms.url, accessKey: ctx.cms.accessKey, secretKeyFile: ctx.cms.secretKeyFile, concurrency: ctx.scenario.concurrency };
}

/**
 * Phase 1: each collector alone in its own exporter process, `runs` runs each, with the threads
 * placed as ctx.placement says (the simulator back on every CPU afterwards).
 */
export async function measureIsolated(ctx: BenchContext, runs: number): Promise<IsolatedResult[]> {
  placeAwayFromExporter(ctx.simulatorPid, ctx.placement);
  try {
    return await measureEachAlone(ctx, runs);
  } finally {
    releaseProcess(ctx.simulatorPid, ctx.placement);
  }
}

async function measureEachAlone(ctx: BenchContext, runs: number): Promise<IsolatedResult[]> {
  const results: IsolatedResult[] = [];
  for (const collector of COLLECTORS) {
    const interval = isolatedInterval(ctx.scenario, collector);
    const intervals = { ...DEFAULT_INTERVALS, [collector]: interval };
    // The simulator stands in for a CMS that has been up for long: one untimed pass of this
    // interface's requests first, so neither the exporter's runs nor the floor pay for the
    // simulator's own code still being optimised.
    await measureRequestFloor({ ...floorTarget(ctx), requests: floorRequests(ctx.scenario, collector, minimumRequests(ctx.scenario, collector)), runs: 0 });
    ctx.progress(`phase 1: ${collector} alone, every ${interval} s, ${runs} runs`);
    const exporter = await startExporter(ctx, new Set([collector]), intervals, ctx.placement);
    const scraper = new Scraper();
    try {
      const observed = await observeRuns({
        scraper,
        metricsUrl: exporter.metricsUrl,
        collector,
        intervalSeconds: interval,
        runs,
        timeoutMs: (runs + 4) * interval * 1000 * 2 + 30_000,
        warnings: exporter.child.warnings,
      });
      const memory = processMemory(exporter.child.pid);
      const warnings = unexpectedWarnings(exporter.child, ctx.placement);
      scraper.close();
      await exporter.child.stop();
      const requests = Math.max(...observed.runs.map((r) => r.totalRequests));
      ctx.progress(`phase 1: ${collector} request floor, ${requests} requests, ${runs - 1} runs`);
      const floorRuns = { ...floorTarget(ctx), requests: floorRequests(ctx.scenario, collector, requests), runs: Math.max(1, runs - 1), intervalMs: interval * 1000 };
      const wallSeconds = await asExporterPlaced(ctx.placement, () => measureRequestFloor(floorRuns));
      results.push({ collector, intervalSeconds: interval, runs: observed.runs, skippedObservations: observed.skipped, memory, floor: { requests, wallSeconds }, warnings });
    } finally {
      scraper.close();
      await exporter.child.stop();
    }
  }
  return results;
}

/** Phase 2 result. */
export interface MemoryResult {
  intervalSeconds: number;
  runsCounted: Record<string, number>;
  /** process_resident_memory_bytes as the exporter reports it. */
  rssBytes: number;
  /** VmRSS right after the exporter started serving, before its first runs finished (null off Linux). */
  startRssBytes: number | null;
  /** VmRSS / VmHWM from /proc (null off Linux). */
  procRssBytes: number | null;
  peakRssBytes: number | null;
  heapUsedBytes: number;
  heapTotalBytes: number;
  externalBytes: number;
  skippedRuns: number;
  /** Wall time of each collector's last run with all four sharing the limiter, seconds. */
  sharedWallSeconds: Record<string, number>;
  warnings: string[];
}

/** Phase 2: all collectors together until each has run `runs` times; then resident memory. */
export async function measureMemory(ctx: BenchContext, runs: number): Promise<MemoryResult> {
  const interval = sharedInterval(ctx.scenario);
  ctx.progress(`phase 2: all collectors every ${interval} s until each ran ${runs} times`);
  const intervals = Object.fromEntries(COLLECTORS.map((c) => [c, interval])) as Record<CollectorName, number>;
  const exporter = await startExporter(ctx, new Set(COLLECTORS), intervals);
  const startRssBytes = processMemory(exporter.child.pid)?.rssBytes ?? null;
  const scraper = new Scraper();
  try {
    const { samples, counted } = await waitForRuns({
      scraper,
      metricsUrl: exporter.metricsUrl,
      collectors: COLLECTORS,
      runs,
      pollMs: (interval * 1000) / 4,
      timeoutMs: (runs + 3) * interval * 1000 * 2 + 30_000,
      warnings: exporter.child.warnings,
    });
    const proc = processMemory(exporter.child.pid);
    return {
      intervalSeconds: interval,
      runsCounted: counted,
      rssBytes: sumOf(samples, 'process_resident_memory_bytes'),
      startRssBytes,
      procRssBytes: proc?.rssBytes ?? null,
      peakRssBytes: proc?.peakRssBytes ?? null,
      heapUsedBytes: sumOf(samples, 'nodejs_heap_size_used_bytes'),
      heapTotalBytes: sumOf(samples, 'nodejs_heap_size_total_bytes'),
      externalBytes: sumOf(samples, 'nodejs_external_memory_bytes'),
      skippedRuns: sumOf(samples, 'aicc_collector_skipped_runs_total'),
      sharedWallSeconds: Object.fromEntries(COLLECTORS.map((c) => [c, sumOf(samples, 'aicc_collector_duration_seconds', { collector: c })])),
      warnings: unexpectedWarnings(exporter.child),
    };
  } finally {
    scraper.close();
    await exporter.child.stop();
  }
}

/** Phase 3 result. */
export interface CpuScrapeResult {
  intervals: Record<string, number>;
  windowSeconds: number;
  cpuSeconds: number;
  cpuSecondsPerMinute: number;
  /** Average busy cores of the whole machine over the window (everything, not only the benchmark). */
  machineBusyCores: number | null;
  scrape: ScrapeFigures;
  machineBusyCoresDuringScrapes: number | null;
  warnings: string[];
}

/**
 * Phase 3: all collectors at the default intervals. After every collector's first run, CPU
 * (process_cpu_seconds_total) over `windowSeconds` of polling with no scrapes in between, scaled
 * to one minute; then `scrapes` timed scrapes of each kind while the collectors keep polling.
 */
export async function measureCpuAndScrapes(ctx: BenchContext, scrapes: number): Promise<CpuScrapeResult> {
  const windowSeconds = ctx.scenario.cpuWindowSeconds;
  ctx.progress(`phase 3: default intervals; CPU over ${windowSeconds} s, then ${scrapes} scrapes of each kind`);
  const exporter = await startExporter(ctx, new Set(COLLECTORS), DEFAULT_INTERVALS);
  const scraper = new Scraper();
  try {
    await waitForRuns({ scraper, metricsUrl: exporter.metricsUrl, collectors: COLLECTORS, runs: 1, pollMs: 250, timeoutMs: 300_000, warnings: exporter.child.warnings });
    const cpu = async (): Promise<{ at: number; seconds: number }> => {
      const body = (await scraper.get(exporter.metricsUrl, false)).body;
      return { at: Date.now(), seconds: sumOf(selfSamples(body), 'process_cpu_seconds_total') };
    };
    const machine = machineCpu();
    const before = await cpu();
    await sleep(windowSeconds * 1000);
    const after = await cpu();
    const busy = machine.stop();
    const elapsed = (after.at - before.at) / 1000;
    const cpuSeconds = after.seconds - before.seconds;
    const machineScrapes = machineCpu();
    const poll = { scraper, metricsUrl: exporter.metricsUrl };
    const scrape = await measureScrapes(exporter.metricsUrl, scrapes, {
      quietGap: (needMs) => waitForQuietGap({ ...poll, intervals: DEFAULT_INTERVALS, needMs, timeoutMs: 45_000 }),
      runStart: ctx.scenario.scrapeDuringRun
        ? {
            collector: 'access_codes',
            wait: () => waitForRunStart({ ...poll, collector: 'access_codes', intervalSeconds: DEFAULT_INTERVALS.access_codes, delayMs: 100 }),
          }
        : null,
      progress: ctx.progress,
    });
    return {
      intervals: { ...DEFAULT_INTERVALS },
      windowSeconds: Math.round(elapsed * 10) / 10,
      cpuSeconds: Math.round(cpuSeconds * 1000) / 1000,
      cpuSecondsPerMinute: Math.round(((cpuSeconds * 60) / elapsed) * 1000) / 1000,
      machineBusyCores: busy,
      scrape,
      machineBusyCoresDuringScrapes: machineScrapes.stop(),
      warnings: unexpectedWarnings(exporter.child),
    };
  } finally {
    scraper.close();
    await exporter.child.stop();
  }
}
