import { CmsInvalidRequestError } from './errors.js';
import type { CmsEndpoint } from './types.js';

/** Most VDN ids in one cti/sysindex request (seed document). */
export const SYSINDEX_MAX_VDNS = 100;
/** Most innoIds in one vdn/queryaccesscodecallinfo request (seed document). */
export const ACCESS_CODE_MAX_INNO_IDS = 500;
/** Longest accepted callId, characters (seed document). */
export const CALL_ID_MAX_LENGTH = 20;

function checkIntRange(endpoint: CmsEndpoint, name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new CmsInvalidRequestError(endpoint, `${name} must be an integer ${min}-${max}`);
  }
  return value;
}

/** ccId: integer 1-65535. */
export function checkCcId(endpoint: CmsEndpoint, ccId: unknown): number {
  return checkIntRange(endpoint, 'ccId', ccId, 1, 65535);
}

/** vdn: integer 1-5000. */
export function checkVdn(endpoint: CmsEndpoint, vdn: unknown): number {
  return checkIntRange(endpoint, 'vdn', vdn, 1, 5000);
}

/** agentId: integer 101-59999. */
export function checkAgentId(endpoint: CmsEndpoint, agentId: unknown): number {
  return checkIntRange(endpoint, 'agentId', agentId, 101, 59999);
}

/** innoId (access code id): no documented range, so any non-negative safe integer. */
export function checkInnoId(endpoint: CmsEndpoint, innoId: unknown): number {
  return checkIntRange(endpoint, 'innoId', innoId, 0, Number.MAX_SAFE_INTEGER);
}

/** callId: at most 20 characters, `<start time>-<number>` (both parts digits). */
export function checkCallId(endpoint: CmsEndpoint, callId: unknown): string {
  if (typeof callId !== 'string' || callId.length > CALL_ID_MAX_LENGTH || !/^\d+-\d+$/.test(callId)) {
    throw new CmsInvalidRequestError(endpoint, `callId must be <digits>-<digits>, at most ${CALL_ID_MAX_LENGTH} characters`);
  }
  return callId;
}

/** The distinct values, first occurrence order kept (asking twice for one id wastes a slot). */
export function distinct<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

/** Splits `items` into consecutive chunks of at most `size` (>= 1). */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
