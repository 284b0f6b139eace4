/**
 * A strict parser of the Prometheus text format 0.0.4 and OpenMetrics 1.0, for tests. It rejects
 * what Prometheus (or promtool) would reject and a bit more: a family appearing twice, samples
 * outside their family, duplicate series, unknown escapes, timestamps (the exporter never writes
 * them), and in OpenMetrics blank lines, a missing/misplaced `# EOF` and badly named counters.
 */

export type ParseFormat = 'text' | 'openmetrics';

export interface ParsedSample {
  /** Sample name as written (`foo_total`, `bar_bucket`). */
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface ParsedFamily {
  /** Name on the HELP/TYPE lines (OpenMetrics counters: without `_total`). */
  name: string;
  type: string;
  help: string | undefined;
  samples: ParsedSample[];
}

export interface ParsedExposition {
  families: ParsedFamily[];
  /** Family by its HELP/TYPE name. */
  family(name: string): ParsedFamily | undefined;
  /** Every sample of every family, in order. */
  samples(): ParsedSample[];
  /** The value of the sample `name` whose labels include `labels`; undefined when none. */
  value(name: string, labels?: Record<string, string>): number | undefined;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const FLOAT = /^[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)$/;
const TEXT_TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const OM_TYPES = new Set(['counter', 'gauge', 'histogram', 'gaugehistogram', 'stateset', 'info', 'summary', 'unknown']);

function fail(lineNo: number, why: string, line: string): never {
  throw new Error(`line ${lineNo}: ${why}: ${JSON.stringify(line)}`);
}

/** Parses a sample value as Go's strconv.ParseFloat would (OpenMetrics: case-insensitive Inf/NaN). */
export function parseValue(text: string, format: ParseFormat): number {
  const special = format === 'openmetrics' ? text.toLowerCase() : text;
  const forms: Record<string, number> = format === 'openmetrics'
    ? { nan: NaN, '+inf': Infinity, inf: Infinity, '-inf': -Infinity }
    : { NaN: NaN, '+Inf': Infinity, Inf: Infinity, '-Inf': -Infinity };
  if (special in forms) return forms[special] as number;
  if (!FLOAT.test(text)) throw new Error(`invalid value ${JSON.stringify(text)}`);
  return Number(text);
}

function unescape(text: string, allowQuote: boolean, lineNo: number, line: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c !== '\\') {
      out += c;
      continue;
    }
    const next = text[++i];
    if (next === '\\') out += '\\';
    else if (next === 'n') out += '\n';
    else if (next === '"' && allowQuote) out += '"';
    else fail(lineNo, `invalid escape \\${next ?? ''}`, line);
  }
  return out;
}

/** Parses `{a="x",b="y"}` at the start of `rest`; returns labels and the remaining text. */
function parseLabels(rest: string, format: ParseFormat, lineNo: number, line: string): [Record<string, string>, string] {
  const labels: Record<string, string> = {};
  let s = rest.slice(1);
  for (;;) {
    if (s.startsWith('}')) return [labels, s.slice(1)];
    const m = LABEL_NAME.exec(s);
    if (!m) fail(lineNo, 'bad label name', line);
    const name = m[0];
    s = s.slice(name.length);
    if (!s.startsWith('="')) fail(lineNo, 'expected ="', line);
    s = s.slice(2);
    let raw = '';
    let i = 0;
    for (; i < s.length && s[i] !== '"'; i++) {
      if (s[i] === '\\') raw += s[i++];
      raw += s[i];
    }
    if (i >= s.length) fail(lineNo, 'unterminated label value', line);
    if (name in labels) fail(lineNo, `duplicate label ${name}`, line);
    labels[name] = unescape(raw, true, lineNo, line);
    s = s.slice(i + 1);
    if (s.startsWith(',')) {
      s = s.slice(1);
      if (s.startsWith('}') && format === 'openmetrics') fail(lineNo, 'trailing comma', line);
    } else if (!s.startsWith('}')) fail(lineNo, 'expected , or }', line);
  }
}

/** Whether sample `name` belongs to family `family` of type `type` in `format`. */
function belongs(name: string, family: string, type: string, format: ParseFormat): boolean {
  switch (type) {
    case 'counter':
      return format === 'openmetrics' ? name === `${family}_total` || name === `${family}_created` : name === family;
    case 'histogram':
      return [`${family}_bucket`, `${family}_sum`, `${family}_count`, `${family}_created`].includes(name);
    case 'summary':
      return [family, `${family}_sum`, `${family}_count`, `${family}_created`].includes(name);
    default:
      return name === family;
  }
}

