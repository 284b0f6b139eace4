import { describe, expect, it } from 'vitest';
import { CmsHttpError } from '../../src/cms/errors.js';
import {
  BACKOFF_BASE_MS,
  backoffDelayMs,
  defaultSleep,
  isRetryableNetworkCode,
  isRetryableStatus,
  isTlsErrorCode,
  parseRetryAfterMs,
  retryDelayMs,
} from '../../src/cms/retry-policy.js';

describe('retry policy', () => {
  it('retries 429 and 5xx only', () => {
    expect([429, 500, 502, 503, 504, 599].every(isRetryableStatus)).toBe(true);
    expect([200, 301, 400, 401, 403, 404, 408, 499, 600].some(isRetryableStatus)).toBe(false);
  });

  it('retries connection failures but not TLS failures or unknown codes', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']) {
      expect(isRetryableNetworkCode(code)).toBe(true);
    }
    for (const code of ['DEPTH_ZERO_SELF_SIGNED_CERT', 'CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'EPROTO']) {
      expect(isTlsErrorCode(code)).toBe(true);
      expect(isRetryableNetworkCode(code)).toBe(false);
    }
    expect(isRetryableNetworkCode(undefined)).toBe(false);
    expect(isRetryableNetworkCode('ERR_SOMETHING_NEW')).toBe(false);
    expect(isTlsErrorCode('ECONNREFUSED')).toBe(false);
  });

  it('reads Retry-After as seconds or HTTP-date', () => {
    const now = Date.UTC(2024, 0, 1, 0, 0, 0);
    expect(parseRetryAfterMs('3', now)).toBe(3000);
    expect(parseRetryAfterMs(['7', '9'], now)).toBe(7000);
    expect(parseRetryAfterMs('Mon, 01 Jan 2024 00:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfterMs('Sun, 31 Dec 2023 23:59:00 GMT', now)).toBe(0);
    expect(parseRetryAfterMs(undefined, now)).toBeUndefined();
    expect(parseRetryAfterMs('soon', now)).toBeUndefined();
    expect(parseRetryAfterMs('-1', now)).toBeUndefined();
  });

  it('backs off exponentially with full jitter, capped', () => {
    expect(backoffDelayMs(0, 60_000, () => 0.999999)).toBe(BACKOFF_BASE_MS - 1);
    expect(backoffDelayMs(3, 60_000, () => 0.5)).toBe(BACKOFF_BASE_MS * 4);
    expect(backoffDelayMs(20, 2_000, () => 0.5)).toBe(1_000);
    expect(backoffDelayMs(1000, 2_000, () => 0.999)).toBeLessThan(2_000);
    expect(backoffDelayMs(5, 60_000, () => 0)).toBe(0);
  });

  it('uses Retry-After over backoff, capped by the max delay', () => {
    const error = new CmsHttpError('sysindex', 429);
    expect(retryDelayMs({ error, retryable: true, retryAfterMs: 1500 }, 0, 10_000, () => 0.9)).toBe(1500);
    expect(retryDelayMs({ error, retryable: true, retryAfterMs: 3_600_000 }, 0, 10_000, () => 0.9)).toBe(10_000);
    expect(retryDelayMs({ error, retryable: true }, 1, 10_000, () => 0.5)).toBe(BACKOFF_BASE_MS);
  });

  it('the default sleep rejects promptly when aborted', async () => {
    const ac = new AbortController();
    const p = defaultSleep(60_000, ac.signal);
    ac.abort();
    await expect(p).rejects.toThrow();
    await expect(defaultSleep(1, new AbortController().signal)).resolves.toBeUndefined();
  });
});
