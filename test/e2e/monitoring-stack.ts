/**
 * Starts the whole e2e stack on loopback: the CC-CMS simulator (in process, so the test can drive
 * it), the exporter (a child process: `node --import tsx src/cli.ts run`), a webhook stub,
 * Alertmanager and Prometheus (the Debian binaries, as child processes) with the repository's
 * rules and routing. `stop()` ends every process by PID and removes the temporary directory.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_ACCESS_KEY, DEMO_SECRET_KEY, startSimulator } from '../../src/simulator/start-simulator.js';
import type { GenerateScenarioOptions } from '../../src/simulator/scenario.js';
import type { RunningSimulator } from '../../src/simulator/simulator-types.js';
import { recordOutput } from '../helpers/capture-logger.js';
import { buildPrometheusConfig, REPO_ROOT, writeRulesForE2e, type PrometheusTool } from '../helpers/rules-for-e2e.js';
import { freeLoopbackPort, runToCompletion, startChild, type ChildHandle } from './child-processes.js';
import { AlertmanagerApi, PrometheusApi, pollUntil } from './monitoring-apis.js';
import { writeAlertmanagerConfig, writeExporterConfig } from './stack-config.js';
import { startWebhookStub, type WebhookStub } from './webhook-stub.js';

/** Paths of the four Prometheus tools (see findPrometheusTool). */
export type ToolPaths = Record<Exclude<PrometheusTool, 'alertmanager'>, string>;

export interface StackOptions {
  tools: ToolPaths;
  scenario: GenerateScenarioOptions;
  /** Replacement of every `for:` of the rules. */
  forDuration: string;
  /** Threshold constants to override (names of deploy/prometheus/alerts.yml threshold rules). */
  thresholds: Record<string, number>;
}

export interface MonitoringStack {
  readonly sim: RunningSimulator;
  readonly exporter: ChildHandle;
  /** host:port the exporter serves on (the Prometheus target). */
  readonly exporterTarget: string;
  readonly prometheus: ChildHandle;
  readonly alertmanager: ChildHandle;
  readonly prom: PrometheusApi;
  readonly am: AlertmanagerApi;
  readonly webhook: WebhookStub;
  readonly amtool: string;
  /** The long-running child processes: exporter, Alertmanager, Prometheus (promtool/amtool runs end on their own). */
  readonly children: readonly ChildHandle[];
  /** The last output of every long-running child, for failure messages. */
  describeProcesses(): string;
  /** Stops everything started (idempotent, never throws); returns problems met, if any. */
  stop(): Promise<string[]>;
}

/** Bound on each start-up wait, ms. */
const START_TIMEOUT_MS = 30_000;

async function waitReady(name: string, url: string, child: ChildHandle): Promise<void> {
  await pollUntil(
    `${name} ready at ${url}`,
    START_TIMEOUT_MS,
    async () => {
      if (child.hasExited()) throw new Error(`${name} exited`);
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      return res.ok ? true : undefined;
    },
    () => child.tail(),
    300,
  );
}

/** An environment for children without the AICC_* variables of the developer's shell (they would override the config). */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AICC_')));
}

