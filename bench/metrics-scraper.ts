/**
 * Scraping /metrics from the benchmark: one keep-alive HTTP connection (like Prometheus), the
 * body kept as raw bytes (gzip bodies are not decompressed: the time measured ends at the last
 * byte received), and a small text-format parser for the samples the benchmark reads.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';

/** One GET: the status, body bytes (empty unless kept) and ms from sending to the last body byte. */
export interface ScrapeResult {
  status: number;
  /** The raw body (still compressed for gzip); empty when the scrape only counted bytes. */
  body: Buffer;
  bytes: number;
  ms: number;
  contentEncoding: string | undefined;
}

/** Sequential scrapes over one keep-alive connection per scraper. */
export class Scraper {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

  /** GETs `url`; `gzip` sends `Accept-Encoding: gzip`. `keepBody: false` only counts the bytes. */
  get(url: string, gzip: boolean, keepBody = true): Promise<ScrapeResult> {
    return new Promise((resolve, reject) => {
      const started = performance.now();
      const headers = { 'accept-encoding': gzip ? 'gzip' : 'identity', accept: 'text/plain' };
      const req = http.get(url, { agent: this.agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        let bytes = 0;
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          if (keepBody) chunks.push(chunk);
        });
        res.on('end', () => {
          const ms = performance.now() - started;
          const body = keepBody ? Buffer.concat(chunks) : Buffer.alloc(0);
          resolve({ status: res.statusCode ?? 0, body, bytes, ms, contentEncoding: res.headers['content-encoding'] });
        });
        res.on('error', reject);
      });
      req.setTimeout(60_000, () => req.destroy(new Error(`GET ${url}: no answer within 60 s`)));
      req.on('error', reject);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** One sample of the text exposition format. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Parses the sample lines of `text` (comments skipped); `keep` filters by metric name first. */
export function parseSamples(text: string, keep: (name: string) => boolean = () => true): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = LINE.exec(line);
    if (!m || !keep(m[1]!)) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(LABEL)) labels[l[1]!] = l[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

/**
 * The exporter's own samples (aicc_up ... process_* / nodejs_*), which it serves last, after the
 * vendor series: only the tail from `# HELP aicc_up` is decoded, so polling a body of 250,000
 * vendor series stays cheap.
 */
export function selfSamples(body: Buffer): Sample[] {
  const start = Math.max(0, body.lastIndexOf('# HELP aicc_up '));
  return parseSamples(body.subarray(start).toString('utf8'));
}

/** Sum of the samples named `name` whose labels include `match`. */
export function sumOf(samples: readonly Sample[], name: string, match: Record<string, string> = {}): number {
  let total = 0;
  for (const s of samples) {
    if (s.name !== name) continue;
    if (Object.entries(match).every(([k, v]) => s.labels[k] === v)) total += s.value;
  }
  return total;
}

/** Number of sample lines (series) in a plain text body. */
export function countSeries(body: Buffer): number {
  let n = 0;
  let lineStart = 0;
  for (;;) {
    const nl = body.indexOf(10, lineStart);
    const end = nl === -1 ? body.length : nl;
    if (end > lineStart && body[lineStart] !== 35 /* # */) n++;
    if (nl === -1) return n;
    lineStart = nl + 1;
  }
}
