/**
 * `npm run bench -- [--scenario small|large|huge]` (default small): issue 7's benchmark. Starts the
 * simulator and the exporter (dist/cli.js, built by the npm script) as separate processes on
 * loopback, measures, writes bench/results/<scenario>.json and prints a markdown summary on
 * stdout (progress goes to stderr). Exit 0 whether or not targets are met (it is a benchmark, not
 * a test); 1 when the harness itself fails; 2 for bad arguments. Method: bench/README.md.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { killAllChildren } from './bench-children.js';
import { measureCpuAndScrapes, measureIsolated, measureMemory, SIMULATOR_NODE_OPTIONS, startSimulatorProcess, type BenchContext } from './bench-phases.js';
import { buildFigures, markdownSummary } from './bench-report.js';
import { allowedCpus, planCpuPlacement, tasksetProblem, type CpuPlacement } from './cpu-placement.js';
import { SCENARIO_NAMES, SCENARIOS, simulatorArgs, type ScenarioName } from './bench-scenarios.js';
import { EXPORTER_NODE_OPTIONS } from './exporter-node-options.js';
import { environment, loadAverage } from './host-stats.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ACCESS_KEY = 'bench-ak';

function usage(): string {
  return `Usage: npm run bench -- [--scenario ${SCENARIO_NAMES.join('|')}] [--runs N] [--memory-runs N] [--scrapes N] [--exporter-node-options=OPTS] [--no-pin]
  --scenario     which scenario (default small; huge is not run in CI)
  --runs         runs observed per collector alone (default 4: one cold, three warm)
  --memory-runs  runs of every collector before resident memory is read (default 10)
  --scrapes      timed scrapes per kind (default 200)
  --exporter-node-options=OPTS
                 Node options of the exporter, space-separated (default, as shipped:
                 "${EXPORTER_NODE_OPTIONS.join(' ')}"; "" runs it with Node's defaults)
  --no-pin       leave every thread where the kernel puts it (default on Linux with 2+ CPUs:
                 the exporter's main thread on one CPU, everything else on the others)
Writes bench/results/<scenario>.json and prints a markdown summary.
`;
}

function nodeOptionsOption(value: string | undefined): readonly string[] {
  if (value === undefined) return EXPORTER_NODE_OPTIONS;
  const options = value.split(/\s+/).filter((o) => o !== '');
  const bad = options.find((o) => !o.startsWith('--'));
  if (bad !== undefined) throw new Error(`--exporter-node-options: '${bad}' is not a --option`);
  return options;
}

function intOption(value: string | undefined, name: string, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}`);
  return n;
}

async function main(argv: string[]): Promise<number> {
  let options;
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        scenario: { type: 'string' },
        runs: { type: 'string' },
        'memory-runs': { type: 'string' },
        scrapes: { type: 'string' },
        'exporter-node-options': { type: 'string' },
        'no-pin': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    });
    if (values.help) {
      process.stdout.write(usage());
      return 0;
    }
    const name = (values.scenario ?? 'small') as ScenarioName;
    if (!SCENARIO_NAMES.includes(name)) throw new Error(`--scenario must be one of ${SCENARIO_NAMES.join(', ')}`);
    options = {
      scenario: SCENARIOS[name],
      runs: intOption(values.runs, 'runs', 4, 2),
      memoryRuns: intOption(values['memory-runs'], 'memory-runs', 10, 1),
      scrapes: intOption(values.scrapes, 'scrapes', 200, 10),
      exporterNodeOptions: nodeOptionsOption(values['exporter-node-options']),
      pin: !values['no-pin'],
    };
  } catch (err) {
    process.stderr.write(`bench: ${(err as Error).message}\n${usage()}`);
    return 2;
  }
  const { scenario } = options;
  const cliPath = path.join(ROOT, 'dist', 'cli.js');
  if (!existsSync(cliPath)) throw new Error(`${cliPath} is missing: run npm run build first (npm run bench does)`);

  const startedAt = Date.now();
  const env = environment();
  const loadBefore = loadAverage();
  const progress = (line: string): void => {
    process.stderr.write(`bench [${((Date.now() - startedAt) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);
  };
  const dir = mkdtempSync(path.join(os.tmpdir(), 'aicc-bench-'));
  // Also on SIGINT/SIGTERM, which end the process without running the finally below.
  const removeDir = (): void => rmSync(dir, { recursive: true, force: true });
  process.on('exit', removeDir);
  try {
    const secretKeyFile = path.join(dir, 'secret-key');
    writeFileSync(secretKeyFile, randomBytes(24).toString('hex'), { mode: 0o600 });
    const cpus = allowedCpus('self');
    const placement = planCpuPlacement(cpus, options.pin, options.pin ? tasksetProblem(cpus) : null);
    progress(`scenario ${scenario.name}: starting the simulator (load average ${loadBefore.join(' ')}; ${placementText(placement)})`);
    const sim = await startSimulatorProcess(cliPath, simulatorArgs(scenario, ACCESS_KEY, secretKeyFile));
    const { exporterNodeOptions } = options;
    const ctx: BenchContext = { scenario, cliPath, exporterNodeOptions, dir, cms: { url: sim.url, accessKey: ACCESS_KEY, secretKeyFile }, simulatorPid: sim.child.pid, placement, progress };
    try {
      const isolated = await measureIsolated(ctx, options.runs);
      const memory = await measureMemory(ctx, options.memoryRuns);
      const cpu = await measureCpuAndScrapes(ctx, options.scrapes);
      const loadAfter = loadAverage();
      const figures = buildFigures(scenario, isolated, memory, cpu, options.memoryRuns);
      const shipped = exporterNodeOptions.join(' ') === EXPORTER_NODE_OPTIONS.join(' ');
      const command = `npm run bench -- --scenario ${scenario.name}${shipped ? '' : ` --exporter-node-options='${exporterNodeOptions.join(' ')}'`}${options.pin ? '' : ' --no-pin'}`;
      const result = {
        scenario: scenario.name,
        command,
        parameters: scenario,
        environment: env,
        exporterNodeOptions,
        simulatorNodeOptions: SIMULATOR_NODE_OPTIONS,
        cpuPlacement: placement,
        loadAverage: { before: loadBefore, after: loadAfter },
        durationSeconds: Math.round((Date.now() - startedAt) / 1000),
        figures,
        measurements: { isolated, memory, cpuAndScrape: cpu },
        simulatorWarnings: sim.child.warnings,
      };
      const outDir = path.join(ROOT, 'bench', 'results');
      mkdirSync(outDir, { recursive: true });
      // A run with other Node options than the shipped ones, or unpinned, must not replace the quoted figures.
      const outFile = path.join(outDir, `${scenario.name}${shipped ? '' : '-other-node-options'}${options.pin ? '' : '-no-pin'}.json`);
      writeFileSync(outFile, `${JSON.stringify(result, null, 2)}\n`);
      progress(`wrote ${path.relative(ROOT, outFile)}`);
      process.stdout.write(
        `${markdownSummary(scenario, figures, { command, exporterNodeOptions, simulatorNodeOptions: SIMULATOR_NODE_OPTIONS, placement: placementText(placement), loadBefore, loadAfter, nproc: env.nproc, node: env.node, machineBusyCores: cpu.machineBusyCores })}\n`,
      );
      const warnings = [...isolated.flatMap((r) => r.warnings), ...memory.warnings, ...cpu.warnings];
      if (warnings.length > 0) progress(`exporter warnings (${warnings.length}), first: ${warnings[0]}`);
    } finally {
      await sim.child.stop();
    }
  } finally {
    killAllChildren();
    removeDir();
  }
  return 0;
}

/** One line on where the processes run, for the progress and the summary. */
function placementText(p: CpuPlacement): string {
  return p.pinned
    ? `phase 1 with the exporter's main thread pinned to CPU ${p.exporterMainCpu}, its other threads and the simulator to CPU ${p.otherCpus.join(',')}; phases 2 and 3 unpinned`
    : `no CPU pinning (${p.reason})`;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    killAllChildren();
    process.stderr.write(`bench: failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
