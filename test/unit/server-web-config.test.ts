import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadWebConfig } from '../../src/server/web-config.js';
import { WebConfigError } from '../../src/server/web-config-error.js';
import { hasOpenssl, issueCert, makeCa, type CertFiles } from '../fixtures/tls/make-test-pki.js';

let dir: string;
let ca: CertFiles;
let server: CertFiles;
let other: CertFiles;
const hash = bcrypt.hashSync('secret', 4);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'aicc-webcfg-'));
  if (!hasOpenssl) return;
  mkdirSync(join(dir, 'certs'));
  ca = makeCa(join(dir, 'certs'), 'ca');
  server = issueCert(join(dir, 'certs'), ca, 'server', 'server');
  other = issueCert(join(dir, 'certs'), ca, 'other', 'server');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function write(yaml: string): string {
  const file = join(dir, `web-${n++}.yml`);
  writeFileSync(file, yaml);
  return file;
}

async function failure(yaml: string): Promise<WebConfigError> {
  try {
    await loadWebConfig(write(yaml));
  } catch (err) {
    expect(err).toBeInstanceOf(WebConfigError);
    return err as WebConfigError;
  }
  throw new Error('expected the web config to be refused');
}

describe('loadWebConfig', () => {
  it('reads an empty file as plain HTTP without auth', async () => {
    const config = await loadWebConfig(write(''));
    expect(config.tls).toBeNull();
    expect(config.users.size).toBe(0);
    expect(config.headers).toEqual([]);
  });

  it('reads users and allowed headers', async () => {
    const config = await loadWebConfig(
      write(`basic_auth_users:\n  alice: ${hash}\nhttp_server_config:\n  headers:\n    X-Frame-Options: deny\n    content-security-policy: "default-src 'self'"\n    X-XSS-Protection: ""\n`),
    );
    expect(config.users.get('alice')).toBe(hash);
    expect(config.headers).toEqual([
      ['X-Frame-Options', 'deny'],
      ['Content-Security-Policy', "default-src 'self'"],
    ]);
  });

  it.each([
    ['an unknown top-level key', 'basic_auth_user:\n  a: b\n', /unknown key 'basic_auth_user'/],
    ['rate_limit', 'rate_limit:\n  burst: 1\n', /rate_limit is not supported/],
    ['an unknown TLS key', 'tls_server_config:\n  cert_fil: x\n', /unknown key tls_server_config.cert_fil/],
    ['an unknown http_server_config key', 'http_server_config:\n  foo: 1\n', /unknown key http_server_config.foo/],
    ['a reserved header', 'http_server_config:\n  headers:\n    Content-Type: text/html\n', /'Content-Type' can not be configured/],
    ['a bad X-Frame-Options', 'http_server_config:\n  headers:\n    X-Frame-Options: allow\n', /expected one of deny, sameorigin/],
    ['a non-bcrypt password', 'basic_auth_users:\n  bob: plaintext\n', /bob is not a bcrypt hash/],
    ['a user name with a colon', `basic_auth_users:\n  "a:b": ${hash}\n`, /contains ':'/],
    ['invalid YAML', 'tls_server_config: [\n', /not valid YAML/],
    ['a list document', '- a\n', /must be a mapping/],
    ['cert_file without key_file', 'tls_server_config:\n  cert_file: certs/server.crt\n', /missing one of key or key_file/],
    ['key_file without cert_file', 'tls_server_config:\n  key_file: certs/server.key\n', /missing one of cert or cert_file/],
    ['an unknown client_auth_type', 'tls_server_config:\n  cert: x\n  key: y\n  client_auth_type: Always\n', /client_auth_type: unknown value 'Always'/],
    ['TLS10', 'tls_server_config:\n  cert: x\n  key: y\n  min_version: TLS10\n', /TLS10' is not supported/],
  ])('refuses %s', async (_what, yaml, message) => {
    const err = await failure(yaml);
    expect(err.message).toMatch(message);
  });

  it('names the unreadable file', async () => {
    const err = await failure('tls_server_config:\n  cert_file: missing.crt\n  key_file: missing.key\n');
    expect(err.code).toBe('WEB_CONFIG_UNREADABLE');
    expect(err.message).toContain(join(dir, 'missing.crt'));
    await expect(loadWebConfig(join(dir, 'nope.yml'))).rejects.toMatchObject({ code: 'WEB_CONFIG_UNREADABLE' });
  });

  it('does not show a path that holds whitespace or a line break (a folded line), so the message stays one line', async () => {
    const err = await failure('tls_server_config:\n  cert_file: "bad\\nname.crt"\n  key_file: missing.key\n');
    expect(err.code).toBe('WEB_CONFIG_UNREADABLE');
    expect(err.message).not.toMatch(/[\r\n]/);
    expect(err.message).not.toContain('name.crt');
    expect(err.message).toContain('(a path of 12 characters with whitespace or a line break, not shown)');
  });

  it('reports a named path it cannot read as a file', async () => {
    mkdirSync(join(dir, 'a-directory'), { recursive: true });
    const err = await failure('tls_server_config:\n  cert: inline\n  key_file: a-directory\n');
    expect(err.code).toBe('WEB_CONFIG_UNREADABLE');
    expect(err.message).toContain('tls_server_config.key_file');
    expect(err.message).toContain('EISDIR');
  });

  describe.skipIf(!hasOpenssl)('TLS', () => {
    it('resolves relative paths against the config file’s directory', async () => {
      const config = await loadWebConfig(
        write('tls_server_config:\n  cert_file: certs/server.crt\n  key_file: certs/server.key\n  min_version: TLS13\n'),
      );
      expect(config.tls?.cert).toBe(readFileSync(server.cert, 'utf8'));
      expect(config.tls?.minVersion).toBe('TLSv1.3');
      expect(config.tls?.clientAuthType).toBe('NoClientCert');
    });

    it('maps Go cipher suites and curves to OpenSSL names', async () => {
      const config = await loadWebConfig(
        write(`tls_server_config:\n  cert_file: ${server.cert}\n  key_file: ${server.key}\n  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256]\n  curve_preferences: [X25519, CurveP256]\n`),
      );
      expect(config.tls?.ciphers).toContain('ECDHE-ECDSA-AES128-GCM-SHA256');
      expect(config.tls?.ecdhCurve).toBe('X25519:P-256');
      const err = await failure(`tls_server_config:\n  cert_file: ${server.cert}\n  key_file: ${server.key}\n  cipher_suites: [TLS_FOO]\n`);
      expect(err.message).toMatch(/unknown value 'TLS_FOO'/);
    });

    it('refuses a key that does not match the certificate, without printing it', async () => {
      const err = await failure(`tls_server_config:\n  cert_file: ${server.cert}\n  key_file: ${other.key}\n`);
      expect(err.message).toMatch(/do not load/);
      expect(err.message).not.toContain('PRIVATE KEY');
    });

    it('checks the client auth settings against each other', async () => {
      const base = `tls_server_config:\n  cert_file: ${server.cert}\n  key_file: ${server.key}\n`;
      expect((await failure(`${base}  client_ca_file: ${ca.cert}\n`)).message).toMatch(/NoClientCert/);
      expect((await failure(`${base}  client_auth_type: RequireAndVerifyClientCert\n`)).message).toMatch(/needs client_ca_file/);
      expect((await failure(`${base}  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ${server.key}\n`)).message).toMatch(/no PEM certificate/);
      expect((await failure(`${base}  client_auth_type: RequestClientCert\n  client_allowed_sans: [a]\n`)).message).toMatch(/client_allowed_sans/);
      const ok = await loadWebConfig(write(`${base}  client_auth_type: RequireClientCert\n`));
      expect(ok.tls?.clientAuthType).toBe('RequireAnyClientCert');
    });

    it('fingerprints the config together with the files it names', async () => {
      const file = write(`tls_server_config:\n  cert_file: ${server.cert}\n  key_file: ${server.key}\n`);
      const before = (await loadWebConfig(file)).fingerprint;
      expect((await loadWebConfig(file)).fingerprint).toBe(before);
      const copy = join(dir, 'certs', 'copy.crt');
      writeFileSync(copy, readFileSync(server.cert));
      writeFileSync(file, `tls_server_config:\n  cert_file: ${copy}\n  key_file: ${server.key}\n`);
      const moved = (await loadWebConfig(file)).fingerprint;
      expect(moved).not.toBe(before);
      writeFileSync(copy, `${readFileSync(server.cert, 'utf8')}\n`);
      expect((await loadWebConfig(file)).fingerprint).not.toBe(moved);
    });
  });
});
