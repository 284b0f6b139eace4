/**
 * The validated, fully defaulted configuration. Produced once, at load, by src/config/load-config.ts;
 * every module receives only the slice it needs (`Pick<Config, ...>`).
 */

/** Names of the collectors, as used in config keys. The `collector` label uses CollectorName. */
export type CollectorKey = 'sysindex' | 'accessCodes' | 'ctiServerTime' | 'agentCalls';

export interface CollectorSettings {
  enabled: boolean;
  /** Seconds between the starts of two runs (>= 1). */
  intervalSeconds: number;
  /** A failing collector's last snapshot is served for at most this many intervals, then dropped. */
  staleAfterIntervals: number;
}

export interface SysindexSettings extends CollectorSettings {
  /** Width of the [now - lookback, now] window asked for, in minutes (<= 31 days). */
  lookbackMinutes: number;
}

export interface VdnConfig {
  /** VDN id, 1-5000. */
  id: number;
  /** Access code ids (innoIds) to watch; may be empty. */
  accessCodes: number[];
  /** Agent ids (101-59999) whose current calls are watched; may be empty. */
  agents: number[];
}

export interface CallCenterConfig {
  /** Call center id, 1-65535. */
  ccId: number;
  /** Empty: sysindex discovers every VDN it reports for this call center. */
  vdns: VdnConfig[];
}

/** Paths of the five interfaces, overridable because some deployments publish them elsewhere. */
export interface CmsPaths {
  sysindex: string;
  ctiServerTime: string;
  accessCodeCallInfo: string;
  agentCalls: string;
  basicCallInfo: string;
}

export interface CmsConfig {
  /** Base URL of the CC-CMS or the NSLB in front of it, e.g. https://10.22.26.181:28080 */
  url: string;
  accessKey: string;
  /** The resolved secret key (from cms.secretKey, cms.secretKeyFile or AICC_CMS_SECRET_KEY). Never logged. */
  secretKey: string;
  /** PEM CA bundle contents path; null when the system CAs are used. */
  caFile: string | null;
  insecureSkipVerify: boolean;
  /** Per request, seconds. */
  timeoutSeconds: number;
  /** Most requests in flight to the CMS, for the whole process. */
  concurrency: number;
  /** Retries after the first attempt, for network errors, HTTP 5xx and 429 only. */
  retries: number;
  /** Cap on one backoff / Retry-After wait, seconds. */
  retryMaxDelaySeconds: number;
  timestampPrecision: 'seconds' | 'milliseconds';
  /** Header names included in the signature; always contains `host`. */
  signedHeaders: string[];
  paths: CmsPaths;
}

export interface ShardConfig {
  /** This process's shard, 0-based, < total. */
  index: number;
  total: number;
  /** Take the index from the pod name's `-<ordinal>` suffix (StatefulSet). */
  fromPodName: boolean;
}

export interface Config {
  listen: { host: string; port: number };
  web: {
    /** exporter-toolkit style web config (TLS, basic auth, headers); null: plain HTTP, no auth. */
    configFile: string | null;
    /** Enables POST /-/reload. */
    enableLifecycle: boolean;
  };
  cms: CmsConfig;
  callCenters: CallCenterConfig[];
  collectors: {
    sysindex: SysindexSettings;
    accessCodes: CollectorSettings;
    ctiServerTime: CollectorSettings;
    agentCalls: CollectorSettings;
  };
  shard: ShardConfig;
  log: { level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent' };
}
