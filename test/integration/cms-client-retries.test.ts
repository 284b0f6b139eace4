import { afterEach, describe, expect, it, vi } from 'vitest';
import { CmsClient, type CmsClientOptions } from '../../src/cms/cms-client.js';
import {
  CmsAbortedError,
  CmsHttpError,
  CmsInvalidResponseError,
  CmsNetworkError,
  CmsResultError,
  CmsTimeoutError,
} from '../../src/cms/errors.js';
import { createCmsLimiter } from '../../src/cms/request-limiter.js';
import type { SleepFunction } from '../../src/cms/retry-policy.js';
import type { CmsRequestEvent } from '../../src/cms/types.js';
import type { CmsConfig } from '../../src/config/types.js';
import { startFakeCmsServer, testCmsConfig, type FakeCmsServer, type FakeHandler, type FakeReply } from '../helpers/fake-cms-server.js';

const OK_CALLS: FakeReply = { body: { resultCode: '0100000', resultDesc: ['1605492949-1447'] } };
const AGENT = { ccId: 1, vdn: 1, agentId: 1001 };

let servers: FakeCmsServer[] = [];
let clients: CmsClient[] = [];
afterEach(async () => {
  for (const c of clients) c.close();
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
  clients = [];
});

/** A sleep that resolves at once but records what it was asked for. */
function recordingSleep(): { sleep: SleepFunction; delays: number[] } {
  const delays: number[] = [];
  return { delays, sleep: async (ms, signal) => { delays.push(ms); if (signal.aborted) throw new Error('aborted'); } };
}

async function setup(handler: FakeHandler, cms: Partial<CmsConfig> = {}, options: CmsClientOptions = {}) {
  const server = await startFakeCmsServer({ handler });
  servers.push(server);
  const events: CmsRequestEvent[] = [];
  const rec = recordingSleep();
  const client = new CmsClient(testCmsConfig(server.url, cms), { sleep: rec.sleep, random: () => 0.5, onRequest: (e) => events.push(e), ...options });
  clients.push(client);
  return { server, client, events, delays: rec.delays };
}

/** Replies from `script` in order, then `last` for every further request. */
const scripted = (script: FakeReply[], last: FakeReply = OK_CALLS): FakeHandler => (_req, i) => script[i] ?? last;

