import { createHmac } from 'node:crypto';

/**
 * The auth-v2 ("AK/SK", C2 interface authentication) signer of the CC-CMS monitoring OpenAPI,
 * as Huawei's public demo client implements it (see shared/reference/cms-auth.md).
 * Pure: no clock, no I/O, so the server side (the simulator) verifies with the same code.
 */

/** What a request looks like to the signer: the exact bytes that go on the wire. */
export interface SignableRequest {
  method: string;
  /** URI path without the query string, e.g. `/rest/cmsapp/v1/openapi/cti/sysindex`. */
  path: string;
  /** Query parameters; omitted or empty when the URL has none. */
  query?: Record<string, string>;
  /** Header name -> value. Only the ones named in `signedHeaders` are used. */
  headers: Record<string, string>;
  /** The exact body text sent (JSON). Empty string when there is no body. */
  body: string;
}

export interface SigningCredentials {
  accessKey: string;
  secretKey: string;
}

/** `seconds` gives `2021-09-09T00:00:00Z` (the demo client's form); `milliseconds` gives `...00.000Z`. */
export type TimestampPrecision = 'seconds' | 'milliseconds';

/** Formats a UTC instant as the auth-v2 timestamp. */
export function formatAuthTimestamp(at: Date, precision: TimestampPrecision = 'seconds'): string {
  const iso = at.toISOString(); // always UTC, always with milliseconds
  return precision === 'milliseconds' ? iso : `${iso.slice(0, 19)}Z`;
}

const UNRESERVED = /[A-Za-z0-9\-._~]/;
/** What encodeURIComponent leaves alone but the signature encodes. */
const SUB_DELIMS = /[!'()*]/g;

/**
 * Percent-encodes every UTF-8 byte outside `A-Z a-z 0-9 - . _ ~` as `%XX` (upper-case hex).
 * Unlike encodeURIComponent this also encodes `!'()*`. Runs on every request body, so it uses
 * encodeURIComponent (native) and walks the bytes itself only for text with a lone surrogate,
 * which encodeURIComponent refuses and which is signed as U+FFFD, the bytes Buffer.from sends.
 */
export function normalize(value: string): string {
  let encoded: string;
  try {
    encoded = encodeURIComponent(value);
  } catch {
    return normalizeBytes(value);
  }
  return encoded.replace(SUB_DELIMS, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function normalizeBytes(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += byte < 0x80 && UNRESERVED.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function hmacHex(key: string, message: string): string {
  return createHmac('sha256', Buffer.from(key, 'utf8')).update(message, 'utf8').digest('hex');
}

/** Lower-cased, sorted, `;`-joined header names, as they appear in the Authorization prefix. */
export function signedHeaderList(names: readonly string[]): string {
  return [...new Set(names.map((n) => n.toLowerCase()))].sort().join(';');
}

/** The canonical request string that is HMAC'ed (step 5 of cms-auth.md). */
export function canonicalRequest(req: SignableRequest, signedHeaders: string): string {
  const lowerHeaders = new Map(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), v]));
  const parts = [req.method.toUpperCase(), req.path];
  const query = Object.entries(req.query ?? {});
  if (query.length > 0) {
    parts.push(
      query
        .map(([k, v]) => `${normalize(k)}=${normalize(v)}`)
        .sort()
        .join('&'),
    );
  }
  parts.push(signedHeaders);
  const names = signedHeaders === '' ? [] : signedHeaders.split(';');
  parts.push(
    names
      .map((name) => `${normalize(name)}:${normalize((lowerHeaders.get(name) ?? '').trim())}`)
      .sort()
      .join('\n'),
  );
  parts.push(normalize(req.body));
  return parts.join('\n');
}

/**
 * Builds the `Authorization` header value:
 * `auth-v2/{AK}/{timestamp}/{signedHeaders}/{hex signature}`.
 * `timestamp` is the already formatted string (see formatAuthTimestamp), so that a verifier can
 * recompute a signature from the header it received.
 */
export function signAuthV2(
  req: SignableRequest,
  credentials: SigningCredentials,
  timestamp: string,
  signedHeaderNames: readonly string[] = ['host'],
): string {
  const signedHeaders = signedHeaderList(signedHeaderNames);
  const prefix = `auth-v2/${credentials.accessKey}/${timestamp}/${signedHeaders}`;
  const signingKey = hmacHex(credentials.secretKey, prefix);
  const signature = hmacHex(signingKey, canonicalRequest(req, signedHeaders));
  return `${prefix}/${signature}`;
}

/** The parts of a received Authorization header; null when it is not an auth-v2 header. */
export interface ParsedAuthorization {
  accessKey: string;
  timestamp: string;
  signedHeaders: string[];
  signature: string;
}

/** Splits an auth-v2 header into its parts (server side). Returns null for anything malformed. */
export function parseAuthorization(header: string | undefined): ParsedAuthorization | null {
  if (!header) return null;
  const m = /^auth-v2\/([^/]+)\/([^/]+)\/([^/]*)\/([0-9a-f]{64})$/.exec(header.trim());
  if (!m) return null;
  return {
    accessKey: m[1]!,
    timestamp: m[2]!,
    signedHeaders: m[3] === '' ? [] : m[3]!.split(';'),
    signature: m[4]!,
  };
}

/** Parses an auth-v2 timestamp (either precision) to epoch milliseconds, or NaN. */
export function parseAuthTimestamp(timestamp: string): number {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/.test(timestamp)) return Number.NaN;
  return Date.parse(timestamp);
}
