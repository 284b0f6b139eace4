import { Writable } from 'node:stream';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { CmsClient } from '../../src/cms/cms-client.js';
import {
  CmsAbortedError,
  CmsError,
  CmsHttpError,
  CmsInvalidRequestError,
  CmsInvalidResponseError,
  CmsNetworkError,
  CmsResultError,
  CmsTimeoutError,
} from '../../src/cms/errors.js';
import type { CmsRequestEvent } from '../../src/cms/types.js';
import { createLogger } from '../../src/log.js';
import { TEST_SK, startFakeCmsServer, testCmsConfig, type FakeCmsServer, type FakeHandler } from '../helpers/fake-cms-server.js';

const AGENT = { ccId: 1, vdn: 1, agentId: 1001 };

/** Every way an error can be turned into text. */
function renderings(err: unknown): string[] {
  const e = err as Error & { cause?: unknown };
  return [
    String(err),
    e.stack ?? '',
    JSON.stringify(err),
    JSON.stringify(e.cause ?? null),
    String(e.cause ?? ''),
    (e.cause as Error | undefined)?.stack ?? '',
    inspect(err, { depth: 10, showHidden: true }),
    err instanceof CmsError ? JSON.stringify(err.toLogObject()) : '',
  ];
}

/** No SK, no Authorization value (seen by the server), nothing that looks like one. */
function expectClean(texts: string[], authorizations: readonly string[]): void {
  for (const text of texts) {
    expect(text).not.toContain(TEST_SK);
    expect(text).not.toMatch(/auth-v2/i);
    expect(text).not.toMatch(/[0-9a-f]{64}/);
    for (const a of authorizations) expect(text).not.toContain(a.slice(-64));
  }
}

let servers: FakeCmsServer[] = [];
let clients: CmsClient[] = [];
afterEach(async () => {
  for (const c of clients) c.close();
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
  clients = [];
});

describe('secrets never leak', () => {
  it('the check itself catches an error that carries its request options (as an HTTP library error would)', () => {
    const authorization = `auth-v2/x/y/host/${'a'.repeat(64)}`;
    const raw = new Error('request failed', { cause: { options: { headers: { authorization } } } });
    expect(() => expectClean(renderings(raw), [authorization])).toThrow();
    expect(() => expectClean(renderings(new Error('request failed')), [authorization])).not.toThrow();
  });

  it('not in any error type, its cause, the logs or the observer events', async () => {
    const lines: string[] = [];
    const logger = createLogger('trace', new Writable({ write(chunk, _enc, cb) { lines.push(String(chunk)); cb(); } }));
    const events: CmsRequestEvent[] = [];
    const handlers: Record<string, FakeHandler> = {
      result: (req) => ({ body: { resultCode: '0101003', resultDesc: `denied for ${req.authorization} (echoed)` } }),
      http401: () => ({ status: 401, body: 'bad signature' }),
      http503: () => ({ status: 503 }),
      timeout: () => ({ hang: true }),
      dropped: () => ({ destroy: true }),
      invalid: () => ({ body: '{"resultCode":' }),
      wrongType: () => ({ body: { resultCode: '0100000', resultDesc: 'x' } }),
      aborted: () => ({ hang: true }),
    };
    const errors: unknown[] = [];
    for (const [name, handler] of Object.entries(handlers)) {
      const server = await startFakeCmsServer({ handler });
      servers.push(server);
      const client = new CmsClient(testCmsConfig(server.url, { timeoutSeconds: 0.3, retries: 1, signedHeaders: ['host', 'content-type'] }), {
        logger,
        onRequest: (e) => events.push(e),
        sleep: async () => {},
      });
      clients.push(client);
      const signal = name === 'aborted' ? AbortSignal.timeout(200) : undefined;
      errors.push(await client.queryAgentCalls(AGENT, { signal }).catch((e: unknown) => e));
    }
    const refused = await startFakeCmsServer();
    await refused.close();
    const refusedClient = new CmsClient(testCmsConfig(refused.url, { retries: 1 }), { logger, sleep: async () => {} });
    clients.push(refusedClient);
    errors.push(await refusedClient.queryCtiServerTime({ ccId: 1 }).catch((e: unknown) => e));
    errors.push(await refusedClient.queryAgentCalls({ ...AGENT, agentId: 1 }).catch((e: unknown) => e));

    const types = [CmsResultError, CmsHttpError, CmsHttpError, CmsTimeoutError, CmsNetworkError, CmsInvalidResponseError, CmsInvalidResponseError, CmsAbortedError, CmsNetworkError, CmsInvalidRequestError];
    errors.forEach((err, i) => expect(err).toBeInstanceOf(types[i]!));
    expect((errors[0] as CmsResultError).resultDesc).toContain('[redacted]');
    expect((errors[4] as CmsNetworkError).cause).toBeInstanceOf(Error);
    expect(Object.keys((errors[4] as CmsNetworkError).cause as object)).toEqual(['code']);

    const authorizations = servers.flatMap((s) => s.requests.map((r) => r.authorization ?? ''));
    expect(authorizations.length).toBeGreaterThan(8);
    expectClean(errors.flatMap(renderings), authorizations);
    expect(lines.length).toBeGreaterThan(0); // retries were logged
    expectClean(lines, authorizations);
    expectClean([JSON.stringify(events)], authorizations);
  });
});
