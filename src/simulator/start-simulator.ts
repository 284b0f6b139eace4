import type { AddressInfo } from 'node:net';
import { createAuthVerifier, type SimulatorKey } from './auth-verifier.js';
import { CallCenterModel } from './call-center-model.js';
import { FaultInjector } from './fault-injector.js';
import { createSimulatorServer, type LiveSettings } from './http-server.js';
import { RequestStats } from './request-stats.js';
import { normalizeScenario, type ScenarioAdjustment } from './scenario.js';
import { createSimClock } from './sim-clock.js';
import type { RunningSimulator, SimulatorOptions } from './simulator-types.js';

export type { RunningSimulator, SimulatorModelView, SimulatorOptions } from './simulator-types.js';
export { generateScenario } from './scenario.js';
export type { GenerateScenarioOptions, Scenario, ScenarioAdjustment, ScenarioSpec, Staffing, TrafficLevel } from './scenario.js';
export type { ClockMode } from './sim-clock.js';
export type { Fault, FaultTarget } from './fault-injector.js';

/**
 * The documented demo access key of the simulator (`npm start` without a config, `simulate`
 * without --access-key). Public on purpose: it protects nothing.
 */
export const DEMO_ACCESS_KEY = 'aicc-demo-ak';

/** The documented demo secret key matching DEMO_ACCESS_KEY. Public on purpose: it protects nothing. */
export const DEMO_SECRET_KEY = 'aicc-demo-sk-not-a-secret';

/**
 * How often a simulator on a running clock (real or accelerated) brings its model up to date
 * between requests, ms. The model is event-driven and catches up when asked; without this, the
 * first request after a quiet spell would pay for every event since (tens of milliseconds at
 * 50,000 access codes), which a real CMS, busy all along, does not charge its clients.
 */
export const BACKGROUND_SYNC_MS = 100;

/** Default model time simulated before the start, ms. */
export const DEFAULT_WARMUP_MS = 15 * 60_000;

/** Default request body limit, bytes. */
export const DEFAULT_MAX_REQUEST_BODY_BYTES = 1024 * 1024;

function nonNegative(value: number, what: string): number {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${what} must be a number >= 0`);
  return value;
}

/**
 * Starts a CC-CMS simulator listening on host:port (default 127.0.0.1, a free port) and
 * resolves once it accepts connections. Call close() when done.
 */
export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const host = options.host ?? '127.0.0.1';
  const accessKey = options.accessKey ?? DEMO_ACCESS_KEY;
  const keys: SimulatorKey[] = [{ accessKey, secretKey: options.secretKey ?? DEMO_SECRET_KEY, role: 'global' }];
  if (options.tenantAccessKey !== undefined && options.tenantSecretKey !== undefined) {
    keys.push({ accessKey: options.tenantAccessKey, secretKey: options.tenantSecretKey, role: 'tenant' });
  }
  const seed = options.seed ?? 1;
  const clock = createSimClock(options.clock ?? { mode: 'real' });
  const warmupMs = nonNegative(options.warmupMs ?? DEFAULT_WARMUP_MS, 'warmupMs');
  const scenario = normalizeScenario(options.scenario ?? {});
  const model = new CallCenterModel(clock, {
    scenario,
    seed,
    startMs: clock.now() - warmupMs,
    trafficLevel: options.trafficLevel,
    staffing: options.staffing,
    historyPeriods: options.historyPeriods,
  });
  model.sync();

  const settings: LiveSettings = {
    latencyMs: nonNegative(options.latencyMs ?? 0, 'latencyMs'),
    maxRequestBodyBytes: nonNegative(options.maxRequestBodyBytes ?? DEFAULT_MAX_REQUEST_BODY_BYTES, 'maxRequestBodyBytes'),
    cti36: options.cti36 ?? false,
    ctiClockOffsetMs: options.ctiClockOffsetMs ?? 0,
  };
  const faults = new FaultInjector(seed);
  const stats = new RequestStats();
  const { server, shutdown } = createSimulatorServer({
    model,
    verify: createAuthVerifier(keys, options.authWallNow),
    faults,
    stats,
    settings,
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const ticker = clock.mode === 'manual' ? null : setInterval(() => model.sync(), BACKGROUND_SYNC_MS);
  ticker?.unref();
  let closing: Promise<void> | undefined;

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    host,
    port,
    accessKey,
    scenario,
    close: () => {
      if (ticker) clearInterval(ticker);
      return (closing ??= shutdown());
    },
    clock: {
      now: () => clock.now(),
      advance: (ms: number) => {
        clock.advance(ms);
        model.sync();
      },
    },
    model,
    setScenario: (change: ScenarioAdjustment) => model.adjust(change),
    setCtiClockOffsetMs: (ms: number) => {
      if (!Number.isFinite(ms)) throw new RangeError('ctiClockOffsetMs must be a finite number');
      settings.ctiClockOffsetMs = ms;
    },
    setCti36: (on: boolean) => {
      settings.cti36 = on;
    },
    setLatencyMs: (ms: number) => {
      settings.latencyMs = nonNegative(ms, 'latencyMs');
    },
    faults,
    stats,
  };
}
