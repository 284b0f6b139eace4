import { X509Certificate } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import bcrypt from 'bcryptjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createMetricsPipeline } from '../../src/metrics/metrics-endpoint.js';
import { startHttpServer } from '../../src/server/http-server.js';
import type { RunningHttpServer } from '../../src/server/types.js';
import { WebConfigError } from '../../src/server/web-config-error.js';
import { hasOpenssl, issueCert, makeCa, type CertFiles } from '../fixtures/tls/make-test-pki.js';
import { captureLogger } from '../helpers/capture-logger.js';

let dir: string;
let ca: CertFiles;
let serverA: CertFiles;
let serverB: CertFiles;
let client: CertFiles;
let rogueClient: CertFiles;
let otherSanClient: CertFiles;
const passwordHash = bcrypt.hashSync('right-password', 4);

beforeAll(() => {
  if (!hasOpenssl) return;
  dir = mkdtempSync(join(tmpdir(), 'aicc-tls-'));
  ca = makeCa(dir, 'ca');
  serverA = issueCert(dir, ca, 'server-a', 'server');
  serverB = issueCert(dir, ca, 'server-b', 'server');
  client = issueCert(dir, ca, 'client', 'client');
  otherSanClient = issueCert(dir, ca, 'other', 'client');
  const rogueCa = makeCa(dir, 'rogue-ca');
  rogueClient = issueCert(dir, rogueCa, 'rogue', 'client');
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const servers: RunningHttpServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

let configs = 0;
/** Writes a web config in `dir` (cert files live there too, so relative paths work). */
function webConfig(yaml: string, name = `web-${configs++}.yml`): string {
  const file = join(dir, name);
  writeFileSync(file, yaml);
  return file;
}

async function start(webConfigFile: string, pollMs = 3_600_000) {
  const log = captureLogger('debug');
  const server = await startHttpServer({
    host: '127.0.0.1',
    port: 0,
    metrics: createMetricsPipeline({ version: 't', defaultMetrics: false }).endpoint,
    status: { ready: () => true, collectors: () => [] },
    logger: log.logger,
    webConfigFile,
    webConfigPollIntervalMs: pollMs,
  });
  servers.push(server);
  return { server, log };
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  fingerprint: string;
}

/** One HTTPS request on a fresh connection. */
function get(
  url: string,
  opts: { ca?: string | null; client?: CertFiles; auth?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      {
        agent: false,
        ...(opts.ca === null ? {} : { ca: readFileSync(opts.ca ?? ca.cert) }),
        ...(opts.client ? { cert: readFileSync(opts.client.cert), key: readFileSync(opts.client.key) } : {}),
        ...(opts.auth ? { auth: opts.auth } : {}),
      },
      (res) => {
        const fingerprint = (res.socket as TLSSocket).getPeerCertificate().fingerprint256;
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, fingerprint }));
      },
    );
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
    req.end();
  });
}

const fingerprintOf = (files: CertFiles) => new X509Certificate(readFileSync(files.cert)).fingerprint256;

