import { describe, expect, it } from 'vitest';
import { formatAuthTimestamp, signAuthV2 } from '../../src/cms/auth-v2-signer.js';
import { AUTH_MAX_SKEW_MS, constantTimeEqual, createAuthVerifier, type VerifiableRequest } from '../../src/simulator/auth-verifier.js';

const AK = 'globalaktest';
const SK = '1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p';
const VECTOR_BODY = '{"ccId":1,"vdn":[1],"beginDate":"2021-09-09 00:00:00","endDate":"2021-09-10 00:00:00"}';
const VECTOR_AUTH =
  'auth-v2/globalaktest/2021-09-09T00:00:00Z/host/3d81357e379b9498d878387fbe9054989cb7cceff71ccf9982fba3db922c5995';
const VECTOR_TIME = Date.parse('2021-09-09T00:00:00Z');
const PATH = '/rest/cmsapp/v1/openapi/cti/sysindex';

function request(authorization: string | undefined, over: Partial<VerifiableRequest> = {}): VerifiableRequest {
  return {
    method: 'POST',
    path: PATH,
    query: {},
    headers: {
      host: '10.22.26.181:28080',
      'content-type': 'application/json;charset=UTF-8',
      'content-length': String(Buffer.byteLength(VECTOR_BODY)),
      ...(authorization === undefined ? {} : { authorization }),
    },
    body: Buffer.from(VECTOR_BODY),
    ...over,
  };
}

describe('simulator auth-v2 verifier', () => {
  const keys = [
    { accessKey: AK, secretKey: SK, role: 'global' as const },
    { accessKey: 'tenant-ak', secretKey: 'tenant-sk', role: 'tenant' as const },
  ];

  it('accepts the cms-auth.md test vector at its own time, and reports the key role', () => {
    const verify = createAuthVerifier(keys, () => VECTOR_TIME + 60_000);
    expect(verify(request(VECTOR_AUTH))).toEqual({ ok: true, role: 'global' });
  });

  it('accepts millisecond timestamps, several signed headers and query strings', () => {
    const now = VECTOR_TIME;
    const verify = createAuthVerifier(keys, () => now);
    const base = request(undefined);
    const sign = (ts: string, names: string[], query: Record<string, string> = {}, key = { accessKey: AK, secretKey: SK }) =>
      signAuthV2(
        { method: 'POST', path: PATH, query, headers: base.headers as Record<string, string>, body: VECTOR_BODY },
        key,
        ts,
        names,
      );
    const ms = formatAuthTimestamp(new Date(now), 'milliseconds');
    expect(verify(request(sign(ms, ['host'])))).toEqual({ ok: true, role: 'global' });
    expect(verify(request(sign(ms, ['host', 'content-type', 'content-length'])))).toMatchObject({ ok: true });
    const q = { b: 'x y', a: '1' };
    expect(verify(request(sign(ms, ['host'], q), { query: q }))).toMatchObject({ ok: true });
    expect(verify(request(sign(ms, ['host'], q), { query: {} }))).toEqual({ ok: false, reason: 'signature' });
    expect(verify(request(sign(ms, ['host'], {}, { accessKey: 'tenant-ak', secretKey: 'tenant-sk' })))).toEqual({ ok: true, role: 'tenant' });
  });

  it('refuses a missing, malformed, unknown-key, stale or wrongly signed header', () => {
    const verify = createAuthVerifier(keys, () => VECTOR_TIME);
    expect(verify(request(undefined))).toEqual({ ok: false, reason: 'missing' });
    expect(verify(request('Bearer abc'))).toEqual({ ok: false, reason: 'malformed' });
    expect(verify(request(VECTOR_AUTH.replace('globalaktest', 'someoneelse')))).toEqual({ ok: false, reason: 'unknown_key' });
    const flipped = VECTOR_AUTH.slice(0, -1) + (VECTOR_AUTH.endsWith('5') ? '6' : '5');
    expect(verify(request(flipped))).toEqual({ ok: false, reason: 'signature' });
    // The body, the Host (port included) and the path are all covered.
    expect(verify(request(VECTOR_AUTH, { body: Buffer.from(VECTOR_BODY.replace('[1]', '[2]')) }))).toMatchObject({ reason: 'signature' });
    expect(verify(request(VECTOR_AUTH, { headers: { host: '10.22.26.181:28081', authorization: VECTOR_AUTH } }))).toMatchObject({
      reason: 'signature',
    });
    expect(verify(request(VECTOR_AUTH, { path: '/rest/cmsapp/v1/openapi/cti/sysindex2' }))).toMatchObject({ reason: 'signature' });
    // Wrong secret: same AK, other SK.
    const wrongSk = createAuthVerifier([{ accessKey: AK, secretKey: 'not-it', role: 'global' }], () => VECTOR_TIME);
    expect(wrongSk(request(VECTOR_AUTH))).toMatchObject({ reason: 'signature' });
  });

  it('refuses timestamps more than 15 minutes off the wall clock, either way', () => {
    expect(createAuthVerifier(keys, () => VECTOR_TIME + AUTH_MAX_SKEW_MS)(request(VECTOR_AUTH))).toMatchObject({ ok: true });
    expect(createAuthVerifier(keys, () => VECTOR_TIME + AUTH_MAX_SKEW_MS + 1000)(request(VECTOR_AUTH))).toEqual({
      ok: false,
      reason: 'timestamp',
    });
    expect(createAuthVerifier(keys, () => VECTOR_TIME - AUTH_MAX_SKEW_MS - 1000)(request(VECTOR_AUTH))).toMatchObject({
      reason: 'timestamp',
    });
  });

  it('compares in constant time whatever the lengths', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
  });
});
