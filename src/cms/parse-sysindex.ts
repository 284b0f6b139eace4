import type { SysindexRow } from './types.js';
import { decodeJsonBody, parseEnvelope } from './parse-envelope.js';
import { invalid, isJsonObject, readCount, readNonNegative } from './parse-fields.js';

/** One page of cti/sysindex. */
export interface SysindexPage {
  rows: SysindexRow[];
  /** Total rows across all pages when the server says (`resultDesc.count`); undefined for the bare-list form. */
  count: number | undefined;
}

/**
 * One sysindex row. Accepts `inCallNums` (what servers send) or `incallNums` (the table's
 * spelling), `beginTime` as epoch-ms number or numeric string, every count as number or numeric
 * string. Counts must be non-negative integers; `callRate` (percent) a non-negative number.
 */
export function parseSysindexRow(value: unknown, where = 'row'): SysindexRow {
  if (!isJsonObject(value)) invalid('sysindex', where, 'is not an object');
  const count = (key: string): number => readCount('sysindex', value, key, where);
  // Read in this order so that a row with several bad fields names the same one every time.
  const ccId = count('ccId');
  const vdn = count('vdn');
  const onlineAgentNums = count('onlineAgentNums');
  const talkingNums = count('talkingNums');
  const ideaAgentNum = count('ideaAgentNum');
  const busyNums = count('busyNums');
  const restNums = count('restNums');
  const rateNum = count('rateNum');
  const callOutNums = count('callOutNums');
  const beginTime = count('beginTime');
  const inCallNums = count(value.inCallNums !== undefined && value.inCallNums !== null ? 'inCallNums' : 'incallNums');
  const callRate = readNonNegative('sysindex', value, 'callRate', where);
  return { beginTime, ccId, vdn, onlineAgentNums, talkingNums, ideaAgentNum, busyNums, restNums, inCallNums, rateNum, callRate, callOutNums };
}

/**
 * The payload of a successful sysindex answer: either the documented list of rows or the
 * `{data: [...], count}` object the example shows (count: non-negative integer or numeric string).
 */
export function parseSysindexPayload(payload: unknown): SysindexPage {
  let list: unknown;
  let count: number | undefined;
  if (Array.isArray(payload)) {
    list = payload;
  } else if (isJsonObject(payload)) {
    list = payload.data;
    if (!Array.isArray(list)) invalid('sysindex', 'resultDesc.data', 'is not a list');
    count = payload.count === undefined || payload.count === null ? undefined : readCount('sysindex', payload, 'count', 'resultDesc');
  } else {
    return invalid('sysindex', 'resultDesc', 'is neither a list nor {data, count}');
  }
  const rows = (list as unknown[]).map((row, i) => parseSysindexRow(row, `row[${i}]`));
  return { rows, count };
}

/** A whole sysindex response body -> its page. Throws CmsResultError / CmsInvalidResponseError. */
export function parseSysindexResponse(body: string | Uint8Array): SysindexPage {
  return parseSysindexPayload(parseEnvelope('sysindex', decodeJsonBody('sysindex', body)));
}
