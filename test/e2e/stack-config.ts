/**
 * The configuration files of the e2e stack: the exporter's (short collector intervals, every VDN,
 * access code and agent of the simulated scenario watched) and a copy of
 * deploy/alertmanager/alertmanager.yml whose webhook receivers point at the loopback stub.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import type { Scenario } from '../../src/simulator/scenario.js';
import { ALERTMANAGER_CONFIG } from '../helpers/rules-for-e2e.js';

/** Collector intervals of the e2e exporter, seconds (3 of them must pass before AiccCollectorFailing). */
export const E2E_COLLECTOR_INTERVALS = { sysindex: 2, accessCodes: 1, ctiServerTime: 1, agentCalls: 1 } as const;

export interface ExporterConfigInput {
  cmsUrl: string;
  accessKey: string;
  secretKey: string;
  scenario: Scenario;
}

/**
 * Writes `dir`/exporter.json (JSON is valid YAML for the loader) and `dir`/secret-key; returns the
 * config path. The secret goes through cms.secretKeyFile, as the docs recommend, not the file.
 */
export async function writeExporterConfig(dir: string, input: ExporterConfigInput): Promise<string> {
  const secretPath = join(dir, 'secret-key');
  await writeFile(secretPath, `${input.secretKey}\n`, { mode: 0o600 });
  const i = E2E_COLLECTOR_INTERVALS;
  const config = {
    listen: { host: '127.0.0.1', port: 0 },
    // No retries and a short timeout: once the simulator is stopped, runs fail within an interval.
    cms: { url: input.cmsUrl, accessKey: input.accessKey, secretKeyFile: secretPath, retries: 0, timeoutSeconds: 2 },
    callCenters: input.scenario.callCenters,
    collectors: {
      sysindex: { intervalSeconds: i.sysindex, lookbackMinutes: 20 },
      accessCodes: { intervalSeconds: i.accessCodes },
      ctiServerTime: { intervalSeconds: i.ctiServerTime },
      agentCalls: { intervalSeconds: i.agentCalls },
    },
    log: { level: 'info' },
  };
  const path = join(dir, 'exporter.json');
  await writeFile(path, `${JSON.stringify(config, null, 2)}\n`, 'utf8');
  return path;
}

interface ReceiverDoc {
  name: string;
  webhook_configs?: Array<{ url: string }>;
  [other: string]: unknown;
}

/**
 * Copies the repository's alertmanager.yml into `dir` with every webhook URL replaced by
 * `<webhookBaseUrl>/<receiver name>`; routing and inhibition stay as in the repository. Throws on
 * a receiver with any other kind of integration (email, Slack...): the test must not notify anyone.
 */
export async function writeAlertmanagerConfig(dir: string, webhookBaseUrl: string): Promise<string> {
  const doc = parse(await readFile(ALERTMANAGER_CONFIG, 'utf8')) as { receivers?: ReceiverDoc[] };
  for (const receiver of doc.receivers ?? []) {
    const kinds = Object.keys(receiver).filter((k) => k !== 'name');
    const foreign = kinds.filter((k) => k !== 'webhook_configs');
    if (foreign.length > 0) {
      throw new Error(`alertmanager.yml receiver ${receiver.name} uses ${foreign.join(', ')}; the e2e test only rewrites webhook_configs`);
    }
    for (const hook of receiver.webhook_configs ?? []) hook.url = `${webhookBaseUrl}/${receiver.name}`;
  }
  const path = join(dir, 'alertmanager.yml');
  await writeFile(path, stringify(doc), 'utf8');
  return path;
}