/** Starts the stack. On any failure, what was started is stopped before the error propagates. */
export async function startMonitoringStack(options: StackOptions): Promise<MonitoringStack> {
  const dir = await mkdtemp(join(tmpdir(), 'aicc-e2e-'));
  const children: ChildHandle[] = [];
  let sim: RunningSimulator | undefined;
  let webhook: WebhookStub | undefined;
  let stopped: Promise<string[]> | undefined;

  const stop = (): Promise<string[]> => {
    stopped ??= (async () => {
      const problems: string[] = [];
      // Prometheus first (it would otherwise scrape and alert on a vanishing stack), the exporter last.
      for (const child of [...children].reverse()) {
        await child.stop().catch((err: unknown) => problems.push(`${child.name}: ${String(err)}`));
      }
      await sim?.close().catch((err: unknown) => problems.push(`simulator: ${String(err)}`));
      await webhook?.close().catch((err: unknown) => problems.push(`webhook stub: ${String(err)}`));
      await rm(dir, { recursive: true, force: true }).catch((err: unknown) => problems.push(`rm ${dir}: ${String(err)}`));
      return problems;
    })();
    return stopped;
  };

  try {
    sim = await startSimulator({ scenario: options.scenario, clock: { mode: 'real' }, seed: 5 });
    webhook = await startWebhookStub();

    const exporterConfig = await writeExporterConfig(dir, {
      cmsUrl: sim.url,
      accessKey: DEMO_ACCESS_KEY,
      secretKey: DEMO_SECRET_KEY,
      scenario: sim.scenario,
    });
    const exporter = startChild(
      'exporter',
      process.execPath,
      ['--import', 'tsx', join(REPO_ROOT, 'src', 'cli.ts'), 'run', '--config', exporterConfig, '--web.listen-address', '127.0.0.1:0'],
      { cwd: REPO_ROOT, env: cleanEnv(), onOutput: (text) => recordOutput('cli', text) },
    );
    children.push(exporter);
    const serving = await exporter.waitForLine(/aicc-exporter serving metrics/, START_TIMEOUT_MS);
    const metricsUrl = new URL((JSON.parse(serving) as { url: string }).url);
    const exporterTarget = metricsUrl.host;

    const amConfig = await writeAlertmanagerConfig(dir, webhook.url);
    const amCheck = await runToCompletion('amtool check-config', options.tools.amtool, ['check-config', amConfig], 20_000);
    if (amCheck.code !== 0) throw new Error(`amtool check-config ${amConfig} failed:\n${amCheck.output}`);
    const amPort = await freeLoopbackPort();
    const alertmanager = startChild('alertmanager', options.tools['prometheus-alertmanager'], [
      `--config.file=${amConfig}`,
      `--storage.path=${join(dir, 'alertmanager-data')}`,
      `--web.listen-address=127.0.0.1:${amPort}`,
      '--cluster.listen-address=', // no gossip port: a single, loopback-only instance
    ]);
    children.push(alertmanager);
    const amUrl = `http://127.0.0.1:${amPort}`;
    await waitReady('alertmanager', `${amUrl}/-/ready`, alertmanager);

    const ruleFiles = await writeRulesForE2e(join(dir, 'rules'), { forDuration: options.forDuration, thresholds: options.thresholds });
    const promConfig = join(dir, 'prometheus.yml');
    await writeFile(
      promConfig,
      buildPrometheusConfig({ targets: [exporterTarget], ruleFiles, scrapeInterval: '1s', evaluationInterval: '1s', alertmanager: `127.0.0.1:${amPort}` }),
      'utf8',
    );
    const promCheck = await runToCompletion('promtool check config', options.tools.promtool, ['check', 'config', promConfig], 20_000);
    if (promCheck.code !== 0) throw new Error(`promtool check config ${promConfig} failed:\n${promCheck.output}`);
    const promPort = await freeLoopbackPort();
    const prometheus = startChild('prometheus', options.tools.prometheus, [
      `--config.file=${promConfig}`,
      `--storage.tsdb.path=${join(dir, 'prometheus-data')}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
      // Resend firing alerts every 2 s rather than every minute, in case Alertmanager missed the first.
      '--rules.alert.resend-delay=2s',
    ]);
    children.push(prometheus);
    const promUrl = `http://127.0.0.1:${promPort}`;
    await waitReady('prometheus', `${promUrl}/-/ready`, prometheus);

    const running = [exporter, alertmanager, prometheus];
    return {
      sim,
      exporter,
      exporterTarget,
      prometheus,
      alertmanager,
      prom: new PrometheusApi(promUrl),
      am: new AlertmanagerApi(amUrl),
      webhook,
      amtool: options.tools.amtool,
      children,
      describeProcesses: () =>
        running.map((c) => `--- ${c.name} (pid ${c.pid}${c.hasExited() ? ', exited' : ''}) ---\n${c.tail()}`).join('\n'),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
