import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { ScenarioError } from '../simulator/scenario.js';
import { SimClockError, type ClockMode } from '../simulator/sim-clock.js';
import { DEMO_ACCESS_KEY, DEMO_SECRET_KEY, startSimulator } from '../simulator/start-simulator.js';

/**
 * `aicc-exporter simulate`: runs the CC-CMS simulator until SIGINT/SIGTERM. The secret key comes
 * from --secret-key-file or AICC_SIMULATOR_SECRET_KEY (never from the command line, where other
 * users could read it); without either, the documented demo key is used.
 */

/** Environment variable holding the simulator's secret key. */
export const SIMULATOR_SECRET_ENV = 'AICC_SIMULATOR_SECRET_KEY';

/** Default listen port (the port of the documents' examples). */
export const DEFAULT_SIMULATOR_PORT = 28080;

const USAGE = `Usage: aicc-exporter simulate [options]

Runs a simulated CC-CMS (the five monitoring interfaces, auth-v2 checked) until SIGINT/SIGTERM.

Options:
  --host H                 listen address (default 127.0.0.1)
  --port N                 listen port, 0 for any free port (default ${DEFAULT_SIMULATOR_PORT})
  --access-key AK          access key to accept (default the demo key ${DEMO_ACCESS_KEY})
  --secret-key-file F      file holding the secret key (else $${SIMULATOR_SECRET_ENV}, else the demo key)
  --seed S                 PRNG seed, integer (default 1): same seed, same story
  --vdns N                 VDNs in call center 1, ids 1..N (default 3, at most 5000)
  --access-codes-per-vdn N access codes per VDN (default 5)
  --agents-per-vdn N       agents per VDN (default 10)
  --traffic X              traffic multiplier of the default rate (default 1)
  --staffing F             fraction of agents signed in, 0-1 (default 0.8)
  --speed FACTOR           model time runs FACTOR times faster than real time (default 1)
  --cti-offset-ms MS       CTI clock offset answered by ctiservertime (default 0;
                           negative values as --cti-offset-ms=-5000)
  --cti36                  behave like CTI 3.6 (three interfaces answer 0100003)
  --latency-ms MS          response time of every answer (default 0)
  -h, --help               show this help
`;

/** Injectable I/O, for tests; defaults to the process's. */
export interface SimulateCommandIo {
  stdout?: { write(text: string): unknown };
  stderr?: { write(text: string): unknown };
  env?: Record<string, string | undefined>;
  /** Stops the simulator like SIGTERM does. */
  signal?: AbortSignal;
}

class UsageError extends Error {}

function intArg(value: string | undefined, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value)) throw new UsageError(`--${name} must be an integer`);
  const n = Number(value);
  if (n < min || n > max) throw new UsageError(`--${name} must be ${min}-${max}`);
  return n;
}

function numberArg(value: string | undefined, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max) {
    throw new UsageError(`--${name} must be a number ${min}-${max}`);
  }
  return n;
}

