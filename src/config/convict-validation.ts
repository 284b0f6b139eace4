import convict from 'convict';
import { checkLeaf } from './leaf-checks.js';
import { keyForMessage, unknownKeyText, type Problem } from './problem.js';
import { isLeaf, schemaNodeAt, type LeafKind, type LeafSchema, type SchemaSection } from './schema-types.js';

/**
 * A format check that failed. convict keeps only the text of what a format throws, joined into
 * one message; the structured problems travel through `sink` instead, and convict's own text is
 * used only for what it finds itself (undeclared or missing keys).
 */
class FormatFailure extends Error {
  readonly problems: Problem[];
  /** Set by convict on the way out of the format: the key path. */
  fullName?: string;

  constructor(problems: Problem[]) {
    super(problems.map((p) => p.text).join('; '));
    this.problems = problems;
  }
}

const KINDS: readonly LeafKind[] = [
  'int',
  'bool',
  'enum',
  'url',
  'host',
  'file',
  'access-key',
  'secret',
  'http-path',
  'signed-headers',
  'call-centers',
];

/** Failures thrown while validate() runs; validate is synchronous, so one sink is enough. */
let sink: FormatFailure[] | null = null;

for (const kind of KINDS) {
  // No coerce function on purpose: convict then never converts strings (so `port: "80"` in a
  // file is a wrong type); environment values are converted by value-sources.ts beforehand.
  convict.addFormat({
    name: `aicc:${kind}`,
    validate(value: unknown, item: convict.SchemaObj) {
      const leaf = item as unknown as LeafSchema;
      const problems = checkLeaf(leaf, value, leaf.path ?? '(unknown key)');
      if (problems.length === 0) return;
      const failure = new FormatFailure(problems);
      sink?.push(failure);
      throw failure;
    },
  });
}

const UNDECLARED = /^configuration param '(.+)' not declared in the schema/;
const MISSING = /^configuration param '(.+)' missing from config/;

/**
 * Runs convict's strict validation and returns its findings as problems (empty: valid).
 * Problems of the formats come whole from the sink; convict's other lines are reworded.
 */
export function validateWithConvict(config: { validate(options?: convict.ValidateOptions): unknown }, schema: SchemaSection): Problem[] {
  const failures: FormatFailure[] = [];
  sink = failures;
  let message = '';
  try {
    config.validate({ allowed: 'strict', output: () => undefined });
  } catch (err) {
    message = err instanceof Error ? err.message : String(err);
  } finally {
    sink = null;
  }
  const problems = failures.flatMap((failure) => failure.problems);
  const covered = new Set(failures.map((failure) => failure.fullName));
  for (const line of message === '' ? [] : message.split('\n')) {
    const undeclared = UNDECLARED.exec(line);
    const missing = MISSING.exec(line);
    if (undeclared?.[1] !== undefined) problems.push(undeclaredProblem(undeclared[1], schema));
    else if (missing?.[1] !== undefined) problems.push({ path: missing[1], text: 'missing (its section was replaced by a value that is not a mapping)' });
    else if (![...covered].some((name) => name !== undefined && line.startsWith(`${name}: `))) problems.push({ path: null, text: line });
  }
  return problems;
}

function undeclaredProblem(path: string, schema: SchemaSection): Problem {
  const dot = path.lastIndexOf('.');
  const parent = dot < 0 ? schema : schemaNodeAt(schema, path.slice(0, dot));
  const allowed = parent !== undefined && !isLeaf(parent) ? Object.keys(parent) : [];
  const key = path.slice(dot + 1);
  return { path: `${dot < 0 ? '' : `${path.slice(0, dot)}.`}${keyForMessage(key)}`, text: unknownKeyText(key, allowed) };
}
