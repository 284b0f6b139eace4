/**
 * Accept / Accept-Encoding handling for /metrics. Prometheus sends e.g.
 * `application/openmetrics-text;version=1.0.0;q=0.5,...,text/plain;version=0.0.4;q=0.3,*\/*;q=0.2`
 * and `Accept-Encoding: gzip`.
 */
import type { MetricsFormat } from './types.js';

interface MediaRange {
  value: string;
  q: number;
}

/** Splits a comma-separated header into lowercase values with their q weights (default 1). */
function parseWeighted(header: string | undefined): MediaRange[] {
  if (!header) return [];
  const out: MediaRange[] = [];
  for (const item of header.split(',')) {
    const [value = '', ...params] = item.split(';').map((p) => p.trim().toLowerCase());
    if (value === '') continue;
    let q = 1;
    for (const param of params) {
      const m = /^q\s*=\s*([0-9.]+)$/.exec(param);
      if (m) q = Number(m[1]);
    }
    out.push({ value, q: Number.isFinite(q) ? q : 0 });
  }
  return out;
}

/**
 * OpenMetrics when the client accepts `application/openmetrics-text` at least as much as the
 * text format; otherwise text 0.0.4 (also for a missing or unparseable Accept).
 */
export function negotiateFormat(accept: string | undefined): MetricsFormat {
  let openMetricsQ = 0;
  let textQ = 0;
  for (const { value, q } of parseWeighted(accept)) {
    if (value === 'application/openmetrics-text') openMetricsQ = Math.max(openMetricsQ, q);
    else if (value === 'text/plain' || value === 'text/*' || value === '*/*') textQ = Math.max(textQ, q);
  }
  return openMetricsQ > 0 && openMetricsQ >= textQ ? 'openmetrics' : 'text';
}

/** Whether the client takes a gzip body (`gzip` or `*` with a q above 0, gzip not refused). */
export function acceptsGzip(acceptEncoding: string | undefined): boolean {
  let gzipQ: number | undefined;
  let anyQ: number | undefined;
  for (const { value, q } of parseWeighted(acceptEncoding)) {
    if (value === 'gzip' || value === 'x-gzip') gzipQ = Math.max(gzipQ ?? 0, q);
    else if (value === '*') anyQ = q;
  }
  return gzipQ !== undefined ? gzipQ > 0 : (anyQ ?? 0) > 0;
}
