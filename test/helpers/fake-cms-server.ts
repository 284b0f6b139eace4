import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { parseAuthorization, signAuthV2 } from '../../src/cms/auth-v2-signer.js';
import { DEFAULT_CMS_PATHS } from '../../src/cms/cms-paths.js';
import type { CmsConfig } from '../../src/config/types.js';

/** Test credentials; the SK is long and distinctive so a leak is easy to grep for. */
export const TEST_AK = 'test-ak-global';
export const TEST_SK = 'SK-very-secret-9f8e7d6c5b4a-do-not-leak';

/** A full `cms` config slice for a client talking to `url`, fast settings for tests. */
export function testCmsConfig(url: string, overrides: Partial<CmsConfig> = {}): { cms: CmsConfig } {
  return {
    cms: {
      url,
      accessKey: TEST_AK,
      secretKey: TEST_SK,
      caFile: null,
      insecureSkipVerify: false,
      timeoutSeconds: 5,
      concurrency: 4,
      retries: 2,
      retryMaxDelaySeconds: 1,
      timestampPrecision: 'seconds',
      signedHeaders: ['host'],
      paths: { ...DEFAULT_CMS_PATHS },
      ...overrides,
    },
  };
}

/**
 * A tiny CC-CMS stand-in for client tests: 127.0.0.1, port 0. It records every request, verifies
 * its auth-v2 signature with the signer's own parse/compute functions over the headers and body
 * bytes it actually received, counts requests in flight, and answers whatever the test's
 * handler says (status, headers, body, delay, hang, connection drop).
 */

export interface RecordedRequest {
  method: string;
  /** Path without query. */
  path: string;
  headers: IncomingHttpHeaders;
  /** Body bytes exactly as received. */
  body: Buffer;
  text: string;
  /** Decoded JSON body, or undefined when it is not JSON. */
  json: unknown;
  authorization: string | undefined;
  /** The signature recomputed over what arrived equals the one sent. */
  signatureValid: boolean;
  /** The signed timestamp as epoch ms (NaN when unreadable). */
  signedAtMs: number;
}

export interface FakeReply {
  status?: number;
  headers?: Record<string, string>;
  /** Object: sent as JSON; string/Buffer: sent as is. Default `{}`. */
  body?: unknown;
  /** Wait this long before answering, ms. */
  delayMs?: number;
  /** Never answer (the client must time out or abort). */
  hang?: boolean;
  /** Drop the connection without an answer. */
  destroy?: boolean;
}

export type FakeHandler = (req: RecordedRequest, index: number) => FakeReply | Promise<FakeReply>;

export interface FakeCmsServer {
  /** Base URL, e.g. http://127.0.0.1:43123 */
  url: string;
  /** `127.0.0.1:<port>`, the Host header a client should send. */
  host: string;
  readonly requests: RecordedRequest[];
  /** Most requests ever in flight at once. */
  readonly maxInFlight: number;
  readonly inFlight: number;
  /** Requests whose connection the client closed before the answer (aborts, timeouts). */
  readonly clientAborts: number;
  setHandler(handler: FakeHandler): void;
  close(): Promise<void>;
}

export interface FakeCmsServerOptions {
  /** Default TEST_AK / TEST_SK. */
  accessKey?: string;
  secretKey?: string;
  handler?: FakeHandler;
  /** PEM key and certificate: serve HTTPS. */
  tls?: { key: string; cert: string };
}

/** Starts the fake server; always `close()` it (afterEach). */
export async function startFakeCmsServer(opts: FakeCmsServerOptions = {}): Promise<FakeCmsServer> {
  const options = { ...opts, accessKey: opts.accessKey ?? TEST_AK, secretKey: opts.secretKey ?? TEST_SK };
  let handler: FakeHandler = options.handler ?? (() => ({ body: { resultCode: '0100000', resultDesc: [] } }));
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const pending = new Set<NodeJS.Timeout>();
  let inFlight = 0;
  let maxInFlight = 0;
  let clientAborts = 0;

  const verify = (req: IncomingMessage, path: string, text: string): { valid: boolean; at: number } => {
    const header = req.headers.authorization;
    const parsed = parseAuthorization(header);
    if (!parsed || parsed.accessKey !== options.accessKey) return { valid: false, at: Number.NaN };
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
    const expected = signAuthV2(
      { method: req.method ?? '', path, headers, body: text },
      { accessKey: options.accessKey, secretKey: options.secretKey },
      parsed.timestamp,
      parsed.signedHeaders,
    );
    return { valid: expected === header, at: Date.parse(parsed.timestamp) };
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    let done = false;
    res.on('close', () => {
      inFlight--;
      if (!done) clientAborts++;
    });
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks);
        const text = body.toString('utf8');
        const path = new URL(req.url ?? '/', 'http://x').pathname;
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        const sig = verify(req, path, text);
        const rec: RecordedRequest = {
          method: req.method ?? '', path, headers: req.headers, body, text, json,
          authorization: req.headers.authorization, signatureValid: sig.valid, signedAtMs: sig.at,
        };
        const index = requests.push(rec) - 1;
        const reply = await handler(rec, index);
        if (reply.hang) return;
        if (reply.delayMs) {
          await new Promise<void>((resolve) => {
            const t = setTimeout(() => { pending.delete(t); resolve(); }, reply.delayMs);
            pending.add(t);
          });
        }
        if (res.destroyed) return;
        if (reply.destroy) {
          req.socket.destroy();
          return;
        }
        const payload = reply.body === undefined ? '{}' : typeof reply.body === 'string' || Buffer.isBuffer(reply.body) ? reply.body : JSON.stringify(reply.body);
        done = true;
        res.writeHead(reply.status ?? 200, { 'content-type': 'application/json;charset=UTF-8', ...reply.headers });
        res.end(payload);
      })();
    });
  };

  const server = options.tls ? https.createServer({ key: options.tls.key, cert: options.tls.cert }, onRequest) : http.createServer(onRequest);
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const host = `127.0.0.1:${port}`;

  return {
    url: `${options.tls ? 'https' : 'http'}://${host}`,
    host,
    requests,
    get maxInFlight() { return maxInFlight; },
    get inFlight() { return inFlight; },
    get clientAborts() { return clientAborts; },
    setHandler(h) { handler = h; },
    async close() {
      for (const t of pending) clearTimeout(t);
      for (const s of sockets) s.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
