import { performance } from 'node:perf_hooks';
import type { Collector } from '../collectors/types.js';
import type { Snapshot } from '../metrics/types.js';

/** One collector of one call center, with its timing. */
export interface ScheduledJob {
  collector: Collector;
  /** Milliseconds between run starts. */
  intervalMs: number;
  /** Delay of the first run after start, ms; staggers collectors so they don't all fire at once. */
  offsetMs: number;
}

/**
 * What one run produced; handed to the RunOutcomeHandler. `startedAtMs`/`finishedAtMs` are on the
 * exporter clock (timestamps); `durationMs` is measured on the monotonic clock, so a stepped
 * wall clock (NTP) or a test's simulated clock does not distort it. Absent: finished - started.
 */
export type RunOutcome =
  | { ok: true; job: ScheduledJob; startedAtMs: number; finishedAtMs: number; durationMs?: number; snapshot: Snapshot }
  | { ok: false; job: ScheduledJob; startedAtMs: number; finishedAtMs: number; durationMs?: number; error: unknown };

export interface SchedulerHooks {
  /**
   * A run finished. A returned promise is part of the run: the job's next tick is skipped until
   * it settles (the outcome handler renders the snapshot, which takes a while at scale).
   */
  onOutcome(outcome: RunOutcome): void | Promise<void>;
  /** A tick found the previous run of the same job still going. */
  onSkip(job: ScheduledJob): void;
  /** A run begins. */
  onStart?(job: ScheduledJob): void;
  /** Exporter clock, epoch ms. */
  now?: () => number;
}

interface JobState {
  job: ScheduledJob;
  running: Promise<void> | null;
  firstTimer: ReturnType<typeof setTimeout> | null;
  interval: ReturnType<typeof setInterval> | null;
}

/**
 * Runs each job on its own interval: first run at `offsetMs` after start, then every `intervalMs`.
 * A run never overlaps the previous run of the same job: such a tick is skipped and reported.
 * stop() clears the timers, aborts runs in flight (their AbortSignal fires) and waits for them.
 * Concurrency towards the CMS is not the scheduler's business: the client's shared limiter owns it.
 */
export class Scheduler {
  private readonly states: JobState[];
  private readonly abort = new AbortController();
  private readonly now: () => number;
  private started = false;

  constructor(
    jobs: readonly ScheduledJob[],
    private readonly hooks: SchedulerHooks,
  ) {
    this.states = jobs.map((job) => ({ job, running: null, firstTimer: null, interval: null }));
    this.now = hooks.now ?? Date.now;
  }

  get jobs(): readonly ScheduledJob[] {
    return this.states.map((s) => s.job);
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    for (const state of this.states) {
      state.firstTimer = setTimeout(() => {
        state.firstTimer = null;
        this.tick(state);
        state.interval = setInterval(() => this.tick(state), state.job.intervalMs);
      }, state.job.offsetMs);
    }
  }

  /** Stops scheduling, aborts runs in flight and resolves once every run has settled. */
  async stop(): Promise<void> {
    for (const state of this.states) {
      if (state.firstTimer) clearTimeout(state.firstTimer);
      if (state.interval) clearInterval(state.interval);
      state.firstTimer = null;
      state.interval = null;
    }
    this.abort.abort();
    await Promise.all(this.states.map((s) => s.running));
  }

  private tick(state: JobState): void {
    if (this.abort.signal.aborted) return;
    if (state.running) {
      this.hooks.onSkip(state.job);
      return;
    }
    state.running = this.run(state.job).finally(() => {
      state.running = null;
    });
  }

  private async run(job: ScheduledJob): Promise<void> {
    const startedAtMs = this.now();
    const started = performance.now();
    this.hooks.onStart?.(job);
    let outcome: RunOutcome;
    try {
      const snapshot = await job.collector.collect(this.abort.signal);
      outcome = { ok: true, job, startedAtMs, finishedAtMs: this.now(), durationMs: performance.now() - started, snapshot };
    } catch (error) {
      outcome = { ok: false, job, startedAtMs, finishedAtMs: this.now(), durationMs: performance.now() - started, error };
    }
    if (this.abort.signal.aborted) return; // shutting down: a half-finished run reports nothing
    await this.hooks.onOutcome(outcome);
  }
}

/**
 * First-run delay of job `index` of `count`: index/count of min(interval, maxSpreadMs), so a restart
 * does not fire every collector at the same instant, while every first run still happens within
 * one interval and within maxSpreadMs of start.
 */
export function staggerOffset(index: number, count: number, intervalMs: number, maxSpreadMs = 2_000): number {
  return count <= 1 ? 0 : Math.round((index * Math.min(intervalMs, maxSpreadMs)) / count);
}
