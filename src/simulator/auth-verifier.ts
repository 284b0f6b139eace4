import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { parseAuthTimestamp, parseAuthorization, signAuthV2 } from '../cms/auth-v2-signer.js';

/**
 * Server-side auth-v2 verification, as the CC-CMS does it: the signature is recomputed from the
 * prefix the client sent (AK, timestamp, signed header list), the received values of the listed
 * headers (Host as received, port included), the query string and the exact body bytes.
 *
 * The timestamp is checked against the REAL wall clock, not the simulator clock: clients sign
 * with their real time, while the simulator clock may be accelerated or stepped by hand.
 */

/** Largest accepted distance between the signed timestamp and the wall clock, ms. */
export const AUTH_MAX_SKEW_MS = 15 * 60_000;

/** A key the simulator accepts. `tenant` keys are refused by cti/sysindex (global keys only). */
export interface SimulatorKey {
  accessKey: string;
  secretKey: string;
  role: 'global' | 'tenant';
}

/** What the verifier needs of a request. */
export interface VerifiableRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  /** Decoded query parameters. */
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** The received body bytes. */
  body: Buffer;
}

/** Why a request was refused (HTTP 401); never carries the header or a key. */
export type AuthFailure = 'missing' | 'malformed' | 'unknown_key' | 'timestamp' | 'signature';

export type AuthResult = { ok: true; role: SimulatorKey['role'] } | { ok: false; reason: AuthFailure };

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** Constant-time string equality (compares SHA-256 digests, so lengths may differ). */
export function constantTimeEqual(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

function flatHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** Builds a verifier for the given keys; `wallNow` (epoch ms) is injectable for tests. */
export function createAuthVerifier(
  keys: readonly SimulatorKey[],
  wallNow: () => number = Date.now,
): (req: VerifiableRequest) => AuthResult {
  return (req) => {
    const raw = req.headers.authorization;
    if (raw === undefined || raw === '') return { ok: false, reason: 'missing' };
    const parsed = parseAuthorization(raw);
    if (!parsed) return { ok: false, reason: 'malformed' };
    let key: SimulatorKey | undefined;
    for (const k of keys) if (constantTimeEqual(k.accessKey, parsed.accessKey)) key = k;
    if (!key) return { ok: false, reason: 'unknown_key' };
    const signedAt = parseAuthTimestamp(parsed.timestamp);
    if (Number.isNaN(signedAt) || Math.abs(wallNow() - signedAt) > AUTH_MAX_SKEW_MS) {
      return { ok: false, reason: 'timestamp' };
    }
    const expected = signAuthV2(
      {
        method: req.method,
        path: req.path,
        query: req.query,
        headers: flatHeaders(req.headers),
        body: req.body.toString('utf8'),
      },
      { accessKey: parsed.accessKey, secretKey: key.secretKey },
      parsed.timestamp,
      parsed.signedHeaders,
    );
    const expectedSignature = expected.slice(expected.lastIndexOf('/') + 1);
    // The prefix is rebuilt from the parsed header list; a non-canonical list changes it.
    const expectedPrefix = expected.slice(0, expected.lastIndexOf('/'));
    const receivedPrefix = raw.trim().slice(0, raw.trim().lastIndexOf('/'));
    const signatureOk = timingSafeEqual(Buffer.from(expectedSignature, 'utf8'), Buffer.from(parsed.signature, 'utf8'));
    if (!signatureOk || expectedPrefix !== receivedPrefix) return { ok: false, reason: 'signature' };
    return { ok: true, role: key.role };
  };
}