describe.skipIf(!hasOpenssl)('HTTPS server with a web config', () => {
  it('serves TLS with a certificate from relative paths; clients without the CA refuse it', async () => {
    const { server } = await start(webConfig('tls_server_config:\n  cert_file: server-a.crt\n  key_file: server-a.key\n'));
    expect(server.url.startsWith('https://127.0.0.1:')).toBe(true);
    const ok = await get(`${server.url}/metrics`);
    expect(ok.status).toBe(200);
    expect(ok.fingerprint).toBe(fingerprintOf(serverA));
    await expect(get(`${server.url}/metrics`, { ca: null })).rejects.toThrow();
  });

  it('requires and verifies client certificates (RequireAndVerifyClientCert)', async () => {
    const { server } = await start(
      webConfig(
        'tls_server_config:\n  cert_file: server-a.crt\n  key_file: server-a.key\n  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.crt\n',
      ),
    );
    expect((await get(`${server.url}/metrics`, { client })).status).toBe(200);
    await expect(get(`${server.url}/metrics`)).rejects.toThrow();
    await expect(get(`${server.url}/metrics`, { client: rogueClient })).rejects.toThrow();
    // Health probes need a client certificate too: TLS comes before HTTP.
    await expect(get(`${server.url}/-/healthy`)).rejects.toThrow();
  });

  it('RequireAnyClientCert wants a certificate but does not verify it', async () => {
    const { server } = await start(
      webConfig('tls_server_config:\n  cert_file: server-a.crt\n  key_file: server-a.key\n  client_auth_type: RequireAnyClientCert\n'),
    );
    expect((await get(`${server.url}/metrics`, { client: rogueClient })).status).toBe(200);
    await expect(get(`${server.url}/metrics`)).rejects.toThrow();
  });

  it('VerifyClientCertIfGiven lets clients without a certificate in, refuses unverifiable ones', async () => {
    const { server } = await start(
      webConfig(
        'tls_server_config:\n  cert_file: server-a.crt\n  key_file: server-a.key\n  client_auth_type: VerifyClientCertIfGiven\n  client_ca_file: ca.crt\n',
      ),
    );
    expect((await get(`${server.url}/metrics`)).status).toBe(200);
    expect((await get(`${server.url}/metrics`, { client })).status).toBe(200);
    await expect(get(`${server.url}/metrics`, { client: rogueClient })).rejects.toThrow();
  });

  it('checks client_allowed_sans', async () => {
    const { server } = await start(
      webConfig(
        'tls_server_config:\n  cert_file: server-a.crt\n  key_file: server-a.key\n  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.crt\n  client_allowed_sans: [client.clients.test]\n',
      ),
    );
    expect((await get(`${server.url}/metrics`, { client })).status).toBe(200);
    await expect(get(`${server.url}/metrics`, { client: otherSanClient })).rejects.toThrow();
  });

  it('asks for basic auth except on health endpoints, and sends configured headers', async () => {
    const { server } = await start(
      webConfig(
        `tls_server_config:\n  cert_file: server-a.crt\n  key_file: server-a.key\nbasic_auth_users:\n  prometheus: ${passwordHash}\nhttp_server_config:\n  headers:\n    X-Frame-Options: deny\n    X-Content-Type-Options: nosniff\n`,
      ),
    );
    const anonymous = await get(`${server.url}/metrics`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers['www-authenticate']).toBe('Basic');
    expect(anonymous.headers['x-frame-options']).toBe('deny');
    expect((await get(`${server.url}/`)).status).toBe(401);
    expect((await get(`${server.url}/nope`)).status).toBe(401);
    expect((await get(`${server.url}/metrics`, { auth: 'prometheus:wrong' })).status).toBe(401);
    expect((await get(`${server.url}/metrics`, { auth: 'someone:right-password' })).status).toBe(401);
    const ok = await get(`${server.url}/metrics`, { auth: 'prometheus:right-password' });
    expect(ok.status).toBe(200);
    expect(ok.headers['x-content-type-options']).toBe('nosniff');
    expect((await get(`${server.url}/-/healthy`)).status).toBe(200);
    expect((await get(`${server.url}/-/ready`)).status).toBe(200);
  });

  it('serves a rotated certificate to new connections without a restart', async () => {
    const cert = join(dir, 'rotating.crt');
    const key = join(dir, 'rotating.key');
    copyFileSync(serverA.cert, cert);
    copyFileSync(serverA.key, key);
    const { server, log } = await start(webConfig('tls_server_config:\n  cert_file: rotating.crt\n  key_file: rotating.key\n'), 100);
    expect((await get(`${server.url}/-/healthy`)).fingerprint).toBe(fingerprintOf(serverA));
    // Replace key then certificate: in between the pair mismatches and must not be applied.
    copyFileSync(serverB.key, key);
    await new Promise((r) => setTimeout(r, 300));
    expect((await get(`${server.url}/-/healthy`)).fingerprint).toBe(fingerprintOf(serverA));
    copyFileSync(serverB.cert, cert);
    const deadline = Date.now() + 15_000;
    let seen = '';
    while (Date.now() < deadline) {
      seen = (await get(`${server.url}/-/healthy`)).fingerprint;
      if (seen === fingerprintOf(serverB)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(seen).toBe(fingerprintOf(serverB));
    const problems = log.lines().filter((l) => l.msg === 'web config not applied; keeping the previous one');
    expect(problems.length).toBeGreaterThanOrEqual(1);
    expect(log.text()).not.toContain('PRIVATE KEY');
  });

  it('applies users and client auth on reloadWebConfig(), keeps the old config when the new one is invalid', async () => {
    const file = webConfig('tls_server_config:\n  cert_file: server-a.crt\n  key_file: server-a.key\n');
    const { server } = await start(file);
    expect((await get(`${server.url}/metrics`)).status).toBe(200);

    writeFileSync(
      file,
      `tls_server_config:\n  cert_file: server-a.crt\n  key_file: server-a.key\n  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.crt\nbasic_auth_users:\n  prometheus: ${passwordHash}\n`,
    );
    await server.reloadWebConfig();
    await expect(get(`${server.url}/metrics`)).rejects.toThrow();
    expect((await get(`${server.url}/metrics`, { client })).status).toBe(401);
    expect((await get(`${server.url}/metrics`, { client, auth: 'prometheus:right-password' })).status).toBe(200);

    writeFileSync(file, 'tls_server_config:\n  cert_file: server-a.crt\n  key_file: missing.key\n');
    await expect(server.reloadWebConfig()).rejects.toBeInstanceOf(WebConfigError);
    expect((await get(`${server.url}/metrics`, { client, auth: 'prometheus:right-password' })).status).toBe(200);
  });

  it('refuses to switch between HTTP and HTTPS without a restart', async () => {
    const file = webConfig('');
    const { server } = await start(file);
    expect(server.url.startsWith('http://')).toBe(true);
    writeFileSync(file, 'tls_server_config:\n  cert_file: server-a.crt\n  key_file: server-a.key\n');
    await expect(server.reloadWebConfig()).rejects.toMatchObject({ code: 'WEB_CONFIG_NEEDS_RESTART' });
    expect((await fetch(`${server.url}/-/healthy`)).status).toBe(200);
  });

  it('does not start with an invalid web config', async () => {
    await expect(start(webConfig('tls_server_config:\n  cert_file: server-a.crt\n'))).rejects.toMatchObject({
      code: 'WEB_CONFIG_INVALID',
    });
  });
});