/** Parses `body` strictly; throws an Error naming the offending line. */
export function parseExposition(body: string, format: ParseFormat): ParsedExposition {
  const families: ParsedFamily[] = [];
  const closed = new Set<string>();
  const series = new Set<string>();
  let current: ParsedFamily | undefined;
  let sawEof = false;
  if (body !== '' && !body.endsWith('\n')) throw new Error('body does not end with a newline');
  const lines = body === '' ? [] : body.slice(0, -1).split('\n');

  const open = (name: string, lineNo: number, line: string): ParsedFamily => {
    if (current?.name === name) return current;
    if (closed.has(name)) fail(lineNo, `family ${name} appears twice`, line);
    if (current) closed.add(current.name);
    current = { name, type: format === 'openmetrics' ? 'unknown' : 'untyped', help: undefined, samples: [] };
    families.push(current);
    return current;
  };

  lines.forEach((line, idx) => {
    const lineNo = idx + 1;
    if (sawEof) fail(lineNo, 'content after # EOF', line);
    if (line === '') {
      if (format === 'openmetrics') fail(lineNo, 'blank line', line);
      return;
    }
    if (line.startsWith('#')) {
      if (format === 'openmetrics' && line === '# EOF') {
        sawEof = true;
        return;
      }
      const m = /^# (HELP|TYPE|UNIT) ([^ ]+)(?: (.*))?$/s.exec(line); // s: U+2028/2029 are text here
      if (!m) {
        if (format === 'openmetrics') fail(lineNo, 'unknown comment', line);
        return;
      }
      const [, kind, name = '', rest] = m;
      if (!METRIC_NAME.test(name) || METRIC_NAME.exec(name)?.[0] !== name) fail(lineNo, 'bad metric name', line);
      const family = open(name, lineNo, line);
      if (kind === 'HELP') {
        if (rest === undefined) fail(lineNo, 'HELP without text', line);
        if (family.help !== undefined) fail(lineNo, 'second HELP', line);
        family.help = unescape(rest, format === 'openmetrics', lineNo, line);
      } else if (kind === 'TYPE') {
        if (family.samples.length > 0) fail(lineNo, 'TYPE after samples', line);
        if (!(format === 'openmetrics' ? OM_TYPES : TEXT_TYPES).has(rest ?? '')) fail(lineNo, 'unknown type', line);
        if (format === 'openmetrics' && rest === 'counter' && name.endsWith('_total')) {
          fail(lineNo, 'OpenMetrics counter family named with _total', line);
        }
        family.type = rest as string;
      } else if (format === 'text') fail(lineNo, 'UNIT in text format', line);
      return;
    }
    const nm = METRIC_NAME.exec(line);
    if (!nm) fail(lineNo, 'bad sample name', line);
    const name = nm[0];
    let rest = line.slice(name.length);
    let labels: Record<string, string> = {};
    if (rest.startsWith('{')) [labels, rest] = parseLabels(rest, format, lineNo, line);
    if (!rest.startsWith(' ')) fail(lineNo, 'expected a space before the value', line);
    const fields = rest.slice(1).split(' ');
    if (fields.length !== 1) fail(lineNo, 'timestamp or trailing text', line);
    let value: number;
    try {
      value = parseValue(fields[0] as string, format);
    } catch (e) {
      fail(lineNo, (e as Error).message, line);
    }
    let family = current;
    if (!family || !belongs(name, family.name, family.type, format)) {
      if (format === 'openmetrics') fail(lineNo, 'sample outside its family', line);
      family = open(name, lineNo, line);
    }
    const id = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (series.has(id)) fail(lineNo, 'duplicate series', line);
    series.add(id);
    family.samples.push({ name, labels, value });
  });
  if (format === 'openmetrics' && !sawEof) throw new Error('missing # EOF');

  const all = (): ParsedSample[] => families.flatMap((f) => f.samples);
  return {
    families,
    family: (name) => families.find((f) => f.name === name),
    samples: all,
    value: (name, labels = {}) =>
      all().find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value,
  };
}
