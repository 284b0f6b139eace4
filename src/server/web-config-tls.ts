/**
 * The `tls_server_config` section of an exporter-toolkit web config, validated and turned into
 * Node TLS settings. Go names (cipher suites, curves, versions) are mapped to OpenSSL's.
 */
import { X509Certificate } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import { WebConfigError } from './web-config-error.js';

/** exporter-toolkit's client_auth_type values (Go's tls.ClientAuthType names). */
export type ClientAuthType =
  | 'NoClientCert'
  | 'RequestClientCert'
  | 'RequireAnyClientCert'
  | 'VerifyClientCertIfGiven'
  | 'RequireAndVerifyClientCert';

/** Validated TLS settings; PEM texts already read from their files. */
export interface TlsSettings {
  cert: string;
  key: string;
  /** PEM bundle of CAs that sign client certificates; null when none is configured. */
  clientCa: string | null;
  clientAuthType: ClientAuthType;
  minVersion: 'TLSv1.2' | 'TLSv1.3';
  maxVersion: 'TLSv1.2' | 'TLSv1.3';
  /** OpenSSL cipher list (TLS 1.2 suites chosen, TLS 1.3 defaults kept); undefined: defaults. */
  ciphers: string | undefined;
  /** OpenSSL curve list, e.g. `X25519:P-256`; undefined: defaults. */
  ecdhCurve: string | undefined;
  honorCipherOrder: boolean;
  /** SANs of which a client certificate must carry one; null: no SAN check. */
  clientAllowedSans: string[] | null;
}

/** Reads a file named in the config (relative paths against the config's directory). */
export type ConfigFileReader = (key: string, path: string) => Promise<string>;

const TLS_KEYS = new Set([
  'cert', 'key', 'client_ca', 'cert_file', 'key_file', 'client_ca_file', 'client_auth_type',
  'client_allowed_sans', 'min_version', 'max_version', 'cipher_suites', 'prefer_server_cipher_suites',
  'curve_preferences',
]);

const CLIENT_AUTH: Readonly<Record<string, ClientAuthType>> = {
  NoClientCert: 'NoClientCert',
  RequestClientCert: 'RequestClientCert',
  RequireAnyClientCert: 'RequireAnyClientCert',
  RequireClientCert: 'RequireAnyClientCert', // exporter-toolkit's backward-compatible alias
  VerifyClientCertIfGiven: 'VerifyClientCertIfGiven',
  RequireAndVerifyClientCert: 'RequireAndVerifyClientCert',
};

const VERSIONS: Readonly<Record<string, 'TLSv1.2' | 'TLSv1.3'>> = { TLS12: 'TLSv1.2', TLS13: 'TLSv1.3' };

/** Go's TLS 1.2 cipher suite names → OpenSSL's (Go does not let TLS 1.3 suites be chosen). */
const CIPHERS: Readonly<Record<string, string>> = {
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 'ECDHE-ECDSA-AES128-GCM-SHA256',
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 'ECDHE-RSA-AES128-GCM-SHA256',
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 'ECDHE-ECDSA-AES256-GCM-SHA384',
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 'ECDHE-RSA-AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-ECDSA-CHACHA20-POLY1305',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-RSA-CHACHA20-POLY1305',
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA: 'ECDHE-ECDSA-AES128-SHA',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA: 'ECDHE-RSA-AES128-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA: 'ECDHE-ECDSA-AES256-SHA',
  TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA: 'ECDHE-RSA-AES256-SHA',
  TLS_RSA_WITH_AES_128_GCM_SHA256: 'AES128-GCM-SHA256',
  TLS_RSA_WITH_AES_256_GCM_SHA384: 'AES256-GCM-SHA384',
  TLS_RSA_WITH_AES_128_CBC_SHA: 'AES128-SHA',
  TLS_RSA_WITH_AES_256_CBC_SHA: 'AES256-SHA',
};
const TLS13_SUITES = 'TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256';

const CURVES: Readonly<Record<string, string>> = {
  CurveP256: 'P-256',
  CurveP384: 'P-384',
  CurveP521: 'P-521',
  X25519: 'X25519',
};

function invalid(message: string): WebConfigError {
  return new WebConfigError('WEB_CONFIG_INVALID', message);
}

function optionalString(section: Record<string, unknown>, key: string): string | undefined {
  const value = section[key];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw invalid(`tls_server_config.${key} must be a string`);
  return value;
}

function stringList(section: Record<string, unknown>, key: string): string[] | undefined {
  const value = section[key];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw invalid(`tls_server_config.${key} must be a list of strings`);
  }
  return value as string[];
}

function mapNames(key: string, names: string[] | undefined, table: Readonly<Record<string, string>>): string[] | undefined {
  if (names === undefined || names.length === 0) return undefined;
  return names.map((name) => {
    const mapped = table[name];
    if (mapped === undefined) throw invalid(`tls_server_config.${key}: unknown value '${name}' (known: ${Object.keys(table).join(', ')})`);
    return mapped;
  });
}

function version(section: Record<string, unknown>, key: string, fallback: 'TLSv1.2' | 'TLSv1.3'): 'TLSv1.2' | 'TLSv1.3' {
  const name = optionalString(section, key);
  if (name === undefined) return fallback;
  const mapped = VERSIONS[name];
  if (mapped === undefined) throw invalid(`tls_server_config.${key}: '${name}' is not supported (use TLS12 or TLS13)`);
  return mapped;
}

