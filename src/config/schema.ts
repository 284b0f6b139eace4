import { DEFAULT_CMS_PATHS } from '../cms/cms-paths.js';
import { annotateSchema, type LeafSchema, type SchemaSection } from './schema-types.js';

/** Log levels of pino, most to least severe, plus `silent`. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Headers the signer can include (cms-auth.md); `host` is always one of them. */
export const SIGNABLE_HEADERS = ['host', 'content-type', 'content-length'] as const;

/** Longest collector interval, seconds (one day). */
const MAX_INTERVAL_SECONDS = 86_400;

function collectorSchema(
  name: string,
  envPart: string,
  what: string,
  intervalSeconds: number,
): { enabled: LeafSchema; intervalSeconds: LeafSchema; staleAfterIntervals: LeafSchema } {
  return {
    enabled: {
      doc: `Runs the ${name} collector (${what}).`,
      format: 'aicc:bool',
      default: true,
      env: `AICC_COLLECTORS_${envPart}_ENABLED`,
    },
    intervalSeconds: {
      doc: `Seconds between the starts of two ${name} runs.`,
      format: 'aicc:int',
      default: intervalSeconds,
      min: 1,
      max: MAX_INTERVAL_SECONDS,
      env: `AICC_COLLECTORS_${envPart}_INTERVAL_SECONDS`,
    },
    staleAfterIntervals: {
      doc: `While ${name} fails, its last good series are served for this many intervals, then dropped (so a dead CMS does not look like a quiet one).`,
      format: 'aicc:int',
      default: 3,
      min: 1,
      max: 1000,
      env: `AICC_COLLECTORS_${envPart}_STALE_AFTER_INTERVALS`,
    },
  };
}

function cmsPathSchema(doc: string, value: string, envPart: string): LeafSchema {
  return { doc, format: 'aicc:http-path', default: value, env: `AICC_CMS_PATHS_${envPart}` };
}

/**
 * The configuration schema (convict form; leaves also carry ranges and allowed values). The only
 * place where keys, defaults, environment variables and limits are defined: validation messages,
 * demoConfig and docs/configuration.md all come from it.
 */
