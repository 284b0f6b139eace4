/**
 * Renders prom-client's JSON form of a registry (`getMetricsAsJSON()`) in either exposition
 * format with the same escaping and number rules as the vendor series. Histograms and
 * summaries are supported because prom-client's default metrics include them.
 */
import {
  escapeLabelValue,
  formatCanonicalFloat,
  formatValue,
  renderFamilyHeader,
  type ExpositionFormat,
  type FamilyType,
} from './exposition-text.js';

/** The parts of prom-client's MetricObjectWithValues this renderer reads. */
export interface MetricObjectJson {
  name: string;
  help: string;
  /** prom-client's runtime value is the string ('counter', 'gauge', 'histogram', 'summary'). */
  type: unknown;
  values: ReadonlyArray<{
    value: number;
    labels: Readonly<Record<string, string | number | undefined>>;
    /** Sample name when it differs from the family's (`_bucket`, `_sum`, `_count`). */
    metricName?: string;
  }>;
}

const KNOWN_TYPES = new Set<string>(['gauge', 'counter', 'histogram', 'summary']);

function labelValue(name: string, value: string | number, format: ExpositionFormat): string {
  // OpenMetrics wants bucket bounds and quantiles as canonical floats (`1.0`, not `1`).
  if (format === 'openmetrics' && (name === 'le' || name === 'quantile')) {
    const n = typeof value === 'number' ? value : Number(value);
    if (!Number.isNaN(n)) return formatCanonicalFloat(n);
  }
  return escapeLabelValue(typeof value === 'number' ? formatValue(value) : value);
}

function renderSample(
  sampleName: string,
  labels: Readonly<Record<string, string | number | undefined>>,
  value: number,
  format: ExpositionFormat,
): string {
  const pairs: string[] = [];
  for (const [name, raw] of Object.entries(labels)) {
    if (raw === undefined) continue;
    pairs.push(`${name}="${labelValue(name, raw, format)}"`);
  }
  const labelText = pairs.length > 0 ? `{${pairs.join(',')}}` : '';
  return `${sampleName}${labelText} ${formatValue(value)}\n`;
}

/**
 * The exposition of `metrics` in `format`, without the OpenMetrics `# EOF`. Families without
 * values still get their HELP/TYPE lines (valid in both formats, and it documents them).
 */
export function renderMetricObjects(metrics: readonly MetricObjectJson[], format: ExpositionFormat): string {
  let out = '';
  for (const metric of metrics) {
    const type: FamilyType = typeof metric.type === 'string' && KNOWN_TYPES.has(metric.type)
      ? (metric.type as FamilyType)
      : 'untyped';
    out += renderFamilyHeader(metric.name, type, metric.help, format);
    for (const v of metric.values) {
      let sampleName = v.metricName ?? metric.name;
      if (type === 'counter' && !sampleName.endsWith('_total') && format === 'openmetrics') sampleName += '_total';
      out += renderSample(sampleName, v.labels, v.value, format);
    }
  }
  return out;
}
