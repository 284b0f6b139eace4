/** Fields of querybasiccallinfo that hold epoch milliseconds (shown as ISO-8601 UTC). */
const TIME_FIELDS = new Set(['time']);
/** Fields that hold durations in seconds. */
const DURATION_FIELDS = new Set(['waitTime', 'totalTalkingTimes', 'logonTimes']);

function formatValue(key: string, value: unknown): string {
  if (TIME_FIELDS.has(key) && typeof value === 'number' && Number.isFinite(value)) {
    const ms = value < 1e11 ? value * 1000 : value; // some servers send seconds
    return new Date(ms).toISOString();
  }
  if (DURATION_FIELDS.has(key) && typeof value === 'number') return `${value} s`;
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/**
 * The `call` command's output: one `field  value` line per field, in the order the CMS sent them,
 * the field column padded to the longest name.
 */
export function formatCallInfoTable(raw: Record<string, unknown>): string {
  const keys = Object.keys(raw);
  const width = Math.max(0, ...keys.map((k) => k.length));
  return keys.map((k) => `${k.padEnd(width)}  ${formatValue(k, raw[k])}\n`).join('');
}
