import { isCmsError } from '../cms/errors.js';
import type { CollectorName } from '../collectors/types.js';
import type { Logger } from '../log.js';
import type { Snapshot } from '../metrics/types.js';
import type { PreparedSnapshot } from '../metrics/snapshot-store.js';
import type { RunOutcome, ScheduledJob } from './scheduler.js';

/** Where successful snapshots go (the metrics layer's snapshot store). */
export interface SnapshotSink {
  /** Checks and renders a snapshot without serving it; rejects when it cannot be served. */
  prepare(snapshot: Snapshot): Promise<PreparedSnapshot>;
  /** Serves a prepared snapshot under `key`; throws when it conflicts with another key's. */
  swap(key: string, prepared: PreparedSnapshot): void;
  delete(key: string): void;
}

/** The self-metrics a run outcome updates (aicc_up, durations, last success, skips). */
export interface RunMetricsSink {
  recordRun(ccId: number, collector: CollectorName, run: { ok: boolean; durationSeconds: number; finishedAtMs: number }): void;
  recordSkip(ccId: number, collector: CollectorName): void;
  removeCollector(ccId: number, collector: CollectorName): void;
  trackCollector(ccId: number, collector: CollectorName, intervalSeconds: number): void;
}

/** What the landing page and /-/ready see of one job. */
export interface CollectorStatus {
  collector: CollectorName;
  ccId: number;
  intervalSeconds: number;
  lastRunAt?: number;
  lastSuccessAt?: number;
  /** Short error text of the last failed run; cleared by a success. Never contains secrets (CmsError). */
  lastError?: string;
  /** True while the last snapshot is still served (not yet dropped as stale). */
  serving: boolean;
  /** True while a run is in flight. */
  running: boolean;
}

interface JobBook {
  status: CollectorStatus;
  /**
   * Set when a reload took some of the job's VDNs, access codes or agents away: the served
   * snapshot still holds them, so if the next run fails it is dropped rather than served on.
   */
  shrunk: boolean;
  staleTimer: ReturnType<typeof setTimeout> | null;
  /** Signature of the last failure logged, so an identical failure is not logged every interval. */
  lastLoggedFailure: string | null;
}

/** The snapshot store key of a job. */
export function snapshotKey(collector: CollectorName, ccId: number): string {
  return `${collector}:${ccId}`;
}

