import { ConfigError, formatConfigError, loadConfig } from '../config/index.js';
import type { Config } from '../config/types.js';

/** A command-line mistake: reported as one line, exit code 2. */
export class UsageError extends Error {
  readonly code = 'USAGE';
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A configuration file that cannot be used: reported as one line, exit code 2. */
export class CliConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(message: string) {
    super(message);
    this.name = 'CliConfigError';
  }
}

/**
 * Loads and validates a configuration file (plus the AICC_* environment) for a read-only command.
 * Throws CliConfigError whose message is the validation report on one line (never a stack
 * trace, never a secret: the loader's problem texts name keys, not secret values).
 */
export function loadCliConfig(file: string, env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig({ file, env }).config;
  } catch (err) {
    throw new CliConfigError(describeConfigFailureOneLine(err));
  }
}

/** The readable report of a failed configuration load: ConfigError's problem list, else the message. */
export function describeConfigFailure(err: unknown): string {
  if (err instanceof ConfigError) return formatConfigError(err);
  return `invalid configuration: ${err instanceof Error ? err.message : String(err)}`;
}

/** describeConfigFailure on one line: `invalid configuration (FILE): problem; problem`. */
export function describeConfigFailureOneLine(err: unknown): string {
  if (err instanceof ConfigError) {
    const where = err.file === undefined ? '' : ` (${err.file})`;
    return `invalid configuration${where}: ${err.problems.map((p) => p.replace(/\s*\n\s*/g, ' ')).join('; ')}`;
  }
  return describeConfigFailure(err).replace(/\s*\n\s*/g, ' ');
}
