/**
 * What the simulated CC-CMS contains (call centers, VDNs, access codes, agents) and how busy it
 * is (traffic, staffing). The explicit form has the shape of the exporter's `callCenters`
 * configuration, so a config can be simulated as is.
 */

/** One VDN: its access codes (innoIds) and the ids of its agents (101-59999). */
export interface ScenarioVdn {
  id: number;
  accessCodes: readonly number[];
  agents: readonly number[];
}

/** The explicit scenario, as accepted (any array, e.g. a Config's `callCenters`). */
export interface ScenarioSpec {
  callCenters: ReadonlyArray<{ ccId: number; vdns: readonly ScenarioVdn[] }>;
}

/**
 * A generated or normalized scenario: plain mutable arrays, so it is assignable where the
 * exporter's configuration (`Config['callCenters']`) is expected.
 */
export interface Scenario {
  callCenters: Array<{ ccId: number; vdns: Array<{ id: number; accessCodes: number[]; agents: number[] }> }>;
}

/** The compact form; see generateScenario. Every field is optional. */
export interface GenerateScenarioOptions {
  /** Number of call centers (default 1), ids firstCcId, firstCcId+1, ... */
  callCenters?: number;
  /** Default 3; VDN ids firstVdn, firstVdn+1, ... (at most 5000). */
  vdnsPerCallCenter?: number;
  /** Default 5. */
  accessCodesPerVdn?: number;
  /** Default 10. */
  agentsPerVdn?: number;
  /** Default 1. */
  firstCcId?: number;
  /** Default 1. */
  firstVdn?: number;
  /** First innoId of each call center (default 1); innoIds are unique within a call center. */
  firstAccessCode?: number;
  /** First agent id of each call center (default 101); agent ids are unique within a call center. */
  firstAgentId?: number;
}

/**
 * Traffic of inbound calls. A number is a multiplier of the default rate (see defaultCallsPerMinute);
 * the object form is an absolute Poisson rate per access code, in calls per minute.
 */
export type TrafficLevel = number | { callsPerMinutePerAccessCode: number };

/**
 * Who is signed in. A number is the fraction (0-1) of a VDN's agents signed in; the object form
 * is a number of agents per VDN (capped at the VDN's agent count).
 */
export type Staffing = number | { agentsSignedIn: number };

/** A change of traffic or staffing at the current model time, globally and/or per VDN. */
export interface ScenarioAdjustment {
  trafficLevel?: TrafficLevel;
  staffing?: Staffing;
  /** Per-VDN overrides; they win over the global values. `null` removes an override. */
  vdns?: ReadonlyArray<{ ccId: number; vdn: number; trafficLevel?: TrafficLevel | null; staffing?: Staffing | null }>;
}

/** Thrown for a scenario that breaks the documented ranges. Stable `code`. */
export class ScenarioError extends Error {
  readonly code = 'SIM_SCENARIO';
  constructor(message: string) {
    super(message);
    this.name = 'ScenarioError';
  }
}

/** Default staffing: 80% of each VDN's agents signed in. */
export const DEFAULT_STAFFING: Staffing = 0.8;

/** Arrivals per minute for the whole simulator that the default traffic aims at, at most. */
const DEFAULT_TOTAL_CALLS_PER_MINUTE = 1000;
/** Per access code rate for small scenarios, calls per minute. */
const DEFAULT_PER_CODE_CALLS_PER_MINUTE = 0.4;

/**
 * The default Poisson rate per access code, calls per minute: 0.4, lowered for big scenarios so
 * that the whole simulator receives at most ~1000 calls a minute (a few thousand active calls at
 * 100,000 access codes) and never becomes a benchmark's bottleneck.
 */
export function defaultCallsPerMinute(totalAccessCodes: number): number {
  if (totalAccessCodes <= 0) return DEFAULT_PER_CODE_CALLS_PER_MINUTE;
  return Math.min(DEFAULT_PER_CODE_CALLS_PER_MINUTE, DEFAULT_TOTAL_CALLS_PER_MINUTE / totalAccessCodes);
}

/** Resolves a traffic level to calls per minute per access code. */
export function callsPerMinute(level: TrafficLevel, defaultRate: number): number {
  const rate = typeof level === 'number' ? level * defaultRate : level.callsPerMinutePerAccessCode;
  if (!Number.isFinite(rate) || rate < 0) throw new ScenarioError(`traffic level must give a rate >= 0, got ${rate}`);
  return rate;
}

