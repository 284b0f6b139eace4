import type { CmsEndpoint } from '../cms/types.js';
import { basicCallInfo } from './call-record.js';
import type { CallCenterModel } from './call-center-model.js';
import {
  InvalidParameterError,
  LIMITS,
  MAX_SYSINDEX_WINDOW_MS,
  callIdField,
  intField,
  intListField,
  utcDateField,
  type RequestBody,
} from './request-validation.js';
import { accessCodeStates } from './sim-vdn.js';

/**
 * The five interfaces' answers, in the shapes of the documented examples (quirks included):
 * sysindex `resultCode: 0` (a number) with `resultDesc: {data, count}`, `inCallNums` and
 * beginTime as a string; ctiservertime / queryagentcalls / querybasiccallinfo with the legacy
 * `result` and duplicated `resultDatas`; queryaccesscodecallinfo without them.
 */

/** Result codes the simulator answers with, and when. */
export const SIM_RESULT_CODES = {
  success: '0100000',
  /** Unknown callId: the call has ended (or never existed). */
  callNotFound: '0100001',
  /** A parameter outside the documented limits, an unknown ccId, a body that is not a JSON object. */
  invalidParameter: '0100002',
  /** cti36 mode: ctiservertime, queryaccesscodecallinfo, querybasiccallinfo are not supported. */
  notOnCti36: '0100003',
  /** cti/sysindex asked with a tenant key (it answers only the global AK/SK). */
  insufficientPermission: '0101003',
} as const;

/** Interfaces CTI 3.6 does not support. */
const NOT_ON_CTI36: ReadonlySet<CmsEndpoint> = new Set(['cti_server_time', 'access_code_call_info', 'basic_call_info']);

/** What a handler needs besides the body. */
export interface HandlerContext {
  model: CallCenterModel;
  /** Role of the key that signed the request. */
  role: 'global' | 'tenant';
  cti36: boolean;
  /** CTI time = model time + this, ms. */
  ctiClockOffsetMs: number;
}

export type InterfaceAnswer = Record<string, unknown>;

/** A failing answer, shaped like the error-code reference's example. */
export function failure(resultCode: string, resultDesc: string): InterfaceAnswer {
  return { resultCode, resultDesc };
}

const OK_LEGACY = { result: '0', resultCode: SIM_RESULT_CODES.success } as const;

/** Answers one request (the body already parsed). Never throws for bad input: it answers 0100002. */
export function answerFor(endpoint: CmsEndpoint, body: RequestBody, ctx: HandlerContext): InterfaceAnswer {
  if (ctx.cti36 && NOT_ON_CTI36.has(endpoint)) {
    return failure(SIM_RESULT_CODES.notOnCti36, 'The interface supports only CTI V300R008');
  }
  try {
    ctx.model.sync();
    switch (endpoint) {
      case 'sysindex':
        return sysindex(body, ctx);
      case 'cti_server_time':
        return ctiServerTime(body, ctx);
      case 'access_code_call_info':
        return accessCodeCallInfo(body, ctx);
      case 'agent_calls':
        return agentCalls(body, ctx);
      case 'basic_call_info':
        return basicInfo(body, ctx);
    }
  } catch (err) {
    if (err instanceof InvalidParameterError) return failure(SIM_RESULT_CODES.invalidParameter, 'Invalid parameter');
    throw err;
  }
}

function knownCcId(body: RequestBody, ctx: HandlerContext, fallback?: number): number {
  const ccId = intField(body, 'ccId', LIMITS.ccId[0], LIMITS.ccId[1], fallback);
  if (!ctx.model.hasCallCenter(ccId)) throw new InvalidParameterError('unknown ccId');
  return ccId;
}

function sysindex(body: RequestBody, ctx: HandlerContext): InterfaceAnswer {
  if (ctx.role !== 'global') return failure(SIM_RESULT_CODES.insufficientPermission, 'Insufficient permission');
  // ccId is optional: the default call center is the scenario's first.
  const ccId = knownCcId(body, ctx, ctx.model.callCenters()[0]?.ccId);
  const vdns = intListField(body, 'vdn', LIMITS.vdn[0], LIMITS.vdn[1], LIMITS.sysindexVdns);
  const begin = utcDateField(body, 'beginDate');
  const end = utcDateField(body, 'endDate');
  if (end < begin || end - begin > MAX_SYSINDEX_WINDOW_MS) throw new InvalidParameterError('bad date window');
  const limit = intField(body, 'limit', 1, LIMITS.limitMax, LIMITS.limitDefault);
  const offset = intField(body, 'offset', 0, Number.MAX_SAFE_INTEGER, 0);
  const page = ctx.model.sysindexPage(ccId, vdns && vdns.length > 0 ? vdns : undefined, begin, end, limit, offset);
  return {
    resultCode: 0,
    resultDesc: {
      data: page.rows.map((r) => ({ ...r, beginTime: String(r.beginTime) })),
      count: page.count,
    },
  };
}

function ctiServerTime(body: RequestBody, ctx: HandlerContext): InterfaceAnswer {
  knownCcId(body, ctx);
  const ctiNow = ctx.model.flow.now + ctx.ctiClockOffsetMs;
  return { ...OK_LEGACY, resultDatas: ctiNow, resultDesc: ctiNow };
}

function accessCodeCallInfo(body: RequestBody, ctx: HandlerContext): InterfaceAnswer {
  const ccId = knownCcId(body, ctx);
  const vdn = intField(body, 'vdn', LIMITS.vdn[0], LIMITS.vdn[1]);
  const innoIds = intListField(body, 'innoIds', 0, Number.MAX_SAFE_INTEGER, LIMITS.innoIds);
  if (innoIds === undefined) throw new InvalidParameterError('innoIds is required');
  const states = accessCodeStates(ctx.model.findVdn(ccId, vdn), innoIds, ctx.model.flow.now);
  return {
    resultCode: SIM_RESULT_CODES.success,
    resultDesc: innoIds.map((innoId, i) => ({ innoId, ...states[i]! })),
  };
}

function agentCalls(body: RequestBody, ctx: HandlerContext): InterfaceAnswer {
  const ccId = knownCcId(body, ctx);
  const vdn = intField(body, 'vdn', LIMITS.vdn[0], LIMITS.vdn[1]);
  const agentId = intField(body, 'agentId', LIMITS.agentId[0], LIMITS.agentId[1]);
  const callId = ctx.model.findVdn(ccId, vdn)?.agents.get(agentId)?.callId;
  const ids = callId ? [callId] : [];
  return { ...OK_LEGACY, resultDatas: ids, resultDesc: [...ids] };
}

function basicInfo(body: RequestBody, ctx: HandlerContext): InterfaceAnswer {
  const ccId = knownCcId(body, ctx);
  const vdn = intField(body, 'vdn', LIMITS.vdn[0], LIMITS.vdn[1]);
  const callId = callIdField(body);
  const call = ctx.model.flow.calls.get(callId);
  if (!call || call.ccId !== ccId || call.vdn !== vdn) {
    return failure(SIM_RESULT_CODES.callNotFound, 'The call does not exist');
  }
  const info = basicCallInfo(call, ctx.model.flow.now);
  return { ...OK_LEGACY, resultDatas: info, resultDesc: { ...info } };
}
