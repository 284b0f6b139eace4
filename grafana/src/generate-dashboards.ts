/**
 * Writes grafana/dashboards/*.json from the dashboard specs. Run after changing grafana/src/:
 *   npx tsx grafana/src/generate-dashboards.ts
 * test/unit/grafana-dashboards.test.ts fails while the committed JSON differs from what this renders.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { DashboardSpec, Json } from './dashboard-spec.js';
import { listDashboardQueries, type DashboardQuery, type TemplateValues } from './dashboard-queries.js';
import { exporterDashboard } from './exporter-dashboard.js';
import { overviewDashboard } from './overview-dashboard.js';
import { renderDashboard } from './render-dashboard.js';

export type { DashboardQuery, TemplateValues } from './dashboard-queries.js';
export { DEFAULT_TEMPLATE_VALUES, substituteVariables } from './dashboard-queries.js';

/** Every dashboard, in the order of the files. */
export const DASHBOARDS: readonly DashboardSpec[] = [overviewDashboard, exporterDashboard];

/** grafana/dashboards/, where the provisioning provider (grafana/provisioning/dashboards/) loads from. */
export const DASHBOARDS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'dashboards');

/** Links from each dashboard to the others (by tag, so they survive uid changes). */
const LINKS: Json[] = [
  { asDropdown: false, icon: 'external link', includeVars: false, keepTime: true, tags: ['aicc'], targetBlank: false, title: 'AICC', type: 'dashboards' },
];

/** The file name and exact text (2-space JSON, trailing newline) of every dashboard. */
export function renderDashboardFiles(): Array<{ fileName: string; text: string }> {
  return DASHBOARDS.map((d) => ({ fileName: d.fileName, text: `${JSON.stringify(renderDashboard(d, LINKS), null, 2)}\n` }));
}

/**
 * Every panel expression and template-variable query of every dashboard with the variables
 * replaced by `values` (regexes; default '.*', and '1m' for $__rate_interval). For the e2e test:
 * each query not marked `mayBeEmpty` must return data from a Prometheus scraping the exporter.
 */
export function listAllDashboardQueries(values: Partial<TemplateValues> = {}): DashboardQuery[] {
  return listDashboardQueries(DASHBOARDS, values);
}

/** Writes the files into `dir` (default grafana/dashboards/); returns their paths. */
export async function writeDashboardFiles(dir: string = DASHBOARDS_DIR): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const paths: string[] = [];
  for (const { fileName, text } of renderDashboardFiles()) {
    const path = join(dir, fileName);
    await writeFile(path, text, 'utf8');
    paths.push(path);
  }
  return paths;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  for (const path of await writeDashboardFiles()) console.log(`wrote ${path}`);
}
