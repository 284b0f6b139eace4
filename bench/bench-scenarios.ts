/**
 * The benchmark scenarios of issue 7 and what follows from them: the simulator's command line,
 * the exporter configuration, the fewest CMS requests a run can make under the documented limits
 * (100 VDNs per sysindex request, 500 access codes per request, one request per agent plus one
 * per active call, one CTI clock request), and the intervals the benchmark polls at.
 */

/** Scenario names accepted by `--scenario`. */
export const SCENARIO_NAMES = ['small', 'large', 'huge'] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

/** The `collector` label values, in the order the benchmark measures them. */
export const COLLECTORS = ['sysindex', 'access_codes', 'agent_calls', 'cti_server_time'] as const;
export type CollectorName = (typeof COLLECTORS)[number];

/** The config key of each collector. */
export const CONFIG_KEYS: Readonly<Record<CollectorName, string>> = {
  sysindex: 'sysindex',
  access_codes: 'accessCodes',
  agent_calls: 'agentCalls',
  cti_server_time: 'ctiServerTime',
};

/** The exporter's default intervals, seconds (src/config/schema.ts): the CPU figure polls at these. */
export const DEFAULT_INTERVALS: Readonly<Record<CollectorName, number>> = {
  sysindex: 60,
  access_codes: 15,
  agent_calls: 15,
  cti_server_time: 60,
};

export interface BenchScenario {
  name: ScenarioName;
  /** One call center (ccId 1) with VDN ids 1..vdns. */
  vdns: number;
  accessCodesPerVdn: number;
  /** Agents the simulator gives each VDN. */
  agentsPerVdn: number;
  /** Agents put in the exporter's configuration (spread over the first VDNs). */
  watchedAgents: number;
  /** Simulator delay before every answer, ms. */
  latencyMs: number;
  /** cms.concurrency. */
  concurrency: number;
  /** collectors.sysindex.lookbackMinutes (the default). */
  lookbackMinutes: number;
  /** Length of the CPU measurement at default intervals, seconds (scaled to one minute). */
  cpuWindowSeconds: number;
  /** Whether issue 7's targets apply (they are stated for `large`). */
  targetsApply: boolean;
  /** Also time scrapes during an access_codes run (skipped for small: its runs last ~0.1 s). */
  scrapeDuringRun: boolean;
}

/** The three scenarios; latency and concurrency are issue 7's `large` values for all three. */
export const SCENARIOS: Readonly<Record<ScenarioName, BenchScenario>> = {
  small: { name: 'small', vdns: 10, accessCodesPerVdn: 10, agentsPerVdn: 2, watchedAgents: 20, latencyMs: 20, concurrency: 8, lookbackMinutes: 20, cpuWindowSeconds: 15, targetsApply: false, scrapeDuringRun: false },
  large: { name: 'large', vdns: 1000, accessCodesPerVdn: 50, agentsPerVdn: 2, watchedAgents: 500, latencyMs: 20, concurrency: 8, lookbackMinutes: 20, cpuWindowSeconds: 60, targetsApply: true, scrapeDuringRun: true },
  huge: { name: 'huge', vdns: 5000, accessCodesPerVdn: 20, agentsPerVdn: 2, watchedAgents: 500, latencyMs: 20, concurrency: 8, lookbackMinutes: 20, cpuWindowSeconds: 60, targetsApply: false, scrapeDuringRun: true },
};

/** Arguments of `aicc-exporter simulate` for the scenario. */
export function simulatorArgs(s: BenchScenario, accessKey: string, secretKeyFile: string): string[] {
  return [
    'simulate', '--host', '127.0.0.1', '--port', '0',
    '--vdns', String(s.vdns),
    '--access-codes-per-vdn', String(s.accessCodesPerVdn),
    '--agents-per-vdn', String(s.agentsPerVdn),
    '--latency-ms', String(s.latencyMs),
    '--access-key', accessKey,
    '--secret-key-file', secretKeyFile,
  ];
}

/** The VDNs of the configuration, with the simulator's ids (see generateScenario). */
export function scenarioVdns(s: BenchScenario): Array<{ id: number; accessCodes: number[]; agents: number[] }> {
  const perVdn = Math.min(s.agentsPerVdn, Math.ceil(s.watchedAgents / s.vdns));
  let left = s.watchedAgents;
  return Array.from({ length: s.vdns }, (_, k) => {
    const take = Math.min(perVdn, left);
    left -= take;
    return {
      id: k + 1,
      accessCodes: Array.from({ length: s.accessCodesPerVdn }, (_, i) => 1 + k * s.accessCodesPerVdn + i),
      agents: Array.from({ length: take }, (_, i) => 101 + k * s.agentsPerVdn + i),
    };
  });
}

/** The exporter configuration (JSON form): only `enabled` collectors on, at `intervals` seconds. */
export function exporterConfig(
  s: BenchScenario,
  cms: { url: string; accessKey: string; secretKeyFile: string },
  enabled: ReadonlySet<CollectorName>,
  intervals: Readonly<Record<CollectorName, number>>,
): object {
  const collectors: Record<string, object> = {};
  for (const c of COLLECTORS) {
    collectors[CONFIG_KEYS[c]] = {
      enabled: enabled.has(c),
      intervalSeconds: intervals[c],
      ...(c === 'sysindex' ? { lookbackMinutes: s.lookbackMinutes } : {}),
    };
  }
  return {
    listen: { host: '127.0.0.1', port: 0 },
    cms: { url: cms.url, accessKey: cms.accessKey, secretKeyFile: cms.secretKeyFile, concurrency: s.concurrency },
    callCenters: [{ ccId: 1, vdns: scenarioVdns(s) }],
    collectors,
    log: { level: 'info' },
  };
}

/**
 * Fewest requests one run can make under the documented limits. agent_calls depends on the
 * calls active at that moment, measured by the benchmark: pass them as `activeCalls`.
 */
export function minimumRequests(s: BenchScenario, collector: CollectorName, activeCalls = 0): number {
  switch (collector) {
    case 'sysindex':
      return Math.ceil(s.vdns / 100);
    case 'access_codes':
      return s.vdns * Math.ceil(s.accessCodesPerVdn / 500);
    case 'agent_calls':
      return s.watchedAgents + activeCalls;
    case 'cti_server_time':
      return 1;
  }
}

/** issue 7's wall-time bound of one run: ceil(requests / concurrency) × latency, seconds. */
export function wallBoundSeconds(s: BenchScenario, requests: number): number {
  return (Math.ceil(requests / s.concurrency) * s.latencyMs) / 1000;
}

/**
 * Interval (whole seconds, >= 1) for measuring a collector alone: at least twice its expected
 * run (agent_calls guessed at two requests per agent) plus a second, so every run ends well
 * before the next starts and the benchmark can read its figures in between.
 */
export function isolatedInterval(s: BenchScenario, collector: CollectorName): number {
  const expected = collector === 'agent_calls' ? 2 * s.watchedAgents : minimumRequests(s, collector);
  return Math.max(1, Math.ceil(2 * wallBoundSeconds(s, expected) + 1));
}

/** One interval for all four collectors together (the memory figure), same rule on the sum. */
export function sharedInterval(s: BenchScenario): number {
  const total = COLLECTORS.reduce((n, c) => n + (c === 'agent_calls' ? 2 * s.watchedAgents : minimumRequests(s, c)), 0);
  return Math.max(1, Math.ceil(2 * wallBoundSeconds(s, total) + 1));
}
