import { setTimeout as sleepTimer } from 'node:timers/promises';
import type { CmsError } from './errors.js';

/**
 * When the client tries a request again, and how long it waits first.
 *
 * Retried (at most cms.retries times after the first attempt):
 * - connection-level failures (refused, reset, DNS, unreachable, broken pipe): a restarted
 *   NSLB or a stale keep-alive socket usually answers the next attempt;
 * - HTTP 5xx and 429, honouring `Retry-After` (seconds or HTTP-date) when the server sends it.
 *
 * Never retried: a timeout (a request that hung for cms.timeoutSeconds is likely to hang again,
 * and retrying would stretch one collector run to (retries + 1) × timeout — the next scheduled
 * run is the retry), TLS verification failures (deterministic), 401 and every other 4xx,
 * a failing resultCode, an invalid response, an abort.
 */

/** Base of the exponential backoff, ms: attempt n waits up to base × 2^n (before the cap). */
export const BACKOFF_BASE_MS = 500;

/** What an attempt's failure says about trying again. */
export interface AttemptFailure {
  error: CmsError;
  retryable: boolean;
  /** The server's Retry-After, ms from now (uncapped); undefined when absent or unreadable. */
  retryAfterMs?: number;
}

/** HTTP statuses worth another attempt: 429 and every 5xx. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status <= 599);
}

const RETRYABLE_NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'ENETDOWN',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ETIMEDOUT', // the OS gave up connecting; cms.timeoutSeconds is mapped before this is consulted
  'ERR_STREAM_PREMATURE_CLOSE',
]);

/** Whether a transport error code (Node/OpenSSL `code`) is a transient connection failure. */
export function isRetryableNetworkCode(code: string | undefined): boolean {
  return code !== undefined && RETRYABLE_NETWORK_CODES.has(code);
}

/** Whether a transport error code comes from TLS (certificate or handshake). */
export function isTlsErrorCode(code: string | undefined): boolean {
  return (
    code !== undefined &&
    (/^(CERT_|ERR_TLS_|ERR_SSL_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH)/.test(code) || code === 'EPROTO')
  );
}

/**
 * Parses a Retry-After header: delay-seconds (`"3"`) or an HTTP-date, as ms from `nowMs`
 * (never negative). Undefined when absent or unreadable.
 */
export function parseRetryAfterMs(value: string | string[] | undefined, nowMs: number): number | undefined {
  const v = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!v) return undefined;
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  if (!/^[A-Za-z]{3}/.test(v)) return undefined; // every HTTP-date form starts with a day name
  const at = Date.parse(v);
  return Number.isFinite(at) ? Math.max(0, at - nowMs) : undefined;
}

/**
 * Exponential backoff with full jitter: uniform in [0, min(cap, base × 2^retryIndex)), where
 * retryIndex is 0 before the first retry. `random` returns [0, 1) (Math.random by default).
 */
export function backoffDelayMs(retryIndex: number, maxDelayMs: number, random: () => number): number {
  const ceiling = Math.min(maxDelayMs, BACKOFF_BASE_MS * 2 ** Math.min(retryIndex, 30));
  return Math.max(0, Math.floor(random() * ceiling));
}

/** The wait before retry `retryIndex`: the Retry-After when given, else the backoff; both capped. */
export function retryDelayMs(failure: AttemptFailure, retryIndex: number, maxDelayMs: number, random: () => number): number {
  if (failure.retryAfterMs !== undefined) return Math.min(failure.retryAfterMs, maxDelayMs);
  return backoffDelayMs(retryIndex, maxDelayMs, random);
}

/** Waits `ms`; rejects as soon as `signal` aborts. Injectable so tests do not wait for real. */
export type SleepFunction = (ms: number, signal: AbortSignal) => Promise<void>;

/** The real sleep (node:timers/promises, abortable). */
export const defaultSleep: SleepFunction = async (ms, signal) => {
  await sleepTimer(ms, undefined, { signal });
};
