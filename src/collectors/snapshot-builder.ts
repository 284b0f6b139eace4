import type { FamilySamples, MetricType, Snapshot } from '../metrics/types.js';
import { ExpositionError } from '../metrics/exposition-error.js';

/**
 * Collects series family by family for one snapshot. Families are kept in the order they were
 * declared, so a collector's exposition is stable from run to run.
 */
export class SnapshotBuilder {
  private readonly families: FamilySamples[] = [];

  /**
   * Declares a family and returns a function that appends one series to it: its label values in
   * `labelNames` order (numbers are spelled with String()) and its value. The values are copied
   * out at once, so a caller may refill and pass the same array for every series. Throws ExpositionError
   * (`INVALID_FAMILY`) when the count of label values is not the count of label names: in the flat
   * columns one such series would shift the labels of every series after it.
   */
  family(
    name: string,
    type: MetricType,
    help: string,
    labelNames: readonly string[],
  ): (labels: readonly (string | number)[], value: number) => void {
    const family: FamilySamples = { name, type, help, labelNames, labelValues: [], values: [] };
    this.families.push(family);
    const { labelValues, values } = family;
    const width = labelNames.length;
    return (labels, value) => {
      if (labels.length !== width) {
        throw new ExpositionError('INVALID_FAMILY', `metric family '${name}': a series has ${labels.length} label values for ${width} label names`);
      }
      for (const label of labels) labelValues.push(typeof label === 'string' ? label : String(label));
      values.push(value);
    };
  }

  build(): Snapshot {
    return this.families;
  }
}

/**
 * The closing sentence of every vendor HELP text: the values come from a cache that a collector
 * refreshes on its own interval, not from a request made at scrape time.
 */
export function cachedNote(intervalSeconds: number): string {
  return `Cached: refreshed every ${intervalSeconds}s by the exporter, not at scrape time.`;
}
