import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CMS_PATHS } from '../../src/cms/cms-paths.js';
import { ConfigError, demoConfig, loadConfig, type Config } from '../../src/config/index.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/config/', import.meta.url));
const fixture = (name: string): string => join(FIXTURES, name);
const EXAMPLE = fileURLToPath(new URL('../../examples/config.example.yml', import.meta.url));

function problemsOf(run: () => unknown): readonly string[] {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('no ConfigError');
}

/** The configuration of valid-minimal.yml: its three cms keys and one call center, all else defaulted. */
const MINIMAL: Config = {
  listen: { host: '0.0.0.0', port: 10125 },
  web: { configFile: null, enableLifecycle: false },
  cms: {
    url: 'https://cms.example.test:28080',
    accessKey: 'test-ak',
    secretKey: 'test-sk-fixture',
    caFile: null,
    insecureSkipVerify: false,
    timeoutSeconds: 10,
    concurrency: 4,
    retries: 2,
    retryMaxDelaySeconds: 10,
    timestampPrecision: 'seconds',
    signedHeaders: ['host'],
    paths: { ...DEFAULT_CMS_PATHS },
  },
  callCenters: [{ ccId: 1, vdns: [] }],
  collectors: {
    sysindex: { enabled: true, intervalSeconds: 60, staleAfterIntervals: 3, lookbackMinutes: 20 },
    accessCodes: { enabled: true, intervalSeconds: 15, staleAfterIntervals: 3 },
    ctiServerTime: { enabled: true, intervalSeconds: 60, staleAfterIntervals: 3 },
    agentCalls: { enabled: true, intervalSeconds: 15, staleAfterIntervals: 3 },
  },
  shard: { index: 0, total: 1, fromPodName: false },
  log: { level: 'info' },
};

describe('loadConfig: valid files', () => {
  it('fills every default and returns exactly the Config shape (no file-only keys)', () => {
    const { config, warnings } = loadConfig({ file: fixture('valid-minimal.yml'), env: {} });
    expect(config).toStrictEqual(MINIMAL);
    expect(warnings).toEqual([
      'collectors.accessCodes is enabled, but no VDN lists accessCodes: it has nothing to ask for',
      'collectors.agentCalls is enabled, but no VDN lists agents: it has nothing to ask for',
    ]);
  });

  it('reads every key from YAML; JSON gives the same; key files are read, paths resolved from the file', () => {
    const yaml = loadConfig({ file: fixture('valid-full.yml'), env: {} });
    const json = loadConfig({ file: fixture('valid-full.json'), env: {} });
    expect(json).toStrictEqual(yaml);
    const { config } = yaml;
    expect(config.cms.url).toBe('https://cms.example.test:28080/prefix');
    expect(config.cms.accessKey).toBe('fixture-ak-from-file');
    expect(config.cms.secretKey).toBe('fixture-secret-from-file');
    expect(config.cms.caFile).toBe(fixture('ca.pem'));
    expect(config.web).toEqual({ configFile: fixture('web-config.yml'), enableLifecycle: true });
    expect(config.cms.signedHeaders).toEqual(['content-length', 'content-type', 'host']);
    expect(config.cms.timestampPrecision).toBe('milliseconds');
    expect(config.callCenters).toEqual([
      {
        ccId: 1,
        vdns: [
          { id: 170, accessCodes: [1, 2], agents: [101, 59999] },
          { id: 5000, accessCodes: [], agents: [] },
        ],
      },
      { ccId: 65535, vdns: [] },
    ]);
    expect(config.collectors.sysindex).toEqual({ enabled: false, intervalSeconds: 120, staleAfterIntervals: 2, lookbackMinutes: 44640 });
    expect(config.shard).toEqual({ index: 1, total: 2, fromPodName: false });
    expect(config.log.level).toBe('debug');
    expect(Object.keys(config.cms)).not.toContain('secretKeyFile');
    expect(Object.keys(config.cms)).not.toContain('accessKeyFile');
    expect(yaml.warnings).toEqual([]);
  });

  it('accepts the commented example configuration (secret from the environment)', () => {
    const { config, warnings } = loadConfig({ file: EXAMPLE, env: { AICC_CMS_SECRET_KEY: 'example-secret' } });
    expect(config.callCenters.map((cc) => cc.ccId)).toEqual([1, 2]);
    expect(warnings).toEqual([]);
  });
});

