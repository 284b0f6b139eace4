import { describe, expect, it } from 'vitest';
import { runRequest, type RequestRunnerDeps } from '../../src/cms/cms-request-runner.js';
import type { CmsTransport, SendOutcome } from '../../src/cms/cms-transport.js';
import { createCmsLimiter } from '../../src/cms/request-limiter.js';

const deferred = (): { promise: Promise<void>; resolve: () => void } => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

const okReply = (body: string): SendOutcome => ({
  ok: true,
  reply: { statusCode: 200, retryAfter: undefined, body: Buffer.from(body), sentAtMs: 0, receivedAtMs: 0, authorization: '' },
});

describe('request runner', () => {
  it('parses an answer only once the request that took its slot has been written', async () => {
    // Node's HTTP client writes a request to its socket in a process.nextTick after it is made;
    // the transport below does the same, and answers when its gate opens.
    const order: string[] = [];
    const gates: Record<string, ReturnType<typeof deferred>> = { a: deferred(), b: deferred() };
    const transport = {
      send: async (_endpoint: string, _path: string, body: string): Promise<SendOutcome> => {
        order.push(`start ${body}`);
        process.nextTick(() => order.push(`written ${body}`));
        await gates[body]!.promise;
        return okReply(body);
      },
    } as unknown as CmsTransport;
    const deps: RequestRunnerDeps = {
      transport,
      limiter: createCmsLimiter(1),
      retries: 0,
      retryMaxDelayMs: 0,
      sleep: () => Promise.resolve(),
      random: () => 0,
      now: Date.now,
      onRequest: undefined,
      logger: undefined,
    };
    const parse = (b: Buffer): string => {
      order.push(`parse ${b.toString()}`);
      return b.toString();
    };
    const signal = new AbortController().signal;
    const a = runRequest(deps, 'sysindex', '/p', 'a', parse, signal);
    const b = runRequest(deps, 'sysindex', '/p', 'b', parse, signal);
    await new Promise((r) => setImmediate(r));
    setImmediate(() => gates.a!.resolve()); // the answer comes in on a later turn, like I/O
    await a;
    gates.b!.resolve();
    await expect(b).resolves.toMatchObject({ value: 'b' });
    expect(order).toEqual(['start a', 'written a', 'start b', 'written b', 'parse a', 'parse b']);
  });
});
