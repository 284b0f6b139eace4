import { ConfigError, formatConfigError, loadConfig } from '../config/index.js';
import type { Config } from '../config/types.js';

/** A command-line mistake: reported as one line plus the command's usage, exit code 2. */
export class UsageError extends Error {
  readonly code = 'USAGE';
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * Loads and validates a configuration file for a read-only command. Throws an Error whose message
 * is the readable, multi-line validation report (never a stack trace, never a secret).
 */
export function loadCliConfig(file: string | undefined): Config {
  try {
    return loadConfig({ file, env: process.env }).config;
  } catch (err) {
    throw new Error(describeConfigFailure(err));
  }
}

/** The readable report of a failed configuration load: ConfigError's problem list, else the message. */
export function describeConfigFailure(err: unknown): string {
  if (err instanceof ConfigError) return formatConfigError(err);
  return `invalid configuration: ${err instanceof Error ? err.message : String(err)}`;
}
