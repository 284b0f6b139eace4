import { setMaxListeners } from 'node:events';

/**
 * Runs `task` for every item in parallel (the CMS client's limiter bounds what is really in
 * flight) under one signal linked to the caller's signals (shutdown, client close): the first
 * failure aborts the others, since a failed batch or run publishes nothing and finishing its
 * thousands of remaining requests would only load the CMS. Resolves with every result in order,
 * or rejects with the first error. Each caller signal gets one listener, removed at the end;
 * max-listener warnings are lifted because one signal is shared by every request in flight.
 *
 * `width` bounds the tasks running at once (the next item starts when one settles). A run over
 * 1,000 VDNs that starts every task up front builds 1,000 request chains that all wait in the
 * limiter, live for the whole run and so are promoted to V8's old generation, to be collected
 * by full collections later; with a width of a few limiter slots they die young.
 */
export async function allOrAbort<T, R>(
  items: readonly T[],
  signals: AbortSignal | readonly AbortSignal[],
  task: (item: T, signal: AbortSignal) => Promise<R>,
  width = Infinity,
): Promise<R[]> {
  if (!(width >= 1)) throw new RangeError(`allOrAbort: width must be at least 1, got ${width}`);
  const outer = Array.isArray(signals) ? signals : [signals as AbortSignal];
  const run = new AbortController();
  setMaxListeners(0, run.signal, ...outer);
  const stop = (): void => run.abort();
  for (const s of outer) {
    if (s.aborted) run.abort();
    s.addEventListener('abort', stop, { once: true });
  }
  let failed = false;
  const start = (item: T): Promise<R> =>
    task(item, run.signal).catch((err: unknown) => {
      failed = true;
      run.abort();
      throw err;
    });
  try {
    if (items.length <= width) return await Promise.all(items.map(start));
    const results = new Array<R>(items.length);
    let next = 0;
    // A lane stops taking items after a failure; an abort from outside fails the tasks
    // themselves (their signal is aborted), so no lane ends early without an error.
    const lane = async (): Promise<void> => {
      while (next < items.length && !failed) {
        const i = next++;
        results[i] = await start(items[i]!);
      }
    };
    await Promise.all(Array.from({ length: Math.floor(width) }, lane));
    return results;
  } finally {
    for (const s of outer) s.removeEventListener('abort', stop);
  }
}
