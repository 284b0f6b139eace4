import { CmsInvalidResponseError, CmsResultError } from './errors.js';
import type { CmsEndpoint } from './types.js';
import { isJsonObject } from './parse-fields.js';

/** The documented success resultCode; the form every success is reported as. */
export const SUCCESS_RESULT_CODE = '0100000';

/** Biggest response body read, bytes (50 MB): a bigger one is refused instead of buffered. */
export const DEFAULT_MAX_RESPONSE_BYTES = 50 * 1024 * 1024;

/** A resultCode (or legacy `result`) in its reported form and whether it means success. */
export interface NormalizedResultCode {
  code: string;
  success: boolean;
}

const CODE_TOKEN = /^[0-9A-Za-z_.-]{1,32}$/;

/**
 * Normalizes a resultCode: `"0100000"`, `"0"`, numeric `0` mean success (reported `0100000`);
 * a failing number is padded to the documented seven digits (`100002` -> `0100002`); a failing
 * string is kept when it is a short token. Anything else (objects, long text) gives undefined.
 */
export function normalizeResultCode(raw: unknown): NormalizedResultCode | undefined {
  let code: string;
  if (typeof raw === 'number') {
    if (!Number.isSafeInteger(raw) || raw < 0) return undefined;
    code = String(raw).padStart(7, '0');
  } else if (typeof raw === 'string') {
    code = raw.trim();
    if (!CODE_TOKEN.test(code)) return undefined;
  } else {
    return undefined;
  }
  if (code === '0' || code === '0000000' || code === SUCCESS_RESULT_CODE) {
    return { code: SUCCESS_RESULT_CODE, success: true };
  }
  return { code, success: false };
}

/**
 * Decodes a response body as JSON (a UTF-8 BOM is tolerated). Bad JSON is a
 * CmsInvalidResponseError, never an exception of another type.
 */
export function decodeJsonBody(endpoint: CmsEndpoint, body: string | Uint8Array): unknown {
  const text = typeof body === 'string' ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  try {
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text) as unknown;
  } catch {
    throw new CmsInvalidResponseError(endpoint, 'body is not JSON');
  }
}

function present(value: unknown): boolean {
  return value !== undefined && value !== null;
}

/**
 * Checks the envelope of a decoded response and returns its payload: `resultDesc`, or the legacy
 * `resultDatas` when resultDesc is absent. The code is `resultCode`, or the legacy `result` when
 * resultCode is absent. A failing code throws CmsResultError (with resultDesc when it is text);
 * no code at all, or a non-object document, throws CmsInvalidResponseError.
 */
export function parseEnvelope(endpoint: CmsEndpoint, doc: unknown, httpStatus?: number): unknown {
  if (!isJsonObject(doc)) throw new CmsInvalidResponseError(endpoint, 'body is not a JSON object', httpStatus);
  const rawCode = present(doc.resultCode) ? doc.resultCode : doc.result;
  if (!present(rawCode)) throw new CmsInvalidResponseError(endpoint, 'no resultCode', httpStatus);
  const code = normalizeResultCode(rawCode);
  if (!code) throw new CmsInvalidResponseError(endpoint, 'resultCode is not a code', httpStatus);
  const payload = present(doc.resultDesc) ? doc.resultDesc : doc.resultDatas;
  if (!code.success) {
    const desc = typeof payload === 'string' ? payload : undefined;
    throw new CmsResultError(endpoint, code.code, desc, httpStatus);
  }
  return payload;
}
