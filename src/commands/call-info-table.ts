import { callStartMs } from '../collectors/call-start-time.js';

/** Fields of querybasiccallinfo that hold a point in time (epoch ms, or seconds from some servers). */
const TIME_FIELDS = new Set(['time']);
/** Fields that hold durations in seconds (queue wait, talk time, time since the call entered). */
const DURATION_FIELDS = new Set(['waitTime', 'totalTalkingTimes', 'logonTimes']);

/** Numbers, and numeric strings (some servers quote every number). */
function asNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value);
  return undefined;
}

/**
 * Text from the CMS made safe for a terminal line: control characters (a newline, a terminal
 * escape) shown as \uXXXX, so one field stays one line and cannot drive the terminal.
 */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * One value as the table shows it: times as ISO-8601 UTC (the same seconds-or-milliseconds rule
 * as the collector, see callStartMs), durations as `N s`, objects as JSON, null as empty.
 * A value that does not fit its field's kind is shown as received.
 */
export function formatCallInfoValue(key: string, value: unknown): string {
  const n = asNumber(value);
  if (TIME_FIELDS.has(key) && n !== undefined) {
    const ms = callStartMs(n);
    if (ms !== null && ms <= 8.64e15) return new Date(ms).toISOString();
  }
  if (DURATION_FIELDS.has(key) && n !== undefined) return `${n} s`;
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return printable(String(value));
}

/**
 * The `call` command's output: one `field  value` line per field, in the order the CMS sent them,
 * the field column padded to the longest name.
 */
export function formatCallInfoTable(raw: Record<string, unknown>): string {
  const rows = Object.keys(raw).map((k) => [printable(k), formatCallInfoValue(k, raw[k])] as const);
  const width = Math.max(0, ...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => (v === '' ? `${k}\n` : `${k.padEnd(width)}  ${v}\n`)).join('');
}
