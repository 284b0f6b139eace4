import { renderPath } from '../render-path.js';

/**
 * The configuration cannot be used. `problems` holds every problem found, one readable line
 * each (`callCenters[0].vdns[1].id: 6000 is out of range (allowed: integer 1-5000)`), so that a
 * user fixes them all in one go. No line contains a secret. The message is the same text as
 * formatConfigError gives, so that printing the message alone is enough.
 */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID' as const;
  readonly problems: readonly string[];
  /** The config file the problems were found with, when there was one. */
  readonly file: string | undefined;

  constructor(problems: readonly string[], file?: string) {
    super(renderConfigProblems(problems, file));
    this.name = 'ConfigError';
    this.problems = [...problems];
    this.file = file;
  }
}

function renderConfigProblems(problems: readonly string[], file: string | undefined): string {
  const count = `${problems.length} ${problems.length === 1 ? 'problem' : 'problems'}`;
  const header = `invalid configuration${file === undefined ? '' : ` (${renderPath(file)})`}, ${count}:`;
  return [header, ...problems.map((line) => `  - ${line}`)].join('\n');
}

/**
 * The text the CLI prints for a ConfigError (e.g. for --check-config): a header line naming
 * the file and the number of problems, then one indented line per problem. No stack trace.
 */
export function formatConfigError(err: ConfigError): string {
  return renderConfigProblems(err.problems, err.file);
}
