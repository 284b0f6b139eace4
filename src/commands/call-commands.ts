import { parseArgs } from 'node:util';
import { CmsClient } from '../cms/cms-client.js';
import { isCmsError } from '../cms/errors.js';
import { CALL_ID_MAX_LENGTH } from '../cms/request-limits.js';
import { CliConfigError, loadCliConfig, UsageError } from './cli-support.js';
import { formatCallInfoTable, printable } from './call-info-table.js';

/**
 * `aicc-exporter calls` and `aicc-exporter call`: read-only look-ups with the exporter's own
 * configuration file (cms.url and credentials). Every argument is checked against the seed
 * documents' ranges before a request is sent. Errors are one line on stderr; exit codes: 0 ok,
 * 1 the CMS request failed (the message names the resultCode and its meaning, or the HTTP status),
 * 2 usage or configuration error. Neither command prints the secret key.
 */

const EXIT = { ok: 0, cmsFailure: 1, usage: 2 } as const;

const CALLS_USAGE = `Usage: aicc-exporter calls --config FILE --cc CC_ID --vdn VDN --agent AGENT_ID

Prints the agent's current call IDs, one per line (agent/queryagentcalls); nothing when the
agent has no call. Read-only.

Options:
  --config FILE   the exporter's configuration file (cms.url and the credentials;
                  AICC_* environment variables apply as for 'run')
  --cc N          call center id, 1-65535
  --vdn N         VDN id, 1-5000
  --agent N       agent id, 101-59999
  -h, --help      show this help

Example: aicc-exporter calls --config config.yml --cc 1 --vdn 170 --agent 1099
Exit codes: 0 ok, 1 the CMS request failed, 2 usage or configuration error.
`;

const CALL_USAGE = `Usage: aicc-exporter call --config FILE --cc CC_ID --vdn VDN [--json] CALL_ID

Prints a call's basic information (calldata/querybasiccallinfo) as a two-column table:
times as ISO-8601 UTC, durations in seconds. Read-only.

Options:
  --config FILE   the exporter's configuration file (cms.url and the credentials;
                  AICC_* environment variables apply as for 'run')
  --cc N          call center id, 1-65535
  --vdn N         VDN id, 1-5000
  --json          print the decoded object as the CMS sent it instead of the table
  -h, --help      show this help
  CALL_ID         <start time>-<number>, at most ${CALL_ID_MAX_LENGTH} characters, as 'calls' prints it

Example: aicc-exporter call --config config.yml --cc 1 --vdn 170 1659513159000-546750
Exit codes: 0 ok, 1 the CMS request failed, 2 usage or configuration error.
`;

/** Where a command writes; the process's streams unless a test injects others. */
export interface CallCommandIo {
  stdout?: { write(text: string): unknown };
  stderr?: { write(text: string): unknown };
  env?: NodeJS.ProcessEnv;
}

