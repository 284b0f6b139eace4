/**
 * Rendering of metric families to the Prometheus text format 0.0.4 and to OpenMetrics 1.0.
 *
 * Sample lines are the same in both formats (same label escaping, same number spelling), so a
 * snapshot's samples are rendered once and shared; only the HELP/TYPE lines and the closing
 * `# EOF` differ. No timestamps are written: the scrape time is the sample time.
 */
import type { FamilySamples } from './types.js';
import { ExpositionError } from './exposition-error.js';

/** The two exposition formats served on /metrics. */
export type ExpositionFormat = 'text' | 'openmetrics';

/** Every family type the renderers know; vendor snapshots only use gauge and counter. */
export type FamilyType = 'gauge' | 'counter' | 'histogram' | 'summary' | 'untyped';

/** Content-Type header value of each format. */
export const CONTENT_TYPES: Readonly<Record<ExpositionFormat, string>> = {
  text: 'text/plain; version=0.0.4; charset=utf-8',
  openmetrics: 'application/openmetrics-text; version=1.0.0; charset=utf-8',
};

/** The line that ends an OpenMetrics body (exactly once, at the very end). */
export const OPENMETRICS_EOF = '# EOF\n';

const METRIC_NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const LABEL_VALUE_SPECIAL = /[\\"\n]/;
const LABEL_VALUE_SPECIAL_G = /[\\"\n]/g;

/** True when `name` is a valid metric name. */
export function isValidMetricName(name: string): boolean {
  return METRIC_NAME_RE.test(name);
}

/** True when `name` is a valid, non-reserved label name (`__` prefixes are Prometheus's own). */
export function isValidLabelName(name: string): boolean {
  return LABEL_NAME_RE.test(name) && !name.startsWith('__');
}

/**
 * A sample value as both formats spell it: integers plain (`3`, `-0` as `0`), other finite
 * numbers in JavaScript's shortest round-trip form (`0.25`, `1e+21`, `5e-7`, all valid in both
 * grammars), and `NaN`, `+Inf`, `-Inf`.
 */
export function formatValue(value: number): string {
  if (Number.isFinite(value)) return value === 0 ? '0' : String(value);
  if (Number.isNaN(value)) return 'NaN';
  return value > 0 ? '+Inf' : '-Inf';
}

/**
 * A number in OpenMetrics' canonical form, used for the `le` and `quantile` label values of
 * histograms and summaries there: integers get a `.0` (`1.0`), infinities `+Inf`/`-Inf`.
 */
export function formatCanonicalFloat(value: number): string {
  if (Number.isInteger(value) && Math.abs(value) < 1e21) return `${value === 0 ? 0 : value}.0`;
  return formatValue(value);
}

function escapeLabelChar(c: string): string {
  if (c === '\\') return '\\\\';
  if (c === '"') return '\\"';
  return '\\n';
}

/** Label value escaping, identical in both formats: `\` → `\\`, `"` → `\"`, newline → `\n`. */
export function escapeLabelValue(value: string): string {
  return LABEL_VALUE_SPECIAL.test(value) ? value.replace(LABEL_VALUE_SPECIAL_G, escapeLabelChar) : value;
}

/**
 * HELP text escaping. Text 0.0.4 escapes only `\` and newline (its parser rejects `\"` in HELP);
 * OpenMetrics' escaped-string also requires `"` to be escaped.
 */
export function escapeHelp(help: string, format: ExpositionFormat): string {
  const escaped = help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
  return format === 'openmetrics' ? escaped.replace(/"/g, '\\"') : escaped;
}

/**
 * The family's name on its HELP/TYPE lines: OpenMetrics names a counter family without the
 * `_total` its samples carry; text 0.0.4 uses the sample name.
 */
export function familyMetadataName(name: string, type: FamilyType, format: ExpositionFormat): string {
  if (format === 'openmetrics' && type === 'counter' && name.endsWith('_total')) {
    return name.slice(0, -'_total'.length);
  }
  return name;
}

/** The `# HELP` and `# TYPE` lines of one family, each ending in a newline. */
export function renderFamilyHeader(
  name: string,
  type: FamilyType,
  help: string,
  format: ExpositionFormat,
): string {
  const metaName = familyMetadataName(name, type, format);
  const omType = format === 'openmetrics' && type === 'untyped' ? 'unknown' : type;
  return `# HELP ${metaName} ${escapeHelp(help, format)}\n# TYPE ${metaName} ${omType}\n`;
}

/**
 * Checks a vendor family before it is rendered, so a collector bug surfaces as a clear error
 * instead of an exposition Prometheus rejects. Throws ExpositionError (`INVALID_FAMILY`).
 */
export function validateFamily(family: FamilySamples): void {
  const fail = (why: string): never => {
    throw new ExpositionError('INVALID_FAMILY', `metric family '${family.name}': ${why}`);
  };
  if (!isValidMetricName(family.name)) fail('invalid metric name');
  if (family.type !== 'gauge' && family.type !== 'counter') fail(`unsupported type '${String(family.type)}'`);
  if (family.type === 'counter' && !family.name.endsWith('_total')) fail("a counter's name must end in _total");
  const seen = new Set<string>();
  for (const label of family.labelNames) {
    if (!isValidLabelName(label)) fail(`invalid label name '${label}'`);
    if (seen.has(label)) fail(`duplicate label name '${label}'`);
    seen.add(label);
  }
  const width = family.labelNames.length;
  const { labelValues, values } = family;
  if (labelValues.length !== values.length * width) {
    fail(`${labelValues.length} label values for ${values.length} series of ${width} labels`);
  }
  // Indexed loops: at 250,000 series a for-of that V8 has not optimized yet allocates an
  // iterator result per element, garbage that the next young collection pays for.
  for (let i = 0; i < values.length; i++) if (typeof values[i] !== 'number') fail('a sample value is not a number');
  for (let i = 0; i < labelValues.length; i++) if (typeof labelValues[i] !== 'string') fail('a label value is not a string');
}

/**
 * The sample lines of one family (each `name{l="v",...} value\n`, the same in both formats) as
 * one string: the reference form, for small bodies and tests. The snapshot store writes them
 * with sampleLineBlocks (sample-line-encoder.ts), which gives the same bytes without the strings.
 */
export function renderSampleLines(family: FamilySamples): string {
  const { name, labelNames, labelValues, values } = family;
  const width = labelNames.length;
  let out = '';
  values.forEach((value, series) => {
    const labels = labelNames.map((label, i) => `${label}="${escapeLabelValue(labelValues[series * width + i] as string)}"`);
    out += `${name}${width === 0 ? '' : `{${labels.join(',')}}`} ${formatValue(value)}\n`;
  });
  return out;
}

/**
 * A complete exposition of `families` in `format` (headers, samples, and for OpenMetrics the
 * final `# EOF`). Families without samples are omitted. Convenient for small bodies and tests;
 * the snapshot store assembles large bodies from cached parts instead.
 */
export function renderFamilies(families: readonly FamilySamples[], format: ExpositionFormat): string {
  let out = '';
  for (const family of families) {
    if (family.values.length === 0) continue;
    out += renderFamilyHeader(family.name, family.type, family.help, format) + renderSampleLines(family);
  }
  return format === 'openmetrics' ? out + OPENMETRICS_EOF : out;
}
