/**
 * The raw POST under the CMS transport (src/cms/http-exchange.ts), against a bare node:http
 * server on loopback: every way an exchange can end settles once with the right kind, and a
 * keep-alive socket is reused only after a complete answer.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { exchange, type ExchangeAgents, type ExchangeRequest } from '../../src/cms/http-exchange.js';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A server on 127.0.0.1:0 that counts the connections it accepted. */
async function serve(handler: Handler): Promise<{ url: URL; connections: () => number }> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => handler(req, res));
  });
  server.on('connection', (s: Socket) => {
    accepted++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  const { port } = server.address() as AddressInfo;
  return { url: new URL(`http://127.0.0.1:${port}/rest/x`), connections: () => accepted };
}

function agents(): ExchangeAgents {
  const a = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }), rejectUnauthorized: true, ca: undefined };
  cleanups.push(() => {
    a.http.destroy();
    a.https.destroy();
  });
  return a;
}

function request(url: URL, overrides: Partial<ExchangeRequest> = {}): ExchangeRequest {
  const body = Buffer.from('{"ccId":1}');
  return {
    url,
    headers: { 'content-type': 'application/json', 'content-length': String(body.length) },
    body,
    timeoutMs: 2000,
    maxResponseBytes: 1000,
    signal: new AbortController().signal,
    ...overrides,
  };
}

describe('exchange', () => {
  it('reads a whole answer with its status and Retry-After, and reuses the keep-alive socket', async () => {
    const { url, connections } = await serve((_req, res) => {
      res.writeHead(503, { 'retry-after': '7' });
      res.write('{"a":');
      res.end('1}');
    });
    const a = agents();
    const first = await exchange(request(url), a);
    const second = await exchange(request(url), a);
    expect(first).toEqual({ kind: 'reply', statusCode: 503, retryAfter: '7', body: Buffer.from('{"a":1}') });
    expect(second.kind).toBe('reply');
    expect(connections()).toBe(1);
  });

  it('answers a redirect as a reply without following it', async () => {
    let hits = 0;
    const { url } = await serve((_req, res) => {
      hits++;
      res.writeHead(302, { location: '/elsewhere' }).end();
    });
    const result = await exchange(request(url), agents());
    expect(result).toMatchObject({ kind: 'reply', statusCode: 302 });
    expect(hits).toBe(1);
  });

  it('refuses a declared Content-Length over the cap, and a chunked body that grows past it', async () => {
    const { url: declared } = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': '5000' });
      res.write('x'.repeat(100)); // the rest never comes: the header alone must decide
    });
    expect(await exchange(request(declared), agents())).toEqual({ kind: 'too-large' });
    const { url: chunked } = await serve((_req, res) => {
      res.writeHead(200);
      const timer = setInterval(() => res.write('y'.repeat(400)), 5);
      res.on('close', () => clearInterval(timer));
    });
    expect(await exchange(request(chunked), agents())).toEqual({ kind: 'too-large' });
  });

  it('reports a connection dropped in the middle of the body as ECONNRESET, not a short reply', async () => {
    const { url } = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': '500' });
      res.write('{"resultCode":"0100000"', () => res.socket?.destroy());
    });
    const result = await exchange(request(url), agents());
    expect(result.kind).toBe('failed');
    expect(result.kind === 'failed' && result.error.code).toBe('ECONNRESET');
  });

  it('times out a body that stalls after the headers, and does not reuse that socket', async () => {
    let stall = true;
    const { url, connections } = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': '10' });
      if (stall) res.write('{"a"');
      else res.end('{"a":1234}');
    });
    const a = agents();
    expect(await exchange(request(url, { timeoutMs: 200 }), a)).toEqual({ kind: 'timeout' });
    stall = false;
    expect(await exchange(request(url), a)).toMatchObject({ kind: 'reply', body: Buffer.from('{"a":1234}') });
    expect(connections()).toBe(2);
  });

  it('ends on abort, mid-body or before sending anything', async () => {
    let hits = 0;
    const { url } = await serve((_req, res) => {
      hits++;
      res.writeHead(200, { 'content-length': '10' });
      res.write('{');
    });
    const controller = new AbortController();
    const pending = exchange(request(url, { signal: controller.signal }), agents());
    await expect.poll(() => hits).toBe(1); // the body has begun to arrive
    controller.abort();
    expect(await pending).toEqual({ kind: 'aborted' });
    expect(hits).toBe(1);
    expect(await exchange(request(url, { signal: AbortSignal.abort() }), agents())).toEqual({ kind: 'aborted' });
    expect(hits).toBe(1);
  });

  it('reports a refused connection with Node’s code', async () => {
    const { url } = await serve(() => undefined);
    await cleanups.pop()!();
    const result = await exchange(request(url), agents());
    expect(result.kind === 'failed' && result.error.code).toBe('ECONNREFUSED');
  });
});
