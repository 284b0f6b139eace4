/**
 * The /metrics body: the cached vendor part from the SnapshotStore joined with the live self
 * metrics. Nothing large is copied or recompressed per scrape: the body is a list of buffers,
 * and its gzip form is the cached gzip members of the vendor part followed by one freshly
 * compressed member holding the self metrics (and OpenMetrics' `# EOF`, which so comes once,
 * last). Concatenated gzip members are one valid gzip stream (RFC 1952 §2.2); Go's gzip
 * reader, which Prometheus uses, reads them as one stream by default, as do zlib and undici.
 */
import { CONTENT_TYPES, OPENMETRICS_EOF, type ExpositionFormat } from './exposition-text.js';
import { gzipMemberSync } from './gzip.js';
import { SelfMetrics, type SelfMetricsOptions } from './self-metrics.js';
import { SnapshotStore } from './snapshot-store.js';

/** A rendered /metrics body: send `chunks` in order; their total length is `byteLength`. */
export interface MetricsBody {
  chunks: readonly Buffer[];
  byteLength: number;
  contentType: string;
  contentEncoding?: 'gzip';
  /** Call once the chunks are written (or the response abandoned): they may be reused after. */
  release?: () => void;
}

/** Serves /metrics bodies from a SnapshotStore and SelfMetrics (structurally a MetricsSource). */
export class MetricsEndpoint {
  constructor(
    private readonly store: SnapshotStore,
    private readonly self: SelfMetrics,
  ) {}

  /** The body in `format`, gzip-compressed when `gzip` is true. */
  async renderMetrics(format: ExpositionFormat, gzip: boolean): Promise<MetricsBody> {
    // A plain body sends the store's own blocks, which a later render may reuse: leased until
    // release(). A gzip body is compressed copies.
    const release = gzip ? undefined : this.store.lease();
    try {
      const vendor = gzip ? this.store.gzipChunks(format) : this.store.chunks(format);
      let selfText = await this.self.render(format);
      if (format === 'openmetrics') selfText += OPENMETRICS_EOF;
      const selfPart = Buffer.from(selfText);
      const [vendorChunks, last] = await Promise.all([vendor, gzip ? gzipMemberSync(selfPart) : selfPart]);
      const chunks = [...vendorChunks, last];
      let byteLength = 0;
      for (const chunk of chunks) byteLength += chunk.length;
      const body: MetricsBody = { chunks, byteLength, contentType: CONTENT_TYPES[format] };
      if (gzip) body.contentEncoding = 'gzip';
      if (release) body.release = release;
      return body;
    } catch (err) {
      release?.();
      throw err;
    }
  }
}

/** The metrics layer wired together: what the run command needs. */
export interface MetricsPipeline {
  store: SnapshotStore;
  self: SelfMetrics;
  endpoint: MetricsEndpoint;
}

/**
 * Creates SelfMetrics, a SnapshotStore that refuses the self metrics' family names, and the
 * endpoint joining them.
 */
export function createMetricsPipeline(
  options: SelfMetricsOptions & { eagerGzip?: boolean },
): MetricsPipeline {
  const self = new SelfMetrics(options);
  const store = new SnapshotStore({ reservedNames: self.familyNames(), eagerGzip: options.eagerGzip });
  return { store, self, endpoint: new MetricsEndpoint(store, self) };
}
