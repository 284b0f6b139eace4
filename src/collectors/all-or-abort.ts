import { setMaxListeners } from 'node:events';

/**
 * Runs `tasks` in parallel (the CMS client's limiter bounds what is really in flight) with a
 * run-scoped signal: the first failure aborts the others, since a failed run publishes nothing
 * and finishing its thousands of remaining requests would only load the CMS. The caller's
 * `signal` (shutdown) aborts them too. Resolves with every result in order, or rejects with the
 * first error.
 */
export async function allOrAbort<T, R>(
  items: readonly T[],
  signal: AbortSignal,
  task: (item: T, signal: AbortSignal) => Promise<R>,
): Promise<R[]> {
  const run = new AbortController();
  setMaxListeners(0, run.signal); // one listener per request in flight, thousands of them
  const stop = (): void => run.abort();
  if (signal.aborted) run.abort();
  signal.addEventListener('abort', stop, { once: true });
  try {
    return await Promise.all(
      items.map((item) =>
        task(item, run.signal).catch((err: unknown) => {
          run.abort();
          throw err;
        }),
      ),
    );
  } finally {
    signal.removeEventListener('abort', stop);
  }
}