/** Resolves staffing to the number of agents signed in, out of `agentCount`. */
export function signedInTarget(staffing: Staffing, agentCount: number): number {
  const n = typeof staffing === 'number' ? Math.round(staffing * agentCount) : Math.floor(staffing.agentsSignedIn);
  if (!Number.isFinite(n) || n < 0) throw new ScenarioError('staffing must be a fraction 0-1 or a count >= 0');
  if (typeof staffing === 'number' && staffing > 1) throw new ScenarioError('a staffing fraction must be <= 1');
  return Math.min(agentCount, n);
}

function intIn(value: number, min: number, max: number, what: string): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ScenarioError(`${what} must be an integer ${min}-${max}, got ${value}`);
  }
  return value;
}

/**
 * Builds a regular scenario, e.g. `generateScenario({ vdnsPerCallCenter: 5000, accessCodesPerVdn: 20 })`.
 * VDN k (0-based) of a call center gets innoIds firstAccessCode + k*accessCodesPerVdn + (0..n-1)
 * and agents firstAgentId + k*agentsPerVdn + (0..n-1). Throws ScenarioError when an id would
 * leave its documented range (VDN 1-5000, agent 101-59999, ccId 1-65535).
 */
export function generateScenario(options: GenerateScenarioOptions = {}): Scenario {
  const ccCount = intIn(options.callCenters ?? 1, 1, 65535, 'callCenters');
  const vdnCount = intIn(options.vdnsPerCallCenter ?? 3, 0, 5000, 'vdnsPerCallCenter');
  const codes = intIn(options.accessCodesPerVdn ?? 5, 0, 1_000_000, 'accessCodesPerVdn');
  const agents = intIn(options.agentsPerVdn ?? 10, 0, 59899, 'agentsPerVdn');
  const firstCcId = options.firstCcId ?? 1;
  const firstVdn = options.firstVdn ?? 1;
  const firstCode = options.firstAccessCode ?? 1;
  const firstAgent = options.firstAgentId ?? 101;
  intIn(firstCcId + ccCount - 1, 1, 65535, 'last ccId');
  if (vdnCount > 0) intIn(firstVdn + vdnCount - 1, 1, 5000, 'last VDN id');
  if (vdnCount * agents > 0) intIn(firstAgent + vdnCount * agents - 1, 101, 59999, 'last agent id');
  intIn(firstAgent, 101, 59999, 'firstAgentId');
  const callCenters = [];
  for (let c = 0; c < ccCount; c++) {
    const vdns: Scenario['callCenters'][number]['vdns'] = [];
    for (let k = 0; k < vdnCount; k++) {
      vdns.push({
        id: firstVdn + k,
        accessCodes: Array.from({ length: codes }, (_, i) => firstCode + k * codes + i),
        agents: Array.from({ length: agents }, (_, i) => firstAgent + k * agents + i),
      });
    }
    callCenters.push({ ccId: firstCcId + c, vdns });
  }
  return { callCenters };
}

/**
 * Checks an explicit scenario against the documented ranges and returns a clean copy:
 * duplicate access codes / agents within a VDN removed, VDNs sorted by id.
 */
export function normalizeScenario(spec: ScenarioSpec | GenerateScenarioOptions): Scenario {
  if (!Array.isArray((spec as ScenarioSpec).callCenters)) return generateScenario(spec as GenerateScenarioOptions);
  const seenCc = new Set<number>();
  const callCenters = (spec as ScenarioSpec).callCenters.map((cc) => {
    intIn(cc.ccId, 1, 65535, 'ccId');
    if (seenCc.has(cc.ccId)) throw new ScenarioError(`ccId ${cc.ccId} appears twice`);
    seenCc.add(cc.ccId);
    const seenVdn = new Set<number>();
    const vdns = cc.vdns.map((v) => {
      intIn(v.id, 1, 5000, 'VDN id');
      if (seenVdn.has(v.id)) throw new ScenarioError(`VDN ${v.id} appears twice in call center ${cc.ccId}`);
      seenVdn.add(v.id);
      const accessCodes = [...new Set(v.accessCodes)];
      for (const code of accessCodes) intIn(code, 0, Number.MAX_SAFE_INTEGER, 'access code (innoId)');
      const agents = [...new Set(v.agents)];
      for (const agent of agents) intIn(agent, 101, 59999, 'agent id');
      return { id: v.id, accessCodes, agents };
    });
    vdns.sort((a, b) => a.id - b.id);
    return { ccId: cc.ccId, vdns };
  });
  return { callCenters };
}
