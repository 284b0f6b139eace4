import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, formatConfigError, loadConfig } from '../../src/config/index.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/config/', import.meta.url));
const fixture = (name: string): string => join(FIXTURES, name);

/** The problems loadConfig reports for a file, with no environment. */
function problemsOf(file: string, env: NodeJS.ProcessEnv = {}): readonly string[] {
  try {
    loadConfig({ file, env });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error(`${file} loaded without error`);
}

const URL_ALLOWED = 'an http:// or https:// URL: scheme, host, optional port and path prefix';
const CC_ALLOWED = 'a list of call centers, each with ccId and optional vdns';
const LEVELS = 'fatal, error, warn, info, debug, trace, silent';

/** One invalid file per rule, with exactly the problems it must produce. */
const CASES: Record<string, string[]> = {
  'invalid-unknown-key.yml': ['listen.prot: unknown key (did you mean port? allowed: host, port)'],
  'invalid-unknown-top-level-key.yml': ['metrics: unknown key (allowed: listen, web, cms, callCenters, collectors, shard, log)'],
  'invalid-unknown-key-in-call-center.yml': ['callCenters[0].vdn: unknown key (did you mean vdns? allowed: ccId, vdns)'],
  'invalid-unknown-key-in-vdn.yml': ['callCenters[0].vdns[0].agent: unknown key (did you mean agents? allowed: id, accessCodes, agents)'],
  'invalid-wrong-type.yml': ['listen.port: "10125" is not an integer (allowed: integer 0-65535)'],
  'invalid-bool.yml': ['web.enableLifecycle: "yes" is not a boolean (allowed: true or false)'],
  'invalid-vdn-id-range.yml': ['callCenters[0].vdns[1].id: 6000 is out of range (allowed: integer 1-5000)'],
  'invalid-ccid-range.yml': ['callCenters[0].ccId: 70000 is out of range (allowed: integer 1-65535)'],
  'invalid-agent-range.yml': ['callCenters[0].vdns[0].agents[1]: 100 is out of range (allowed: integer 101-59999)'],
  'invalid-access-code.yml': [
    'callCenters[0].vdns[0].accessCodes[0]: 0 is out of range (allowed: integer 1-2147483647)',
    'callCenters[0].vdns[0].accessCodes[1]: "12" is not an integer (allowed: integer 1-2147483647)',
    'callCenters[0].vdns[0].accessCodes[2]: 1.5 is not an integer (allowed: integer 1-2147483647)',
  ],
  'invalid-missing-url.yml': [`cms.url: required but missing (set cms.url or AICC_CMS_URL; allowed: ${URL_ALLOWED})`],
  'invalid-missing-call-centers.yml': [`callCenters: required but missing (set callCenters or AICC_CALL_CENTERS; allowed: ${CC_ALLOWED})`],
  'invalid-empty-call-centers.yml': ['callCenters: [] is empty (allowed: at least one call center)'],
  'invalid-call-centers-not-list.yml': [`callCenters: {"ccId":1} is not a list (allowed: ${CC_ALLOWED})`],
  'invalid-missing-ccid.yml': ['callCenters[0].ccId: required but missing (allowed: integer 1-65535)'],
  'invalid-missing-vdn-id.yml': ['callCenters[0].vdns[0].id: required but missing (allowed: integer 1-5000)'],
  'invalid-duplicate-ccid.yml': ['callCenters[2].ccId: 1 is a duplicate of callCenters[0].ccId'],
  'invalid-duplicate-vdn.yml': ['callCenters[0].vdns[1].id: 5 is a duplicate of callCenters[0].vdns[0].id'],
  'invalid-duplicate-access-code.yml': ['callCenters[0].vdns[0].accessCodes[2]: 7 is a duplicate of callCenters[0].vdns[0].accessCodes[0]'],
  'invalid-duplicate-agent.yml': ['callCenters[0].vdns[0].agents[1]: 101 is a duplicate of callCenters[0].vdns[0].agents[0]'],
  'invalid-log-level.yml': [`log.level: "verbose" is not allowed (allowed: ${LEVELS})`],
  'invalid-timestamp-precision.yml': ['cms.timestampPrecision: "nanoseconds" is not allowed (allowed: seconds, milliseconds)'],
  'invalid-signed-headers-no-host.yml': [
    'cms.signedHeaders: ["content-type"] does not include "host" (allowed: a list of host, content-type, content-length; must include host)',
  ],
  'invalid-signed-headers-unknown.yml': ['cms.signedHeaders[1]: "x-date" is not allowed (allowed: host, content-type, content-length, in lower case)'],
  'invalid-path.yml': [
    'cms.paths.agentCalls: "rest/cmsapp/v1/openapi/agent/queryagentcalls" is not a path starting with "/" (allowed: a path starting with "/", without whitespace, "?" or "#")',
  ],
  'invalid-url-scheme.yml': [`cms.url: "ftp://cms.example.test" has the scheme ftp (allowed: ${URL_ALLOWED})`],
  'invalid-url-credentials.yml': [
    `cms.url: (value hidden) contains a user name or password (allowed: ${URL_ALLOWED}; the CMS authenticates with cms.accessKey and cms.secretKey)`,
  ],
  'invalid-shard-index.yml': ['shard.index: 2 is out of range (allowed: integer 0-1, below shard.total 2)'],
  'invalid-shard-total.yml': ['shard.total: 0 is out of range (allowed: integer 1-1024)'],
  'invalid-interval.yml': [
    'collectors.accessCodes.intervalSeconds: 0 is out of range (allowed: integer 1-86400)',
    'collectors.agentCalls.intervalSeconds: 1.5 is not an integer (allowed: integer 1-86400)',
  ],
  'invalid-stale-after.yml': ['collectors.ctiServerTime.staleAfterIntervals: 0 is out of range (allowed: integer 1-1000)'],
  'invalid-lookback.yml': ['collectors.sysindex.lookbackMinutes: 44641 is out of range (allowed: integer 1-44640)'],
  'invalid-cms-limits.yml': [
    'cms.timeoutSeconds: 301 is out of range (allowed: integer 1-300)',
    'cms.concurrency: 0 is out of range (allowed: integer 1-256)',
    'cms.retries: 11 is out of range (allowed: integer 0-10)',
  ],
  'invalid-secret-both.yml': ['cms.secretKey and cms.secretKeyFile are both set; set only one of them'],
  'invalid-secret-missing.yml': [
    'cms.secretKey: required but missing (set one of cms.secretKey, cms.secretKeyFile, AICC_CMS_SECRET_KEY or AICC_CMS_SECRET_KEY_FILE)',
  ],
  'invalid-secret-wrong-type.yml': ['cms.secretKey: (value hidden) is not a string (allowed: a non-empty string)'],
  'invalid-secret-file-unreadable.yml': [
    `cms.secretKeyFile: cannot read ${fixture('does-not-exist/secret-key')}: no such file or directory`,
  ],
  'invalid-secret-file-empty.yml': [`cms.secretKeyFile: ${fixture('empty-secret-key.txt')} is empty (allowed: a file holding the key)`],
  'invalid-access-key.yml': [
    'cms.accessKey: "test/ak" contains "/", whitespace or a control character (allowed: a non-empty string without "/", whitespace or control characters)',
  ],
  'invalid-ca-file-missing.yml': [`cms.caFile: cannot read ${fixture('missing-ca.pem')}: no such file or directory`],
  'invalid-ca-file-not-pem.yml': [
    `cms.caFile: ${fixture('not-a-certificate.pem')} holds no PEM certificate (allowed: a PEM bundle of CA certificates)`,
  ],
  'invalid-web-config-missing.yml': [`web.configFile: cannot read ${fixture('missing-web-config.yml')}: no such file or directory`],
  'invalid-host.yml': ['listen.host: "bad host" is not an IP address or host name (allowed: an IP address or host name)'],
  'invalid-section-not-mapping.yml': ['listen: 8080 is not a mapping (allowed keys: host, port)'],
  'invalid-setting-is-mapping.yml': [`log.level: {"default":"info"} is not allowed (allowed: ${LEVELS})`],
  'invalid-document-list.yml': [
    `config file ${fixture('invalid-document-list.yml')}: the document is a list (allowed: a mapping of settings, e.g. "cms:" and "callCenters:")`,
  ],
  'invalid-syntax.yml': [`config file ${fixture('invalid-syntax.yml')}: YAML syntax error at line 11, column 1: Missing closing "quote`],
  'invalid-duplicate-yaml-key.yml': [`config file ${fixture('invalid-duplicate-yaml-key.yml')}: YAML syntax error at line 6, column 3: Map keys must be unique`],
  'invalid-many.yml': [
    'listen.hots: unknown key (did you mean host? allowed: host, port)',
    'listen.port: 70000 is out of range (allowed: integer 0-65535)',
    'callCenters[0].ccId: 0 is out of range (allowed: integer 1-65535)',
    'callCenters[0].vdns[0].id: 5001 is out of range (allowed: integer 1-5000)',
    'callCenters[0].vdns[0].agents[0]: 60000 is out of range (allowed: integer 101-59999)',
    `log.level: "loud" is not allowed (allowed: ${LEVELS})`,
  ],
};

describe('loadConfig rejects each invalid fixture with exactly the expected problems', () => {
  for (const [name, expected] of Object.entries(CASES)) {
    it(name, () => {
      expect(problemsOf(fixture(name))).toEqual(expected);
    });
  }
});

describe('ConfigError', () => {
  it('has a stable code, the file, and a message that is the formatted report', () => {
    const file = fixture('invalid-cms-limits.yml');
    let error: ConfigError | undefined;
    try {
      loadConfig({ file, env: {} });
    } catch (err) {
      error = err as ConfigError;
    }
    expect(error?.code).toBe('CONFIG_INVALID');
    expect(error?.file).toBe(file);
    const text = formatConfigError(error as ConfigError);
    expect(text).toBe(
      [
        `invalid configuration (${file}), 3 problems:`,
        '  - cms.timeoutSeconds: 301 is out of range (allowed: integer 1-300)',
        '  - cms.concurrency: 0 is out of range (allowed: integer 1-256)',
        '  - cms.retries: 11 is out of range (allowed: integer 0-10)',
      ].join('\n'),
    );
    expect(error?.message).toBe(text);
    expect(text).not.toMatch(/\bat .*\.ts:\d+/);
  });

  it('reports a missing, unreadable or unsupported config file by its path, alone', () => {
    const missing = fixture('no-such-config.yml');
    expect(problemsOf(missing)).toEqual([`config file ${missing}: cannot read it: no such file or directory`]);
    const text = fixture('secret-key.txt');
    expect(problemsOf(text)).toEqual([`config file ${text}: unsupported file extension ".txt" (allowed: .yml, .yaml, .json)`]);
    const dir = mkdtempSync(join(tmpdir(), 'aicc-config-'));
    try {
      const directory = join(dir, 'config.yml');
      mkdirSync(directory);
      expect(problemsOf(directory)).toEqual([`config file ${directory}: cannot read it: it is a directory`]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('does not show a path from the document that holds whitespace or a line break: it may be a folded line, even the secret', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aicc-config-'));
    try {
      const config = join(dir, 'config.yml');
      // One indentation slip: YAML folds the secret's line into the file path above it.
      writeFileSync(config, 'cms:\n  url: https://cms.test\n  accessKeyFile: access-key.txt\n   ecretKey s3cr3t-never-shown\ncallCenters:\n  - ccId: 1\n');
      expect(problemsOf(config)).toEqual([
        'cms.accessKeyFile: cannot read (a path of 42 characters with whitespace or a line break, not shown): no such file or directory',
        'cms.secretKey: required but missing (set one of cms.secretKey, cms.secretKeyFile, AICC_CMS_SECRET_KEY or AICC_CMS_SECRET_KEY_FILE)',
      ]);
      writeFileSync(config, 'cms:\n  url: https://cms.test\n  accessKey: ak\n  secretKeyFile: "key\\nfile"\ncallCenters:\n  - ccId: 1\n');
      expect(problemsOf(config)).toEqual(['cms.secretKeyFile: cannot read (a path of 8 characters with whitespace or a line break, not shown): no such file or directory']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('quotes a config file path with whitespace or a line break, so that every line stays one line', () => {
    const odd = join(tmpdir(), 'no such\nconfig.yml');
    expect(problemsOf(odd)).toEqual([`config file ${JSON.stringify(odd)}: cannot read it: no such file or directory`]);
    let header = '';
    try {
      loadConfig({ file: odd, env: {} });
    } catch (err) {
      header = formatConfigError(err as ConfigError).split('\n')[0]!;
    }
    expect(header).toBe(`invalid configuration (${JSON.stringify(odd)}), 1 problem:`);
  });

  it('reports with no file at all what is required', () => {
    let problems: readonly string[] = [];
    try {
      loadConfig({ env: {} });
    } catch (err) {
      problems = (err as ConfigError).problems;
    }
    expect(problems.map((line) => line.split(':')[0])).toEqual(['cms.url', 'callCenters', 'cms.accessKey', 'cms.secretKey']);
  });
});
