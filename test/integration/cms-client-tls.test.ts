import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CmsClient } from '../../src/cms/cms-client.js';
import { CmsNetworkError } from '../../src/cms/errors.js';
import type { CmsRequestEvent } from '../../src/cms/types.js';
import { startFakeCmsServer, testCmsConfig, type FakeCmsServer } from '../helpers/fake-cms-server.js';

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const OK = { body: { resultCode: '0100000', resultDesc: 1605057110000 } };

describe.skipIf(!hasOpenssl())('CmsClient over HTTPS', () => {
  let dir: string;
  let caFile: string;
  let server: FakeCmsServer;
  const clients: CmsClient[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cms-tls-'));
    const key = join(dir, 'key.pem');
    caFile = join(dir, 'cert.pem');
    // A self-signed certificate for 127.0.0.1; it is its own CA.
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', caFile, '-days', '2',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-addext', 'basicConstraints=critical,CA:TRUE',
    ], { stdio: 'ignore' });
    server = await startFakeCmsServer({ handler: () => OK, tls: { key: readFileSync(key, 'utf8'), cert: readFileSync(caFile, 'utf8') } });
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('verifies TLS by default: an unknown CA is a network error, not retried', async () => {
    const events: CmsRequestEvent[] = [];
    const client = new CmsClient(testCmsConfig(server.url, { retries: 3 }), { onRequest: (e) => events.push(e), sleep: async () => {} });
    clients.push(client);
    const err = await client.queryCtiServerTime({ ccId: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CmsNetworkError);
    expect((err as Error).message).toContain('(TLS)');
    expect(events.map((e) => e.code)).toEqual(['network']);
    expect(server.requests).toHaveLength(0);
  });

  it('trusts cms.caFile, read once at construction', async () => {
    const copy = join(dir, 'ca-copy.pem');
    writeFileSync(copy, readFileSync(caFile));
    const client = new CmsClient(testCmsConfig(server.url, { caFile: copy }));
    clients.push(client);
    rmSync(copy); // already read: the client must not need the file any more
    expect((await client.queryCtiServerTime({ ccId: 1 })).serverTimeMs).toBe(1605057110000);
    expect(server.requests.at(-1)!.signatureValid).toBe(true);
  });

  it('skips verification with cms.insecureSkipVerify', async () => {
    const client = new CmsClient(testCmsConfig(server.url, { insecureSkipVerify: true }));
    clients.push(client);
    expect((await client.queryCtiServerTime({ ccId: 1 })).serverTimeMs).toBe(1605057110000);
  });

  it('fails at construction when cms.caFile cannot be read', () => {
    expect(() => new CmsClient(testCmsConfig(server.url, { caFile: join(dir, 'missing.pem') }))).toThrow();
  });
});
