/**
 * The exporter's main job end to end, in process: an in-process CC-CMS simulator (manual clock by
 * default) and `startApp` pointed at it, plus what the integration tests need around them —
 * scrape + strict parse, waiting for collector runs, stepping the simulated clock, and stopping
 * everything even when a test fails (call `stopAllHarnesses()` in afterEach).
 */
import { request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { gunzipSync } from 'node:zlib';
import { startApp, type RunningApp } from '../../src/app.js';
import type { CollectorName } from '../../src/collectors/types.js';
import { demoConfig, type Config } from '../../src/config/index.js';
import {
  DEMO_ACCESS_KEY,
  DEMO_SECRET_KEY,
  startSimulator,
  type RunningSimulator,
  type SimulatorOptions,
} from '../../src/simulator/start-simulator.js';
import { captureLogger } from './capture-logger.js';
import { parseExposition, type ParsedExposition, type ParseFormat } from './parse-exposition.js';

/** A fixed manual-clock start: 2024-03-01 10:02:30 UTC (mid-period, so windows are not aligned by luck). */
export const HARNESS_START_MS = Date.UTC(2024, 2, 1, 10, 2, 30);

/** Config overrides every harness applies: loopback, free port, every collector each second, no retries. */
export const FAST_OVERRIDES: Readonly<Record<string, unknown>> = {
  'listen.host': '127.0.0.1',
  'listen.port': 0,
  'cms.retries': 0,
  'cms.timeoutSeconds': 5,
  'collectors.sysindex.intervalSeconds': 1,
  'collectors.accessCodes.intervalSeconds': 1,
  'collectors.ctiServerTime.intervalSeconds': 1,
  'collectors.agentCalls.intervalSeconds': 1,
};

/** One finished collector run, as the harness saw it reach the self-metrics. */
export interface SeenRun {
  collector: string;
  ccId: number;
  ok: boolean;
  /** Order of arrival, from 1. */
  seq: number;
}

export interface HarnessOptions {
  /** Simulator options; default: seed 7, manual clock at HARNESS_START_MS, generateScenario defaults. */
  sim?: SimulatorOptions;
  /** Extra dotted config overrides (after FAST_OVERRIDES). */
  overrides?: Record<string, unknown>;
  /** The call centers to configure; default: the simulator's whole scenario. */
  callCenters?: (sim: RunningSimulator) => Config['callCenters'];
  /** The CMS URL the exporter talks to (e.g. a proxy in front of the simulator); default sim.url. */
  cmsUrl?: (sim: RunningSimulator) => string;
  /** Drive the exporter clock from the simulator clock (default true). */
  simClock?: boolean;
  /** Passed to startApp; receives the config the harness built. */
  reloadConfig?: (initial: Config) => Config;
}

export interface ExporterHarness {
  readonly sim: RunningSimulator;
  readonly app: RunningApp;
  readonly config: Config;
  /** Captured log lines of the app. */
  readonly log: ReturnType<typeof captureLogger>;
  /** Every run outcome seen so far, oldest first. */
  readonly runs: readonly SeenRun[];
  /** GET /metrics; parses the body strictly in the negotiated format. */
  scrape(opts?: { openMetrics?: boolean; gzip?: boolean }): Promise<Scrape>;
  /**
   * Resolves with the next run of `collector` for `ccId` that ends after this call (only an `ok`
   * one when `ok` is given). `fresh`: a run that also *started* after this call, e.g. after
   * stepping the clock (the next completion when the job is idle now, else the one after it).
   */
  waitForRun(collector: CollectorName, ccId: number, opts?: { ok?: boolean; fresh?: boolean; timeoutMs?: number }): Promise<SeenRun>;
  /** Steps the simulator's manual clock. */
  advance(ms: number): void;
  stop(): Promise<void>;
}

export interface Scrape {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The body, gunzipped when it was compressed. */
  text: string;
  rawBytes: number;
  parsed: ParsedExposition;
}

const running = new Set<ExporterHarness>();

/** Stops every harness still running (afterEach), whatever happened in the test. */
export async function stopAllHarnesses(): Promise<void> {
  const all = [...running];
  running.clear();
  await Promise.allSettled(all.map((h) => h.stop()));
}

/** A plain GET with node:http (no transparent decompression, unlike fetch). */
export function httpGet(
  url: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, timeout: 5_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/** Polls `check` every 20 ms until it returns a value other than undefined, at most `timeoutMs`. */
export async function eventually<T>(what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs = 5_000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Starts a simulator and an exporter on it; registered for stopAllHarnesses(). */
export async function startExporterHarness(options: HarnessOptions = {}): Promise<ExporterHarness> {
  const sim = await startSimulator({ seed: 7, clock: { mode: 'manual', startMs: HARNESS_START_MS }, ...options.sim });
  const log = captureLogger('info');
  let app: RunningApp;
  let config: Config;
  try {
    const callCenters = options.callCenters ? options.callCenters(sim) : sim.scenario.callCenters;
    const url = options.cmsUrl ? options.cmsUrl(sim) : sim.url;
    config = demoConfig(url, DEMO_ACCESS_KEY, DEMO_SECRET_KEY, callCenters, { ...FAST_OVERRIDES, ...options.overrides });
    const initial = config;
    app = await startApp({
      config,
      logger: log.logger,
      now: options.simClock === false ? undefined : () => sim.clock.now(),
      reloadConfig: options.reloadConfig ? () => options.reloadConfig!(initial) : undefined,
    });
  } catch (err) {
    await sim.close();
    throw err;
  }

  const runs: SeenRun[] = [];
  const waiters = new Set<() => void>();
  // Every run outcome goes through SelfMetrics.recordRun (RunOutcomeBook looks it up per call).
  // Runs that ended while startApp was still resolving are not seen; waits only look ahead.
  const self = app.metrics.self;
  const recordRun = self.recordRun.bind(self);
  self.recordRun = (ccId, collector, outcome) => {
    recordRun(ccId, collector, outcome);
    runs.push({ collector, ccId, ok: outcome.ok, seq: runs.length + 1 });
    for (const w of [...waiters]) w();
  };

  let stopped: Promise<void> | null = null;
  const harness: ExporterHarness = {
    sim,
    app,
    config,
    log,
    runs,
    async scrape(opts = {}) {
      const headers: Record<string, string> = {};
      if (opts.openMetrics) headers.accept = 'application/openmetrics-text; version=1.0.0';
      if (opts.gzip) headers['accept-encoding'] = 'gzip';
      const res = await httpGet(`${app.url}/metrics`, headers);
      const gzipped = res.headers['content-encoding'] === 'gzip';
      const text = (gzipped ? gunzipSync(res.body) : res.body).toString('utf8');
      const format: ParseFormat = String(res.headers['content-type']).startsWith('application/openmetrics-text') ? 'openmetrics' : 'text';
      return { status: res.status, headers: res.headers, text, rawBytes: res.body.length, parsed: parseExposition(text, format) };
    },
    async waitForRun(collector, ccId, opts = {}) {
      let needed = 1;
      if (opts.fresh) {
        // A run in flight now may have started before the caller changed something: then the
        // second completion is the first fresh one (runs of a job never overlap). The landing page
        // says whether the job is running.
        const page = (await httpGet(`${app.url}/`)).body.toString('utf8');
        if (!page.includes(`<tr><td>${collector}</td><td>${ccId}</td><td>idle</td>`)) needed = 2;
      }
      const after = runs.length;
      const timeoutMs = opts.timeoutMs ?? 5_000;
      return new Promise<SeenRun>((resolve, reject) => {
        const check = (): void => {
          const mine = runs.slice(after).filter((r) => r.collector === collector && r.ccId === ccId);
          const hit = mine.slice(needed - 1).find((r) => opts.ok === undefined || r.ok === opts.ok);
          if (!hit) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(hit);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no ${opts.fresh ? 'fresh ' : ''}${collector} run for cc ${ccId}${opts.ok === undefined ? '' : ` with ok=${opts.ok}`} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
      });
    },
    advance(ms) {
      sim.clock.advance(ms);
    },
    stop() {
      stopped ??= (async () => {
        running.delete(harness);
        try {
          await app.stop();
        } finally {
          await sim.close();
        }
      })();
      return stopped;
    },
  };
  running.add(harness);
  return harness;
}

/** Sample value or a thrown error naming the series (so a missing series fails clearly). */
export function valueOf(parsed: ParsedExposition, name: string, labels: Record<string, string> = {}): number {
  const v = parsed.value(name, labels);
  if (v === undefined) throw new Error(`no sample ${name}${JSON.stringify(labels)}`);
  return v;
}

/** Label values of `label` among the samples of `name`, sorted, distinct. */
export function labelValues(parsed: ParsedExposition, name: string, label: string, where: Record<string, string> = {}): string[] {
  const out = new Set<string>();
  for (const s of parsed.samples()) {
    if (s.name !== name || !Object.entries(where).every(([k, v]) => s.labels[k] === v)) continue;
    const v = s.labels[label];
    if (v !== undefined) out.add(v);
  }
  return [...out].sort((a, b) => Number(a) - Number(b) || a.localeCompare(b));
}

/** GETs `${baseUrl}/metrics` (text format) and parses it strictly; throws on a non-200 answer. */
export async function scrapeMetrics(baseUrl: string): Promise<ParsedExposition> {
  const res = await fetch(`${baseUrl}/metrics`);
  if (res.status !== 200) throw new Error(`GET ${baseUrl}/metrics: HTTP ${res.status}`);
  return parseExposition(await res.text(), 'text');
}
