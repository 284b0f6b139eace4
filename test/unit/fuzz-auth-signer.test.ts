/**
 * Property-based tests of the auth-v2 signer over any Unicode: the header always has the
 * documented structure and is deterministic; normalize() writes only unreserved characters and
 * %XX and decodes back to the exact UTF-8 bytes; the signature moves with every signed input
 * (any character of the body, the SK, a signed header) and with nothing else (unsigned headers,
 * query parameter order); a string with lone surrogates is signed as the bytes that are sent.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalize, parseAuthorization, signAuthV2, type SignableRequest } from '../../src/cms/auth-v2-signer.js';

/** Any Unicode text of well-formed code points (astral planes included). */
const unicode = (maxLength = 60) => fc.string({ unit: 'binary', maxLength });
/** Any UTF-16 code units, lone surrogates included. */
const codeUnits = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 40 });
/** An access key or timestamp that fits between the header's slashes. */
const segment = unicode(20).filter((s) => s !== '' && !s.includes('/'));
const headerNames = fc.subarray(['host', 'content-type', 'content-length', 'user-agent', 'accept'], { minLength: 1 });

const request = fc.record({
  method: fc.constantFrom('POST', 'post', 'GET'),
  path: unicode(),
  query: fc.option(fc.dictionary(unicode(10), unicode(10), { maxKeys: 4 }), { nil: undefined }),
  headers: fc.record({ host: unicode(20), 'content-type': unicode(20), 'content-length': unicode(5), 'user-agent': unicode(10), accept: unicode(10) }),
  body: unicode(200),
});
const credentials = fc.record({ accessKey: segment, secretKey: unicode(40).filter((s) => s !== '') });

/**
 * Whether two SKs are the same HMAC key: HMAC pads a key shorter than the hash's 64-byte block
 * with zero bytes (RFC 2104 §2), so "k" and "k\u0000" sign alike. No real SK ends in NUL.
 */
function sameHmacKey(a: string, b: string): boolean {
  const [ka, kb] = [Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')];
  if (ka.length > 64 || kb.length > 64) return ka.equals(kb);
  const trim = (k: Buffer): Buffer => k.subarray(0, k.length - (/\0*$/.exec(k.toString('latin1'))?.[0].length ?? 0));
  return trim(ka).equals(trim(kb));
}

/** Decodes %XX escapes back to bytes (everything else is one ASCII byte). */
function percentDecodeBytes(text: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '%') {
      bytes.push(Number.parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(text.charCodeAt(i));
  }
  return Buffer.from(bytes);
}

const sign = (req: SignableRequest, cred: { accessKey: string; secretKey: string }, ts: string, names: string[]) =>
  signAuthV2(req, cred, ts, names);

describe('auth-v2 signer over any Unicode', () => {
  it('always gives auth-v2/AK/ts/headers/<64 hex>, deterministically, and parses back', () => {
    fc.assert(
      fc.property(request, credentials, segment, headerNames, (req, cred, ts, names) => {
        const header = sign(req, cred, ts, names);
        expect(sign(structuredClone(req), { ...cred }, ts, [...names])).toBe(header);
        const sorted = [...names].sort().join(';');
        expect(header.startsWith(`auth-v2/${cred.accessKey}/${ts}/${sorted}/`)).toBe(true);
        expect(header).toMatch(/\/[0-9a-f]{64}$/);
        expect(parseAuthorization(header)).toEqual({
          accessKey: cred.accessKey,
          timestamp: ts,
          signedHeaders: [...names].sort(),
          signature: header.slice(-64),
        });
      }),
      { numRuns: 300 },
    );
  });

  it('normalize writes only unreserved characters and %XX, and decodes to the exact UTF-8', () => {
    fc.assert(
      fc.property(fc.oneof(unicode(200), codeUnits), (s) => {
        const n = normalize(s);
        expect(n).toMatch(/^(?:[A-Za-z0-9\-._~]|%[0-9A-F]{2})*$/);
        expect(percentDecodeBytes(n).equals(Buffer.from(s, 'utf8'))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('normalize of well-formed text round-trips, and equals encodeURIComponent with !\'()* encoded too', () => {
    fc.assert(
      fc.property(unicode(200), (s) => {
        const n = normalize(s);
        expect(percentDecodeBytes(n).toString('utf8')).toBe(s);
        expect(n).toBe(encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`));
      }),
      { numRuns: 500 },
    );
  });

  it('changing any one character of the body changes the signature', () => {
    const bodyAndEdit = unicode(100)
      .filter((b) => b.length > 0)
      .chain((body) => {
        const points = [...body];
        return fc.tuple(fc.constant(points), fc.nat({ max: points.length - 1 }), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }));
      })
      .filter(([points, i, c]) => points[i] !== c);
    fc.assert(
      fc.property(bodyAndEdit, credentials, ([points, i, c], cred) => {
        const base = { method: 'POST', path: '/p', headers: { host: 'h:1' }, body: points.join('') };
        const edited = { ...base, body: [...points.slice(0, i), c, ...points.slice(i + 1)].join('') };
        expect(sign(edited, cred, 'ts', ['host'])).not.toBe(sign(base, cred, 'ts', ['host']));
      }),
      { numRuns: 300 },
    );
  });

  it('sameHmacKey: equal after zero padding, within the block', () => {
    expect(sameHmacKey('\u0000', '')).toBe(true);
    expect(sameHmacKey('k\u0000\u0000', 'k')).toBe(true);
    expect(sameHmacKey('\u0000k', 'k')).toBe(false);
    expect(sameHmacKey('k'.repeat(65), `${'k'.repeat(65)}\u0000`)).toBe(false);
  });

  it('depends on the SK and the signed headers, not on unsigned headers or query order', () => {
    fc.assert(
      fc.property(request, credentials, unicode(40), unicode(20), (req, cred, otherSk, otherValue) => {
        const header = sign(req, cred, 'ts', ['host']);
        if (!sameHmacKey(otherSk, cred.secretKey)) expect(sign(req, { ...cred, secretKey: otherSk }, 'ts', ['host'])).not.toBe(header);
        if (otherValue.trim() !== req.headers.host.trim()) {
          expect(sign({ ...req, headers: { ...req.headers, host: otherValue } }, cred, 'ts', ['host'])).not.toBe(header);
        }
        expect(sign({ ...req, headers: { ...req.headers, accept: otherValue } }, cred, 'ts', ['host'])).toBe(header);
        const reversed = req.query === undefined ? undefined : Object.fromEntries(Object.entries(req.query).reverse());
        expect(sign({ ...req, query: reversed }, cred, 'ts', ['host'])).toBe(header);
      }),
      { numRuns: 300 },
    );
  });

  it('a body with lone surrogates is signed as the UTF-8 bytes that go on the wire', () => {
    fc.assert(
      fc.property(codeUnits, credentials, (body, cred) => {
        const wire = Buffer.from(body, 'utf8').toString('utf8');
        const req = { method: 'POST', path: '/p', headers: { host: 'h' }, body };
        expect(sign(req, cred, 'ts', ['host'])).toBe(sign({ ...req, body: wire }, cred, 'ts', ['host']));
      }),
      { numRuns: 300 },
    );
  });
});
