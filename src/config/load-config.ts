import { dirname, resolve } from 'node:path';
import convict from 'convict';
import { normalizeCallCenters } from './call-centers-check.js';
import { ConfigError } from './config-error.js';
import { readConfigFile } from './config-file.js';
import { configWarnings } from './config-warnings.js';
import { validateWithConvict } from './convict-validation.js';
import { checkDocumentShape } from './document-shape.js';
import { isMapping, type Problem } from './problem.js';
import { resolveSettings, type RawConfig } from './resolve-settings.js';
import { CONFIG_SCHEMA } from './schema.js';
import { listLeaves } from './schema-types.js';
import type { Config } from './types.js';
import { describeOrigin, readEnvironment, readOverrides, type Origin } from './value-sources.js';

/** Where loadConfig takes settings from; later ones win: defaults < file < env < overrides. */
export interface LoadConfigOptions {
  /** A .yml, .yaml or .json config file (--config). */
  file?: string;
  /** AICC_* variables, and POD_NAME / HOSTNAME for shard.fromPodName. Default: process.env. */
  env?: NodeJS.ProcessEnv;
  /** Dotted keys from command-line flags, e.g. { 'shard.index': 2 }; strings are converted. */
  overrides?: Record<string, unknown>;
}

/** A valid configuration and what is worth saying about it at start-up. */
export interface LoadedConfig {
  config: Config;
  /** e.g. an http:// cms.url, insecureSkipVerify; one sentence each, no secrets. */
  warnings: string[];
}

const LEAF_PATHS = listLeaves(CONFIG_SCHEMA).map(([path]) => path);
const LEAF_ENV = new Map(listLeaves(CONFIG_SCHEMA).map(([path, leaf]) => [path, leaf.env]));

/** The setting a problem path is about (`callCenters[0].ccId` → `callCenters`). */
function leafOf(path: string | null): string | undefined {
  if (path === null) return undefined;
  return LEAF_PATHS.find((leaf) => path === leaf || path.startsWith(`${leaf}.`) || path.startsWith(`${leaf}[`) || path.startsWith(`${leaf} `));
}

/** Problems sorted by their setting's place in the schema (convict checks top-level keys first). */
function inSchemaOrder(problems: Problem[]): Problem[] {
  const rank = (p: Problem): number => {
    const leaf = leafOf(p.path);
    return leaf === undefined ? -1 : LEAF_PATHS.indexOf(leaf);
  };
  return problems.map((p, i) => ({ p, i })).sort((a, b) => rank(a.p) - rank(b.p) || a.i - b.i).map(({ p }) => p);
}

function hasPath(document: Record<string, unknown>, path: string): boolean {
  let node: unknown = document;
  for (const key of path.split('.')) {
    if (!isMapping(node) || !Object.prototype.hasOwnProperty.call(node, key)) return false;
    node = node[key];
  }
  return true;
}

interface BuildInput {
  file: string | undefined;
  /** The document to merge (parsed file, or the demo's settings). */
  document: unknown;
  env: NodeJS.ProcessEnv;
  overrides: Record<string, unknown>;
}

