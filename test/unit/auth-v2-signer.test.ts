import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  canonicalRequest,
  formatAuthTimestamp,
  normalize,
  parseAuthTimestamp,
  parseAuthorization,
  signAuthV2,
  signedHeaderList,
} from '../../src/cms/auth-v2-signer.js';

// Expectations are computed here, independently of the signer: HMAC with node:crypto over a
// canonical string written out by hand or built with encodeURIComponent.
const AK = 'globalaktest';
const SK = '1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p';
const TS = '2021-09-09T00:00:00Z';
const PATH = '/rest/cmsapp/v1/openapi/cti/sysindex';
const VECTOR_BODY = '{"ccId":1,"vdn":[1],"beginDate":"2021-09-09 00:00:00","endDate":"2021-09-10 00:00:00"}';

const hmacHex = (key: string, msg: string): string => createHmac('sha256', key).update(msg, 'utf8').digest('hex');
/** RFC 3986 unreserved kept; encodeURIComponent leaves !'()* alone, so those are encoded here. */
const pct = (s: string): string =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const expectedAuth = (signedHeaders: string, canonical: string, ts = TS): string => {
  const prefix = `auth-v2/${AK}/${ts}/${signedHeaders}`;
  return `${prefix}/${hmacHex(hmacHex(SK, prefix), canonical)}`;
};

describe('auth-v2 signer', () => {
  it('reproduces the test vector of cms-auth.md byte for byte', () => {
    expect(Buffer.byteLength(VECTOR_BODY)).toBe(86);
    const auth = signAuthV2(
      { method: 'POST', path: PATH, headers: { host: '10.22.26.181:28080' }, body: VECTOR_BODY },
      { accessKey: AK, secretKey: SK },
      TS,
      ['host'],
    );
    expect(auth).toBe(
      'auth-v2/globalaktest/2021-09-09T00:00:00Z/host/3d81357e379b9498d878387fbe9054989cb7cceff71ccf9982fba3db922c5995',
    );
  });

  it('builds the vector canonical request exactly as written out by hand', () => {
    const handBuilt = [
      'POST',
      PATH,
      'host',
      'host:10.22.26.181%3A28080',
      '%7B%22ccId%22%3A1%2C%22vdn%22%3A%5B1%5D%2C%22beginDate%22%3A%222021-09-09%2000%3A00%3A00%22%2C' +
        '%22endDate%22%3A%222021-09-10%2000%3A00%3A00%22%7D',
    ].join('\n');
    expect(canonicalRequest({ method: 'post', path: PATH, headers: { Host: '10.22.26.181:28080' }, body: VECTOR_BODY }, 'host')).toBe(handBuilt);
    expect(expectedAuth('host', handBuilt)).toBe(
      'auth-v2/globalaktest/2021-09-09T00:00:00Z/host/3d81357e379b9498d878387fbe9054989cb7cceff71ccf9982fba3db922c5995',
    );
  });

  it('signs query parameters normalized and sorted, between the path and the header list', () => {
    const query = { b: '2', a: 'x y', 'c*': "!'()", z: '~._-' };
    const auth = signAuthV2({ method: 'POST', path: '/p', query, headers: { host: 'h:1' }, body: '' }, { accessKey: AK, secretKey: SK }, TS);
    const canonical = ['POST', '/p', 'a=x%20y&b=2&c%2A=%21%27%28%29&z=~._-', 'host', 'host:h%3A1', ''].join('\n');
    expect(auth).toBe(expectedAuth('host', canonical));
    // Without query parameters the line is absent, not empty.
    const none = signAuthV2({ method: 'POST', path: '/p', query: {}, headers: { host: 'h:1' }, body: '' }, { accessKey: AK, secretKey: SK }, TS);
    expect(none).toBe(expectedAuth('host', ['POST', '/p', 'host', 'host:h%3A1', ''].join('\n')));
  });

  it('percent-encodes the UTF-8 bytes of a non-ASCII body', () => {
    const body = '{"name":"张三","note":"café ✓","emoji":"😀"}';
    const auth = signAuthV2({ method: 'POST', path: PATH, headers: { host: 'cms:443' }, body }, { accessKey: AK, secretKey: SK }, TS);
    const canonical = ['POST', PATH, 'host', `host:${pct('cms:443')}`, pct(body)].join('\n');
    expect(pct(body)).toContain('%E5%BC%A0%E4%B8%89'); // 张三
    expect(normalize(body)).toBe(pct(body));
    expect(auth).toBe(expectedAuth('host', canonical));
  });

  it('signs several headers: names lower-cased and sorted, values trimmed and normalized', () => {
    const headers = { Host: '10.22.26.181:28080', 'Content-Type': 'application/json;charset=UTF-8', 'content-length': ' 86 ', 'X-Other': 'ignored' };
    const auth = signAuthV2(
      { method: 'POST', path: PATH, headers, body: VECTOR_BODY },
      { accessKey: AK, secretKey: SK },
      TS,
      ['Host', 'Content-Type', 'content-length'],
    );
    const canonical = [
      'POST',
      PATH,
      'content-length;content-type;host',
      'content-length:86\ncontent-type:application%2Fjson%3Bcharset%3DUTF-8\nhost:10.22.26.181%3A28080',
      pct(VECTOR_BODY),
    ].join('\n');
    expect(auth).toBe(expectedAuth('content-length;content-type;host', canonical));
    expect(signedHeaderList(['Host', 'host', 'Content-Type'])).toBe('content-type;host');
  });

  it('changes the signature when one body byte, the timestamp or the key changes', () => {
    const req = { method: 'POST', path: PATH, headers: { host: 'h' }, body: VECTOR_BODY };
    const base = signAuthV2(req, { accessKey: AK, secretKey: SK }, TS);
    expect(signAuthV2({ ...req, body: VECTOR_BODY.replace('1]', '2]') }, { accessKey: AK, secretKey: SK }, TS)).not.toBe(base);
    expect(signAuthV2(req, { accessKey: AK, secretKey: SK }, '2021-09-09T00:00:01Z')).not.toBe(base);
    expect(signAuthV2(req, { accessKey: AK, secretKey: `${SK}x` }, TS)).not.toBe(base);
  });

  it('formats timestamps in either precision and parses them back', () => {
    const at = new Date(Date.UTC(2021, 8, 9, 1, 2, 3, 456));
    expect(formatAuthTimestamp(at)).toBe('2021-09-09T01:02:03Z');
    expect(formatAuthTimestamp(at, 'milliseconds')).toBe('2021-09-09T01:02:03.456Z');
    expect(parseAuthTimestamp('2021-09-09T01:02:03Z')).toBe(Date.UTC(2021, 8, 9, 1, 2, 3));
    expect(parseAuthTimestamp('2021-09-09T01:02:03.456Z')).toBe(at.getTime());
    expect(parseAuthTimestamp('2021-09-09 01:02:03')).toBeNaN();
  });

  it('parses an Authorization header into its parts and rejects malformed ones', () => {
    const header = expectedAuth('content-type;host', 'x');
    expect(parseAuthorization(header)).toEqual({
      accessKey: AK,
      timestamp: TS,
      signedHeaders: ['content-type', 'host'],
      signature: header.slice(-64),
    });
    expect(parseAuthorization(undefined)).toBeNull();
    expect(parseAuthorization('auth-v1/a/b/host/sig')).toBeNull();
    expect(parseAuthorization(`${header.slice(0, -1)}Z`)).toBeNull();
  });
});