function describeFailure(error: unknown): { signature: string; text: string; fields: Record<string, unknown> } {
  if (isCmsError(error)) {
    return {
      signature: `${error.code}|${error.endpoint}|${error.httpStatus ?? ''}|${error.resultCode ?? ''}`,
      text: error.message,
      fields: error.toLogObject(),
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { signature: `other|${message}`, text: message, fields: { message } };
}

/**
 * Turns run outcomes into served state: a success swaps its snapshot in whole and (re)arms the
 * stale timer; a failure keeps the previous snapshot until `staleAfterIntervals` intervals after
 * the last success, then drops it, so no value older than that is ever served as current.
 * Failures are logged once per distinct cause (a warning naming collector, call center,
 * endpoint, HTTP status and resultCode); a recovery is logged once at info.
 */
export class RunOutcomeBook {
  private readonly books = new Map<string, JobBook>();

  constructor(
    private readonly deps: {
      snapshots: SnapshotSink;
      metrics: RunMetricsSink;
      logger: Logger;
      staleAfterIntervals: (collector: CollectorName) => number;
    },
  ) {}

  /** Registers the jobs that are expected to report (for readiness and the landing page). */
  track(jobs: readonly ScheduledJob[]): void {
    for (const job of jobs) {
      const key = snapshotKey(job.collector.name, job.collector.ccId);
      this.deps.metrics.trackCollector(job.collector.ccId, job.collector.name, job.intervalMs / 1000);
      if (this.books.has(key)) {
        this.books.get(key)!.status.intervalSeconds = job.intervalMs / 1000;
        continue;
      }
      this.books.set(key, {
        status: { collector: job.collector.name, ccId: job.collector.ccId, intervalSeconds: job.intervalMs / 1000, serving: false, running: false },
        staleTimer: null,
        lastLoggedFailure: null,
        shrunk: false,
      });
    }
  }

  /** Forgets a job that left the configuration: its series and self-metrics leave /metrics now. */
  untrack(collector: CollectorName, ccId: number): void {
    const key = snapshotKey(collector, ccId);
    const book = this.books.get(key);
    if (!book) return;
    if (book.staleTimer) clearTimeout(book.staleTimer);
    this.books.delete(key);
    this.deps.snapshots.delete(key);
    this.deps.metrics.removeCollector(ccId, collector);
  }

  /** Keys of every tracked job. */
  keys(): string[] {
    return [...this.books.keys()];
  }

  /**
   * A reload removed part of what the job covers. Its next success replaces the snapshot; if its
   * next run fails, the snapshot (removed series included) is dropped at once instead of being
   * served up to the stale limit.
   */
  markShrunk(collector: CollectorName, ccId: number): void {
    const book = this.books.get(snapshotKey(collector, ccId));
    if (book) book.shrunk = true;
  }

  /** A run started (for the landing page). */
  recordStart(job: ScheduledJob): void {
    const book = this.books.get(snapshotKey(job.collector.name, job.collector.ccId));
    if (book) book.status.running = true;
  }

  /**
   * Books a finished run. A success's snapshot is rendered first (asynchronously, see
   * SnapshotStore.prepare) and then swapped in; the returned promise settles once that is done.
   */
  async record(given: RunOutcome): Promise<void> {
    const { name, ccId } = given.job.collector;
    const key = snapshotKey(name, ccId);
    const book = this.books.get(key);
    if (!book) return; // untracked while it ran (reload)
    const outcome = await this.swapIn(key, book, given);
    if (outcome === null) return; // untracked while its snapshot was rendered
    book.status.running = false;
    const durationSeconds = Math.max(0, (outcome.durationMs ?? outcome.finishedAtMs - outcome.startedAtMs) / 1000);
    book.status.lastRunAt = outcome.finishedAtMs;
    this.deps.metrics.recordRun(ccId, name, { ok: outcome.ok, durationSeconds, finishedAtMs: outcome.finishedAtMs });

    if (outcome.ok) {
      book.shrunk = false;
      book.status.lastSuccessAt = outcome.finishedAtMs;
      book.status.lastError = undefined;
      book.status.serving = true;
      this.armStaleTimer(key, book, outcome.job);
      if (book.lastLoggedFailure !== null) {
        this.deps.logger.info({ collector: name, ccId }, 'collector recovered');
        book.lastLoggedFailure = null;
      }
      return;
    }

    if (book.shrunk) this.drop(key, book, 'the first run after a reload that removed some of them failed');
    const failure = describeFailure(outcome.error);
    book.status.lastError = failure.text;
    if (failure.signature !== book.lastLoggedFailure) {
      book.lastLoggedFailure = failure.signature;
      this.deps.logger.warn({ collector: name, ccId, err: failure.fields }, `collector run failed: ${failure.text}`);
    }
  }

  /**
   * Renders a successful run's snapshot and swaps it in; a snapshot the store refuses turns the
   * run into a failure. Null when the job was untracked (a reload) while the snapshot rendered.
   */
  private async swapIn(key: string, book: JobBook, outcome: RunOutcome): Promise<RunOutcome | null> {
    if (!outcome.ok) return outcome;
    let error: unknown;
    try {
      const prepared = await this.deps.snapshots.prepare(outcome.snapshot);
      if (this.books.get(key) !== book) return null;
      this.deps.snapshots.swap(key, prepared);
      return outcome;
    } catch (refused) {
      if (this.books.get(key) !== book) return null;
      error = refused;
    }
    const { job, startedAtMs, finishedAtMs, durationMs } = outcome;
    return { ok: false, job, startedAtMs, finishedAtMs, durationMs, error };
  }

  recordSkip(job: ScheduledJob): void {
    this.deps.metrics.recordSkip(job.collector.ccId, job.collector.name);
  }

  /** True once every tracked job has finished its first run, whatever its outcome. */
  ready(): boolean {
    for (const book of this.books.values()) if (book.status.lastRunAt === undefined) return false;
    return true;
  }

  statuses(): CollectorStatus[] {
    return [...this.books.values()].map((b) => ({ ...b.status }));
  }

  /** Clears every timer (shutdown). */
  close(): void {
    for (const book of this.books.values()) {
      if (book.staleTimer) clearTimeout(book.staleTimer);
      book.staleTimer = null;
    }
  }

  private armStaleTimer(key: string, book: JobBook, job: ScheduledJob): void {
    if (book.staleTimer) clearTimeout(book.staleTimer);
    const limitMs = this.deps.staleAfterIntervals(job.collector.name) * job.intervalMs;
    book.staleTimer = setTimeout(
      () => this.drop(key, book, 'no successful run within the stale limit', { staleAfterSeconds: limitMs / 1000 }),
      limitMs,
    );
    book.staleTimer.unref?.();
  }

  /** Stops serving a job's snapshot; `aicc_up` (already 0) tells why its series are gone. */
  private drop(key: string, book: JobBook, reason: string, fields: Record<string, unknown> = {}): void {
    if (book.staleTimer) clearTimeout(book.staleTimer);
    book.staleTimer = null;
    book.shrunk = false;
    if (!book.status.serving) return;
    book.status.serving = false;
    this.deps.snapshots.delete(key);
    this.deps.logger.warn({ collector: book.status.collector, ccId: book.status.ccId, ...fields }, `collector series dropped: ${reason}`);
  }
}
