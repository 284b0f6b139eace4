/**
 * /metrics scrape latency: N sequential GETs over one keep-alive connection, plain and with
 * `Accept-Encoding: gzip`, timed from sending the request to the last body byte. The floor is the
 * same bytes (captured from one scrape of the exporter) served by a bare node:http server in the
 * benchmark process from a Buffer, scraped the same way: what any Node server on this machine
 * pays to move those bytes, so the exporter's own cost is the difference.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { countSeries, Scraper } from './metrics-scraper.js';

/** Warm-up scrapes before each timed series (connection set up, code paths compiled); not counted. */
const WARMUP = 5;

/** Latency figures of one series of scrapes, milliseconds; bytes of one body. */
export interface LatencyFigures {
  scrapes: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  bytes: number;
}

/** Nearest-rank percentile of `values` (0 < q <= 1). */
export function percentile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

async function series(scraper: Scraper, url: string, gzip: boolean, n: number): Promise<LatencyFigures> {
  for (let i = 0; i < WARMUP; i++) await scraper.get(url, gzip, false);
  const ms: number[] = [];
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const r = await scraper.get(url, gzip, false);
    if (r.status !== 200) throw new Error(`GET ${url}: HTTP ${r.status}`);
    ms.push(r.ms);
    bytes = r.bytes;
  }
  return { scrapes: n, p50Ms: round2(percentile(ms, 0.5)), p99Ms: round2(percentile(ms, 0.99)), maxMs: round2(Math.max(...ms)), bytes };
}

/** Serves fixed bodies like /metrics would: `/plain` and `/gzip` (Content-Encoding: gzip). */
async function startFloorServer(plain: Buffer, gzip: Buffer): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const zipped = req.url === '/gzip';
    const body = zipped ? gzip : plain;
    res.writeHead(200, {
      'content-type': 'text/plain; version=0.0.4; charset=utf-8',
      'content-length': body.length,
      ...(zipped ? { 'content-encoding': 'gzip' } : {}),
    });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Everything the scrape figures report. */
export interface ScrapeFigures {
  series: number;
  /** Timed while no collector ran (each series started in a gap long enough for it). */
  betweenRuns: {
    exporter: { plain: LatencyFigures; gzip: LatencyFigures };
    floor: { plain: LatencyFigures; gzip: LatencyFigures };
  };
  /** Timed from just after a run of `collector` started (null when not measured). */
  duringRun: { collector: string; plain: LatencyFigures; gzip: LatencyFigures } | null;
}

/** How the caller times the series: waits for a quiet gap of at least `needMs`, or for a run start. */
export interface ScrapeTiming {
  quietGap(needMs: number): Promise<void>;
  /** null: no series during a run. */
  runStart: { collector: string; wait(): Promise<void> } | null;
}

/**
 * Measures the exporter's /metrics between collector runs and (optionally) during a run, and the
 * in-memory floor with the same bytes, `n` scrapes per series; each series between runs waits
 * for a gap of 1.5 × its expected length (from one untimed scrape) + 0.5 s.
 */
export async function measureScrapes(metricsUrl: string, n: number, timing: ScrapeTiming): Promise<ScrapeFigures> {
  const scraper = new Scraper();
  const floorScraper = new Scraper();
  let floorServer: Awaited<ReturnType<typeof startFloorServer>> | undefined;
  try {
    const plainScrape = await scraper.get(metricsUrl, false);
    const zipped = await scraper.get(metricsUrl, true);
    if (zipped.contentEncoding !== 'gzip') throw new Error('the exporter did not answer Accept-Encoding: gzip with gzip');
    const need = (oneMs: number): number => 1.5 * (n + WARMUP) * oneMs + 500;
    floorServer = await startFloorServer(plainScrape.body, zipped.body);
    const floorUrl = floorServer.url;

    await timing.quietGap(need(plainScrape.ms));
    const plain = await series(scraper, metricsUrl, false, n);
    await timing.quietGap(need(zipped.ms));
    const gzip = await series(scraper, metricsUrl, true, n);
    await timing.quietGap(need(plainScrape.ms + zipped.ms));
    const floor = { plain: await series(floorScraper, `${floorUrl}/plain`, false, n), gzip: await series(floorScraper, `${floorUrl}/gzip`, true, n) };

    let duringRun: ScrapeFigures['duringRun'] = null;
    if (timing.runStart) {
      await timing.runStart.wait();
      const duringPlain = await series(scraper, metricsUrl, false, n);
      await timing.runStart.wait();
      const duringGzip = await series(scraper, metricsUrl, true, n);
      duringRun = { collector: timing.runStart.collector, plain: duringPlain, gzip: duringGzip };
    }
    return { series: countSeries(plainScrape.body), betweenRuns: { exporter: { plain, gzip }, floor }, duringRun };
  } finally {
    scraper.close();
    floorScraper.close();
    await floorServer?.close();
  }
}
