import { setMaxListeners } from 'node:events';

/**
 * Runs `task` for every item in parallel (the CMS client's limiter bounds what is really in
 * flight) under one signal linked to the caller's signals (shutdown, client close): the first
 * failure aborts the others, since a failed batch or run publishes nothing and finishing its
 * thousands of remaining requests would only load the CMS. Resolves with every result in order,
 * or rejects with the first error. Each caller signal gets one listener, removed at the end;
 * max-listener warnings are lifted because one signal is shared by every request in flight.
 */
export async function allOrAbort<T, R>(
  items: readonly T[],
  signals: AbortSignal | readonly AbortSignal[],
  task: (item: T, signal: AbortSignal) => Promise<R>,
): Promise<R[]> {
  const outer = Array.isArray(signals) ? signals : [signals as AbortSignal];
  const run = new AbortController();
  setMaxListeners(0, run.signal, ...outer);
  const stop = (): void => run.abort();
  for (const s of outer) {
    if (s.aborted) run.abort();
    s.addEventListener('abort', stop, { once: true });
  }
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
    for (const s of outer) s.removeEventListener('abort', stop);
  }
}
