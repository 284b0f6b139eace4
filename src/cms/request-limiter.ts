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
 * `fn` is skipped, so an abandoned task holds its slot only for an instant.
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
