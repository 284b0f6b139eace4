import { Worker } from 'node:worker_threads';
import { readExposition, type ScrapeSample } from './exposition-sample.js';

/**
 * The load generator: scrape-worker.mjs scrapes /metrics at a fixed rate (20/s) in a worker
 * thread and times each scrape (request sent to last byte read); here, on the main thread,
 * every plain-text body is read and handed to `onSample`, and the figures are kept. The p99
 * target applies to the plain-text scrapes; one in 20 is OpenMetrics + gzip.
 */

export interface ScrapeStats {
  /** Latencies of the plain-text scrapes, ms, and when each was sent (epoch ms). */
  plainMs: number[];
  plainAtMs: number[];
  /** Latencies of the OpenMetrics + gzip scrapes, ms. */
  openMetricsGzipMs: number[];
  /** Scrapes that failed (error, timeout, non-200, unreadable body), with the first reasons. */
  failures: number;
  failureReasons: string[];
  /** Ticks not sent because 4 scrapes were still open (the exporter stalled). */
  skippedTicks: number;
  /** Body lines the sample reader could not read. */
  unreadableLines: number;
}

/** Receives each plain scrape's samples with its send and finish times (epoch ms). */
export type SampleHandler = (startMs: number, endMs: number, sample: ScrapeSample) => void;

type WorkerMessage =
  | { type: 'plain'; startMs: number; ms: number; body: string }
  | { type: 'om'; startMs: number; ms: number }
  | { type: 'fail'; reason: string }
  | { type: 'skip' }
  | { type: 'stopped' };

/** Starts and stops the scrape worker and keeps its figures in `stats`. */
export class ScrapeLoad {
  readonly stats: ScrapeStats = { plainMs: [], plainAtMs: [], openMetricsGzipMs: [], failures: 0, failureReasons: [], skippedTicks: 0, unreadableLines: 0 };
  private worker: Worker | null = null;
  private stopped: Promise<void> = Promise.resolve();

  constructor(
    private readonly url: string,
    private readonly onSample: SampleHandler,
    private readonly perSecond = 20,
  ) {}

  start(): void {
    const worker = new Worker(new URL('./scrape-worker.mjs', import.meta.url), { workerData: { url: this.url, perSecond: this.perSecond } });
    this.worker = worker;
    this.stopped = new Promise((resolve) => {
      worker.on('message', (m: WorkerMessage) => {
        if (m.type === 'stopped') resolve();
        else this.handle(m);
      });
      worker.on('error', (err) => {
        this.fail(`scrape worker: ${err.message}`);
        resolve();
      });
      worker.on('exit', () => resolve());
    });
  }

  /** Stops scraping and waits for the scrapes in flight. */
  async stop(): Promise<void> {
    this.worker?.postMessage('stop');
    await this.stopped;
    await this.worker?.terminate();
    this.worker = null;
  }

  private fail(reason: string): void {
    this.stats.failures++;
    if (this.stats.failureReasons.length < 20) this.stats.failureReasons.push(`${new Date().toISOString()} ${reason}`);
  }

  private handle(m: Exclude<WorkerMessage, { type: 'stopped' }>): void {
    if (m.type === 'fail') return this.fail(m.reason);
    if (m.type === 'skip') {
      this.stats.skippedTicks++;
      return;
    }
    if (m.type === 'om') {
      this.stats.openMetricsGzipMs.push(m.ms);
      return;
    }
    this.stats.plainMs.push(m.ms);
    this.stats.plainAtMs.push(m.startMs);
    const { samples, unreadable } = readExposition(m.body);
    this.stats.unreadableLines += unreadable;
    this.onSample(m.startMs, m.startMs + m.ms, samples);
  }
}
