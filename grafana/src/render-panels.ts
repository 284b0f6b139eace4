import { DATASOURCE_REF, type Json, type PanelSpec, type QuerySpec, type RowSpec } from './dashboard-spec.js';

/** Grafana's grid is 24 columns wide. */
const GRID_WIDTH = 24;

const REF_IDS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** The refId of the n-th query of a panel (A, B, ...). */
export function refIdOf(index: number): string {
  const id = REF_IDS[index];
  if (id === undefined) throw new Error(`a panel has at most ${REF_IDS.length} queries`);
  return id;
}

function renderTarget(q: QuerySpec, index: number): Json {
  return {
    datasource: { ...DATASOURCE_REF },
    editorMode: 'code',
    expr: q.expr,
    format: q.instant ? 'table' : 'time_series',
    instant: q.instant ?? false,
    legendFormat: q.legend ?? '__auto',
    range: !q.instant,
    refId: refIdOf(index),
  };
}

function thresholdsOf(): Json {
  return { mode: 'absolute', steps: [{ color: 'green', value: null }] };
}

function mappingsOf(p: PanelSpec): Json[] {
  if (!p.valueText) return [];
  const options: Record<string, Json> = {};
  for (const [value, { text, color }] of Object.entries(p.valueText)) {
    options[value] = { color, index: Object.keys(options).length, text };
  }
  return [{ type: 'value', options }];
}

function customOf(p: PanelSpec): Json {
  if (p.kind === 'timeseries') {
    return {
      drawStyle: p.bars ? 'bars' : 'line',
      fillOpacity: p.stacked ? 60 : p.bars ? 80 : 10,
      lineWidth: 1,
      showPoints: 'never',
      spanNulls: false,
      stacking: { group: 'A', mode: p.stacked ? 'normal' : 'none' },
    };
  }
  if (p.kind === 'state-timeline') return { fillOpacity: 80, lineWidth: 0 };
  if (p.kind === 'table') return { align: 'auto', cellOptions: { type: 'auto' } };
  return {};
}

function overridesOf(p: PanelSpec): Json[] {
  const overrides: Json[] = [];
  p.queries.forEach((q, i) => {
    if (!q.dashed) return;
    overrides.push({
      matcher: { id: 'byFrameRefID', options: refIdOf(i) },
      properties: [
        { id: 'custom.lineStyle', value: { dash: [10, 10], fill: 'dash' } },
        { id: 'custom.fillOpacity', value: 0 },
        { id: 'custom.stacking', value: { group: 'A', mode: 'none' } },
      ],
    });
  });
  for (const c of p.columns ?? []) {
    if (c.unit) overrides.push({ matcher: { id: 'byName', options: c.title }, properties: [{ id: 'unit', value: c.unit }] });
  }
  return overrides;
}

function fieldConfigOf(p: PanelSpec): Json {
  const defaults: Record<string, Json> = {
    color: { mode: p.kind === 'stat' ? 'thresholds' : 'palette-classic' },
    custom: customOf(p),
    mappings: mappingsOf(p),
    thresholds: thresholdsOf(),
    unit: p.unit,
  };
  if (p.min !== undefined) defaults['min'] = p.min;
  if (p.max !== undefined) defaults['max'] = p.max;
  return { defaults, overrides: overridesOf(p) };
}

function optionsOf(p: PanelSpec): Json {
  const legend = { calcs: ['lastNotNull', 'max'], displayMode: 'table', placement: 'bottom', showLegend: true };
  switch (p.kind) {
    case 'timeseries':
      return { legend, tooltip: { mode: 'multi', sort: 'desc' } };
    case 'state-timeline':
      return { alignValue: 'left', legend: { displayMode: 'list', placement: 'bottom', showLegend: true }, mergeValues: true, rowHeight: 0.9, showValue: 'auto', tooltip: { mode: 'single', sort: 'none' } };
    case 'stat':
      return {
        colorMode: 'value',
        graphMode: p.statShowsName ? 'none' : 'area',
        justifyMode: 'auto',
        orientation: 'auto',
        reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
        textMode: p.statShowsName ? 'name' : 'auto',
      };
    case 'table':
      return {
        cellHeight: 'sm',
        footer: { countRows: false, fields: '', reducer: ['sum'], show: false },
        showHeader: true,
        sortBy: p.sortBy ? [{ desc: true, displayName: p.sortBy }] : [],
      };
  }
}

/** Table panels: merge the instant queries on their labels, keep and rename the listed columns. */
function transformationsOf(p: PanelSpec): Json[] {
  if (p.kind !== 'table' || !p.columns) return [];
  const indexByName: Record<string, Json> = {};
  const renameByName: Record<string, Json> = {};
  p.columns.forEach((c, i) => {
    indexByName[c.field] = i;
    renameByName[c.field] = c.title;
  });
  return [
    { id: 'merge', options: {} },
    { id: 'filterFieldsByName', options: { include: { names: p.columns.map((c) => c.field) } } },
    { id: 'organize', options: { excludeByName: {}, indexByName, renameByName } },
  ];
}

/** Renders one panel at the given grid position. */
export function renderPanel(p: PanelSpec, id: number, x: number, y: number): Json {
  return {
    datasource: { ...DATASOURCE_REF },
    description: p.description,
    fieldConfig: fieldConfigOf(p),
    gridPos: { h: p.height ?? (p.kind === 'stat' ? 4 : 8), w: p.width, x, y },
    id,
    options: optionsOf(p),
    targets: p.queries.map(renderTarget),
    title: p.title,
    transformations: transformationsOf(p),
    type: p.kind,
  };
}

/**
 * Lays rows out top to bottom: each row header is one grid unit high, its panels flow left to
 * right and wrap at 24 columns. Panel ids are 1, 2, ... in layout order (row headers included).
 */
export function layoutRows(rows: readonly RowSpec[]): Json[] {
  const out: Json[] = [];
  let id = 1;
  let y = 0;
  for (const row of rows) {
    out.push({ collapsed: false, gridPos: { h: 1, w: GRID_WIDTH, x: 0, y }, id: id++, panels: [], title: row.title, type: 'row' });
    y += 1;
    let x = 0;
    let lineHeight = 0;
    for (const p of row.panels) {
      if (p.width < 1 || p.width > GRID_WIDTH) throw new Error(`panel "${p.title}": width ${p.width} is not 1-24`);
      const h = p.height ?? (p.kind === 'stat' ? 4 : 8);
      if (x + p.width > GRID_WIDTH) {
        y += lineHeight;
        x = 0;
        lineHeight = 0;
      }
      out.push(renderPanel(p, id++, x, y));
      x += p.width;
      lineHeight = Math.max(lineHeight, h);
    }
    y += lineHeight;
  }
  return out;
}
