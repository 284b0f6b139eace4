import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('bcryptjs', async (importOriginal) => {
  const actual = await importOriginal<{ default: typeof import('bcryptjs') }>();
  const compare = vi.fn((s: string, hash: string) => actual.default.compare(s, hash));
  return { default: { ...actual.default, compare } };
});

const bcrypt = (await import('bcryptjs')).default;
const { BasicAuthenticator, parseBasicAuthorization, AUTH_CACHE_TTL_MS } = await import('../../src/server/basic-auth.js');

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const users = new Map([
  ['alice', bcrypt.hashSync('s3cret:with:colons', 4)],
  // htpasswd -B writes $2y$ hashes
  ['bob', bcrypt.hashSync('pw', 4).replace(/^\$2b\$/, '$2y$')],
]);

beforeEach(() => {
  vi.mocked(bcrypt.compare).mockClear();
});

describe('parseBasicAuthorization', () => {
  it('splits at the first colon and ignores the scheme case', () => {
    expect(parseBasicAuthorization(basic('u', 'p:q'))).toEqual({ user: 'u', password: 'p:q' });
    expect(parseBasicAuthorization(`bAsIc ${Buffer.from('u:').toString('base64')}`)).toEqual({ user: 'u', password: '' });
  });

  it.each([undefined, '', 'Bearer abc', 'Basic', 'Basic !!!', `Basic ${Buffer.from('nocolon').toString('base64')}`])(
    'returns null for %j',
    (header) => {
      expect(parseBasicAuthorization(header)).toBeNull();
    },
  );
});

describe('BasicAuthenticator', () => {
  it('accepts right passwords and refuses wrong ones and unknown users', async () => {
    const auth = new BasicAuthenticator(users);
    expect(auth.enabled).toBe(true);
    expect(await auth.check(basic('alice', 's3cret:with:colons'))).toBe(true);
    expect(await auth.check(basic('bob', 'pw'))).toBe(true);
    expect(await auth.check(basic('alice', 'pw'))).toBe(false);
    expect(await auth.check(basic('mallory', 'pw'))).toBe(false);
    expect(await auth.check(undefined)).toBe(false);
    expect(new BasicAuthenticator(new Map()).enabled).toBe(false);
  });

  it('runs bcrypt for unknown users too (same timing as known ones)', async () => {
    const auth = new BasicAuthenticator(users);
    await auth.check(basic('mallory', 'x'));
    expect(bcrypt.compare).toHaveBeenCalledTimes(1);
  });

  it('remembers successful checks for a while, never failed ones', async () => {
    let now = 1_000_000;
    const auth = new BasicAuthenticator(users, () => now);
    for (let i = 0; i < 5; i++) expect(await auth.check(basic('bob', 'pw'))).toBe(true);
    expect(bcrypt.compare).toHaveBeenCalledTimes(1);
    for (let i = 0; i < 3; i++) expect(await auth.check(basic('bob', 'nope'))).toBe(false);
    expect(bcrypt.compare).toHaveBeenCalledTimes(4);
    now += AUTH_CACHE_TTL_MS + 1;
    expect(await auth.check(basic('bob', 'pw'))).toBe(true);
    expect(bcrypt.compare).toHaveBeenCalledTimes(5);
  });

  it('shares one bcrypt run among identical checks in flight', async () => {
    const auth = new BasicAuthenticator(users);
    const results = await Promise.all(Array.from({ length: 5 }, () => auth.check(basic('bob', 'pw'))));
    expect(results).toEqual([true, true, true, true, true]);
    expect(bcrypt.compare).toHaveBeenCalledTimes(1);
  });

  it('does not let a remembered password outlive a changed hash', async () => {
    const first = new BasicAuthenticator(new Map([['bob', bcrypt.hashSync('old', 4)]]));
    expect(await first.check(basic('bob', 'old'))).toBe(true);
    const second = new BasicAuthenticator(new Map([['bob', bcrypt.hashSync('new', 4)]]));
    expect(await second.check(basic('bob', 'old'))).toBe(false);
  });

  it('runs bcrypt one at a time', async () => {
    const auth = new BasicAuthenticator(users);
    let running = 0;
    let most = 0;
    const original = vi.mocked(bcrypt.compare).getMockImplementation()!;
    vi.mocked(bcrypt.compare).mockImplementation(async (s: string, h: string) => {
      running++;
      most = Math.max(most, running);
      try {
        return await (original as (a: string, b: string) => Promise<boolean>)(s, h);
      } finally {
        running--;
      }
    });
    const results = await Promise.all(['a', 'b', 'c', 'pw'].map((p) => auth.check(basic('bob', p))));
    expect(results).toEqual([false, false, false, true]);
    expect(most).toBe(1);
    vi.mocked(bcrypt.compare).mockImplementation(original);
  });
});
