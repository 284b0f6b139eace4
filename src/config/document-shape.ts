import { checkLeaf } from './leaf-checks.js';
import { isMapping, keyForMessage, renderValue, unknownKeyText, type Problem } from './problem.js';
import { isLeaf, type SchemaSection } from './schema-types.js';
import { renderPath } from '../render-path.js';

/**
 * Checks the structure of a parsed configuration document against the schema, before convict
 * merges it: unknown keys, a section that is not a mapping, a mapping where a setting is expected.
 * convict would otherwise merge such things key by key into odd shapes and report them as
 * "missing" or "not declared" keys elsewhere. Returns what is left to merge (the bad parts
 * dropped) and one problem per bad part. A section left empty (`web:` with nothing under it)
 * counts as absent. `usable` is false when the document is no mapping at all: nothing else
 * is worth reporting then.
 */
export function checkDocumentShape(
  document: unknown,
  schema: SchemaSection,
  file: string,
): { clean: Record<string, unknown>; problems: Problem[]; usable: boolean } {
  const problems: Problem[] = [];
  if (document === null || document === undefined) return { clean: {}, problems, usable: true };
  if (!isMapping(document)) {
    const what = Array.isArray(document) ? 'a list' : `the value ${renderValue(document)}`;
    problems.push({ path: null, text: `config file ${renderPath(file)}: the document is ${what} (allowed: a mapping of settings, e.g. "cms:" and "callCenters:")` });
    return { clean: {}, problems, usable: false };
  }
  return { clean: checkSection(document, schema, '', problems), problems, usable: true };
}

function checkSection(
  mapping: Record<string, unknown>,
  section: SchemaSection,
  prefix: string,
  problems: Problem[],
): Record<string, unknown> {
  const clean: Record<string, unknown> = {};
  const allowed = Object.keys(section);
  for (const [key, value] of Object.entries(mapping)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    const node = Object.prototype.hasOwnProperty.call(section, key) ? section[key] : undefined;
    if (node === undefined) {
      problems.push({ path: prefix === '' ? keyForMessage(key) : `${prefix}.${keyForMessage(key)}`, text: unknownKeyText(key, allowed) });
    } else if (isLeaf(node)) {
      // No setting takes a mapping; convict would merge it key by key into the setting.
      if (isMapping(value)) problems.push(...checkLeaf(node, value, path));
      else clean[key] = value;
    } else if (value === null) {
      continue;
    } else if (!isMapping(value)) {
      problems.push({ path, text: `${renderValue(value)} is not a mapping (allowed keys: ${Object.keys(node).join(', ')})` });
    } else {
      clean[key] = checkSection(value, node, path, problems);
    }
  }
  return clean;
}
