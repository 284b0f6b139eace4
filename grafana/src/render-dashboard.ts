import { DATASOURCE_REF, type DashboardSpec, type Json, type VariableSpec } from './dashboard-spec.js';
import { layoutRows } from './render-panels.js';

/** Grafana's dashboard schema version the JSON is written for (Grafana 10.4 / 11). */
export const SCHEMA_VERSION = 39;

/** The label_values() query Grafana runs for a query variable. */
export function labelValuesQuery(v: Extract<VariableSpec, { kind: 'query' }>): string {
  return `label_values(${v.selector}, ${v.labelName})`;
}

function renderVariable(v: VariableSpec): Json {
  if (v.kind === 'datasource') {
    return {
      current: {},
      hide: 0,
      includeAll: false,
      label: v.label,
      multi: false,
      name: v.name,
      options: [],
      query: 'prometheus',
      refresh: 1,
      regex: '',
      type: 'datasource',
    };
  }
  const query = labelValuesQuery(v);
  return {
    // "All" is sent as .* rather than an alternation of every value (VDNs can be thousands).
    allValue: '.*',
    current: {},
    datasource: { ...DATASOURCE_REF },
    definition: query,
    hide: 0,
    includeAll: true,
    label: v.label,
    multi: true,
    name: v.name,
    options: [],
    // The classic string form: every Grafana version since 7 reads it (newer ones migrate it).
    query,
    // 2: refresh on time range change, so the lists follow what the exporter currently serves.
    refresh: 2,
    regex: '',
    // 3: numerical ascending (call center, VDN and access code ids are numbers).
    sort: 3,
    type: 'query',
  };
}

/** Renders a dashboard spec to the JSON Grafana imports or provisions. */
export function renderDashboard(spec: DashboardSpec, links: Json[]): Json {
  return {
    annotations: {
      list: [
        {
          builtIn: 1,
          datasource: { type: 'grafana', uid: '-- Grafana --' },
          enable: true,
          hide: true,
          iconColor: 'rgba(0, 211, 255, 1)',
          name: 'Annotations & Alerts',
          type: 'dashboard',
        },
      ],
    },
    description: spec.description,
    editable: true,
    fiscalYearStartMonth: 0,
    graphTooltip: 1,
    id: null,
    links,
    panels: layoutRows(spec.rows),
    refresh: '30s',
    schemaVersion: SCHEMA_VERSION,
    tags: spec.tags,
    templating: { list: spec.variables.map(renderVariable) },
    time: { from: 'now-6h', to: 'now' },
    timepicker: {},
    timezone: 'browser',
    title: spec.title,
    uid: spec.uid,
    version: 1,
  };
}
