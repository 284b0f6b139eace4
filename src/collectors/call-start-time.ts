/**
 * The start time of a call (querybasiccallinfo `time`) as epoch milliseconds. The document says
 * milliseconds, but its queryagentcalls example carries call IDs stamped in seconds
 * (`1605492949-1447`), so a server may well send `time` in seconds too.
 */

/**
 * Below this value `time` is read as seconds: 1e11 ms is 1973-03-03 (no live call starts that
 * early), while 1e11 s is the year 5138 (no clock reads that late).
 */
export const SECONDS_TIMESTAMP_BELOW = 1e11;

/**
 * `time` → epoch milliseconds (seconds are scaled up). Returns null for 0 or a negative or
 * non-finite value: a start time the server does not know, which must not turn into a
 * half-century-old call.
 */
export function callStartMs(time: number): number | null {
  if (!Number.isFinite(time) || time <= 0) return null;
  return time < SECONDS_TIMESTAMP_BELOW ? time * 1000 : time;
}
