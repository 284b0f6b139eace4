import { parseArgs } from 'node:util';
import { startApp, type RunningApp } from '../app.js';
import { startDemo } from '../demo.js';
import { loadConfig } from '../config/index.js';
import { describeConfigFailure } from './cli-support.js';
import { createLogger } from '../log.js';

const USAGE = `Usage: aicc-exporter [run] [options]

Polls the CC-CMS and serves Prometheus metrics on /metrics.
Without --config: a demo against an embedded CC-CMS simulator.

Options:
  --config FILE              configuration file (YAML or JSON); AICC_* environment variables also apply
  --check-config             validate the configuration and exit (0 valid, 2 invalid)
  --web.listen-address ADDR  where to serve, HOST:PORT or :PORT (default 0.0.0.0:10125)
  --web.config.file FILE     exporter-toolkit web configuration (TLS, basic auth, headers)
  --web.enable-lifecycle     enable POST /-/reload
  --shard N                  this process's shard index (0-based)
  --total-shards N           number of shards
  --log.level LEVEL          fatal, error, warn, info, debug, trace or silent
  -h, --help                 this text

Signals: SIGHUP reloads the configuration; SIGTERM/SIGINT stop within 5 seconds.
`;

/** How long shutdown may take before the process exits anyway, ms. */
const SHUTDOWN_DEADLINE_MS = 5_000;

function parseFlags(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      config: { type: 'string' },
      'check-config': { type: 'boolean' },
      'web.listen-address': { type: 'string' },
      'web.config.file': { type: 'string' },
      'web.enable-lifecycle': { type: 'boolean' },
      shard: { type: 'string' },
      'total-shards': { type: 'string' },
      'log.level': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  }).values;
}

/** Command-line flags as dotted config overrides (highest precedence). */
function overridesFrom(flags: ReturnType<typeof parseFlags>): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  const address = flags['web.listen-address'];
  if (address !== undefined) {
    const m = /^(\[[^\]]+\]|[^:]*):(\d+)$/.exec(address);
    if (!m) throw new Error(`--web.listen-address: '${address}' is not HOST:PORT or :PORT`);
    if (m[1]) o['listen.host'] = m[1].replace(/^\[|\]$/g, '');
    o['listen.port'] = Number(m[2]);
  }
  if (flags['web.config.file'] !== undefined) o['web.configFile'] = flags['web.config.file'];
  if (flags['web.enable-lifecycle']) o['web.enableLifecycle'] = true;
  // Passed as text: the loader converts strictly and names the flag's value in its message
  // (Number() would take '' as 0 and '0x1' as 1).
  if (flags.shard !== undefined) o['shard.index'] = flags.shard;
  if (flags['total-shards'] !== undefined) o['shard.total'] = flags['total-shards'];
  if (flags['log.level'] !== undefined) o['log.level'] = flags['log.level'];
  return o;
}

/** `aicc-exporter run` (the default command). Resolves with the exit code once stopped. */
export async function runCommand(argv: string[]): Promise<number> {
  let flags: ReturnType<typeof parseFlags>;
  try {
    flags = parseFlags(argv);
  } catch (err) {
    process.stderr.write(`aicc-exporter: ${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`);
    return 2;
  }
  if (flags.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  let overrides: Record<string, unknown>;
  try {
    overrides = overridesFrom(flags);
  } catch (err) {
    process.stderr.write(`aicc-exporter: ${(err as Error).message}\n`);
    return 2;
  }

  if (flags['check-config']) {
    if (!flags.config) {
      process.stderr.write('aicc-exporter: --check-config needs --config FILE\n');
      return 2;
    }
    try {
      const { config, warnings } = loadConfig({ file: flags.config, env: process.env, overrides });
      for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
      const vdns = config.callCenters.reduce((n, cc) => n + cc.vdns.length, 0);
      process.stdout.write(`${flags.config}: valid (${config.callCenters.length} call center(s), ${vdns} VDN(s))\n`);
      return 0;
    } catch (err) {
      process.stderr.write(`${describeConfigFailure(err)}\n`);
      return 2;
    }
  }

  // A SIGHUP while starting must not kill the process (the default action): remember it and
  // reload once running, since the file may have changed after it was read.
  let hupWhileStarting = false;
  const onEarlyHup = () => {
    hupWhileStarting = true;
  };
  process.on('SIGHUP', onEarlyHup);
  let app: RunningApp;
  try {
    app = await startFromFlags(flags, overrides);
  } catch (err) {
    process.off('SIGHUP', onEarlyHup);
    const code = (err as { code?: unknown }).code;
    process.stderr.write(`aicc-exporter: ${describeConfigFailure(err).replace(/^invalid configuration: /, '')}\n`);
    return code === 'CONFIG_INVALID' || (typeof code === 'string' && code.startsWith('WEB_CONFIG')) ? 2 : 1;
  }
  const done = waitForSignals(app);
  process.off('SIGHUP', onEarlyHup);
  if (hupWhileStarting) void app.reload();
  return done;
}

async function startFromFlags(flags: ReturnType<typeof parseFlags>, overrides: Record<string, unknown>): Promise<RunningApp> {
  if (flags.config) {
    const loaded = loadConfig({ file: flags.config, env: process.env, overrides });
    const logger = createLogger(loaded.config.log.level);
    for (const w of loaded.warnings) logger.warn(w);
    return startApp({
      config: loaded.config,
      logger,
      reloadConfig: () => loadConfig({ file: flags.config, env: process.env, overrides }).config,
    });
  }
  const logger = createLogger(typeof overrides['log.level'] === 'string' ? overrides['log.level'] : 'info');
  return startDemo({ logger, overrides });
}

function waitForSignals(app: RunningApp): Promise<number> {
  return new Promise((resolve) => {
    let stopping = false;
    // While stopping, SIGHUP is still caught (its default action would end the process with 129).
    const onHup = () => {
      if (stopping) app.logger.info('SIGHUP ignored: shutting down');
      else void app.reload();
    };
    const stop = (signal: string) => {
      stopping = true;
      app.logger.info({ signal }, 'shutting down');
      const deadline = setTimeout(() => {
        app.logger.error('shutdown took longer than 5 s; exiting anyway');
        resolve(1);
      }, SHUTDOWN_DEADLINE_MS);
      deadline.unref();
      app.stop().then(
        () => {
          clearTimeout(deadline);
          resolve(0);
        },
        () => resolve(1),
      );
    };
    process.on('SIGHUP', onHup);
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}
