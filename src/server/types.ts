/**
 * What the HTTP server needs from the rest of the exporter, as interfaces: it knows nothing of
 * the CMS, the collectors or how metrics are kept.
 */
import type { Logger } from '../log.js';

/** The two exposition formats /metrics negotiates. */
export type MetricsFormat = 'text' | 'openmetrics';

/** A rendered /metrics body: `chunks` are sent in order; `byteLength` is their total size. */
export interface MetricsBodyParts {
  chunks: readonly Buffer[];
  byteLength: number;
  /** The Content-Type header value. */
  contentType: string;
  /** Set when `chunks` form a gzip stream. */
  contentEncoding?: 'gzip';
  /** Called once the response is over (sent or abandoned): the chunks may be reused after. */
  release?: () => void;
}

/** Source of /metrics bodies (implemented by MetricsEndpoint in src/metrics/). */
export interface MetricsSource {
  renderMetrics(format: MetricsFormat, gzip: boolean): Promise<MetricsBodyParts>;
}

/** One collector × call center, as the landing page shows it. Times are epoch milliseconds. */
export interface CollectorStatus {
  collector: string;
  ccId: number;
  lastRunAt?: number;
  lastSuccessAt?: number;
  /** The last run's error message; must never carry a secret (the server only escapes it). */
  lastError?: string;
  running: boolean;
}

/** Source of the landing page table and of /-/ready. */
export interface StatusSource {
  /** True once the exporter can serve meaningful metrics (e.g. every collector has run once). */
  ready(): boolean;
  collectors(): CollectorStatus[];
}

/** The outcome of POST /-/reload. `message` is shown to the client: no secrets in it. */
export interface ReloadResult {
  ok: boolean;
  message?: string;
}

/** Options of startHttpServer. */
export interface HttpServerOptions {
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  metrics: MetricsSource;
  status: StatusSource;
  /** Handles POST/PUT /-/reload; absent: the lifecycle API is disabled (403, like Prometheus). */
  onReload?: () => Promise<ReloadResult>;
  /** exporter-toolkit style web config file (TLS, basic auth, headers); null/absent: plain HTTP. */
  webConfigFile?: string | null;
  logger: Logger;
  /** Shown on the landing page. */
  version?: string;
  /** How often the web config and the files it names are re-read, ms (default 5000). */
  webConfigPollIntervalMs?: number;
}

/** A listening server. */
export interface RunningHttpServer {
  /** Base URL, e.g. `https://127.0.0.1:9464`. */
  url: string;
  port: number;
  /** Stops accepting, lets responses in flight finish (up to 2 s), destroys keep-alive sockets. */
  close(): Promise<void>;
  /**
   * Re-reads the web config and its files now and applies them. Rejects with a WebConfigError
   * (and keeps the running config) when the new one is invalid.
   */
  reloadWebConfig(): Promise<void>;
}
