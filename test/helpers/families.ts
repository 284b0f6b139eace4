import type { FamilySamples } from '../../src/metrics/types.js';

/** One series as tests like to write and read it. */
export interface SeriesRow {
  labels: readonly string[];
  value: number;
}

/** A FamilySamples from series rows (the store's column form, built the obvious way). */
export function familyOf(family: Omit<FamilySamples, 'labelValues' | 'values'> & { samples: readonly SeriesRow[] }): FamilySamples {
  const { samples, ...meta } = family;
  return { ...meta, labelValues: samples.flatMap((s) => [...s.labels]), values: samples.map((s) => s.value) };
}

/** A family's series as rows, label values in labelNames order. */
export function rowsOf(family: FamilySamples): SeriesRow[] {
  const width = family.labelNames.length;
  return family.values.map((value, i) => ({ labels: family.labelValues.slice(i * width, (i + 1) * width), value }));
}

/** The value of the series of family `name` with exactly these label values, if there is one. */
export function seriesValue(snapshot: readonly FamilySamples[], name: string, labels: readonly string[]): number | undefined {
  const family = snapshot.find((f) => f.name === name);
  return family === undefined ? undefined : rowsOf(family).find((s) => s.labels.join() === labels.join())?.value;
}
