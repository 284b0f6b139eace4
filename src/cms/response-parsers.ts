/**
 * The pure response parsers of the five interfaces, in one place (for the client and for
 * property-based tests). Each `parse*Response(body)` takes the raw body bytes/text of a 2xx
 * answer and returns the typed result, or throws CmsResultError (failing resultCode) or
 * CmsInvalidResponseError (anything it cannot understand) — never another exception type.
 */
export {
  SUCCESS_RESULT_CODE,
  DEFAULT_MAX_RESPONSE_BYTES,
  normalizeResultCode,
  decodeJsonBody,
  parseEnvelope,
  type NormalizedResultCode,
} from './parse-envelope.js';
export { toFiniteNumber, isJsonObject } from './parse-fields.js';
export { parseSysindexRow, parseSysindexPayload, parseSysindexResponse, type SysindexPage } from './parse-sysindex.js';
export {
  parseCtiServerTimePayload,
  parseCtiServerTimeResponse,
  parseAccessCodeCallInfoPayload,
  parseAccessCodeCallInfoResponse,
  parseAgentCallsPayload,
  parseAgentCallsResponse,
  parseBasicCallInfoPayload,
  parseBasicCallInfoResponse,
} from './parse-call-info.js';
