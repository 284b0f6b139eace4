/**
 * The soak run (issue 7): `npm run soak -- --minutes N [--seed S] [--out FILE]`.
 *
 * In this process: the CC-CMS simulator behind a TCP relay (so the CMS can vanish and come back
 * on the same port), the fault schedule and a 20/s scrape load. The exporter runs as its own
 * process from dist/ (`npm run soak` builds first), so a crash is an exit we see. Prints a
 * markdown report on stdout, writes soak/results/soak-<N>m.json, exits 1 when an assertion fails.
 * Loopback only; every process and server started here is stopped at the end, on failure and on
 * SIGINT/SIGTERM.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { DEMO_SECRET_KEY, generateScenario, startSimulator, type RunningSimulator } from '../src/simulator/start-simulator.js';
import { EnvironmentMonitor } from './environment-monitor.js';
import { ExporterProcess, type HeapReading } from './exporter-process.js';
import { playSchedule } from './fault-driver.js';
import { buildSchedule } from './fault-schedule.js';
import { evaluate } from './soak-assertions.js';
import { SOAK_SCENARIO, writeExporterConfig } from './soak-config.js';
import { CounterWatch, ReportedHeap, StaleWatch, UpTimeline } from './soak-observers.js';
import { renderMarkdown, writeJson } from './soak-report.js';
import { ScrapeLoad } from './scrape-load.js';
import { TcpProxy } from './tcp-proxy.js';

const progress = (text: string) => process.stderr.write(`[soak ${new Date().toISOString().slice(11, 19)}] ${text}\n`);

function options() {
  const { values } = parseArgs({
    options: { minutes: { type: 'string', default: '2' }, seed: { type: 'string', default: '7' }, out: { type: 'string' } },
    strict: true,
  });
  const minutes = Number(values.minutes);
  if (!(minutes > 0 && minutes <= 24 * 60)) throw new RangeError('--minutes must be a number of minutes > 0');
  const out = values.out ?? fileURLToPath(new URL(`./results/soak-${values.minutes}m.json`, import.meta.url));
  return { minutes, seed: Number(values.seed), out };
}

async function main(): Promise<number> {
  const { minutes, seed, out } = options();
  const phases = buildSchedule(minutes);
  const durationMs = minutes * 60_000;
  const dir = mkdtempSync(join(tmpdir(), 'aicc-soak-'));
  let sim: RunningSimulator | undefined;
  let proxy: TcpProxy | undefined;
  let proc: ExporterProcess | undefined;
  const cleanUp = async () => {
    proc?.kill();
    await proxy?.down();
    await sim?.close();
    rmSync(dir, { recursive: true, force: true });
  };
  const onSignal = (signal: NodeJS.Signals) => {
    progress(`${signal}: stopping the exporter (pid ${proc?.pid ?? '-'}) and the simulator`);
    void cleanUp().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    sim = await startSimulator({ scenario: generateScenario(SOAK_SCENARIO), clock: { mode: 'real' }, seed });
    proxy = new TcpProxy({ host: sim.host, port: sim.port });
    await proxy.start();
    const configFile = writeExporterConfig(dir, proxy.url, sim.scenario);
    const started = await ExporterProcess.start(configFile, [DEMO_SECRET_KEY]);
    proc = started.proc;
    const exporter = proc;
    progress(`exporter pid ${exporter.pid} at ${started.url}; CMS relay ${proxy.url} → simulator ${sim.url}; ${phases.length} phases over ${minutes} min`);

    const t0Ms = Date.now();
    const startedAt = new Date(t0Ms).toISOString();
    const counters = new CounterWatch();
    const up = new UpTimeline();
    const stale = new StaleWatch();
    const reportedHeap = new ReportedHeap();
    const load = new ScrapeLoad(started.url, (startMs, endMs, sample) => {
      counters.observe(startMs, endMs, sample);
      up.observe(startMs, sample);
      stale.observe(startMs, sample);
      reportedHeap.observe(startMs, sample);
    });
    const environment = new EnvironmentMonitor();
    environment.start();
    load.start();
    const heap: HeapReading[] = [];
    const probeMs = Math.min(30_000, Math.max(5_000, durationMs / 24));
    const heapTimer = setInterval(() => void exporter.heapAfterGc().then((r) => r && heap.push(r)), probeMs);

    const records = await playSchedule(phases, t0Ms, sim, proxy, () => exporter.exit !== null, (p) =>
      progress(`${p.name}: ${p.global ?? p.endpointFaults.map((f) => `${f.endpoint}=${f.kind}`).join(' ')}`),
    );
    clearInterval(heapTimer);
    const last = await exporter.heapAfterGc();
    if (last) heap.push(last);
    await load.stop();
    const earlyExit = exporter.exit ? { code: exporter.exit.code, signal: exporter.exit.signal } : null;
    const shutdown = await exporter.stop();
    const maxInFlight = sim.stats.maxInFlight;
    const environmentSummary = environment.stop();
    const elapsedMs = Date.now() - t0Ms;

    const data = {
      durationMs: Math.min(elapsedMs, durationMs),
      t0Ms,
      earlyExit,
      shutdown,
      log: exporter.log,
      heap,
      records,
      phasesPlanned: phases.length,
      up,
      counters,
      stale,
      scrapes: load.stats,
      maxInFlight,
      environment: environmentSummary,
      reportedHeap: reportedHeap.samples,
    };
    const result = evaluate(data);
    const outcome = { minutes, startedAt, ...result, data };
    process.stdout.write(`${renderMarkdown(outcome)}\n`);
    writeJson(out, outcome);
    progress(`results written to ${out}`);
    return result.assertions.every((a) => a.pass) ? 0 : 1;
  } finally {
    await cleanUp();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`soak: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 2;
  },
);
