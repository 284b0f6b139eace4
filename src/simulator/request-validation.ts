/**
 * The documented limits of the request bodies. A request outside them is answered with
 * resultCode 0100002 (invalid parameter). Integers are accepted as JSON numbers or as strings of
 * digits (the sysindex example sends limit/offset as strings; a Java server coerces either).
 */

/** Thrown for a parameter outside the documented limits; becomes resultCode 0100002. */
export class InvalidParameterError extends Error {
  readonly code = 'SIM_INVALID_PARAMETER';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidParameterError';
  }
}

/** The decoded body, required to be a JSON object. */
export type RequestBody = Record<string, unknown>;

/** Parses the body text; anything but a JSON object is an invalid parameter. */
export function parseBody(text: string): RequestBody {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InvalidParameterError('body is not JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidParameterError('body is not a JSON object');
  }
  return value as RequestBody;
}

function toInt(value: unknown, name: string): number {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  if (typeof value === 'string' && /^-?\d{1,15}$/.test(value)) return Number(value);
  throw new InvalidParameterError(`${name} is not an integer`);
}

/** An integer field within [min, max]; `fallback` when absent (else required). */
export function intField(body: RequestBody, name: string, min: number, max: number, fallback?: number): number {
  const raw = body[name];
  if (raw === undefined || raw === null) {
    if (fallback !== undefined) return fallback;
    throw new InvalidParameterError(`${name} is required`);
  }
  const n = toInt(raw, name);
  if (n < min || n > max) throw new InvalidParameterError(`${name} must be ${min}-${max}`);
  return n;
}

/** An array of integers within [min, max], at most `maxLength` long; undefined when absent. */
export function intListField(
  body: RequestBody,
  name: string,
  min: number,
  max: number,
  maxLength: number,
): number[] | undefined {
  const raw = body[name];
  if (raw === undefined || raw === null) return undefined;
  if (!Array.isArray(raw)) throw new InvalidParameterError(`${name} is not an array`);
  if (raw.length > maxLength) throw new InvalidParameterError(`${name} has more than ${maxLength} entries`);
  return raw.map((v) => {
    const n = toInt(v, name);
    if (n < min || n > max) throw new InvalidParameterError(`${name} entries must be ${min}-${max}`);
    return n;
  });
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

/** A `yyyy-MM-dd HH:mm:ss` UTC date field, as epoch ms. */
export function utcDateField(body: RequestBody, name: string): number {
  const raw = body[name];
  if (typeof raw !== 'string') throw new InvalidParameterError(`${name} is required as yyyy-MM-dd HH:mm:ss`);
  const m = DATE_RE.exec(raw);
  if (!m) throw new InvalidParameterError(`${name} is not yyyy-MM-dd HH:mm:ss`);
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(ms);
  if (back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) {
    throw new InvalidParameterError(`${name} is not a valid date`);
  }
  return ms;
}

/** Longest sysindex window: 31 days ("rounded up": anything over 31 days is refused). */
export const MAX_SYSINDEX_WINDOW_MS = 31 * 86_400_000;

/** A call ID: at most 20 characters, `<digits>-<digits>`. */
export function callIdField(body: RequestBody): string {
  const raw = body.callId;
  if (typeof raw !== 'string' || raw.length > 20 || !/^\d+-\d+$/.test(raw)) {
    throw new InvalidParameterError('callId must be <start time>-<number>, at most 20 characters');
  }
  return raw;
}

/** Documented ranges. */
export const LIMITS = {
  ccId: [1, 65535],
  vdn: [1, 5000],
  agentId: [101, 59999],
  /** innoIds per queryaccesscodecallinfo request. */
  innoIds: 500,
  /** VDN ids per sysindex request. */
  sysindexVdns: 100,
  /** sysindex page size: default 100; the documents give no maximum, the simulator caps at 10,000. */
  limitDefault: 100,
  limitMax: 10_000,
} as const;
