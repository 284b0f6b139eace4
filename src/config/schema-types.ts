/**
 * The shape of the configuration schema: a convict schema whose leaves carry a little more than
 * convict needs (ranges, allowed values) so that validation messages and the generated reference
 * say exactly what is allowed, from one place.
 */

/** What a setting holds; picks its checker, its environment parsing and its reference text. */
export type LeafKind =
  | 'int'
  | 'bool'
  | 'enum'
  | 'url'
  | 'host'
  | 'file'
  | 'access-key'
  | 'secret'
  | 'http-path'
  | 'signed-headers'
  | 'call-centers';

/** The convict format name of each kind (registered by convict-formats.ts). */
export type FormatName = `aicc:${LeafKind}`;

/** One setting. convict recognises a leaf by its `default` key. */
export interface LeafSchema {
  /** One or two sentences: what it does, its unit, why one would change it. */
  doc: string;
  format: FormatName;
  /** `null`: not set unless given (required when `nullable` is not set). */
  default: unknown;
  /** The environment variable that sets it (AICC_...); empty values count as unset. */
  env: string;
  /** `null` is an accepted value ("not set"). */
  nullable?: boolean;
  /** A secret: its value never appears in a message, a log line or the reference. */
  sensitive?: boolean;
  /** Inclusive bounds of an `int`. */
  min?: number;
  max?: number;
  /** The allowed values of an `enum` or of the items of `signed-headers`. */
  values?: readonly string[];
  /** Shown in the reference for a setting without default. */
  example?: string;
  /** Dotted key path; filled in by annotateSchema so that checkers can name positions. */
  path?: string;
}

/** A section: named settings or subsections. */
export interface SchemaSection {
  [key: string]: SchemaNode;
}

export type SchemaNode = LeafSchema | SchemaSection;

/** convict's own rule: an object with a `default` key is a setting, anything else a section. */
export function isLeaf(node: SchemaNode): node is LeafSchema {
  return Object.prototype.hasOwnProperty.call(node, 'default');
}

/** The kind of a leaf, from its format name. */
export function leafKind(leaf: LeafSchema): LeafKind {
  return leaf.format.slice('aicc:'.length) as LeafKind;
}

/** Every leaf with its dotted path, in schema order. */
export function listLeaves(section: SchemaSection, prefix = ''): Array<[string, LeafSchema]> {
  const out: Array<[string, LeafSchema]> = [];
  for (const [key, node] of Object.entries(section)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    if (isLeaf(node)) out.push([path, node]);
    else out.push(...listLeaves(node, path));
  }
  return out;
}

/** The node at a dotted path, or undefined. */
export function schemaNodeAt(section: SchemaSection, path: string): SchemaNode | undefined {
  let node: SchemaNode | undefined = section;
  for (const key of path.split('.')) {
    if (node === undefined || isLeaf(node) || !Object.prototype.hasOwnProperty.call(node, key)) return undefined;
    node = node[key];
  }
  return node;
}

/** Records each leaf's own path on it (convict hands the leaf, not its name, to a format). */
export function annotateSchema(section: SchemaSection): void {
  for (const [path, leaf] of listLeaves(section)) leaf.path = path;
}

/** AICC_ + the path in upper snake case: `cms.secretKeyFile` → `AICC_CMS_SECRET_KEY_FILE`. */
export function envNameFor(path: string): string {
  return `AICC_${path
    .split('.')
    .map((part) => part.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase())
    .join('_')}`;
}
