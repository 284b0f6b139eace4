/**
 * Loads an exporter-toolkit web config file (`web.configFile`): TLS, basic auth users and extra
 * response headers. Validation is strict (unknown keys, wrong types, unknown values are errors,
 * as exporter-toolkit's UnmarshalStrict makes them); relative file paths resolve against the
 * config file's directory, as exporter-toolkit does.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { renderDocumentPath, renderPath } from '../render-path.js';
import { WebConfigError } from './web-config-error.js';
import { parseTlsServerConfig, type TlsSettings } from './web-config-tls.js';

/** A validated web config. */
export interface WebConfig {
  /** null: plain HTTP. */
  tls: TlsSettings | null;
  /** user → bcrypt hash; empty: no basic auth. */
  users: ReadonlyMap<string, string>;
  /** Extra response headers, canonical names. */
  headers: ReadonlyArray<readonly [string, string]>;
  /** Paths served without basic auth besides the health endpoints (exporter-toolkit's auth_excluded_paths). */
  authExcludedPaths: ReadonlySet<string>;
  /** SHA-256 over the config text and every file it names: changes when any of them changes. */
  fingerprint: string;
}

const TOP_KEYS = new Set(['tls_server_config', 'http_server_config', 'basic_auth_users', 'auth_excluded_paths']);
const UNSUPPORTED_TOP_KEYS: Readonly<Record<string, string>> = {
  rate_limit: 'rate_limit is not supported by aicc-exporter',
};

/** exporter-toolkit's only configurable headers, with their allowed values (null: any). */
const ALLOWED_HEADERS: ReadonlyArray<readonly [string, readonly string[] | null]> = [
  ['Strict-Transport-Security', null],
  ['X-Content-Type-Options', ['nosniff']],
  ['X-Frame-Options', ['deny', 'sameorigin']],
  ['X-XSS-Protection', null],
  ['Content-Security-Policy', null],
];

const BCRYPT_HASH = /^\$2[aby]?\$(0[4-9]|[12]\d|3[01])\$[./A-Za-z0-9]{53}$/;

function invalid(file: string, message: string): WebConfigError {
  return new WebConfigError('WEB_CONFIG_INVALID', `web config ${renderPath(file)}: ${message}`);
}

function mapping(value: unknown, what: string, file: string): Record<string, unknown> | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) throw invalid(file, `${what} must be a mapping`);
  return value as Record<string, unknown>;
}

function parseUsers(raw: unknown, file: string): Map<string, string> {
  const users = new Map<string, string>();
  for (const [user, hash] of Object.entries(mapping(raw, 'basic_auth_users', file) ?? {})) {
    if (user === '' || user.includes(':')) throw invalid(file, `basic_auth_users: user name '${user}' is empty or contains ':'`);
    if (typeof hash !== 'string' || !BCRYPT_HASH.test(hash)) {
      throw invalid(file, `basic_auth_users.${user} is not a bcrypt hash ($2y$10$... as htpasswd -nBC 10 prints)`);
    }
    users.set(user, hash);
  }
  return users;
}

function parseHttpServerConfig(raw: unknown, file: string): Array<readonly [string, string]> {
  const section = mapping(raw, 'http_server_config', file) ?? {};
  for (const key of Object.keys(section)) {
    if (key !== 'headers' && key !== 'http2') throw invalid(file, `unknown key http_server_config.${key}`);
  }
  // http2 is accepted for compatibility; this server speaks HTTP/1.1 only.
  if (section.http2 !== undefined && typeof section.http2 !== 'boolean') throw invalid(file, 'http_server_config.http2 must be true or false');
  const headers: Array<readonly [string, string]> = [];
  for (const [name, value] of Object.entries(mapping(section.headers, 'http_server_config.headers', file) ?? {})) {
    const allowed = ALLOWED_HEADERS.find(([n]) => n.toLowerCase() === name.toLowerCase());
    if (allowed === undefined) {
      throw invalid(file, `HTTP header '${name}' can not be configured (allowed: ${ALLOWED_HEADERS.map(([n]) => n).join(', ')})`);
    }
    if (typeof value !== 'string' || /[\r\n\0]/.test(value)) throw invalid(file, `header ${allowed[0]} must be a one-line string`);
    if (value === '') continue; // exporter-toolkit: unset if blank
    if (allowed[1] !== null && !allowed[1].includes(value)) {
      throw invalid(file, `invalid value for ${allowed[0]}: expected one of ${allowed[1].join(', ')}, got '${value}'`);
    }
    headers.push([allowed[0], value]);
  }
  return headers;
}

function parseExcludedPaths(raw: unknown, file: string): Set<string> {
  if (raw === undefined || raw === null) return new Set();
  if (!Array.isArray(raw) || !raw.every((p) => typeof p === 'string' && p.startsWith('/'))) {
    throw invalid(file, 'auth_excluded_paths must be a list of paths starting with /');
  }
  return new Set(raw as string[]);
}

/**
 * Reads, parses and validates the web config at `file`, reading every file it names. Throws
 * WebConfigError. An empty file is a valid config: plain HTTP, no auth, no extra headers.
 */
export async function loadWebConfig(file: string): Promise<WebConfig> {
  const path = resolve(file);
  const hash = createHash('sha256');
  const readText = async (what: string, target: string, shown = renderPath(target)): Promise<string> => {
    try {
      const text = await readFile(target, 'utf8');
      hash.update(`${what}\0${target}\0${text}\0`);
      return text;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      throw new WebConfigError('WEB_CONFIG_UNREADABLE', `web config ${renderPath(path)}: cannot read ${what} (${shown}): ${code}`);
    }
  };
  const text = await readText('the file', path);
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw invalid(path, `not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  const top = mapping(doc, 'the document', path) ?? {};
  for (const key of Object.keys(top)) {
    const unsupported = UNSUPPORTED_TOP_KEYS[key];
    if (unsupported !== undefined) throw invalid(path, unsupported);
    if (!TOP_KEYS.has(key)) throw invalid(path, `unknown key '${key}' (known: ${[...TOP_KEYS].join(', ')})`);
  }
  const dir = dirname(path);
  let tls: TlsSettings | null;
  try {
    tls = await parseTlsServerConfig(top.tls_server_config, (what, target) => {
      const resolved = resolve(dir, target);
      return readText(what, resolved, renderDocumentPath(target, resolved));
    });
  } catch (err) {
    if (err instanceof WebConfigError && err.code === 'WEB_CONFIG_INVALID') throw invalid(path, err.message);
    throw err;
  }
  return {
    tls,
    users: parseUsers(top.basic_auth_users, path),
    headers: parseHttpServerConfig(top.http_server_config, path),
    authExcludedPaths: parseExcludedPaths(top.auth_excluded_paths, path),
    fingerprint: hash.digest('hex'),
  };
}

/** The config in force when no web config file is given. */
export const PLAIN_WEB_CONFIG: WebConfig = {
  tls: null,
  users: new Map(),
  headers: [],
  authExcludedPaths: new Set(),
  fingerprint: 'none',
};
