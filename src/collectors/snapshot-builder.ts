import type { FamilySamples, MetricType, Snapshot } from '../metrics/types.js';
import { ExpositionError } from '../metrics/exposition-error.js';

/**
 * Collects series family by family for one snapshot. Families are kept in the order they were
 * declared, so a collector's exposition is stable from run to run.
 */
export class SnapshotBuilder {
  /** Each family, and for one declared with family() the count of series appended so far. */
  private readonly families: Array<{ family: FamilySamples; used: (() => number) | null }> = [];

  /**
   * Declares a family and returns a function that appends one series to it: its label values in
   * `labelNames` order (numbers are spelled with String()) and its value. The values are copied
   * out at once, so a caller may refill and pass the same array for every series. Throws
   * ExpositionError (`INVALID_FAMILY`) when the count of label values is not the count of label
   * names: in the flat columns one such series would shift the labels of every series after it.
   *
   * `expectedSeries`, when the caller knows it, sizes the columns up front: at 150,000 series,
   * columns grown one series at a time are reallocated and copied over and over on the way,
   * about twice their final size in garbage, all of it allocated in the burst at the end of a
   * run. More series than expected still fit (the columns grow); fewer leave no trace (build()
   * trims them).
   */
  family(
    name: string,
    type: MetricType,
    help: string,
    labelNames: readonly string[],
    expectedSeries = 0,
  ): (labels: readonly (string | number)[], value: number) => void {
    const width = labelNames.length;
    const labelValues: string[] = expectedSeries > 0 ? new Array<string>(expectedSeries * width) : [];
    const values: number[] = expectedSeries > 0 ? new Array<number>(expectedSeries) : [];
    const family: FamilySamples = { name, type, help, labelNames, labelValues, values };
    let series = 0;
    this.families.push({ family, used: () => series });
    return (labels, value) => {
      if (labels.length !== width) {
        throw new ExpositionError('INVALID_FAMILY', `metric family '${name}': a series has ${labels.length} label values for ${width} label names`);
      }
      const at = series * width;
      for (let i = 0; i < width; i++) {
        const label = labels[i]!;
        labelValues[at + i] = typeof label === 'string' ? label : String(label);
      }
      values[series++] = value;
    };
  }

  /**
   * Adds a family from columns the caller built: `labelValues` (labelNames.length per series, in
   * series order) and `values`, taken as they are, not copied. A collector whose series do not
   * change from run to run may pass the same labelValues array every run, so nothing may change
   * a snapshot's arrays once built. Throws ExpositionError (`INVALID_FAMILY`) when the columns'
   * lengths do not agree.
   */
  columns(name: string, type: MetricType, help: string, labelNames: readonly string[], labelValues: string[], values: number[]): void {
    if (labelValues.length !== values.length * labelNames.length) {
      throw new ExpositionError(
        'INVALID_FAMILY',
        `metric family '${name}': ${labelValues.length} label values for ${values.length} series of ${labelNames.length} labels`,
      );
    }
    this.families.push({ family: { name, type, help, labelNames, labelValues, values }, used: null });
  }

  /**
   * The families, in declaration order; those of family() trimmed to the series appended, those
   * of columns() as they were given (their arrays may be shared, and are never written).
   */
  build(): Snapshot {
    return this.families.map(({ family, used }) => {
      if (used === null) return family;
      const series = used();
      family.values.length = series;
      family.labelValues.length = series * family.labelNames.length;
      return family;
    });
  }
}

/**
 * The closing sentence of every vendor HELP text: the values come from a cache that a collector
 * refreshes on its own interval, not from a request made at scrape time.
 */
export function cachedNote(intervalSeconds: number): string {
  return `Cached: refreshed every ${intervalSeconds}s by the exporter, not at scrape time.`;
}