describe('loadConfig: precedence defaults < file < env < overrides', () => {
  const file = fixture('valid-minimal.yml');

  it('lets the environment override the file, and overrides override both', () => {
    const env = { AICC_LISTEN_PORT: '2222', AICC_CMS_URL: 'https://from-env.test', AICC_LOG_LEVEL: 'warn' };
    expect(loadConfig({ file, env }).config.listen.port).toBe(2222);
    expect(loadConfig({ file, env }).config.cms.url).toBe('https://from-env.test');
    const overridden = loadConfig({ file, env, overrides: { 'listen.port': 3333, 'log.level': 'error' } }).config;
    expect(overridden.listen.port).toBe(3333);
    expect(overridden.log.level).toBe('error');
    expect(overridden.cms.url).toBe('https://from-env.test');
  });

  it('converts string overrides like environment values and names the command line in problems', () => {
    const overrides = { 'shard.index': '2', 'shard.total': '3', 'web.enableLifecycle': 'true', 'listen.port': undefined };
    const config = loadConfig({ file, env: {}, overrides }).config;
    expect(config.listen.port).toBe(10125);
    expect(config.shard).toEqual({ index: 2, total: 3, fromPodName: false });
    expect(config.web.enableLifecycle).toBe(true);
    expect(problemsOf(() => loadConfig({ file, env: {}, overrides: { 'listen.port': 'x', 'listen.prot': 1, cms: {} } }))).toEqual([
      'listen.prot: unknown setting [from the command line]',
      'cms: a section, not a setting (give one of its keys) [from the command line]',
      'listen.port: "x" is not an integer (allowed: integer 0-65535) [from the command line]',
    ]);
  });

  it('builds a whole configuration from the environment alone', () => {
    const env = {
      AICC_CMS_URL: 'https://cms.test',
      AICC_CMS_ACCESS_KEY: 'ak',
      AICC_CMS_SECRET_KEY: 'sk-from-env',
      AICC_CALL_CENTERS: '[{"ccId": 3, "vdns": [{"id": 9, "accessCodes": [4], "agents": [200]}]}]',
      AICC_CMS_SIGNED_HEADERS: 'host, content-type',
      AICC_COLLECTORS_SYSINDEX_INTERVAL_SECONDS: '30',
      AICC_CMS_INSECURE_SKIP_VERIFY: 'FALSE',
      AICC_LISTEN_HOST: '',
    };
    const { config } = loadConfig({ env });
    expect(config.callCenters).toEqual([{ ccId: 3, vdns: [{ id: 9, accessCodes: [4], agents: [200] }] }]);
    expect(config.cms.signedHeaders).toEqual(['host', 'content-type']);
    expect(config.cms.secretKey).toBe('sk-from-env');
    expect(config.collectors.sysindex.intervalSeconds).toBe(30);
    expect(config.listen.host).toBe('0.0.0.0');
    expect(loadConfig({ env: { ...env, AICC_CMS_SIGNED_HEADERS: '["host","content-length"]' } }).config.cms.signedHeaders).toEqual([
      'host',
      'content-length',
    ]);
  });

  it('names the environment variable in problems with its values', () => {
    const env = {
      AICC_LISTEN_PORT: 'abc',
      AICC_CMS_INSECURE_SKIP_VERIFY: 'yes',
      AICC_CALL_CENTERS: 'nope',
      AICC_COLLECTORS_SYSINDEX_INTERVAL_SECONDS: '0',
    };
    expect(problemsOf(() => loadConfig({ file, env }))).toEqual([
      'callCenters: "nope" is not valid JSON (Unexpected token) [from AICC_CALL_CENTERS]',
      'listen.port: "abc" is not an integer (allowed: integer 0-65535) [from AICC_LISTEN_PORT]',
      'cms.insecureSkipVerify: "yes" is not a boolean (allowed: true or false) [from AICC_CMS_INSECURE_SKIP_VERIFY]',
      'collectors.sysindex.intervalSeconds: 0 is out of range (allowed: integer 1-86400) [from AICC_COLLECTORS_SYSINDEX_INTERVAL_SECONDS]',
    ]);
  });
});

