/**
 * TLS to the CMS, at the level of the whole exporter (the client-level checks are in
 * cms-client-tls.test.ts): with a configuration file naming a self-signed HTTPS CMS, the
 * collectors fail (aicc_up 0, a TLS network error on the landing page, no request reaches the
 * CMS) until cms.caFile names its CA; cms.insecureSkipVerify works but is warned about at start,
 * by loadConfig, by `--check-config` and as a warn line of the running CLI's log.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startApp, type RunningApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';
import { captureLogger, recordOutput } from '../helpers/capture-logger.js';
import { startFakeCmsServer, TEST_AK, TEST_SK, type FakeCmsServer } from '../helpers/fake-cms-server.js';
import { parseExposition } from '../helpers/parse-exposition.js';
import { runCli } from '../helpers/run-cli.js';

const hasOpenssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const INSECURE_WARNING = /cms\.insecureSkipVerify is true: the CMS certificate is not verified/;

describe.skipIf(!hasOpenssl)('TLS to the CMS, whole exporter', () => {
  let dir: string;
  let caFile: string;
  let cms: FakeCmsServer;
  const apps: RunningApp[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'aicc-sec-tls-'));
    const key = join(dir, 'key.pem');
    caFile = join(dir, 'ca.pem');
    // Self-signed for 127.0.0.1: its own CA.
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', caFile,
      '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-addext', 'basicConstraints=critical,CA:TRUE',
    ], { stdio: 'ignore' });
    cms = await startFakeCmsServer({
      tls: { key: readFileSync(key, 'utf8'), cert: readFileSync(caFile, 'utf8') },
      handler: () => ({ body: { resultCode: '0100000', resultDesc: Date.now() } }),
    });
  });
  afterEach(async () => {
    for (const app of apps.splice(0)) await app.stop();
  });
  afterAll(async () => {
    await cms?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A configuration file for the HTTPS fake CMS (only the CTI clock collector, every second). */
  function configFile(name: string, cms2: Record<string, unknown>): string {
    const file = join(dir, `${name}.yml`);
    const off = { enabled: false };
    const collectors = { sysindex: off, accessCodes: off, agentCalls: off, ctiServerTime: { intervalSeconds: 1 } };
    const doc = { listen: { host: '127.0.0.1', port: 0 }, cms: { url: cms.url, accessKey: TEST_AK, secretKey: TEST_SK, retries: 0, ...cms2 }, callCenters: [{ ccId: 1 }], collectors };
    writeFileSync(file, JSON.stringify(doc));
    return file;
  }

  /** Starts the app from `file` as the run command does; resolves once the CTI collector has run. */
  async function runFrom(file: string) {
    const loaded = loadConfig({ file, env: {} });
    const log = captureLogger('debug');
    const app = await startApp({ config: loaded.config, logger: log.logger });
    apps.push(app);
    const up = async () =>
      parseExposition(await app.metrics.self.render('text'), 'text').value('aicc_up', { collector: 'cti_server_time', cc_id: '1' });
    await vi.waitFor(() => expect(app.ready()).toBe(true), { timeout: 15_000, interval: 100 });
    return { app, log, up, warnings: loaded.warnings };
  }

  it('verifies the certificate by default: a self-signed CMS fails, nothing is sent to it', async () => {
    const before = cms.requests.length;
    const { app, up, warnings } = await runFrom(configFile('default', {}));
    expect(warnings).toEqual([]);
    expect(await up()).toBe(0);
    const landing = await (await fetch(`${app.url}/`)).text();
    recordOutput('http', landing);
    expect(landing).toMatch(/cti_server_time: network error: [A-Z_]+ \(TLS\)/);
    expect(cms.requests.length).toBe(before);
  });

  it('succeeds once cms.caFile names the CA', async () => {
    const before = cms.requests.length;
    const { up, warnings } = await runFrom(configFile('ca', { caFile }));
    expect(warnings).toEqual([]);
    expect(await up()).toBe(1);
    expect(cms.requests.length).toBeGreaterThan(before);
  });

  it('insecureSkipVerify works and is warned about: loadConfig, --check-config, the running CLI', async () => {
    const file = configFile('insecure', { insecureSkipVerify: true });
    const { up, warnings } = await runFrom(file);
    expect(await up()).toBe(1);
    expect(warnings.filter((w) => INSECURE_WARNING.test(w))).toHaveLength(1);

    const check = await runCli(['--check-config', '--config', file]);
    expect(check.code).toBe(0);
    expect(check.stderr).toMatch(new RegExp(`^warning: ${INSECURE_WARNING.source}`, 'm'));

    const run = await runCli(['--config', file], { stopWhen: /aicc-exporter serving metrics/ });
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { level: string; msg: string });
    const warn = lines.find((l) => INSECURE_WARNING.test(l.msg));
    expect(warn?.level).toBe('warn');
    // Said at start, before the exporter serves.
    expect(lines.indexOf(warn!)).toBeLessThan(lines.findIndex((l) => /serving metrics/.test(l.msg)));
  }, 60_000);
});

