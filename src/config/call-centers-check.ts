import type { CallCenterConfig } from './types.js';
import { describeIntRange, intRangeText, isMapping, keyForMessage, renderValue, unknownKeyText, type Problem } from './problem.js';

/**
 * Ranges of the ids under `callCenters`, from the interface documents: ccId 1-65535, VDN 1-5000,
 * agent 101-59999. Access codes (innoIds) are documented only as integers: any positive 32-bit one.
 */
export const CALL_CENTER_LIMITS = {
  ccId: { min: 1, max: 65535 },
  vdnId: { min: 1, max: 5000 },
  accessCode: { min: 1, max: 2147483647 },
  agent: { min: 101, max: 59999 },
} as const;

const CALL_CENTER_KEYS = ['ccId', 'vdns'] as const;
const VDN_KEYS = ['id', 'accessCodes', 'agents'] as const;

/** How `callCenters` is described where a message or the reference says what is allowed. */
export const CALL_CENTERS_ALLOWED = 'a list of call centers, each with ccId and optional vdns';
const VDNS_ALLOWED = 'a list of VDNs, each with id and optional accessCodes and agents';

/**
 * Every problem of a `callCenters` value, each naming its position (`callCenters[0].vdns[1].id`):
 * shape, unknown keys, missing ids, ranges, and duplicates (naming both positions).
 * `root` is the key path of the list. `null` (not set) is the caller's business.
 */
export function checkCallCenters(value: unknown, root = 'callCenters'): Problem[] {
  const problems: Problem[] = [];
  if (!Array.isArray(value)) {
    return [{ path: root, text: `${renderValue(value)} is not a list (allowed: ${CALL_CENTERS_ALLOWED})` }];
  }
  if (value.length === 0) return [{ path: root, text: `[] is empty (allowed: at least one call center)` }];
  const seenCcIds = new Map<number, string>();
  value.forEach((item: unknown, i) => {
    const at = `${root}[${i}]`;
    if (!checkMapping(item, at, CALL_CENTER_KEYS, problems)) return;
    const ccId = checkId(item, 'ccId', at, CALL_CENTER_LIMITS.ccId, problems);
    if (ccId !== undefined) noteDuplicate(seenCcIds, ccId, `${at}.ccId`, problems);
    const vdns = item['vdns'];
    if (vdns === undefined || vdns === null) return;
    if (!Array.isArray(vdns)) {
      problems.push({ path: `${at}.vdns`, text: `${renderValue(vdns)} is not a list (allowed: ${VDNS_ALLOWED})` });
      return;
    }
    const seenVdns = new Map<number, string>();
    vdns.forEach((vdn: unknown, j) => checkVdn(vdn, `${at}.vdns[${j}]`, seenVdns, problems));
  });
  return problems;
}

function checkVdn(vdn: unknown, at: string, seenVdns: Map<number, string>, problems: Problem[]): void {
  if (!checkMapping(vdn, at, VDN_KEYS, problems)) return;
  const id = checkId(vdn, 'id', at, CALL_CENTER_LIMITS.vdnId, problems);
  if (id !== undefined) noteDuplicate(seenVdns, id, `${at}.id`, problems);
  checkIdList(vdn['accessCodes'], `${at}.accessCodes`, CALL_CENTER_LIMITS.accessCode, problems);
  checkIdList(vdn['agents'], `${at}.agents`, CALL_CENTER_LIMITS.agent, problems);
}

function checkMapping(
  value: unknown,
  at: string,
  keys: readonly string[],
  problems: Problem[],
): value is Record<string, unknown> {
  if (!isMapping(value)) {
    problems.push({ path: at, text: `${renderValue(value)} is not a mapping (allowed keys: ${keys.join(', ')})` });
    return false;
  }
  for (const key of Object.keys(value)) {
    if (!keys.includes(key)) problems.push({ path: `${at}.${keyForMessage(key)}`, text: unknownKeyText(key, keys) });
  }
  return true;
}

/** Checks a required id; returns it when valid. */
function checkId(
  item: Record<string, unknown>,
  key: string,
  at: string,
  range: { min: number; max: number },
  problems: Problem[],
): number | undefined {
  const value = item[key];
  if (value === undefined || value === null) {
    problems.push({ path: `${at}.${key}`, text: `required but missing (allowed: ${describeIntRange(range.min, range.max)})` });
    return undefined;
  }
  const text = intRangeText(value, range.min, range.max);
  if (text !== null) {
    problems.push({ path: `${at}.${key}`, text });
    return undefined;
  }
  return value as number;
}

function checkIdList(value: unknown, at: string, range: { min: number; max: number }, problems: Problem[]): void {
  if (value === undefined || value === null) return;
  if (!Array.isArray(value)) {
    const allowed = `a list of ${describeIntRange(range.min, range.max)}`;
    problems.push({ path: at, text: `${renderValue(value)} is not a list (allowed: ${allowed})` });
    return;
  }
  const seen = new Map<number, string>();
  value.forEach((element: unknown, k) => {
    const text = intRangeText(element, range.min, range.max);
    if (text !== null) problems.push({ path: `${at}[${k}]`, text });
    else noteDuplicate(seen, element as number, `${at}[${k}]`, problems);
  });
}

function noteDuplicate(seen: Map<number, string>, value: number, at: string, problems: Problem[]): void {
  const first = seen.get(value);
  if (first === undefined) seen.set(value, at);
  else problems.push({ path: at, text: `${value} is a duplicate of ${first}` });
}

/**
 * The contract form of a `callCenters` value that passed checkCallCenters: absent lists become
 * empty ones, nothing else is carried over.
 */
export function normalizeCallCenters(value: unknown): CallCenterConfig[] {
  const list = value as Array<{ ccId: number; vdns?: Array<{ id: number; accessCodes?: number[]; agents?: number[] }> | null }>;
  return list.map((cc) => ({
    ccId: cc.ccId,
    vdns: (cc.vdns ?? []).map((vdn) => ({
      id: vdn.id,
      accessCodes: [...(vdn.accessCodes ?? [])],
      agents: [...(vdn.agents ?? [])],
    })),
  }));
}