describe('retries', () => {
  it('retries 500, 502, 503 and succeeds, re-signing every attempt', async () => {
    let clock = 1_700_000_000_000;
    const { server, client, events, delays } = await setup(
      scripted([{ status: 500 }, { status: 502 }]),
      { retries: 3, retryMaxDelaySeconds: 10 },
      { now: () => (clock += 1000) },
    );
    expect(await client.queryAgentCalls(AGENT)).toEqual(['1605492949-1447']);
    expect(server.requests).toHaveLength(3);
    expect(server.requests.every((r) => r.signatureValid)).toBe(true);
    expect(new Set(server.requests.map((r) => r.authorization)).size).toBe(3); // fresh timestamp each time
    expect(new Set(server.requests.map((r) => r.text)).size).toBe(1);
    expect(events.map((e) => e.code)).toEqual(['http_500', 'http_502', '0100000']);
    expect(delays).toEqual([250, 500]); // full jitter at random()=0.5: 0.5 × 500·2^n
  });

  it('gives up after cms.retries retries with the last HTTP error', async () => {
    const { server, client, events } = await setup(() => ({ status: 503 }), { retries: 2 });
    const err = await client.queryAgentCalls(AGENT).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CmsHttpError);
    expect(err).toMatchObject({ httpStatus: 503, metricCode: 'http_503' });
    expect(server.requests).toHaveLength(3);
    expect(events.map((e) => e.code)).toEqual(['http_503', 'http_503', 'http_503']);
  });

  it('honours Retry-After seconds and HTTP-date on 429, capped by retryMaxDelaySeconds', async () => {
    const now = Date.UTC(2024, 0, 1);
    const { client, delays } = await setup(
      scripted([
        { status: 429, headers: { 'retry-after': '2' } },
        { status: 429, headers: { 'retry-after': 'Mon, 01 Jan 2024 00:00:03 GMT' } },
        { status: 429, headers: { 'retry-after': '3600' } },
      ]),
      { retries: 3, retryMaxDelaySeconds: 5 },
      { now: () => now },
    );
    await client.queryAgentCalls(AGENT);
    expect(delays).toEqual([2000, 3000, 5000]);
  });

  it('retries a dropped connection (network error), then succeeds', async () => {
    const { server, client, events } = await setup(scripted([{ destroy: true }]));
    expect(await client.queryAgentCalls(AGENT)).toEqual(['1605492949-1447']);
    expect(server.requests).toHaveLength(2);
    expect(events.map((e) => e.code)).toEqual(['network', '0100000']);
  });

  it('retries refused connections and ends with CmsNetworkError', async () => {
    const dead = await startFakeCmsServer();
    const url = dead.url;
    await dead.close();
    const events: CmsRequestEvent[] = [];
    const client = new CmsClient(testCmsConfig(url, { retries: 2 }), { sleep: recordingSleep().sleep, onRequest: (e) => events.push(e) });
    clients.push(client);
    const err = await client.queryCtiServerTime({ ccId: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CmsNetworkError);
    expect((err as Error).message).toContain('ECONNREFUSED');
    expect(events.map((e) => e.code)).toEqual(['network', 'network', 'network']);
  });

  it.each<[string, FakeReply, new (...a: never[]) => Error, string]>([
    ['401', { status: 401 }, CmsHttpError, 'http_401'],
    ['400', { status: 400 }, CmsHttpError, 'http_400'],
    ['404', { status: 404, body: 'not found' }, CmsHttpError, 'http_404'],
    ['a 3xx redirect', { status: 302, headers: { location: '/elsewhere' } }, CmsHttpError, 'http_302'],
    ['a failing resultCode', { body: { resultCode: '0100002', resultDesc: 'Invalid parameter' } }, CmsResultError, '0100002'],
    ['malformed JSON', { body: '{"resultCode":"0100000","resultDesc":[' }, CmsInvalidResponseError, 'invalid_response'],
    ['an HTML page', { body: '<html>login</html>', headers: { 'content-type': 'text/html' } }, CmsInvalidResponseError, 'invalid_response'],
    ['wrong types', { body: { resultCode: '0100000', resultDesc: { calls: 1 } } }, CmsInvalidResponseError, 'invalid_response'],
  ])('does not retry %s', async (_label, reply, type, code) => {
    const { server, client, events, delays } = await setup(() => reply, { retries: 3 });
    const err = await client.queryAgentCalls(AGENT).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(type);
    expect(server.requests).toHaveLength(1);
    expect(delays).toEqual([]);
    expect(events.map((e) => e.code)).toEqual([code]);
  });

  it('maps a server that hangs past timeoutSeconds to CmsTimeoutError, without retrying', async () => {
    const { server, client, events } = await setup(() => ({ hang: true }), { timeoutSeconds: 0.3, retries: 2 });
    const err = await client.queryAgentCalls(AGENT).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CmsTimeoutError);
    expect(err).toMatchObject({ code: 'TIMEOUT', metricCode: 'timeout' });
    expect(server.requests).toHaveLength(1);
    expect(events.map((e) => e.code)).toEqual(['timeout']);
  });

  it('refuses a body over maxResponseBytes as an invalid response', async () => {
    const big = JSON.stringify({ resultCode: '0100000', resultDesc: Array.from({ length: 500 }, () => '1605492949-1447') });
    const { client } = await setup(() => ({ body: big }), {}, { maxResponseBytes: 1000 });
    const err = await client.queryAgentCalls(AGENT).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CmsInvalidResponseError);
    expect((err as Error).message).toContain('1000 bytes');
  });

  it('logs one debug line per retry with endpoint and reason, never headers', async () => {
    const debug = vi.fn();
    const { client } = await setup(scripted([{ status: 503 }, { status: 429 }]), { retries: 2 }, { logger: { debug } });
    await client.queryAgentCalls(AGENT);
    expect(debug).toHaveBeenCalledTimes(2);
    expect(debug.mock.calls.map((c) => (c[0] as { reason: string }).reason)).toEqual(['http_503', 'http_429']);
    expect(debug.mock.calls[0]![0]).toMatchObject({ endpoint: 'agent_calls', attempt: 1 });
    expect(JSON.stringify(debug.mock.calls)).not.toMatch(/auth-v2|authorization|SK-very-secret/i);
  });
});

