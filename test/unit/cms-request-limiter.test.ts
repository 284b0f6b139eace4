import { describe, expect, it } from 'vitest';
import { createCmsLimiter, runLimited } from '../../src/cms/request-limiter.js';

const deferred = (): { promise: Promise<void>; resolve: () => void } => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

describe('request limiter', () => {
  it('refuses a concurrency below 1', () => {
    expect(() => createCmsLimiter(0)).toThrow(RangeError);
    expect(() => createCmsLimiter(1.5)).toThrow(RangeError);
  });

  it('gives up waiting for a slot on abort, and skips the abandoned task', async () => {
    const limiter = createCmsLimiter(1);
    const gate = deferred();
    const holder = runLimited(limiter, new AbortController().signal, () => gate.promise, () => new Error('aborted'));
    const ac = new AbortController();
    let ran = false;
    const queued = runLimited(limiter, ac.signal, async () => { ran = true; }, () => new Error('aborted'));
    expect(limiter.pendingCount).toBe(1);
    ac.abort();
    await expect(queued).rejects.toThrow('aborted');
    gate.resolve();
    await holder;
    await new Promise((r) => setImmediate(r));
    expect(ran).toBe(false);
    expect(limiter.activeCount).toBe(0);
  });

  it('rejects at once when already aborted, without queueing', async () => {
    const limiter = createCmsLimiter(1);
    const ac = new AbortController();
    ac.abort();
    await expect(runLimited(limiter, ac.signal, async () => 1, () => new Error('gone'))).rejects.toThrow('gone');
    expect(limiter.pendingCount + limiter.activeCount).toBe(0);
  });

  it('passes results and errors through', async () => {
    const limiter = createCmsLimiter(2);
    const signal = new AbortController().signal;
    await expect(runLimited(limiter, signal, async () => 42, () => new Error('x'))).resolves.toBe(42);
    await expect(runLimited(limiter, signal, async () => { throw new TypeError('boom'); }, () => new Error('x'))).rejects.toThrow(TypeError);
  });
});
