import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CollectorName } from '../src/collectors/types.js';
import type { CmsEndpoint } from '../src/cms/types.js';
import { DEMO_ACCESS_KEY, DEMO_SECRET_KEY, type Scenario } from '../src/simulator/start-simulator.js';

/**
 * The soak's fixed settings: a small call center polled fast (1–2 s intervals, 1 s CMS timeout)
 * so that a 2-minute run still sees every fault, every recovery and every stale drop.
 */

/** The simulated call center: 1 call center, 3 VDNs, 3 access codes and 2 agents per VDN. */
export const SOAK_SCENARIO = { callCenters: 1, vdnsPerCallCenter: 3, accessCodesPerVdn: 3, agentsPerVdn: 2 } as const;

/** The exporter's CMS settings during the soak (seconds where the config says seconds). */
export const SOAK_CMS = { timeoutSeconds: 1, concurrency: 3, retries: 2, retryMaxDelaySeconds: 1 } as const;

/** Per collector: interval and stale limit (in intervals). */
export const SOAK_COLLECTORS: Readonly<Record<CollectorName, { intervalSeconds: number; staleAfterIntervals: number }>> = {
  sysindex: { intervalSeconds: 2, staleAfterIntervals: 2 },
  access_codes: { intervalSeconds: 1, staleAfterIntervals: 3 },
  cti_server_time: { intervalSeconds: 1, staleAfterIntervals: 3 },
  agent_calls: { intervalSeconds: 2, staleAfterIntervals: 3 },
};

/** Which collector fails when an interface fails (basic call info failures only shorten agent_calls' figures). */
export const COLLECTOR_OF_ENDPOINT: Readonly<Record<CmsEndpoint, CollectorName | null>> = {
  sysindex: 'sysindex',
  cti_server_time: 'cti_server_time',
  access_code_call_info: 'access_codes',
  agent_calls: 'agent_calls',
  basic_call_info: null,
};

/** The four collectors (the `collector` label values). */
export const COLLECTOR_NAMES: readonly CollectorName[] = ['sysindex', 'access_codes', 'cti_server_time', 'agent_calls'];

/**
 * The longest a failing run can last, seconds: every attempt timing out or failing plus every
 * backoff at its cap: timeout × (retries + 1) + retryMaxDelay × retries.
 */
export function failingRunBudgetSeconds(): number {
  return SOAK_CMS.timeoutSeconds * (SOAK_CMS.retries + 1) + SOAK_CMS.retryMaxDelaySeconds * SOAK_CMS.retries;
}

/** Slack for scrape granularity and timers on a busy 2-core machine, seconds. */
export const RECOVERY_SLACK_SECONDS = 1;

/**
 * Longest accepted time from a fault clearing to aicc_up staying 1, seconds: one interval,
 * plus the run that may still be in flight (and failing) when the fault clears, plus slack.
 */
export function recoveryBoundSeconds(collector: CollectorName): number {
  return SOAK_COLLECTORS[collector].intervalSeconds + failingRunBudgetSeconds() + RECOVERY_SLACK_SECONDS;
}

/** A collector's stale limit, seconds. */
export function staleLimitSeconds(collector: CollectorName): number {
  const c = SOAK_COLLECTORS[collector];
  return c.intervalSeconds * c.staleAfterIntervals;
}

/**
 * Writes the exporter's configuration (JSON) and its secret key file into `dir`; returns the
 * configuration's path. The secret goes through cms.secretKeyFile, as the docs recommend.
 */
export function writeExporterConfig(dir: string, cmsUrl: string, scenario: Scenario): string {
  const secretFile = join(dir, 'secret-key');
  writeFileSync(secretFile, `${DEMO_SECRET_KEY}\n`, { mode: 0o600 });
  const c = SOAK_COLLECTORS;
  const config = {
    listen: { host: '127.0.0.1', port: 0 },
    cms: { url: cmsUrl, accessKey: DEMO_ACCESS_KEY, secretKeyFile: secretFile, ...SOAK_CMS },
    callCenters: scenario.callCenters,
    collectors: {
      sysindex: { ...c.sysindex, lookbackMinutes: 20 },
      accessCodes: c.access_codes,
      ctiServerTime: c.cti_server_time,
      agentCalls: c.agent_calls,
    },
    log: { level: 'info' },
  };
  const file = join(dir, 'config.json');
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
  return file;
}
