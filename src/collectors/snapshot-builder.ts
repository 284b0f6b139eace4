import type { FamilySamples, MetricType, Snapshot } from '../metrics/types.js';

/**
 * Collects samples family by family for one snapshot. Families are kept in the order they were
 * declared, so a collector's exposition is stable from run to run.
 */
export class SnapshotBuilder {
  private readonly families: FamilySamples[] = [];

  /** Declares a family and returns a function that appends one series to it. */
  family(
    name: string,
    type: MetricType,
    help: string,
    labelNames: readonly string[],
  ): (labels: readonly (string | number)[], value: number) => void {
    const family: FamilySamples = { name, type, help, labelNames, samples: [] };
    this.families.push(family);
    return (labels, value) => {
      // Label arrays of strings are kept as given (collectors share them between families).
      family.samples.push({ labels: labels.every((l) => typeof l === 'string') ? (labels as readonly string[]) : labels.map(String), value });
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
