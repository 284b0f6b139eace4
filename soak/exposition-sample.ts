/**
 * A fast, lenient reader of the text exposition format 0.0.4, for the soak's checks (the strict
 * validator is test/helpers/parse-exposition.ts). It keeps every sample with a key that does not
 * depend on label order, and marks the samples that must never decrease: counters, and the
 * `_bucket` / `_count` / `_sum` samples of histograms and summaries.
 */

/** One sample as read. */
export interface Sample {
  /** Sample name as written (`aicc_api_requests_total`, `x_bucket`). */
  name: string;
  labels: Record<string, string>;
  value: number;
  /** Whether this sample may only grow (see the module comment). */
  monotonic: boolean;
}

/** What one scrape served, by series key (`name{a="1",b="2"}`, labels sorted). */
export type ScrapeSample = Map<string, Sample>;

const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** The order-independent key of a series. */
export function seriesKey(name: string, labels: Record<string, string>): string {
  const names = Object.keys(labels).sort();
  return `${name}{${names.map((n) => `${n}=${JSON.stringify(labels[n])}`).join(',')}}`;
}

function isMonotonic(type: string | undefined, family: string, name: string): boolean {
  if (type === 'counter') return true;
  if (type === 'histogram') return name === `${family}_bucket` || name === `${family}_count` || name === `${family}_sum`;
  if (type === 'summary') return name === `${family}_count` || name === `${family}_sum`;
  return false;
}

function parseValue(text: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return Number(text);
}

/** Reads a text-format body. Lines it cannot read are counted in `unreadable`, not thrown. */
export function readExposition(body: string): { samples: ScrapeSample; unreadable: number } {
  const samples: ScrapeSample = new Map();
  let family = '';
  let type: string | undefined;
  let unreadable = 0;
  for (const line of body.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('#')) {
      const m = /^# TYPE (\S+) (\S+)$/.exec(line);
      if (m) {
        family = m[1]!;
        type = m[2];
      }
      continue;
    }
    const brace = line.indexOf('{');
    const space = brace >= 0 ? line.indexOf(' ', line.lastIndexOf('}')) : line.indexOf(' ');
    if (space < 0) {
      unreadable++;
      continue;
    }
    const name = brace >= 0 ? line.slice(0, brace) : line.slice(0, space);
    const labels: Record<string, string> = {};
    if (brace >= 0) for (const m of line.slice(brace, space).matchAll(LABEL)) labels[m[1]!] = m[2]!;
    const value = parseValue(line.slice(space + 1).trim());
    if (Number.isNaN(value) && line.slice(space + 1).trim() !== 'NaN') {
      unreadable++;
      continue;
    }
    samples.set(seriesKey(name, labels), { name, labels, value, monotonic: isMonotonic(type, family, name) });
  }
  return { samples, unreadable };
}
