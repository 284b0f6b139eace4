import { CmsInvalidResponseError } from './errors.js';
import type { CmsEndpoint } from './types.js';

/**
 * Field readers shared by the response parsers. Each one either returns a value of the promised
 * type or throws CmsInvalidResponseError naming the field (never its contents): a response
 * that cannot be understood must fail loudly, not turn into a zero.
 */

/** A JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const NUMERIC_STRING = /^-?\d+(\.\d+)?$/;

/**
 * A finite number from a JSON number or a numeric string (`"1631594100000"`, `"12.5"`; real
 * servers send some numbers as strings). Anything else, including NaN/Infinity, gives undefined.
 */
export function toFiniteNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && NUMERIC_STRING.test(value)) {
    const n = Number(value);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/** Throws the invalid-response error of `endpoint` for field `where`. */
export function invalid(endpoint: CmsEndpoint, where: string, problem: string): never {
  throw new CmsInvalidResponseError(endpoint, `${where} ${problem}`);
}

/** A required non-negative safe integer (counts, ids, epoch milliseconds). */
export function readCount(endpoint: CmsEndpoint, obj: Record<string, unknown>, key: string, where: string): number {
  const n = toFiniteNumber(obj[key]);
  if (n === undefined) invalid(endpoint, `${where}.${key}`, obj[key] === undefined ? 'is missing' : 'is not a number');
  if (!Number.isSafeInteger(n) || n < 0) invalid(endpoint, `${where}.${key}`, 'is not a non-negative integer');
  return n;
}

/** A required non-negative finite number (durations, rates). */
export function readNonNegative(endpoint: CmsEndpoint, obj: Record<string, unknown>, key: string, where: string): number {
  const n = toFiniteNumber(obj[key]);
  if (n === undefined) invalid(endpoint, `${where}.${key}`, obj[key] === undefined ? 'is missing' : 'is not a number');
  if (n < 0) invalid(endpoint, `${where}.${key}`, 'is negative');
  return n;
}

/** An optional integer: absent, null or `""` give null; anything non-integer is invalid. */
export function readOptionalInt(endpoint: CmsEndpoint, obj: Record<string, unknown>, key: string, where: string): number | null {
  const raw = obj[key];
  if (raw === undefined || raw === null || raw === '') return null;
  const n = toFiniteNumber(raw);
  if (n === undefined || !Number.isSafeInteger(n)) invalid(endpoint, `${where}.${key}`, 'is not an integer');
  return n;
}

/** A string field that some servers send as a number: string as is, number as its decimal text, absent/null as `""`. */
export function readLooseString(endpoint: CmsEndpoint, obj: Record<string, unknown>, key: string, where: string): string {
  const raw = obj[key];
  if (raw === undefined || raw === null) return '';
  if (typeof raw === 'string') return raw;
  if (typeof raw === 'number' && Number.isFinite(raw)) return String(raw);
  return invalid(endpoint, `${where}.${key}`, 'is not a string');
}
