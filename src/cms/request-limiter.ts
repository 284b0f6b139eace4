import { setImmediate as nextTurn } from 'node:timers/promises';
import pLimit, { type LimitFunction } from 'p-limit';

/**
 * The process-wide bound on requests in flight to the CMS (cms.concurrency). One limiter is
 * shared by every collector (pass it to each CmsClient, or take `client.limiter`); every HTTP
 * attempt takes one slot for exactly its own duration — a retry waiting in backoff holds none.
 */
export type CmsLimiter = LimitFunction;

/** A limiter of `concurrency` (>= 1) slots. */
export function createCmsLimiter(concurrency: number): CmsLimiter {
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError('cms.concurrency must be an integer >= 1');
  }
  return pLimit(concurrency);
}

/**
 * Runs `fn` in a slot of `limiter`, but gives up waiting as soon as `signal` aborts (rejecting
 * with `abortError()`): a shutdown does not wait for a queue to drain. When the slot comes later,
 * `fn` is skipped, so an abandoned task holds its slot only for an instant. Tasks that get their
 * slots in the same turn of the event loop start one turn apart (leaveAfterTheOneBefore).
 */
export function runLimited<T>(
  limiter: CmsLimiter,
  signal: AbortSignal,
  fn: () => Promise<T>,
  abortError: () => Error,
): Promise<T> {
  if (signal.aborted) return Promise.reject(abortError());
  const task = limiter(async () => {
    if (signal.aborted) throw abortError();
    await leaveAfterTheOneBefore();
    if (signal.aborted) throw abortError();
    return fn();
  });
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortError());
    signal.addEventListener('abort', onAbort, { once: true });
    task.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

let startedThisTurn = false;

/**
 * Lets a task that starts in the same turn of the event loop as another one wait for the next
 * turn. Node's HTTP client writes a request to its socket only in a process.nextTick after it
 * was made, and the limiter starts a burst of tasks (the first `concurrency` of a run) in one
 * chain of microtasks, so without this every request of a burst would stay unsent until the last
 * one had been signed: ~0.2 ms each, ~1.5 ms for eight, added to the wait for the first answer.
 * A task started on its own (a slot freed by an answer) goes at once.
 */
async function leaveAfterTheOneBefore(): Promise<void> {
  if (startedThisTurn) await nextTurn();
  startedThisTurn = true;
  process.nextTick(() => {
    startedThisTurn = false;
  });
}
