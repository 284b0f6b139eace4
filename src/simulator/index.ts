/**
 * The CC-CMS simulator: a faithful stand-in for the five monitoring interfaces, backed by a live
 * seeded model of call centers. Used by the tests, the demo, the benchmark and the end-to-end tests.
 */
export {
  startSimulator,
  DEMO_ACCESS_KEY,
  DEMO_SECRET_KEY,
  DEFAULT_WARMUP_MS,
  DEFAULT_MAX_REQUEST_BODY_BYTES,
} from './start-simulator.js';
export type { RunningSimulator, SimulatorModelView, SimulatorOptions } from './simulator-types.js';
export {
  generateScenario,
  normalizeScenario,
  defaultCallsPerMinute,
  ScenarioError,
  DEFAULT_STAFFING,
  type GenerateScenarioOptions,
  type Scenario,
  type ScenarioAdjustment,
  type ScenarioSpec,
  type ScenarioVdn,
  type Staffing,
  type TrafficLevel,
} from './scenario.js';
export type { ClockMode } from './sim-clock.js';
export { SimClockError } from './sim-clock.js';
export type { Fault, FaultTarget, FaultControl } from './fault-injector.js';
export type { SimulatorStats, RequestLogEntry } from './request-stats.js';
export type { AgentCounts, AgentState } from './agent-model.js';
export type { AccessCodeState } from './sim-vdn.js';
export type { CallRecord, AgentRecord } from './call-center-model.js';
export { SimulatorLookupError } from './call-center-model.js';
export { SIMULATOR_PATHS } from './http-server.js';
export { SIM_RESULT_CODES } from './interface-handlers.js';
export { AUTH_MAX_SKEW_MS } from './auth-verifier.js';
export { PERIOD_MS } from './period-stats.js';
export { MODEL_PARAMS } from './model-params.js';
