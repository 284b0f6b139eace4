/**
 * The compact form in which collectors hand their series to the metrics layer. A snapshot is
 * rendered to exposition text once, when it is swapped in (src/metrics/), never per scrape.
 */

export type MetricType = 'gauge' | 'counter';

/** One family's samples from one snapshot. Label values are raw strings; escaping happens at render. */
export interface FamilySamples {
  /** Full metric name; counters end in `_total` (the OpenMetrics renderer strips it for TYPE/HELP). */
  name: string;
  type: MetricType;
  /** HELP text: what it is, its unit, the source field, and that it is cached/refreshed every N s. */
  help: string;
  /** Label names, same order for every sample. */
  labelNames: readonly string[];
  /** One row per series: label values in labelNames order, then the value. */
  samples: Array<{ labels: readonly string[]; value: number }>;
}

/** A collector run's complete output for one call center. */
export type Snapshot = FamilySamples[];
