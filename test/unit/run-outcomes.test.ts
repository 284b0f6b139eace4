import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RunOutcomeBook, snapshotKey } from '../../src/scheduler/run-outcomes.js';
import type { ScheduledJob } from '../../src/scheduler/scheduler.js';
import { CmsHttpError, CmsResultError } from '../../src/cms/errors.js';
import type { Snapshot } from '../../src/metrics/types.js';
import { PreparedSnapshot } from '../../src/metrics/snapshot-store.js';
import { ExpositionError } from '../../src/metrics/exposition-error.js';
import { captureLogger } from '../helpers/capture-logger.js';

const prepared = new WeakMap<PreparedSnapshot, Snapshot>();
const refuse: Snapshot = [];

function setup() {
  const served = new Map<string, Snapshot>();
  const runs: Array<{ ok: boolean }> = [];
  const removed: string[] = [];
  const log = captureLogger();
  const book = new RunOutcomeBook({
    snapshots: {
      // The book's contract with the store: prepare first, swap later; `refuse` makes prepare fail.
      prepare: async (s) => {
        if (s === refuse) throw new ExpositionError('INVALID_FAMILY', "metric family 'x': refused");
        const p = new PreparedSnapshot(new Map());
        prepared.set(p, s);
        return p;
      },
      swap: (k, p) => served.set(k, prepared.get(p)!),
      delete: (k) => served.delete(k),
    },
    metrics: {
      recordRun: (_cc, _c, r) => runs.push(r),
      recordSkip: () => {},
      removeCollector: (cc, c) => removed.push(`${c}:${cc}`),
      trackCollector: () => {},
    },
    logger: log.logger,
    staleAfterIntervals: () => 3,
  });
  const job: ScheduledJob = {
    collector: { name: 'access_codes', ccId: 7, collect: async () => [] },
    intervalMs: 1_000,
    offsetMs: 0,
  };
  book.track([job]);
  return { book, job, served, runs, removed, log };
}

const snap: Snapshot = [{ name: 'x', type: 'gauge', help: 'h', labelNames: [], labelValues: [], values: [1] }];

describe('RunOutcomeBook', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('is ready only once every tracked job finished a first run, failed or not', async () => {
    const { book, job } = setup();
    expect(book.ready()).toBe(false);
    await book.record({ ok: false, job, startedAtMs: 0, finishedAtMs: 5, error: new Error('x') });
    expect(book.ready()).toBe(true);
  });

  it('keeps the last snapshot while failing, drops it after staleAfterIntervals intervals', async () => {
    const { book, job, served } = setup();
    const key = snapshotKey('access_codes', 7);
    await book.record({ ok: true, job, startedAtMs: 0, finishedAtMs: 10, snapshot: snap });
    expect(served.get(key)).toBe(snap);
    await book.record({ ok: false, job, startedAtMs: 1000, finishedAtMs: 1010, error: new CmsHttpError('access_code_call_info', 503) });
    await vi.advanceTimersByTimeAsync(2_999);
    expect(served.has(key)).toBe(true);
    await vi.advanceTimersByTimeAsync(1);
    expect(served.has(key)).toBe(false);
    expect(book.statuses()[0]).toMatchObject({ serving: false, lastError: 'access_code_call_info: HTTP 503' });
  });

  it('a success re-arms the stale limit', async () => {
    const { book, job, served } = setup();
    await book.record({ ok: true, job, startedAtMs: 0, finishedAtMs: 0, snapshot: snap });
    await vi.advanceTimersByTimeAsync(2_500);
    await book.record({ ok: true, job, startedAtMs: 0, finishedAtMs: 2_500, snapshot: snap });
    await vi.advanceTimersByTimeAsync(2_500);
    expect(served.size).toBe(1);
  });

  it('logs one warning per distinct failure, and one info line on recovery', async () => {
    const { book, job, log } = setup();
    const fail = (error: unknown) => book.record({ ok: false, job, startedAtMs: 0, finishedAtMs: 1, error });
    for (let i = 0; i < 5; i++) await fail(new CmsResultError('access_code_call_info', '0100003', undefined));
    await fail(new CmsHttpError('access_code_call_info', 500));
    await fail(new CmsHttpError('access_code_call_info', 500));
    await book.record({ ok: true, job, startedAtMs: 0, finishedAtMs: 1, snapshot: snap });
    const lines = log.lines();
    expect(lines.filter((l) => l.level === 'warn')).toHaveLength(2);
    const first = lines[0]!;
    expect(first).toMatchObject({ collector: 'access_codes', ccId: 7 });
    expect(first.err).toMatchObject({ endpoint: 'access_code_call_info', resultCode: '0100003', resultMeaning: expect.stringContaining('V300R008') });
    expect(lines.at(-1)).toMatchObject({ level: 'info', msg: 'collector recovered' });
  });

  it('drops a shrunk job\'s snapshot when its next run fails, keeps it when the run succeeds', async () => {
    const { book, job, served } = setup();
    const key = snapshotKey('access_codes', 7);
    await book.record({ ok: true, job, startedAtMs: 0, finishedAtMs: 1, snapshot: snap });
    book.markShrunk('access_codes', 7);
    await book.record({ ok: true, job, startedAtMs: 2, finishedAtMs: 3, snapshot: snap });
    await book.record({ ok: false, job, startedAtMs: 4, finishedAtMs: 5, error: new Error('x') });
    expect(served.has(key)).toBe(true); // the success cleared the mark: the usual stale limit applies
    book.markShrunk('access_codes', 7);
    await book.record({ ok: false, job, startedAtMs: 6, finishedAtMs: 7, error: new Error('x') });
    expect(served.has(key)).toBe(false);
  });

  it('untrack removes the series and the self-metrics at once', async () => {
    const { book, job, served, removed } = setup();
    await book.record({ ok: true, job, startedAtMs: 0, finishedAtMs: 1, snapshot: snap });
    book.untrack('access_codes', 7);
    expect(served.size).toBe(0);
    expect(removed).toEqual(['access_codes:7']);
    expect(book.keys()).toEqual([]);
  });

  it('turns a snapshot the store refuses into a failed run that keeps the previous snapshot', async () => {
    const { book, job, served, runs } = setup();
    await book.record({ ok: true, job, startedAtMs: 0, finishedAtMs: 1, snapshot: snap });
    await book.record({ ok: true, job, startedAtMs: 2, finishedAtMs: 3, snapshot: refuse });
    expect(runs.map((r) => r.ok)).toEqual([true, false]);
    expect(served.get(snapshotKey('access_codes', 7))).toBe(snap);
    expect(book.statuses()[0]).toMatchObject({ serving: true, lastError: "metric family 'x': refused" });
  });

  it('does not swap in a snapshot whose job was untracked while it rendered', async () => {
    const { book, job, served, runs } = setup();
    const recording = book.record({ ok: true, job, startedAtMs: 0, finishedAtMs: 1, snapshot: snap });
    book.untrack('access_codes', 7);
    await recording;
    expect(served.size).toBe(0);
    expect(runs).toEqual([]);
  });
});
