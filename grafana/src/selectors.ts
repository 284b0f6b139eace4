import type { VariableSpec } from './dashboard-spec.js';

/** Label matchers on template variables: `{label}=~"$label"` for each given label (the variable has the label's name). */
export function byVariables(...labels: string[]): string[] {
  return labels.map((l) => `${l}=~"$${l}"`);
}

/** A series selector: `metric{m1, m2}`. */
export function sel(metric: string, matchers: readonly string[]): string {
  return matchers.length === 0 ? metric : `${metric}{${matchers.join(', ')}}`;
}

/** The data source picker, limited to Prometheus data sources. */
export const datasourceVariable: VariableSpec = { kind: 'datasource', name: 'datasource', label: 'Data source' };

/** The scrape job(s) of the exporter, found from its build info (whatever the job is named). */
export const jobVariable: VariableSpec = {
  kind: 'query',
  name: 'job',
  label: 'Job',
  selector: 'aicc_exporter_build_info',
  labelName: 'job',
};
