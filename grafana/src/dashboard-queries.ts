import type { DashboardSpec } from './dashboard-spec.js';
import { labelValuesQuery } from './render-dashboard.js';
import { refIdOf } from './render-panels.js';

/**
 * Values put in place of the template variables. Each is used inside `=~"..."`, so a regex:
 * '.*' (the "All" value) or one value such as '1'. The `__*` ones are Grafana's built-ins.
 */
export interface TemplateValues {
  job: string;
  instance: string;
  cc_id: string;
  vdn: string;
  access_code: string;
  collector: string;
  /** Range of rate()/increase() over raw counters; must hold two scrapes, e.g. '1m'. */
  __rate_interval: string;
}

export const DEFAULT_TEMPLATE_VALUES: TemplateValues = {
  job: '.*',
  instance: '.*',
  cc_id: '.*',
  vdn: '.*',
  access_code: '.*',
  collector: '.*',
  __rate_interval: '1m',
};

/** One PromQL query a dashboard runs, ready for the Prometheus HTTP API. */
export interface DashboardQuery {
  /** Dashboard uid. */
  dashboard: string;
  /** `panel` for a panel target, `variable` for a template variable's label_values(). */
  kind: 'panel' | 'variable';
  /** Panel title, or the variable's name. */
  source: string;
  /** Panel targets: A, B, ...; variables: the variable name. */
  refId: string;
  /** The query as written in the dashboard (label_values(...) for variables). */
  raw: string;
  /**
   * PromQL with the variables substituted. For a variable: `count by (<label>) (<selector>)`,
   * which returns one series per value label_values() would list.
   */
  expr: string;
  /** Table panels run instant queries; the rest range queries (an instant query at the end of the range returns the same series). */
  instant: boolean;
  /** Set when the query may legitimately return no data, with the reason. */
  mayBeEmpty?: string;
}

/** Replaces `$name` and `${name}` by `values[name]`; throws on a variable without a value. */
export function substituteVariables(text: string, values: TemplateValues): string {
  return text.replace(/\$\{(\w+)\}|\$(\w+)/g, (_m, braced: string | undefined, bare: string | undefined) => {
    const name = (braced ?? bare) as keyof TemplateValues;
    const value = values[name];
    if (value === undefined) throw new Error(`no value for template variable $${String(name)}`);
    return value;
  });
}

/**
 * Every panel expression and every template-variable query of the given dashboards, with the
 * variables substituted: for tests that run each against a Prometheus and expect data.
 */
export function listDashboardQueries(dashboards: readonly DashboardSpec[], values: Partial<TemplateValues> = {}): DashboardQuery[] {
  const all: TemplateValues = { ...DEFAULT_TEMPLATE_VALUES, ...values };
  const out: DashboardQuery[] = [];
  for (const d of dashboards) {
    for (const v of d.variables) {
      if (v.kind !== 'query') continue;
      out.push({
        dashboard: d.uid,
        kind: 'variable',
        source: v.name,
        refId: v.name,
        raw: labelValuesQuery(v),
        expr: substituteVariables(`count by (${v.labelName}) (${v.selector})`, all),
        instant: true,
      });
    }
    for (const row of d.rows) {
      for (const p of row.panels) {
        p.queries.forEach((q, i) => {
          const entry: DashboardQuery = {
            dashboard: d.uid,
            kind: 'panel',
            source: p.title,
            refId: refIdOf(i),
            raw: q.expr,
            expr: substituteVariables(q.expr, all),
            instant: q.instant ?? false,
          };
          if (q.mayBeEmpty !== undefined) entry.mayBeEmpty = q.mayBeEmpty;
          out.push(entry);
        });
      }
    }
  }
  return out;
}
