/**
 * The HTML page on `/`: links to the endpoints and one row per collector × call center. Every
 * value shown is HTML-escaped; the page shows only what StatusSource gives (no configuration).
 */
import type { CollectorStatus } from './types.js';

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes `&<>"'` so any text is safe in element content and quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/** Longest error text shown per row; the rest is cut (the logs have it). */
const MAX_ERROR_CHARS = 500;

function when(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '—';
  return escapeHtml(new Date(ms).toISOString());
}

function row(c: CollectorStatus): string {
  const error = c.lastError === undefined ? '' : c.lastError.slice(0, MAX_ERROR_CHARS);
  const cells = [
    escapeHtml(c.collector),
    escapeHtml(String(c.ccId)),
    c.running ? 'running' : 'idle',
    when(c.lastRunAt),
    when(c.lastSuccessAt),
    escapeHtml(error),
  ];
  return `<tr>${cells.map((cell) => `<td>${cell}</td>`).join('')}</tr>`;
}

/** The landing page; links are relative so the page also works behind a path prefix. */
export function renderLandingPage(collectors: readonly CollectorStatus[], version?: string): string {
  const rows = [...collectors]
    .sort((a, b) => a.ccId - b.ccId || a.collector.localeCompare(b.collector))
    .map(row)
    .join('\n');
  const versionLine = version === undefined ? '' : `<p>Version ${escapeHtml(version)}</p>\n`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>AICC Exporter</title>
<style>
body { font-family: sans-serif; margin: 2em; }
table { border-collapse: collapse; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }
</style>
</head>
<body>
<h1>AICC Exporter</h1>
<p>Prometheus exporter for the monitoring OpenAPI of Huawei AICC CC-CMS.</p>
${versionLine}<ul>
<li><a href="./metrics">Metrics</a></li>
<li><a href="./-/healthy">Health</a></li>
<li><a href="./-/ready">Readiness</a></li>
</ul>
<h2>Collectors</h2>
<table>
<thead><tr><th>Collector</th><th>Call center</th><th>State</th><th>Last run</th><th>Last success</th><th>Last error</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
</body>
</html>
`;
}
