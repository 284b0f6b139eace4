import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { Config } from '../config/types.js';
import { formatAuthTimestamp, signAuthV2 } from './auth-v2-signer.js';
import { CmsAbortedError, CmsInvalidResponseError, CmsNetworkError, CmsTimeoutError } from './errors.js';
import { exchange, type ExchangeAgents } from './http-exchange.js';
import type { CmsEndpoint } from './types.js';
import { isRetryableNetworkCode, isTlsErrorCode, type AttemptFailure } from './retry-policy.js';

/** The config the transport needs. */
export type CmsTransportConfig = Pick<
  Config['cms'],
  'url' | 'accessKey' | 'secretKey' | 'caFile' | 'insecureSkipVerify' | 'timeoutSeconds' | 'timestampPrecision' | 'signedHeaders'
>;

/** A response of any HTTP status, body fully read. */
export interface RawReply {
  statusCode: number;
  retryAfter: string | undefined;
  body: Buffer;
  /** Exporter clock just before sending, epoch ms. */
  sentAtMs: number;
  /** Exporter clock when the body was read, epoch ms. */
  receivedAtMs: number;
  /** The Authorization sent, only so that server text echoing it can be scrubbed. Never log it. */
  authorization: string;
}

/** Either the reply or why there is none. */
export type SendOutcome = { ok: true; reply: RawReply } | { ok: false; failure: AttemptFailure };

/** Headers the client sends and can therefore sign (cms.signedHeaders must be a subset). */
export const SIGNABLE_HEADERS = ['host', 'content-type', 'content-length', 'user-agent', 'accept'] as const;

/** The Content-Type of every request (seed documents). */
export const CMS_CONTENT_TYPE = 'application/json;charset=UTF-8';

/**
 * One signed POST at a time, over node:http(s) with keep-alive agents (http-exchange.ts); no
 * retries (the caller's job).
 * Signing happens per send with a fresh timestamp; the signed body is the exact bytes sent and
 * the signed `host` is the exact Host header sent (port included). TLS is verified unless
 * cms.insecureSkipVerify; cms.caFile is read once, here. Failures are mapped to CmsErrors whose
 * cause is a plain Error carrying only the transport code and a scrubbed message: the raw error
 * is never attached, so no request option (the Authorization header) can ride along with it.
 */
export class CmsTransport {
  readonly #cms: CmsTransportConfig;
  readonly #origin: string;
  readonly #basePath: string;
  readonly #host: string;
  readonly #agents: ExchangeAgents;
  readonly #maxResponseBytes: number;
  readonly #now: () => number;

  constructor(cms: CmsTransportConfig, options: { maxResponseBytes: number; now: () => number }) {
    const base = new URL(cms.url);
    if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new TypeError('cms.url must be http(s)');
    const unsignable = cms.signedHeaders.filter((h) => !(SIGNABLE_HEADERS as readonly string[]).includes(h.toLowerCase()));
    if (unsignable.length > 0) {
      throw new TypeError(`cms.signedHeaders: cannot sign ${unsignable.join(', ')} (signable: ${SIGNABLE_HEADERS.join(', ')})`);
    }
    this.#cms = cms;
    this.#origin = base.origin;
    this.#basePath = base.pathname.replace(/\/+$/, '');
    this.#host = base.host;
    this.#agents = {
      http: new http.Agent({ keepAlive: true }),
      https: new https.Agent({ keepAlive: true }),
      rejectUnauthorized: !cms.insecureSkipVerify,
      ca: cms.caFile ? readFileSync(cms.caFile, 'utf8') : undefined,
    };
    this.#maxResponseBytes = options.maxResponseBytes;
    this.#now = options.now;
  }

  /** Sends `body` (already serialized JSON) to `path`, signed; resolves for every HTTP status. */
  async send(endpoint: CmsEndpoint, path: string, body: string, signal: AbortSignal): Promise<SendOutcome> {
    const url = new URL(this.#basePath + path, this.#origin);
    const bytes = Buffer.from(body, 'utf8');
    const headers: Record<string, string> = {
      host: this.#host,
      'content-type': CMS_CONTENT_TYPE,
      'content-length': String(bytes.length),
      'user-agent': 'aicc-exporter',
      accept: 'application/json',
    };
    const sentAtMs = this.#now();
    const authorization = signAuthV2(
      { method: 'POST', path: url.pathname, headers, body },
      { accessKey: this.#cms.accessKey, secretKey: this.#cms.secretKey },
      formatAuthTimestamp(new Date(sentAtMs), this.#cms.timestampPrecision),
      this.#cms.signedHeaders,
    );
    const result = await exchange(
      {
        url,
        headers: { ...headers, authorization },
        body: bytes,
        timeoutMs: this.#cms.timeoutSeconds * 1000,
        maxResponseBytes: this.#maxResponseBytes,
        signal,
      },
      this.#agents,
    );
    switch (result.kind) {
      case 'reply': {
        const { statusCode, retryAfter, body: replyBody } = result;
        return { ok: true, reply: { statusCode, retryAfter, body: replyBody, sentAtMs, receivedAtMs: this.#now(), authorization } };
      }
      case 'aborted':
        return { ok: false, failure: { error: new CmsAbortedError(endpoint), retryable: false } };
      case 'too-large': {
        const detail = `body over ${this.#maxResponseBytes} bytes`;
        return { ok: false, failure: { error: new CmsInvalidResponseError(endpoint, detail), retryable: false } };
      }
      case 'timeout': {
        const cause = Object.assign(new Error(`no complete answer within ${this.#cms.timeoutSeconds} s`), { code: 'ETIMEDOUT' });
        return { ok: false, failure: { error: new CmsTimeoutError(endpoint, this.#cms.timeoutSeconds, cause), retryable: false } };
      }
      case 'failed':
        return { ok: false, failure: this.#mapError(endpoint, result.error, authorization) };
    }
  }

  #mapError(endpoint: CmsEndpoint, err: Error & { code?: string }, authorization: string): AttemptFailure {
    const code = typeof err.code === 'string' ? err.code : undefined;
    const scrubbed = scrubSecrets(err.message, [this.#cms.secretKey, authorization]).slice(0, 300);
    const cause = Object.assign(new Error(scrubbed), { code });
    const tls = isTlsErrorCode(code);
    const detail = `${code ?? 'unknown'}${tls ? ' (TLS)' : ''}`;
    return { error: new CmsNetworkError(endpoint, detail, cause), retryable: !tls && isRetryableNetworkCode(code) };
  }

  /** Closes idle keep-alive sockets and stops pooling new ones. */
  close(): void {
    this.#agents.http.destroy();
    this.#agents.https.destroy();
  }
}

/** Replaces every occurrence of each non-empty secret in `text` with `[redacted]`. */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s) out = out.split(s).join('[redacted]');
  return out;
}
