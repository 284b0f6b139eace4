import { jsonErrorReason } from './config-file.js';
import { checkLeaf } from './leaf-checks.js';
import { isMapping, renderValue, type Problem } from './problem.js';
import { isLeaf, leafKind, listLeaves, schemaNodeAt, type LeafSchema, type SchemaSection } from './schema-types.js';

/** Where the value of a setting came from, for messages and for resolving relative paths. */
export type Origin = { kind: 'default' } | { kind: 'file' } | { kind: 'env'; name: string } | { kind: 'override' };

/** Values of settings given outside the file, by key path, already converted to their types. */
export interface SourceValues {
  values: Map<string, unknown>;
  problems: Problem[];
}

/**
 * Converts text (an environment variable, a command-line flag) to the type of a setting:
 * integers and booleans when they read as one (otherwise the text is kept, and validation
 * says what is wrong with it), lists from JSON (signed headers also comma-separated).
 */
export function convertText(leaf: LeafSchema, text: string, path: string): { value: unknown } | { problem: Problem } {
  const trimmed = text.trim();
  switch (leafKind(leaf)) {
    case 'int':
      return { value: /^[+-]?\d+$/.test(trimmed) ? Number(trimmed) : text };
    case 'bool':
      return { value: /^(true|false)$/i.test(trimmed) ? trimmed.toLowerCase() === 'true' : text };
    case 'signed-headers':
      if (!trimmed.startsWith('[')) return { value: trimmed.split(',').map((s) => s.trim()).filter((s) => s !== '') };
      return parseJson(trimmed, path);
    case 'call-centers':
      return parseJson(trimmed, path);
    default:
      return { value: text };
  }
}

function parseJson(text: string, path: string): { value: unknown } | { problem: Problem } {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (err) {
    const reason = jsonErrorReason(err);
    return { problem: { path, text: `${renderValue(text)} is not valid JSON (${reason})` } };
  }
}

/** Adds a converted value, or the problems that keep it out (a mapping never fits a setting). */
function accept(
  out: SourceValues,
  leaf: LeafSchema,
  path: string,
  converted: { value: unknown } | { problem: Problem },
): void {
  if ('problem' in converted) out.problems.push(converted.problem);
  else if (isMapping(converted.value)) out.problems.push(...checkLeaf(leaf, converted.value, path));
  else out.values.set(path, converted.value);
}

/** The settings given by AICC_* environment variables; an empty variable counts as unset. */
export function readEnvironment(schema: SchemaSection, env: NodeJS.ProcessEnv): SourceValues {
  const out: SourceValues = { values: new Map(), problems: [] };
  for (const [path, leaf] of listLeaves(schema)) {
    const text = env[leaf.env];
    if (text === undefined || text === '') continue;
    accept(out, leaf, path, convertText(leaf, text, path));
  }
  return out;
}

/**
 * The settings given as dotted keys (command-line flags). Strings are converted as environment
 * values are; other values are taken as they are; `undefined` (a flag not given) is skipped.
 */
export function readOverrides(schema: SchemaSection, overrides: Record<string, unknown>): SourceValues {
  const out: SourceValues = { values: new Map(), problems: [] };
  for (const [path, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    const node = schemaNodeAt(schema, path);
    if (node === undefined || !isLeaf(node)) {
      const text = node === undefined ? 'unknown setting' : 'a section, not a setting (give one of its keys)';
      out.problems.push({ path, text });
      continue;
    }
    accept(out, node, path, typeof value === 'string' ? convertText(node, value, path) : { value });
  }
  return out;
}

/** The words appended to a problem about a setting that did not come from the file. */
export function describeOrigin(origin: Origin | undefined): string {
  if (origin?.kind === 'env') return ` [from ${origin.name}]`;
  if (origin?.kind === 'override') return ' [from the command line]';
  return '';
}