const OPTIONS = {
  host: { type: 'string' },
  port: { type: 'string' },
  'access-key': { type: 'string' },
  'secret-key-file': { type: 'string' },
  seed: { type: 'string' },
  vdns: { type: 'string' },
  'access-codes-per-vdn': { type: 'string' },
  'agents-per-vdn': { type: 'string' },
  traffic: { type: 'string' },
  staffing: { type: 'string' },
  speed: { type: 'string' },
  'cti-offset-ms': { type: 'string' },
  cti36: { type: 'boolean' },
  'latency-ms': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Runs the command; resolves with the exit code (0 after a clean stop, 2 for usage errors). */
export async function simulateCommand(argv: string[], io: SimulateCommandIo = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const env = io.env ?? process.env;
  let values;
  try {
    if (argv.some((a) => a === '--secret-key' || a.startsWith('--secret-key='))) {
      throw new UsageError(`--secret-key is not accepted on the command line; use --secret-key-file or ${SIMULATOR_SECRET_ENV}`);
    }
    values = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (err) {
    stderr.write(`aicc-exporter simulate: ${err instanceof Error ? err.message : String(err)} (see --help)\n`);
    return 2;
  }
  if (values.help) {
    stdout.write(USAGE);
    return 0;
  }

  let options;
  let usingDemoSecret = false;
  try {
    let secretKey: string | undefined;
    const file = values['secret-key-file'];
    if (file !== undefined) {
      try {
        secretKey = (await readFile(file, 'utf8')).replace(/\r?\n$/, '');
      } catch (err) {
        throw new UsageError(`cannot read --secret-key-file: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
      }
      if (secretKey === '') throw new UsageError('--secret-key-file is empty');
    } else if (env[SIMULATOR_SECRET_ENV]) {
      secretKey = env[SIMULATOR_SECRET_ENV];
    } else {
      secretKey = DEMO_SECRET_KEY;
      usingDemoSecret = true;
    }
    const accessKey = values['access-key'] ?? DEMO_ACCESS_KEY;
    if (accessKey === '' || accessKey.includes('/')) throw new UsageError('--access-key must be non-empty and without "/"');
    const speed = numberArg(values.speed, 'speed', Number.MIN_VALUE, 1_000_000) ?? 1;
    const clock: ClockMode = speed === 1 ? { mode: 'real' } : { mode: 'accelerated', factor: speed };
    options = {
      host: values.host ?? '127.0.0.1',
      port: intArg(values.port, 'port', 0, 65535) ?? DEFAULT_SIMULATOR_PORT,
      accessKey,
      secretKey,
      seed: intArg(values.seed, 'seed', -(2 ** 31), 2 ** 32 - 1) ?? 1,
      clock,
      scenario: {
        vdnsPerCallCenter: intArg(values.vdns, 'vdns', 1, 5000),
        accessCodesPerVdn: intArg(values['access-codes-per-vdn'], 'access-codes-per-vdn', 0, 100_000),
        agentsPerVdn: intArg(values['agents-per-vdn'], 'agents-per-vdn', 0, 59_899),
      },
      trafficLevel: numberArg(values.traffic, 'traffic', 0, 1_000_000),
      staffing: numberArg(values.staffing, 'staffing', 0, 1),
      ctiClockOffsetMs: intArg(values['cti-offset-ms'], 'cti-offset-ms', -(10 ** 12), 10 ** 12) ?? 0,
      cti36: values.cti36 ?? false,
      latencyMs: intArg(values['latency-ms'], 'latency-ms', 0, 3_600_000) ?? 0,
    };
  } catch (err) {
    stderr.write(`aicc-exporter simulate: ${err instanceof Error ? err.message : String(err)} (see --help)\n`);
    return 2;
  }

  let sim;
  try {
    sim = await startSimulator(options);
  } catch (err) {
    const usage = err instanceof ScenarioError || err instanceof SimClockError || err instanceof RangeError;
    stderr.write(`aicc-exporter simulate: ${err instanceof Error ? err.message : String(err)}\n`);
    return usage ? 2 : 1;
  }
  collectStartupGarbage();
  stdout.write(`CC-CMS simulator listening on ${sim.url} (access key: ${sim.accessKey})\n`);
  if (usingDemoSecret) {
    stderr.write(`aicc-exporter simulate: no --secret-key-file or ${SIMULATOR_SECRET_ENV}: using the documented demo secret key\n`);
  }

  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      io.signal?.removeEventListener('abort', stop);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    if (io.signal?.aborted) stop();
    else io.signal?.addEventListener('abort', stop, { once: true });
  });
  await sim.close();
  return 0;
}

/**
 * Under `node --expose-gc` (the benchmark starts the simulator so), collects the garbage left by
 * building the model before the first client is told the address. V8 would otherwise collect it
 * seconds later, in a 10-20 ms pause at 50,000 access codes, in the middle of answers that are
 * meant to take `latencyMs`. Without the flag: nothing.
 */
function collectStartupGarbage(): void {
  const { gc } = globalThis as { gc?: () => void };
  gc?.();
}
