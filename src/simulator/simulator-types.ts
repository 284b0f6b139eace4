import type { CallCenterModel } from './call-center-model.js';
import type { FaultControl } from './fault-injector.js';
import type { SimulatorStats } from './request-stats.js';
import type { GenerateScenarioOptions, Scenario, ScenarioAdjustment, ScenarioSpec, Staffing, TrafficLevel } from './scenario.js';
import type { ClockMode } from './sim-clock.js';

/** Options of startSimulator. Every field is optional. */
export interface SimulatorOptions {
  /** Listen address; default 127.0.0.1. */
  host?: string;
  /** Default 0 (a free port; read it from RunningSimulator.port). */
  port?: number;
  /** The global access key; default DEMO_ACCESS_KEY. */
  accessKey?: string;
  /** Its secret key; default DEMO_SECRET_KEY. */
  secretKey?: string;
  /** An optional tenant key: accepted everywhere except cti/sysindex (resultCode 0101003). */
  tenantAccessKey?: string;
  tenantSecretKey?: string;
  /** PRNG seed; the same seed and clock start tell the same story. Default 1. */
  seed?: number;
  /** Default `{ mode: 'real' }`. */
  clock?: ClockMode;
  /** CTI time = model time + this (ms), as ctiservertime answers it. Default 0. */
  ctiClockOffsetMs?: number;
  /** CTI 3.6: ctiservertime, queryaccesscodecallinfo, querybasiccallinfo answer 0100003. */
  cti36?: boolean;
  /** Explicit call centers, or the compact generator form. Default generateScenario(). */
  scenario?: ScenarioSpec | GenerateScenarioOptions;
  /** Default 1 (the default rate, see defaultCallsPerMinute). */
  trafficLevel?: TrafficLevel;
  /** Default 0.8 of each VDN's agents signed in. */
  staffing?: Staffing;
  /** Response time of every answer, ms after the request arrived (computing included). Default 0. */
  latencyMs?: number;
  /** Larger request bodies get HTTP 413. Default 1 MiB. */
  maxRequestBodyBytes?: number;
  /**
   * Model time simulated before the clock's start, ms, so calls are in progress and periods
   * exist from the first request. Default 15 minutes; 0 starts empty.
   */
  warmupMs?: number;
  /** Closed 5-minute periods kept per VDN; default historyCapacity(VDN count). */
  historyPeriods?: number;
  /** Wall clock for the auth timestamp check, epoch ms; default Date.now (tests inject it). */
  authWallNow?: () => number;
}

/** The read-only model accessors a running simulator exposes (each syncs to the clock first). */
export type SimulatorModelView = Pick<
  CallCenterModel,
  | 'now'
  | 'callCenters'
  | 'vdnState'
  | 'accessCodeState'
  | 'queueLength'
  | 'periods'
  | 'agents'
  | 'agentCalls'
  | 'call'
  | 'calls'
  | 'basicCallInfo'
  | 'totals'
>;

/** A started simulator. */
export interface RunningSimulator {
  /** `http://127.0.0.1:PORT` (the base URL for the exporter's cms.url). */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** The global access key it accepts (the secret key is not exposed here). */
  readonly accessKey: string;
  /** The call centers, VDNs, access codes and agents simulated (normalized), e.g. to build a config. */
  readonly scenario: Scenario;
  /** Stops listening, ends hanging and keep-alive connections. Idempotent. */
  close(): Promise<void>;
  /** Model time (epoch ms); advance() works in manual mode only and brings the model along. */
  readonly clock: { now(): number; advance(ms: number): void };
  readonly model: SimulatorModelView;
  /** Changes traffic and/or staffing (global or per VDN) at the current model time. */
  setScenario(change: ScenarioAdjustment): void;
  setCtiClockOffsetMs(ms: number): void;
  setCti36(on: boolean): void;
  /** Changes the response time of every answer, ms (see latencyMs). */
  setLatencyMs(ms: number): void;
  readonly faults: FaultControl;
  readonly stats: SimulatorStats;
}

