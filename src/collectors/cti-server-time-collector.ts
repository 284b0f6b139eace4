import { SnapshotBuilder, cachedNote } from './snapshot-builder.js';
import type { Collector, CollectorContext } from './types.js';
import type { Snapshot } from '../metrics/types.js';

/** What the CTI clock collector needs from the configuration. */
export interface CtiServerTimeCollectorOptions {
  ccId: number;
  intervalSeconds: number;
}

/**
 * `configures/ctiservertime` → the CTI server's clock and its skew against the exporter's:
 * skew = serverTime − (sentAt + receivedAt) / 2, in seconds, positive when the CTI is ahead.
 * Using the request's midpoint cancels a symmetric network delay; the error is at most half
 * the round trip.
 */
export function createCtiServerTimeCollector(ctx: CollectorContext, options: CtiServerTimeCollectorOptions): Collector {
  const { ccId } = options;
  const note = cachedNote(options.intervalSeconds);
  return {
    name: 'cti_server_time',
    ccId,
    async collect(signal: AbortSignal): Promise<Snapshot> {
      const t = await ctx.api.queryCtiServerTime({ ccId }, { signal });
      const b = new SnapshotBuilder();
      b.family(
        'aicc_cti_clock_skew_seconds',
        'gauge',
        `CTI server clock minus the exporter's clock at the request's midpoint, in seconds; positive means the CTI is ahead (configures/ctiservertime resultDesc). ${note}`,
        ['cc_id'],
      )([ccId], (t.serverTimeMs - (t.sentAtMs + t.receivedAtMs) / 2) / 1000);
      b.family(
        'aicc_cti_time_seconds',
        'gauge',
        `The CTI server's clock as last read, Unix seconds (configures/ctiservertime resultDesc). ${note}`,
        ['cc_id'],
      )([ccId], t.serverTimeMs / 1000);
      return b.build();
    },
  };
}
