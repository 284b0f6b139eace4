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

  it('starts a burst one task per turn of the event loop, so each request is written before the next is signed', async () => {
    // Node's HTTP client writes a request to its socket in a process.nextTick after it is made.
    const limiter = createCmsLimiter(3);
    const signal = new AbortController().signal;
    const order: string[] = [];
    const task = (name: string) => async () => {
      order.push(`start ${name}`);
      process.nextTick(() => order.push(`written ${name}`));
    };
    await Promise.all(['a', 'b', 'c'].map((n) => runLimited(limiter, signal, task(n), () => new Error('x'))));
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual(['start a', 'written a', 'start b', 'written b', 'start c', 'written c']);
  });

  it('starts a task that gets a freed slot in the same turn, without waiting for the next', async () => {
    const limiter = createCmsLimiter(1);
    const signal = new AbortController().signal;
    const order: string[] = [];
    const gate = deferred();
    const first = runLimited(limiter, signal, () => gate.promise, () => new Error('x'));
    const second = runLimited(limiter, signal, async () => { order.push('second started'); }, () => new Error('x'));
    await new Promise((r) => setImmediate(r));
    gate.resolve();
    setImmediate(() => order.push('next turn'));
    await Promise.all([first, second]);
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual(['second started', 'next turn']);
  });

  it('does not run a task of a burst whose signal aborted while it waited for its turn', async () => {
    const limiter = createCmsLimiter(2);
    const ac = new AbortController();
    const ran: string[] = [];
    const a = runLimited(limiter, ac.signal, async () => { ran.push('a'); process.nextTick(() => ac.abort()); }, () => new Error('aborted'));
    const b = runLimited(limiter, ac.signal, async () => { ran.push('b'); }, () => new Error('aborted'));
    await expect(a).resolves.toBeUndefined();
    await expect(b).rejects.toThrow('aborted');
    await new Promise((r) => setImmediate(r));
    expect(ran).toEqual(['a']);
  });
});
