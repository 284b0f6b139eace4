/**
 * allOrAbort: every item's task, results in item order, the first failure aborting the rest, and
 * with a width, never more than `width` tasks running at once.
 */
import { describe, expect, it } from 'vitest';
import { allOrAbort } from '../../src/cms/all-or-abort.js';

/** A task that finishes after `turns` check-phase turns, or rejects once its signal aborts. */
function turnsTask(turns: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    let left = turns;
    const step = (): void => {
      if (signal.aborted) return reject(new Error('aborted'));
      if (left-- <= 0) return resolve();
      setImmediate(step);
    };
    step();
  });
}

describe('allOrAbort', () => {
  it('starts every task at once without a width', async () => {
    let running = 0;
    let most = 0;
    const results = await allOrAbort([1, 2, 3, 4, 5], new AbortController().signal, async (n, signal) => {
      most = Math.max(most, ++running);
      await turnsTask(3, signal);
      running--;
      return n * 10;
    });
    expect(results).toEqual([10, 20, 30, 40, 50]);
    expect(most).toBe(5);
  });

  it('keeps at most `width` tasks running, every slot busy, results in item order', async () => {
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const items = Array.from({ length: 20 }, (_, i) => i);
    const results = await allOrAbort(
      items,
      new AbortController().signal,
      async (n, signal) => {
        started.push(n);
        most = Math.max(most, ++running);
        await turnsTask(20 - n, signal); // later items finish sooner: completion order differs
        running--;
        return n * 2;
      },
      4,
    );
    expect(results).toEqual(items.map((n) => n * 2));
    expect(most).toBe(4);
    expect(started.sort((a, b) => a - b)).toEqual(items);
  });

  it('rejects with the first failure, aborts the running tasks and starts no more', async () => {
    const started: number[] = [];
    const aborted: number[] = [];
    const run = allOrAbort(
      Array.from({ length: 50 }, (_, i) => i),
      new AbortController().signal,
      async (n, signal) => {
        started.push(n);
        signal.addEventListener('abort', () => aborted.push(n));
        if (n === 5) {
          await turnsTask(2, signal);
          throw new Error('item 5 failed');
        }
        await turnsTask(1_000, signal);
        return n;
      },
      8,
    );
    await expect(run).rejects.toThrow('item 5 failed');
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(aborted.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it("rejects, never resolves with holes, when the caller's signal aborts", async () => {
    const caller = new AbortController();
    let started = 0;
    const run = allOrAbort(
      Array.from({ length: 30 }, (_, i) => i),
      caller.signal,
      async (n, signal) => {
        started++;
        await turnsTask(5, signal);
        return n;
      },
      3,
    );
    setImmediate(() => caller.abort());
    await expect(run).rejects.toThrow('aborted');
    expect(started).toBeLessThan(30);
  });
});
