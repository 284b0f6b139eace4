import http from 'node:http';
import https from 'node:https';

/** One POST to make: everything but the agents, which the caller owns and reuses. */
export interface ExchangeRequest {
  url: URL;
  headers: Record<string, string>;
  body: Buffer;
  /** Whole-exchange limit (connect, send, wait, read the body), ms. */
  timeoutMs: number;
  /** Biggest body accepted, bytes; a bigger declared or received body ends the exchange. */
  maxResponseBytes: number;
  signal: AbortSignal;
}

/** TLS and pooling settings of the agents an exchange may use. */
export interface ExchangeAgents {
  http: http.Agent;
  https: https.Agent;
  /** Verify the server certificate (false only with cms.insecureSkipVerify). */
  rejectUnauthorized: boolean;
  /** PEM of the CA(s) to trust instead of the system store (cms.caFile). */
  ca: string | undefined;
}

/** How an exchange ended. `error` holds Node's own error (no request headers in it). */
export type ExchangeResult =
  | { kind: 'reply'; statusCode: number; retryAfter: string | undefined; body: Buffer }
  | { kind: 'timeout' }
  | { kind: 'aborted' }
  | { kind: 'too-large' }
  | { kind: 'failed'; error: Error & { code?: string } };

/**
 * Sends one POST over node:http(s) and reads the whole answer; never throws, never retries,
 * never follows a redirect (a 3xx is a reply like any other), never decompresses. Every way out
 * (reply, timeout, abort, oversize body, socket error) settles exactly once and destroys the
 * request when it ends early, so a keep-alive socket is only reused after a complete answer.
 *
 * node:http rather than a client library: at 1,000 requests a run, got's per-request option
 * handling was the largest CPU cost of a request on our side and the main source of garbage
 * that outlived a young-generation collection; only these few features are needed.
 */
export function exchange(req: ExchangeRequest, agents: ExchangeAgents): Promise<ExchangeResult> {
  if (req.signal.aborted) return Promise.resolve({ kind: 'aborted' });
  return new Promise((resolve) => {
    const secure = req.url.protocol === 'https:';
    const options: https.RequestOptions = { method: 'POST', headers: req.headers, agent: secure ? agents.https : agents.http };
    if (secure) Object.assign(options, { rejectUnauthorized: agents.rejectUnauthorized, ca: agents.ca });
    const request = (secure ? https : http).request(req.url, options);
    let settled = false;
    const finish = (result: ExchangeResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.signal.removeEventListener('abort', onAbort);
      if (result.kind !== 'reply') request.destroy();
      resolve(result);
    };
    const onAbort = (): void => finish({ kind: 'aborted' });
    const timer = setTimeout(() => finish({ kind: 'timeout' }), req.timeoutMs);
    req.signal.addEventListener('abort', onAbort, { once: true });

    request.on('error', (error: Error) => finish({ kind: 'failed', error }));
    request.on('response', (res: http.IncomingMessage) => {
      const declared = Number(res.headers['content-length'] ?? 0);
      if (declared > req.maxResponseBytes) return finish({ kind: 'too-large' });
      const chunks: Buffer[] = [];
      let received = 0;
      res.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > req.maxResponseBytes) finish({ kind: 'too-large' });
        else chunks.push(chunk);
      });
      // A connection dropped mid-body: Node ends `res` with an 'aborted' ECONNRESET error.
      res.on('error', (error: Error) => finish({ kind: 'failed', error }));
      res.on('end', () => {
        const retryAfter = res.headers['retry-after'];
        const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, received);
        finish({ kind: 'reply', statusCode: res.statusCode ?? 0, retryAfter, body });
      });
    });
    request.end(req.body);
  });
}
