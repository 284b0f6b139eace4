import type { CmsEndpoint } from './types.js';

/** Meanings of the documented resultCodes (shared/reference/error-codes.md). */
export const RESULT_CODE_MEANINGS: Readonly<Record<string, string>> = {
  '0100000': 'success',
  '0100001': 'interface call failed',
  '0100002': 'invalid parameter',
  '0100003': 'interface supports only CTI V300R008 (not CTI 3.6)',
  '0100999': 'unknown error',
  '0101001': 'inspection-relationship interface error',
  '0101002': 'number not found on the UAP',
  '0101003': 'insufficient permission',
};

/** The meaning of a resultCode, or `undocumented resultCode` for one not in the table. */
export function resultCodeMeaning(code: string): string {
  return RESULT_CODE_MEANINGS[code] ?? 'undocumented resultCode';
}

/** Stable error codes; callers branch on these, never on message text. */
export type CmsErrorCode =
  | 'CMS_RESULT'
  | 'HTTP_STATUS'
  | 'TIMEOUT'
  | 'NETWORK'
  | 'INVALID_RESPONSE'
  | 'INVALID_REQUEST'
  | 'ABORTED';

export interface CmsErrorDetails {
  endpoint: CmsEndpoint;
  /** HTTP status when a response arrived. */
  httpStatus?: number;
  /** The resultCode the CMS answered with, when it answered with one. */
  resultCode?: string;
  cause?: unknown;
}

/**
 * Base class of every failure of a CMS request. Messages are built only from the endpoint,
 * status, resultCode and our own words: never from request headers, so neither the secret key
 * nor the Authorization header can appear in one.
 */
export class CmsError extends Error {
  readonly code: CmsErrorCode;
  readonly endpoint: CmsEndpoint;
  readonly httpStatus: number | undefined;
  readonly resultCode: string | undefined;

  constructor(code: CmsErrorCode, message: string, details: CmsErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'CmsError';
    this.code = code;
    this.endpoint = details.endpoint;
    this.httpStatus = details.httpStatus;
    this.resultCode = details.resultCode;
  }

  /** The value of the `code` label of aicc_api_requests_total for this failure. */
  get metricCode(): string {
    switch (this.code) {
      case 'CMS_RESULT':
        return this.resultCode ?? 'unknown';
      case 'HTTP_STATUS':
        return `http_${this.httpStatus ?? 0}`;
      case 'TIMEOUT':
        return 'timeout';
      case 'NETWORK':
        return 'network';
      case 'ABORTED':
        return 'aborted';
      case 'INVALID_REQUEST':
        return 'invalid_request';
      default:
        return 'invalid_response';
    }
  }

  /** A plain object for structured logs (no stack, no cause internals beyond their message). */
  toLogObject(): Record<string, unknown> {
    return {
      code: this.code,
      endpoint: this.endpoint,
      httpStatus: this.httpStatus,
      resultCode: this.resultCode,
      resultMeaning: this.resultCode === undefined ? undefined : resultCodeMeaning(this.resultCode),
      message: this.message,
    };
  }
}

/** The CMS answered with a failing resultCode (or legacy `result`). */
export class CmsResultError extends CmsError {
  /** The CMS's own resultDesc text when it sent one (never contains request data). */
  readonly resultDesc: string | undefined;
  constructor(endpoint: CmsEndpoint, resultCode: string, resultDesc: string | undefined, httpStatus?: number) {
    super(
      'CMS_RESULT',
      `${endpoint}: resultCode ${resultCode} (${resultCodeMeaning(resultCode)})${resultDesc ? `: ${resultDesc.slice(0, 200)}` : ''}`,
      { endpoint, resultCode, httpStatus },
    );
    this.name = 'CmsResultError';
    this.resultDesc = resultDesc;
  }
}

/** Any non-2xx HTTP answer (401: signature rejected). */
export class CmsHttpError extends CmsError {
  constructor(endpoint: CmsEndpoint, httpStatus: number, cause?: unknown) {
    const hint = httpStatus === 401 ? ' (signature rejected: check cms.accessKey and the secret key, and the clock)' : '';
    super('HTTP_STATUS', `${endpoint}: HTTP ${httpStatus}${hint}`, { endpoint, httpStatus, cause });
    this.name = 'CmsHttpError';
  }
}

/** No answer within cms.timeoutSeconds. */
export class CmsTimeoutError extends CmsError {
  constructor(endpoint: CmsEndpoint, timeoutSeconds: number, cause?: unknown) {
    super('TIMEOUT', `${endpoint}: no answer within ${timeoutSeconds}s`, { endpoint, cause });
    this.name = 'CmsTimeoutError';
  }
}

/** Connection refused/reset, DNS, TLS verification and other transport failures. */
export class CmsNetworkError extends CmsError {
  constructor(endpoint: CmsEndpoint, detail: string, cause?: unknown) {
    super('NETWORK', `${endpoint}: network error: ${detail}`, { endpoint, cause });
    this.name = 'CmsNetworkError';
  }
}

/** A 2xx answer that cannot be understood (bad JSON, missing or mistyped fields). */
export class CmsInvalidResponseError extends CmsError {
  constructor(endpoint: CmsEndpoint, detail: string, httpStatus?: number, cause?: unknown) {
    super('INVALID_RESPONSE', `${endpoint}: invalid response: ${detail}`, { endpoint, httpStatus, cause });
    this.name = 'CmsInvalidResponseError';
  }
}

/** A request the client refuses to send because it breaks a documented limit. */
export class CmsInvalidRequestError extends CmsError {
  constructor(endpoint: CmsEndpoint, detail: string) {
    super('INVALID_REQUEST', `${endpoint}: invalid request: ${detail}`, { endpoint });
    this.name = 'CmsInvalidRequestError';
  }
}

/** The caller aborted (shutdown, reload). */
export class CmsAbortedError extends CmsError {
  constructor(endpoint: CmsEndpoint, cause?: unknown) {
    super('ABORTED', `${endpoint}: aborted`, { endpoint, cause });
    this.name = 'CmsAbortedError';
  }
}

/** Narrowing helper for callers that branch on `code`. */
export function isCmsError(err: unknown): err is CmsError {
  return err instanceof CmsError;
}
