/**
 * The compact form in which collectors hand their series to the metrics layer. A snapshot is
 * rendered to exposition text once, when it is swapped in (src/metrics/), never per scrape.
 */

export type MetricType = 'gauge' | 'counter';

/**
 * One family's series from one snapshot, stored column-wise: at 50,000 access codes a family has
 * 150,000 series, and one object plus one array per series cost several times the memory of two
 * flat arrays (and the garbage collector's time to walk them). Label values are raw strings;
 * escaping happens at render.
 */
export interface FamilySamples {
  /** Full metric name; counters end in `_total` (the OpenMetrics renderer strips it for TYPE/HELP). */
  name: string;
  type: MetricType;
  /** HELP text: what it is, its unit, the source field, and that it is cached/refreshed every N s. */
  help: string;
  /** Label names, same order for every series. */
  labelNames: readonly string[];
  /**
   * Every series' label values, series after series in labelNames order: series i owns
   * labelValues[i × labelNames.length, (i + 1) × labelNames.length).
   */
  labelValues: string[];
  /** Series i's value. */
  values: number[];
}

/** A collector run's complete output for one call center. */
export type Snapshot = FamilySamples[];