const COMMON_OPTIONS = {
  config: { type: 'string' },
  cc: { type: 'string' },
  vdn: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;
const CALLS_OPTIONS = { ...COMMON_OPTIONS, agent: { type: 'string' } } as const;
const CALL_OPTIONS = { ...COMMON_OPTIONS, json: { type: 'boolean' } } as const;

function intInRange(name: string, raw: string | undefined, min: number, max: number): number {
  if (raw === undefined) throw new UsageError(`--${name} is required`);
  const n = Number(raw);
  if (!/^\d{1,10}$/.test(raw) || n < min || n > max) {
    throw new UsageError(`--${name} must be an integer ${min}-${max}, got '${raw.slice(0, 40)}'`);
  }
  return n;
}

function checkCallId(raw: string): string {
  if (raw.length > CALL_ID_MAX_LENGTH || !/^\d+-\d+$/.test(raw)) {
    throw new UsageError(
      `CALL_ID must be <start time>-<number> (digits) of at most ${CALL_ID_MAX_LENGTH} characters, got '${raw.slice(0, 40)}'`,
    );
  }
  return raw;
}

function requireConfig(file: string | undefined): string {
  if (file === undefined || file === '') throw new UsageError('--config FILE is required');
  return file;
}

interface Parsed<V> {
  values: V & { help?: boolean };
  positionals: string[];
}

/**
 * Runs one command: parses `argv` (node:util parseArgs, strict), prints the usage for --help,
 * then `body`'s look-up with a client built from the configuration; maps every failure to its
 * one-line message and exit code.
 */
async function runLookUp<V>(
  name: string,
  usage: string,
  argv: string[],
  io: CallCommandIo,
  parse: (args: string[]) => Parsed<V>,
  body: (parsed: Parsed<V>) => { configFile: string; lookUp: (client: CmsClient) => Promise<string> },
): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const fail = (message: string, code: number, hint = ''): number => {
    stderr.write(`aicc-exporter ${name}: ${printable(message.replace(/\s*\n\s*/g, ' '))}${hint}\n`);
    return code;
  };
  let client: CmsClient | undefined;
  try {
    let parsed: Parsed<V>;
    try {
      parsed = parse(argv);
    } catch (err) {
      // --help wins over any other mistake on the line.
      if (argv.includes('--help') || argv.includes('-h')) parsed = { values: { help: true } as V & { help: boolean }, positionals: [] };
      else throw new UsageError(err instanceof Error ? err.message : String(err));
    }
    if (parsed.values.help) {
      stdout.write(usage);
      return EXIT.ok;
    }
    const { configFile, lookUp } = body(parsed);
    const config = loadCliConfig(configFile, io.env ?? process.env);
    client = new CmsClient(config.cms, {});
    stdout.write(await lookUp(client));
    return EXIT.ok;
  } catch (err) {
    if (err instanceof UsageError) return fail(err.message, EXIT.usage, ' (see --help)');
    if (err instanceof CliConfigError) return fail(err.message, EXIT.usage);
    if (isCmsError(err)) {
      // The client refused a request breaking a documented limit: a usage mistake, not the CMS's.
      if (err.code === 'INVALID_REQUEST') return fail(err.message, EXIT.usage);
      // CmsError messages name the endpoint, HTTP status or resultCode with its meaning; never headers.
      return fail(err.message, EXIT.cmsFailure);
    }
    throw err;
  } finally {
    client?.close();
  }
}

/** `aicc-exporter calls`: an agent's current call IDs, one per line. Resolves with the exit code. */
export function callsCommand(argv: string[], io: CallCommandIo = {}): Promise<number> {
  return runLookUp(
    'calls',
    CALLS_USAGE,
    argv,
    io,
    (args) => parseArgs({ args, options: CALLS_OPTIONS, strict: true, allowPositionals: false }),
    ({ values }) => {
      const configFile = requireConfig(values.config);
      const ccId = intInRange('cc', values.cc, 1, 65535);
      const vdn = intInRange('vdn', values.vdn, 1, 5000);
      const agentId = intInRange('agent', values.agent, 101, 59999);
      return {
        configFile,
        lookUp: async (client) => {
          const ids = await client.queryAgentCalls({ ccId, vdn, agentId });
          return ids.map((id) => `${printable(id)}\n`).join('');
        },
      };
    },
  );
}

/** `aicc-exporter call`: one call's basic information. Resolves with the exit code. */
export function callCommand(argv: string[], io: CallCommandIo = {}): Promise<number> {
  return runLookUp(
    'call',
    CALL_USAGE,
    argv,
    io,
    (args) => parseArgs({ args, options: CALL_OPTIONS, strict: true, allowPositionals: true }),
    ({ values, positionals }) => {
      const configFile = requireConfig(values.config);
      const ccId = intInRange('cc', values.cc, 1, 65535);
      const vdn = intInRange('vdn', values.vdn, 1, 5000);
      if (positionals.length !== 1) {
        throw new UsageError(`exactly one CALL_ID is required, got ${positionals.length}`);
      }
      const callId = checkCallId(positionals[0]!);
      return {
        configFile,
        lookUp: async (client) => {
          const info = await client.queryBasicCallInfo({ ccId, vdn, callId });
          return values.json ? `${JSON.stringify(info.raw, null, 2)}\n` : formatCallInfoTable(info.raw);
        },
      };
    },
  );
}