describe('loadConfig: secrets', () => {
  it('reads cms.secretKeyFile without one trailing newline (LF or CRLF), also from the environment', () => {
    const base = { AICC_CMS_URL: 'https://cms.test', AICC_CMS_ACCESS_KEY: 'ak', AICC_CALL_CENTERS: '[{"ccId":1}]' };
    const lf = loadConfig({ env: { ...base, AICC_CMS_SECRET_KEY_FILE: fixture('secret-key.txt') } });
    expect(lf.config.cms.secretKey).toBe('fixture-secret-from-file');
    const crlf = loadConfig({ env: { ...base, AICC_CMS_SECRET_KEY_FILE: fixture('secret-key-crlf.txt') } });
    expect(crlf.config.cms.secretKey).toBe('fixture-secret-crlf');
  });

  it('names both sources when a secret is given twice, and never the secret', () => {
    const problems = problemsOf(() =>
      loadConfig({ file: fixture('valid-full.yml'), env: { AICC_CMS_SECRET_KEY: 'env-secret-value' } }),
    );
    expect(problems).toEqual([
      'cms.secretKey and cms.secretKeyFile are both set (cms.secretKey from AICC_CMS_SECRET_KEY, cms.secretKeyFile from the config file); set only one of them',
    ]);
  });

  it('never shows a secret in a problem or a warning', () => {
    const secrets = ['test-sk-fixture', '12345', 'syntax-secret-fixture', 'fixture-secret-from-file', 'url-password-fixture'];
    const texts: string[] = [];
    for (const name of ['invalid-secret-wrong-type.yml', 'invalid-syntax.yml', 'invalid-secret-both.yml', 'invalid-url-credentials.yml', 'invalid-many.yml']) {
      texts.push(...problemsOf(() => loadConfig({ file: fixture(name), env: {} })));
    }
    texts.push(...loadConfig({ file: fixture('valid-full.yml'), env: {} }).warnings);
    texts.push(...problemsOf(() => loadConfig({ file: fixture('valid-minimal.yml'), env: {}, overrides: { 'cms.secretKey': { key: 'test-sk-fixture' } } })));
    for (const secret of secrets) expect(texts.join('\n')).not.toContain(secret);
  });

  it('warns about an insecure connection to the CMS', () => {
    const env = { AICC_CMS_URL: 'http://cms.test', AICC_CMS_INSECURE_SKIP_VERIFY: 'true' };
    expect(loadConfig({ file: fixture('valid-minimal.yml'), env }).warnings.slice(0, 2)).toEqual([
      'cms.url uses http://: requests, answers and signatures travel unencrypted (use https:// outside a lab)',
      'cms.insecureSkipVerify has no effect with an http:// cms.url',
    ]);
    const skip = loadConfig({ file: fixture('valid-minimal.yml'), env: { AICC_CMS_INSECURE_SKIP_VERIFY: 'true' } }).warnings;
    expect(skip[0]).toBe('cms.insecureSkipVerify is true: the CMS certificate is not verified, so anyone on the path can impersonate the CMS');
  });
});

describe('loadConfig: shard.fromPodName', () => {
  const file = fixture('valid-minimal.yml');
  const load = (env: NodeJS.ProcessEnv, overrides: Record<string, unknown> = {}) =>
    loadConfig({ file, env: { AICC_SHARD_FROM_POD_NAME: 'true', AICC_SHARD_TOTAL: '3', ...env }, overrides });

  it('takes the index from POD_NAME, else HOSTNAME', () => {
    expect(load({ POD_NAME: 'aicc-exporter-2', HOSTNAME: 'other-0' }).config.shard).toEqual({ index: 2, total: 3, fromPodName: true });
    expect(load({ HOSTNAME: 'aicc-exporter-1' }).config.shard.index).toBe(1);
  });

  it('rejects a name without ordinal, an ordinal beyond total, no name, and an explicit index', () => {
    expect(problemsOf(() => load({ POD_NAME: 'aicc-exporter' }))).toEqual([
      'shard.fromPodName: POD_NAME "aicc-exporter" has no -<ordinal> suffix (allowed: a StatefulSet pod name such as aicc-exporter-0) [from AICC_SHARD_FROM_POD_NAME]',
    ]);
    expect(problemsOf(() => load({ POD_NAME: 'aicc-exporter-3' }))).toEqual([
      'shard.fromPodName: ordinal 3 of POD_NAME "aicc-exporter-3" is not below shard.total (3) [from AICC_SHARD_FROM_POD_NAME]',
    ]);
    expect(problemsOf(() => load({}))).toEqual([
      'shard.fromPodName: true, but neither POD_NAME nor HOSTNAME is set (allowed: a pod name ending in -<ordinal>) [from AICC_SHARD_FROM_POD_NAME]',
    ]);
    expect(problemsOf(() => load({ POD_NAME: 'x-1' }, { 'shard.index': 1 }))).toEqual([
      'shard.index and shard.fromPodName are both set; set only one of them',
    ]);
  });
});

describe('demoConfig', () => {
  const scenario = [{ ccId: 1, vdns: [{ id: 1, accessCodes: [1001], agents: [101, 102] }] }];

  it('builds a fully defaulted configuration that ignores the environment', () => {
    const saved = process.env['AICC_LISTEN_PORT'];
    process.env['AICC_LISTEN_PORT'] = '1';
    try {
      const config = demoConfig('http://127.0.0.1:40123', 'demo-ak', 'demo-sk', scenario);
      expect(config).toStrictEqual({
        ...MINIMAL,
        cms: { ...MINIMAL.cms, url: 'http://127.0.0.1:40123', accessKey: 'demo-ak', secretKey: 'demo-sk' },
        callCenters: scenario,
      });
    } finally {
      if (saved === undefined) delete process.env['AICC_LISTEN_PORT'];
      else process.env['AICC_LISTEN_PORT'] = saved;
    }
  });

  it('applies overrides and validates the scenario', () => {
    expect(demoConfig('http://127.0.0.1:1', 'ak', 'sk', scenario, { 'listen.port': 0 }).listen.port).toBe(0);
    expect(problemsOf(() => demoConfig('http://127.0.0.1:1', 'ak', 'sk', [{ ccId: 1, vdns: [{ id: 0, accessCodes: [], agents: [] }] }]))).toEqual([
      'callCenters[0].vdns[0].id: 0 is out of range (allowed: integer 1-5000)',
    ]);
  });
});
