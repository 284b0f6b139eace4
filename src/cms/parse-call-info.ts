import type { AccessCodeCallInfo, BasicCallInfo } from './types.js';
import { decodeJsonBody, parseEnvelope } from './parse-envelope.js';
import {
  invalid,
  isJsonObject,
  readCount,
  readLooseString,
  readNonNegative,
  readOptionalInt,
  toFiniteNumber,
} from './parse-fields.js';

/**
 * configures/ctiservertime payload: the CTI clock as epoch milliseconds, a number or a numeric
 * string. Must be a positive integer: a zero or negative clock would fake a huge skew.
 */
export function parseCtiServerTimePayload(payload: unknown): number {
  const n = toFiniteNumber(payload);
  if (n === undefined) invalid('cti_server_time', 'resultDesc', 'is not a number');
  if (!Number.isSafeInteger(n) || n <= 0) invalid('cti_server_time', 'resultDesc', 'is not a positive integer');
  return n;
}

/** A whole ctiservertime response body -> the CTI clock, epoch ms. */
export function parseCtiServerTimeResponse(body: string | Uint8Array): number {
  return parseCtiServerTimePayload(parseEnvelope('cti_server_time', decodeJsonBody('cti_server_time', body)));
}

const ACCESS_CODE_COUNTS = ['innoId', 'allCallCount', 'ivrCallCount', 'agentCallCount', 'queueCallCount'] as const;

/** vdn/queryaccesscodecallinfo payload: a list of per-access-code objects (numbers or numeric strings). */
export function parseAccessCodeCallInfoPayload(payload: unknown): AccessCodeCallInfo[] {
  if (!Array.isArray(payload)) invalid('access_code_call_info', 'resultDesc', 'is not a list');
  return payload.map((item: unknown, i) => {
    const where = `resultDesc[${i}]`;
    if (!isJsonObject(item)) invalid('access_code_call_info', where, 'is not an object');
    const out = {} as AccessCodeCallInfo;
    for (const key of ACCESS_CODE_COUNTS) out[key] = readCount('access_code_call_info', item, key, where);
    out.longestWaitTime = readNonNegative('access_code_call_info', item, 'longestWaitTime', where);
    return out;
  });
}

/** A whole access-code response body -> its rows. */
export function parseAccessCodeCallInfoResponse(body: string | Uint8Array): AccessCodeCallInfo[] {
  return parseAccessCodeCallInfoPayload(
    parseEnvelope('access_code_call_info', decodeJsonBody('access_code_call_info', body)),
  );
}

/** agent/queryagentcalls payload: a list of call-ID strings (possibly empty). */
export function parseAgentCallsPayload(payload: unknown): string[] {
  if (!Array.isArray(payload)) invalid('agent_calls', 'resultDesc', 'is not a list');
  return payload.map((id: unknown, i) => {
    if (typeof id !== 'string' || id === '') invalid('agent_calls', `resultDesc[${i}]`, 'is not a call id string');
    return id;
  });
}

/** A whole agent-calls response body -> the call IDs. */
export function parseAgentCallsResponse(body: string | Uint8Array): string[] {
  return parseAgentCallsPayload(parseEnvelope('agent_calls', decodeJsonBody('agent_calls', body)));
}

/**
 * calldata/querybasiccallinfo payload: one object. `time` (epoch ms), `waitTime` and
 * `totalTalkingTimes` (seconds) are required; `callSkill` may be a name or a number;
 * the documents' other type slips (`orgiCalledNum` string, `mediaBillType` 0) stay in `raw`.
 */
export function parseBasicCallInfoPayload(payload: unknown): BasicCallInfo {
  const e = 'basic_call_info';
  if (!isJsonObject(payload)) invalid(e, 'resultDesc', 'is not an object');
  const w = 'resultDesc';
  return {
    time: readCount(e, payload, 'time', w),
    callingNum: readLooseString(e, payload, 'callingNum', w),
    calledNum: readLooseString(e, payload, 'calledNum', w),
    waitTime: readNonNegative(e, payload, 'waitTime', w),
    totalTalkingTimes: readNonNegative(e, payload, 'totalTalkingTimes', w),
    deviceType: readOptionalInt(e, payload, 'deviceType', w),
    deviceNo: readOptionalInt(e, payload, 'deviceNo', w),
    callSkill: readLooseString(e, payload, 'callSkill', w),
    mediaType: readOptionalInt(e, payload, 'mediaType', w),
    raw: payload,
  };
}

/** A whole basic-call-info response body -> the call. */
export function parseBasicCallInfoResponse(body: string | Uint8Array): BasicCallInfo {
  return parseBasicCallInfoPayload(parseEnvelope('basic_call_info', decodeJsonBody('basic_call_info', body)));
}