export const CONFIG_SCHEMA = {
  listen: {
    host: {
      doc: 'Address the metrics server binds to; 0.0.0.0 for every IPv4 interface, :: for every interface.',
      format: 'aicc:host',
      default: '0.0.0.0',
      env: 'AICC_LISTEN_HOST',
    },
    port: {
      doc: 'TCP port of the metrics server (/metrics, /-/healthy, /-/ready); 0 picks a free port.',
      format: 'aicc:int',
      default: 10125,
      min: 0,
      max: 65535,
      env: 'AICC_LISTEN_PORT',
    },
  },
  web: {
    configFile: {
      doc: 'Prometheus exporter-toolkit style web configuration file (TLS, basic auth, HTTP headers). Not set: plain HTTP without authentication.',
      format: 'aicc:file',
      default: null,
      nullable: true,
      example: '/etc/aicc-exporter/web-config.yml',
      env: 'AICC_WEB_CONFIG_FILE',
    },
    enableLifecycle: {
      doc: 'Enables POST /-/reload, which re-reads the whole configuration like SIGHUP (the web configuration file is re-read on its own every 5 s).',
      format: 'aicc:bool',
      default: false,
      env: 'AICC_WEB_ENABLE_LIFECYCLE',
    },
  },
  cms: {
    url: {
      doc: 'Base URL of the CC-CMS, or of the NSLB in front of it. Required. A trailing "/" is dropped.',
      format: 'aicc:url',
      default: null,
      example: 'https://10.22.26.181:28080',
      env: 'AICC_CMS_URL',
    },
    accessKey: {
      doc: 'Access key (AK) used to sign requests. Required: this, or cms.accessKeyFile. sysindex answers only a global (platform) AK.',
      format: 'aicc:access-key',
      default: null,
      nullable: true,
      env: 'AICC_CMS_ACCESS_KEY',
    },
    accessKeyFile: {
      doc: 'File holding the access key (one trailing newline is ignored); instead of cms.accessKey.',
      format: 'aicc:file',
      default: null,
      nullable: true,
      env: 'AICC_CMS_ACCESS_KEY_FILE',
    },
    secretKey: {
      doc: 'Secret key (SK) used to sign requests. Required: this, or cms.secretKeyFile (preferred: keeps the secret out of the config file). Never logged.',
      format: 'aicc:secret',
      default: null,
      nullable: true,
      sensitive: true,
      env: 'AICC_CMS_SECRET_KEY',
    },
    secretKeyFile: {
      doc: 'File holding the secret key (one trailing newline is ignored), e.g. a mounted Kubernetes Secret; instead of cms.secretKey.',
      format: 'aicc:file',
      default: null,
      nullable: true,
      example: '/etc/aicc-exporter/secret/secret-key',
      env: 'AICC_CMS_SECRET_KEY_FILE',
    },
    caFile: {
      doc: 'PEM bundle of the CA certificates that sign the CMS certificate. Not set: the system CAs.',
      format: 'aicc:file',
      default: null,
      nullable: true,
      env: 'AICC_CMS_CA_FILE',
    },
    insecureSkipVerify: {
      doc: 'Skips verification of the CMS TLS certificate. For tests only: anyone on the path can then impersonate the CMS.',
      format: 'aicc:bool',
      default: false,
      env: 'AICC_CMS_INSECURE_SKIP_VERIFY',
    },
    timeoutSeconds: {
      doc: 'Timeout of one request to the CMS, seconds (connect to last byte).',
      format: 'aicc:int',
      default: 10,
      min: 1,
      max: 300,
      env: 'AICC_CMS_TIMEOUT_SECONDS',
    },
    concurrency: {
      doc: 'Most requests in flight to the CMS, for the whole process (the CMS documents no rate limit; stay polite).',
      format: 'aicc:int',
      default: 4,
      min: 1,
      max: 256,
      env: 'AICC_CMS_CONCURRENCY',
    },
    retries: {
      doc: 'Retries after the first attempt of a request, for network errors, HTTP 5xx and 429 only.',
      format: 'aicc:int',
      default: 2,
      min: 0,
      max: 10,
      env: 'AICC_CMS_RETRIES',
    },
    retryMaxDelaySeconds: {
      doc: 'Cap on one backoff or Retry-After wait between retries, seconds.',
      format: 'aicc:int',
      default: 10,
      min: 1,
      max: 600,
      env: 'AICC_CMS_RETRY_MAX_DELAY_SECONDS',
    },
    timestampPrecision: {
      doc: 'Precision of the signature timestamp: seconds (2021-09-09T00:00:00Z, as Huawei\'s demo client) or milliseconds (2021-09-09T00:00:00.000Z).',
      format: 'aicc:enum',
      default: 'seconds',
      values: ['seconds', 'milliseconds'],
      env: 'AICC_CMS_TIMESTAMP_PRECISION',
    },
    signedHeaders: {
      doc: 'Headers included in the request signature. Environment: a JSON list or comma-separated names.',
      format: 'aicc:signed-headers',
      default: ['host'],
      values: SIGNABLE_HEADERS,
      env: 'AICC_CMS_SIGNED_HEADERS',
    },
    paths: {
      sysindex: cmsPathSchema('Path of the sysindex (VDN and skill-queue indicators) interface.', DEFAULT_CMS_PATHS.sysindex, 'SYSINDEX'),
      ctiServerTime: cmsPathSchema('Path of the CTI server time interface.', DEFAULT_CMS_PATHS.ctiServerTime, 'CTI_SERVER_TIME'),
      accessCodeCallInfo: cmsPathSchema('Path of the access code call information interface.', DEFAULT_CMS_PATHS.accessCodeCallInfo, 'ACCESS_CODE_CALL_INFO'),
      agentCalls: cmsPathSchema('Path of the agent current calls interface.', DEFAULT_CMS_PATHS.agentCalls, 'AGENT_CALLS'),
      basicCallInfo: cmsPathSchema('Path of the basic call information interface.', DEFAULT_CMS_PATHS.basicCallInfo, 'BASIC_CALL_INFO'),
    },
  },
  callCenters: {
    doc: 'The call centers to watch, at least one; see "Call centers" below. Environment: a JSON list.',
    format: 'aicc:call-centers',
    default: null,
    env: 'AICC_CALL_CENTERS',
  },
  collectors: {
    sysindex: {
      ...collectorSchema('sysindex', 'SYSINDEX', 'VDN and skill queue indicators', 60),
      lookbackMinutes: {
        doc: 'Width of the time window sysindex is asked for, minutes, ending now (at most 31 days, the interface limit).',
        format: 'aicc:int',
        default: 20,
        min: 1,
        max: 44_640,
        env: 'AICC_COLLECTORS_SYSINDEX_LOOKBACK_MINUTES',
      },
    },
    accessCodes: collectorSchema('accessCodes', 'ACCESS_CODES', 'calls per access code', 15),
    ctiServerTime: collectorSchema('ctiServerTime', 'CTI_SERVER_TIME', 'CTI clock skew', 60),
    agentCalls: collectorSchema('agentCalls', 'AGENT_CALLS', 'current calls of the listed agents', 15),
  },
  shard: {
    index: {
      doc: 'This process\'s shard, 0-based, below shard.total: the work is split between shard.total exporter processes.',
      format: 'aicc:int',
      default: 0,
      min: 0,
      max: 1023,
      env: 'AICC_SHARD_INDEX',
    },
    total: {
      doc: 'Number of exporter processes (shards) sharing the work of this configuration.',
      format: 'aicc:int',
      default: 1,
      min: 1,
      max: 1024,
      env: 'AICC_SHARD_TOTAL',
    },
    fromPodName: {
      doc: 'Takes shard.index from the ordinal suffix (-0, -1, ...) of POD_NAME, else HOSTNAME, as a StatefulSet names its pods. Then shard.index must not be set.',
      format: 'aicc:bool',
      default: false,
      env: 'AICC_SHARD_FROM_POD_NAME',
    },
  },
  log: {
    level: {
      doc: 'Least severe level logged (JSON lines on stdout).',
      format: 'aicc:enum',
      default: 'info',
      values: LOG_LEVELS,
      env: 'AICC_LOG_LEVEL',
    },
  },
} satisfies SchemaSection;

annotateSchema(CONFIG_SCHEMA);