function build(input: BuildInput): LoadedConfig {
  const label = input.file ?? 'settings';
  const shape = checkDocumentShape(input.document, CONFIG_SCHEMA, label);
  if (!shape.usable) throw new ConfigError(shape.problems.map((p) => p.text), input.file);
  const fromEnv = readEnvironment(CONFIG_SCHEMA, input.env);
  const fromFlags = readOverrides(CONFIG_SCHEMA, input.overrides);

  const originOf = (path: string): Origin => {
    const leaf = leafOf(path) ?? path;
    if (fromFlags.values.has(leaf)) return { kind: 'override' };
    const env = LEAF_ENV.get(leaf);
    if (fromEnv.values.has(leaf) && env !== undefined) return { kind: 'env', name: env };
    return hasPath(shape.clean, leaf) ? { kind: 'file' } : { kind: 'default' };
  };

  const typedEnv: Record<string, unknown> = {};
  for (const [path, leaf] of listLeaves(CONFIG_SCHEMA)) {
    if (fromEnv.values.has(path)) typedEnv[leaf.env] = fromEnv.values.get(path);
  }
  // Values are converted already: convict's own env parsing (parseFloat, "anything but false")
  // never sees text. args: [] keeps convict away from process.argv.
  const config = convict(CONFIG_SCHEMA as unknown as convict.Schema<RawConfig>, {
    env: typedEnv as NodeJS.ProcessEnv,
    args: [],
  });
  config.load(shape.clean);
  for (const [path, value] of fromFlags.values) config.set(path, value);

  const rendered: string[] = [];
  const reported = new Set<string>();
  // Problems of the sources (file shape, env, flags) always show; the later checks skip a
  // setting already reported, whose value they would only see as missing or defaulted.
  const report = (problems: Problem[], origin: (path: string) => Origin | undefined, fromSource: boolean): void => {
    const earlier = new Set(reported);
    for (const problem of problems) {
      const leaf = leafOf(problem.path);
      if (!fromSource && leaf !== undefined && earlier.has(leaf)) continue;
      rendered.push(problem.path === null ? problem.text : `${problem.path}: ${problem.text}${describeOrigin(origin(problem.path))}`);
      if (leaf !== undefined) reported.add(leaf);
    }
  };
  report(shape.problems, () => undefined, true);
  report(fromEnv.problems, (path) => ({ kind: 'env', name: LEAF_ENV.get(leafOf(path) ?? '') ?? 'the environment' }), true);
  report(fromFlags.problems, () => ({ kind: 'override' }), true);
  report(inSchemaOrder(validateWithConvict(config, CONFIG_SCHEMA)), originOf, false);

  const raw = config.getProperties();
  const settings = resolveSettings(raw, {
    originOf,
    fileDir: input.file === undefined ? process.cwd() : dirname(resolve(input.file)),
    env: input.env,
    invalid: (path) => reported.has(path),
  });
  report(settings.problems, originOf, false);
  if (rendered.length > 0) throw new ConfigError(rendered, input.file);

  const { resolved } = settings;
  const { accessKeyFile: _accessKeyFile, secretKeyFile: _secretKeyFile, ...cms } = raw.cms;
  const result: Config = {
    listen: raw.listen,
    web: { configFile: resolved.webConfigFile, enableLifecycle: raw.web.enableLifecycle },
    cms: { ...cms, url: resolved.url, accessKey: resolved.accessKey, secretKey: resolved.secretKey, caFile: resolved.caFile },
    callCenters: normalizeCallCenters(raw.callCenters),
    collectors: raw.collectors,
    shard: { ...raw.shard, index: resolved.shardIndex },
    log: raw.log,
  };
  return { config: result, warnings: configWarnings(result) };
}

/**
 * Loads, merges and validates the configuration: defaults, then the file, then AICC_* variables,
 * then `overrides`. Throws a ConfigError listing every problem found (never a secret); a
 * missing or unparsable file is reported alone.
 */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  let document: unknown;
  if (options.file !== undefined) {
    const read = readConfigFile(options.file);
    if ('problem' in read) throw new ConfigError([read.problem.text], options.file);
    document = read.document;
  }
  return build({ file: options.file, document, env: options.env ?? process.env, overrides: options.overrides ?? {} });
}

/** One call center of the built-in demo's scenario. */
export interface DemoCallCenter {
  ccId: number;
  vdns: { id: number; accessCodes: number[]; agents: number[] }[];
}

/**
 * The configuration of the built-in demo (run without --config): the embedded simulator's URL
 * and keys, its call centers, every other setting at its default. Goes through the same schema
 * and checks as a file, so defaults live in one place; the environment is not read, so a demo
 * behaves the same everywhere. `overrides` are command-line flags, as for loadConfig.
 * Throws a ConfigError if the arguments are invalid.
 */
export function demoConfig(
  simulatorUrl: string,
  accessKey: string,
  secretKey: string,
  scenario: DemoCallCenter[],
  overrides: Record<string, unknown> = {},
): Config {
  const document = { cms: { url: simulatorUrl, accessKey, secretKey }, callCenters: scenario };
  return build({ file: undefined, document, env: {}, overrides }).config;
}
