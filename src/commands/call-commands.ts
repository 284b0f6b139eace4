import { parseArgs } from 'node:util';
import { CmsClient } from '../cms/cms-client.js';
import { isCmsError } from '../cms/errors.js';
import type { Config } from '../config/types.js';
import { loadCliConfig, UsageError } from './cli-support.js';
import { formatCallInfoTable } from './call-info-table.js';

const CALLS_USAGE = `Usage: aicc-exporter calls --config FILE --cc CC_ID --vdn VDN --agent AGENT_ID

Prints the agent's current call IDs, one per line (agent/queryagentcalls). Read-only.
  --config FILE   the exporter's configuration (for cms.url and the credentials)
  --cc N          call center id, 1-65535
  --vdn N         VDN id, 1-5000
  --agent N       agent id, 101-59999
Exit codes: 0 ok, 1 the CMS request failed, 2 usage or configuration error.
`;

const CALL_USAGE = `Usage: aicc-exporter call --config FILE --cc CC_ID --vdn VDN [--json] CALL_ID

Prints a call's basic information (calldata/querybasiccallinfo) as a two-column table:
times as ISO-8601 UTC, durations in seconds. --json prints the decoded object instead. Read-only.
  CALL_ID         <start time>-<number>, at most 20 characters, e.g. 1659513159000-546750
Exit codes: 0 ok, 1 the CMS request failed, 2 usage or configuration error.
`;

const COMMON_OPTIONS = {
  config: { type: 'string' },
  cc: { type: 'string' },
  vdn: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function intInRange(name: string, raw: string | undefined, min: number, max: number): number {
  if (raw === undefined) throw new UsageError(`--${name} is required`);
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min || n > max) throw new UsageError(`--${name}: '${raw}' is not an integer ${min}-${max}`);
  return n;
}

/** Runs a look-up with a client built from the config; maps failures to exit codes. */
async function withClient(
  configFile: string | undefined,
  lookUp: (client: CmsClient) => Promise<string>,
): Promise<number> {
  let config: Config;
  try {
    config = loadCliConfig(configFile);
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
  const client = new CmsClient(config.cms, {});
  try {
    process.stdout.write(await lookUp(client));
    return 0;
  } catch (err) {
    if (isCmsError(err)) {
      // CmsError messages name the endpoint, HTTP status and resultCode with its meaning.
      process.stderr.write(`aicc-exporter: ${err.message}\n`);
      return 1;
    }
    throw err;
  } finally {
    client.close();
  }
}

const CALLS_OPTIONS = { ...COMMON_OPTIONS, agent: { type: 'string' } } as const;
const CALL_OPTIONS = { ...COMMON_OPTIONS, json: { type: 'boolean' } } as const;

/** node:util parseArgs, with its errors turned into UsageError. */
function parse<T>(run: () => T): T {
  try {
    return run();
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

async function usageGuard(usage: string, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`aicc-exporter: ${err.message}\n\n${usage}`);
      return 2;
    }
    throw err;
  }
}

/** `aicc-exporter calls`: an agent's current call IDs, one per line. */
export function callsCommand(argv: string[]): Promise<number> {
  return usageGuard(CALLS_USAGE, async () => {
    const { values } = parse(() => parseArgs({ args: argv, options: CALLS_OPTIONS, strict: true }));
    if (values.help) {
      process.stdout.write(CALLS_USAGE);
      return 0;
    }
    const ccId = intInRange('cc', values.cc, 1, 65535);
    const vdn = intInRange('vdn', values.vdn, 1, 5000);
    const agentId = intInRange('agent', values.agent, 101, 59999);
    if (!values.config) throw new UsageError('--config is required');
    return withClient(values.config, async (client) => {
      const ids = await client.queryAgentCalls({ ccId, vdn, agentId });
      return ids.map((id) => `${id}\n`).join('');
    });
  });
}

/** `aicc-exporter call`: one call's basic information. */
export function callCommand(argv: string[]): Promise<number> {
  return usageGuard(CALL_USAGE, async () => {
    const { values, positionals } = parse(() =>
      parseArgs({ args: argv, options: CALL_OPTIONS, strict: true, allowPositionals: true }),
    );
    if (values.help) {
      process.stdout.write(CALL_USAGE);
      return 0;
    }
    const ccId = intInRange('cc', values.cc, 1, 65535);
    const vdn = intInRange('vdn', values.vdn, 1, 5000);
    if (positionals.length !== 1) throw new UsageError('exactly one CALL_ID is required');
    const callId = positionals[0]!;
    if (callId.length > 20 || !/^\d+-\d+$/.test(callId)) {
      throw new UsageError(`CALL_ID '${callId.slice(0, 40)}' is not <start time>-<number> of at most 20 characters`);
    }
    if (!values.config) throw new UsageError('--config is required');
    return withClient(values.config, async (client) => {
      const info = await client.queryBasicCallInfo({ ccId, vdn, callId });
      return values.json ? `${JSON.stringify(info.raw, null, 2)}\n` : formatCallInfoTable(info.raw);
    });
  });
}
