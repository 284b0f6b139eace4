import type { CmsApi } from '../cms/types.js';
import type { Snapshot } from '../metrics/types.js';

/** The `collector` label values. */
export type CollectorName = 'sysindex' | 'access_codes' | 'cti_server_time' | 'agent_calls';

/**
 * One collector for one call center. `collect` performs one run: it asks the CMS through `api`
 * (whose requests already share the process-wide limiter) and returns the complete snapshot of
 * its series, or throws (a CmsError, usually) when the run failed. It keeps whatever state it
 * needs between runs (sysindex's counter memory) but knows nothing of scheduling or HTTP.
 */
export interface Collector {
  readonly name: CollectorName;
  readonly ccId: number;
  collect(signal: AbortSignal): Promise<Snapshot>;
}

export interface CollectorContext {
  api: CmsApi;
  /** Exporter clock, epoch ms; injectable so tests can step time. */
  now: () => number;
  /**
   * Most per-item tasks (one per VDN or agent) a run keeps going at once; unbounded when absent.
   * The exporter sets twice `cms.concurrency`: enough that the shared limiter always has a
   * request waiting, few enough that a run does not build every request up front (see allOrAbort).
   */
  maxTasksInFlight?: number;
}
