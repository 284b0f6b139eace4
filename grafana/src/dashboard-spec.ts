/**
 * The typed description of a dashboard from which the Grafana JSON is rendered
 * (render-dashboard.ts) and from which the query list for tests is taken (dashboard-queries.ts).
 * Only what these dashboards use is modelled.
 */

/** A Grafana unit id. Seconds, ratios (0-1 shown as %), counts, and the few rates and sizes used. */
export type Unit = 's' | 'percentunit' | 'short' | 'cpm' | 'reqps' | 'bytes' | 'none';

/** JSON as written to the dashboard files. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** One PromQL query of a panel. `$name` / `${name}` refer to template variables. */
export interface QuerySpec {
  expr: string;
  /** Legend template, e.g. `{{cc_id}}/{{vdn}}`. */
  legend?: string;
  /** Instant query in table format (table panels); otherwise a range query. */
  instant?: boolean;
  /**
   * Why this query may legitimately return nothing (e.g. "no failed request"); absent: it must
   * return data whenever the exporter runs with every collector enabled and the rules loaded.
   */
  mayBeEmpty?: string;
  /** Drawn as a dashed line (thresholds, intervals). */
  dashed?: boolean;
}

/** A rename and unit of one column of a table panel (`Value #A` etc. or a label). */
export interface TableColumn {
  field: string;
  title: string;
  unit?: Unit;
}

export interface PanelSpec {
  kind: 'timeseries' | 'stat' | 'table' | 'state-timeline';
  title: string;
  description: string;
  unit: Unit;
  queries: QuerySpec[];
  /** Grid width, 1-24. */
  width: number;
  /** Grid height; default 8 (4 for stats). */
  height?: number;
  /** Stack series (timeseries). */
  stacked?: boolean;
  /** Bars instead of lines (timeseries). */
  bars?: boolean;
  min?: number;
  max?: number;
  /** Value texts, e.g. {0: 'down', 1: 'up'} (stat, state-timeline). */
  valueText?: Record<number, { text: string; color: string }>;
  /** Stat shows series names instead of values (build info). */
  statShowsName?: boolean;
  /** Table panels: columns kept, in order, with their titles and units; the rest is hidden. */
  columns?: TableColumn[];
  /** Table panels: column title to sort by, descending. */
  sortBy?: string;
}

export interface RowSpec {
  title: string;
  panels: PanelSpec[];
}

/** A template variable: the data source picker, or a label_values() query variable. */
export type VariableSpec =
  | { kind: 'datasource'; name: string; label: string }
  | {
      kind: 'query';
      name: string;
      label: string;
      /** Series selector given to label_values(); may reference earlier variables (chaining). */
      selector: string;
      /** The label whose values are listed. */
      labelName: string;
    };

export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  /** File name under grafana/dashboards/. */
  fileName: string;
  tags: string[];
  variables: VariableSpec[];
  rows: RowSpec[];
}

/** The template variable every panel's data source refers to; no data source UID is hard-coded. */
export const DATASOURCE_REF = { type: 'prometheus', uid: '${datasource}' } as const;

/** The code of aicc_api_requests_total for a successful CMS request (the exporter normalizes every success to it). */
export const SUCCESS_CODE = '0100000';
