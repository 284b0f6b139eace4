import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Scheduler, staggerOffset, type RunOutcome, type ScheduledJob } from '../../src/scheduler/scheduler.js';
import type { Collector } from '../../src/collectors/types.js';

/** A collector whose runs take `durationMs` of (fake) time and record their signals. */
function fakeCollector(durationMs: number, fail = false) {
  const signals: AbortSignal[] = [];
  let runs = 0;
  const collector: Collector = {
    name: 'sysindex',
    ccId: 1,
    collect(signal) {
      runs += 1;
      signals.push(signal);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => (fail ? reject(new Error('boom')) : resolve([])), durationMs);
        signal.addEventListener('abort', () => {
          clearTimeout(t);
          reject(new Error('aborted'));
        });
      });
    },
  };
  return { collector, signals, runs: () => runs };
}

describe('Scheduler', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('runs first at the offset, then once per interval', async () => {
    const f = fakeCollector(10);
    const outcomes: RunOutcome[] = [];
    const s = new Scheduler([{ collector: f.collector, intervalMs: 1_000, offsetMs: 200 }], {
      onOutcome: (o) => {
        outcomes.push(o);
      },
      onSkip: () => {},
    });
    s.start();
    await vi.advanceTimersByTimeAsync(199);
    expect(f.runs()).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(f.runs()).toBe(1);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(f.runs()).toBe(4); // at 0.2, 1.2, 2.2 and 3.2 s
    expect(outcomes.filter((o) => o.ok)).toHaveLength(3); // the fourth is still running
    await vi.advanceTimersByTimeAsync(10);
    expect(outcomes.filter((o) => o.ok)).toHaveLength(4);
    await s.stop();
  });

  it('never overlaps a run of the same job: the tick is skipped and reported', async () => {
    const slow = fakeCollector(2_500);
    const skipped: ScheduledJob[] = [];
    const s = new Scheduler([{ collector: slow.collector, intervalMs: 1_000, offsetMs: 0 }], {
      onOutcome: () => {},
      onSkip: (j) => skipped.push(j),
    });
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(slow.runs()).toBe(1);
    await vi.advanceTimersByTimeAsync(2_000); // ticks at 1000 and 2000 find it running
    expect(slow.runs()).toBe(1);
    expect(skipped).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1_000); // run ended at 2500; tick at 3000 starts a new one
    expect(slow.runs()).toBe(2);
    await s.stop();
  });

  it('counts a slow outcome handler as part of the run: no overlap until it settles', async () => {
    const f = fakeCollector(100);
    const skipped: ScheduledJob[] = [];
    let handled = 0;
    const s = new Scheduler([{ collector: f.collector, intervalMs: 1_000, offsetMs: 0 }], {
      // e.g. rendering a large snapshot: 1.5 s after the collector itself finished
      onOutcome: async () => {
        await new Promise((resolve) => setTimeout(resolve, 1_500));
        handled++;
      },
      onSkip: (j) => skipped.push(j),
    });
    s.start();
    await vi.advanceTimersByTimeAsync(1_000); // run 0-100 ms, handler until 1600: the tick at 1000 is skipped
    expect(f.runs()).toBe(1);
    expect(skipped).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1_000); // the tick at 2000 starts run 2
    expect(handled).toBe(1);
    expect(f.runs()).toBe(2);
    await s.stop();
  });

  it('reports failures as outcomes without stopping the schedule', async () => {
    const f = fakeCollector(5, true);
    const outcomes: RunOutcome[] = [];
    const s = new Scheduler([{ collector: f.collector, intervalMs: 100, offsetMs: 0 }], {
      onOutcome: (o) => {
        outcomes.push(o);
      },
      onSkip: () => {},
    });
    s.start();
    await vi.advanceTimersByTimeAsync(350);
    expect(outcomes.length).toBe(4);
    expect(outcomes.every((o) => !o.ok && (o.error as Error).message === 'boom')).toBe(true);
    await s.stop();
  });

  it('stop() aborts runs in flight, waits for them and schedules nothing more', async () => {
    const f = fakeCollector(60_000);
    const outcomes: RunOutcome[] = [];
    const s = new Scheduler([{ collector: f.collector, intervalMs: 1_000, offsetMs: 0 }], {
      onOutcome: (o) => {
        outcomes.push(o);
      },
      onSkip: () => {},
    });
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(f.signals[0]!.aborted).toBe(false);
    await s.stop();
    expect(f.signals[0]!.aborted).toBe(true);
    expect(outcomes).toHaveLength(0); // an aborted run is not reported as a failure
    await vi.advanceTimersByTimeAsync(10_000);
    expect(f.runs()).toBe(1);
  });

  it('runs jobs independently, each on its own interval', async () => {
    const a = fakeCollector(1);
    const b = fakeCollector(1);
    const s = new Scheduler(
      [
        { collector: a.collector, intervalMs: 1_000, offsetMs: 0 },
        { collector: b.collector, intervalMs: 3_000, offsetMs: 500 },
      ],
      { onOutcome: () => {}, onSkip: () => {} },
    );
    s.start();
    await vi.advanceTimersByTimeAsync(6_100);
    expect(a.runs()).toBe(7); // 0,1,...,6 s
    expect(b.runs()).toBe(2); // at 0.5 s and 3.5 s; the next is due at 6.5 s
    await s.stop();
  });
});

describe('staggerOffset', () => {
  it('spreads first runs over min(interval, spread), starting at 0', () => {
    expect(staggerOffset(0, 1, 60_000)).toBe(0);
    expect([0, 1, 2, 3].map((i) => staggerOffset(i, 4, 60_000, 2_000))).toEqual([0, 500, 1000, 1500]);
    expect([0, 1, 2, 3].map((i) => staggerOffset(i, 4, 1_000, 2_000))).toEqual([0, 250, 500, 750]);
    expect(staggerOffset(99, 100, 60_000)).toBeLessThan(2_000);
  });
});