describe('concurrency', () => {
  it('never has more than cms.concurrency requests in flight, for 1,000 VDNs', async () => {
    const { server, client } = await setup(
      () => ({ delayMs: 20, body: { resultCode: 0, resultDesc: { data: [], count: 0 } } }),
      { concurrency: 3 },
    );
    await client.querySysindex({ ccId: 1, vdns: Array.from({ length: 1000 }, (_, i) => i + 1), begin: new Date(0), end: new Date(60_000) });
    expect(server.requests).toHaveLength(10);
    expect(server.maxInFlight).toBeLessThanOrEqual(3);
    expect(server.maxInFlight).toBeGreaterThan(1); // batches really went out in parallel
  });

  it('shares one limiter between clients', async () => {
    const limiter = createCmsLimiter(2);
    const { server, client } = await setup(() => ({ ...OK_CALLS, delayMs: 20 }), { concurrency: 50 }, { limiter });
    const other = new CmsClient(testCmsConfig(server.url), { limiter });
    clients.push(other);
    expect(other.limiter).toBe(limiter);
    await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 ? client : other).queryAgentCalls(AGENT)));
    expect(server.maxInFlight).toBeLessThanOrEqual(2);
    expect(server.requests).toHaveLength(6);
  });

  it('a retry waiting in backoff holds no limiter slot', async () => {
    let releaseSleep!: () => void;
    let sleepStarted!: () => void;
    const sleeping = new Promise<void>((r) => (sleepStarted = r));
    const sleep: SleepFunction = () => new Promise<void>((r) => { releaseSleep = r; sleepStarted(); });
    const { server, client } = await setup(scripted([{ status: 503 }]), { concurrency: 1 }, { sleep });
    const first = client.queryAgentCalls(AGENT);
    await sleeping; // the first call got its 503 and now waits in backoff
    expect(client.limiter.activeCount).toBe(0);
    await expect(client.queryAgentCalls({ ...AGENT, agentId: 1002 })).resolves.toEqual(['1605492949-1447']);
    releaseSleep();
    await expect(first).resolves.toEqual(['1605492949-1447']);
    expect(server.requests.map((r) => (r.json as { agentId: number }).agentId)).toEqual([1001, 1002, 1001]);
  });

  it('the first failing batch cancels its siblings and is the error thrown', async () => {
    let arrived = 0;
    let allArrived!: () => void;
    const all = new Promise<void>((r) => (allArrived = r));
    const { server, client } = await setup(async (req) => {
      if (++arrived === 3) allArrived();
      const vdns = (req.json as { vdn: number[] }).vdn;
      if (vdns[0] !== 1) return { hang: true };
      await all; // fail only once the siblings are in flight
      return { status: 400 };
    }, { concurrency: 4, timeoutSeconds: 10 });
    const err = await client.querySysindex({ ccId: 1, vdns: Array.from({ length: 300 }, (_, i) => i + 1), begin: new Date(0), end: new Date(60_000) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CmsHttpError);
    expect(err).toMatchObject({ httpStatus: 400 });
    await vi.waitFor(() => expect(server.inFlight).toBe(0));
    expect(server.requests).toHaveLength(3);
    expect(server.clientAborts).toBe(2);
  });
});

describe('abort', () => {
  it('cancels an in-flight request', async () => {
    const { server, client, events } = await setup(() => ({ hang: true }), { timeoutSeconds: 30 });
    const ac = new AbortController();
    const p = client.queryAgentCalls(AGENT, { signal: ac.signal });
    await vi.waitFor(() => expect(server.requests).toHaveLength(1));
    ac.abort();
    await expect(p).rejects.toBeInstanceOf(CmsAbortedError);
    await vi.waitFor(() => expect(server.clientAborts).toBe(1));
    expect(events).toEqual([]); // aborted attempts are not reported
  });

  it('cancels a pending backoff (real sleep) without another attempt', async () => {
    const server = await startFakeCmsServer({ handler: () => ({ status: 503 }) });
    servers.push(server);
    const client = new CmsClient(testCmsConfig(server.url, { retries: 5, retryMaxDelaySeconds: 600 }), { random: () => 0.999 });
    clients.push(client);
    const ac = new AbortController();
    const p = client.queryAgentCalls(AGENT, { signal: ac.signal });
    await vi.waitFor(() => expect(server.requests).toHaveLength(1));
    await vi.waitFor(() => expect(client.limiter.activeCount).toBe(0));
    ac.abort();
    await expect(p).rejects.toBeInstanceOf(CmsAbortedError);
    expect(server.requests).toHaveLength(1);
  });

  it('gives up a call still queued for the limiter, and refuses an already-aborted signal', async () => {
    const { server, client } = await setup(() => ({ hang: true }), { concurrency: 1, timeoutSeconds: 30 });
    const holder = new AbortController();
    const held = client.queryAgentCalls(AGENT, { signal: holder.signal });
    await vi.waitFor(() => expect(server.requests).toHaveLength(1));
    const ac = new AbortController();
    const queued = client.queryCtiServerTime({ ccId: 1 }, { signal: ac.signal });
    ac.abort();
    await expect(queued).rejects.toBeInstanceOf(CmsAbortedError);
    holder.abort();
    await expect(held).rejects.toBeInstanceOf(CmsAbortedError);
    await expect(client.queryCtiServerTime({ ccId: 1 }, { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(CmsAbortedError);
    expect(server.requests).toHaveLength(1);
  });

  it('close() aborts calls in progress and refuses new ones', async () => {
    const { server, client } = await setup(() => ({ hang: true }), { timeoutSeconds: 30 });
    const p = client.queryAgentCalls(AGENT);
    await vi.waitFor(() => expect(server.requests).toHaveLength(1));
    client.close();
    await expect(p).rejects.toBeInstanceOf(CmsAbortedError);
    await expect(client.queryAgentCalls(AGENT)).rejects.toBeInstanceOf(CmsAbortedError);
  });
});