/** Inline PEM or the contents of the `<key>_file`, exactly one of them. */
async function pem(section: Record<string, unknown>, key: string, read: ConfigFileReader, required: boolean): Promise<string | undefined> {
  const inline = optionalString(section, key);
  const file = optionalString(section, `${key}_file`);
  if (inline !== undefined && file !== undefined) throw invalid(`tls_server_config: set ${key} or ${key}_file, not both`);
  if (inline === undefined && file === undefined) {
    if (required) throw invalid(`tls_server_config: missing one of ${key} or ${key}_file`);
    return undefined;
  }
  return inline ?? read(`tls_server_config.${key}_file`, file as string);
}

function checkCaBundle(text: string): void {
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw invalid('tls_server_config: the client CA contains no PEM certificate');
  for (const block of blocks) {
    try {
      new X509Certificate(block);
    } catch {
      throw invalid('tls_server_config: the client CA contains a certificate that does not parse');
    }
  }
}

/**
 * Validates `raw` (the YAML value of tls_server_config) and reads its files; null when the
 * section is absent or empty (plain HTTP).
 */
export async function parseTlsServerConfig(raw: unknown, read: ConfigFileReader): Promise<TlsSettings | null> {
  if (raw === undefined || raw === null) return null;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw invalid('tls_server_config must be a mapping');
  const section = raw as Record<string, unknown>;
  for (const key of Object.keys(section)) {
    if (!TLS_KEYS.has(key)) throw invalid(`unknown key tls_server_config.${key}`);
  }
  if (Object.keys(section).length === 0) return null;

  const cert = (await pem(section, 'cert', read, true)) as string;
  const key = (await pem(section, 'key', read, true)) as string;
  const clientCa = (await pem(section, 'client_ca', read, false)) ?? null;
  const authName = optionalString(section, 'client_auth_type') ?? 'NoClientCert';
  const clientAuthType = CLIENT_AUTH[authName];
  if (clientAuthType === undefined) {
    throw invalid(`tls_server_config.client_auth_type: unknown value '${authName}' (known: ${Object.keys(CLIENT_AUTH).join(', ')})`);
  }
  if (clientCa !== null && clientAuthType === 'NoClientCert') {
    throw invalid('tls_server_config: a client CA is configured but client_auth_type is NoClientCert');
  }
  const verifies = clientAuthType === 'VerifyClientCertIfGiven' || clientAuthType === 'RequireAndVerifyClientCert';
  if (verifies && clientCa === null) throw invalid(`tls_server_config: client_auth_type ${authName} needs client_ca_file`);
  if (clientCa !== null) checkCaBundle(clientCa);
  const clientAllowedSans = stringList(section, 'client_allowed_sans') ?? null;
  if (clientAllowedSans !== null && clientAuthType !== 'RequireAnyClientCert' && clientAuthType !== 'RequireAndVerifyClientCert') {
    throw invalid('tls_server_config.client_allowed_sans needs client_auth_type RequireAnyClientCert or RequireAndVerifyClientCert');
  }
  const minVersion = version(section, 'min_version', 'TLSv1.2');
  const maxVersion = version(section, 'max_version', 'TLSv1.3');
  if (minVersion > maxVersion) throw invalid('tls_server_config: min_version is above max_version');
  const suites = mapNames('cipher_suites', stringList(section, 'cipher_suites'), CIPHERS);
  const curves = mapNames('curve_preferences', stringList(section, 'curve_preferences'), CURVES);
  const prefer = section.prefer_server_cipher_suites ?? true;
  if (typeof prefer !== 'boolean') throw invalid('tls_server_config.prefer_server_cipher_suites must be true or false');

  const settings: TlsSettings = {
    cert,
    key,
    clientCa,
    clientAuthType,
    minVersion,
    maxVersion,
    ciphers: suites === undefined ? undefined : `${TLS13_SUITES}:${suites.join(':')}`,
    ecdhCurve: curves?.join(':'),
    honorCipherOrder: prefer,
    clientAllowedSans,
  };
  try {
    createSecureContext(secureContextOptions(settings));
  } catch (err) {
    // OpenSSL's reason (e.g. "key values mismatch"); never the PEM text itself.
    throw invalid(`tls_server_config: the certificate and key do not load: ${(err as Error).message}`);
  }
  return settings;
}

/** The options for tls.createSecureContext / server.setSecureContext. */
export function secureContextOptions(settings: TlsSettings): {
  cert: string;
  key: string;
  ca?: string;
  minVersion: 'TLSv1.2' | 'TLSv1.3';
  maxVersion: 'TLSv1.2' | 'TLSv1.3';
  ciphers?: string;
  ecdhCurve?: string;
  honorCipherOrder: boolean;
} {
  return {
    cert: settings.cert,
    key: settings.key,
    ...(settings.clientCa === null ? {} : { ca: settings.clientCa }),
    minVersion: settings.minVersion,
    maxVersion: settings.maxVersion,
    ...(settings.ciphers === undefined ? {} : { ciphers: settings.ciphers }),
    ...(settings.ecdhCurve === undefined ? {} : { ecdhCurve: settings.ecdhCurve }),
    honorCipherOrder: settings.honorCipherOrder,
  };
}
