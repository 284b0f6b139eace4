import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { CmsEndpoint } from '../cms/types.js';
import type { AuthResult, VerifiableRequest } from './auth-verifier.js';
import type { CallCenterModel } from './call-center-model.js';
import { MALFORMED_BODY, withWrongTypes, type FaultInjector } from './fault-injector.js';
import { answerFor, failure, SIM_RESULT_CODES } from './interface-handlers.js';
import type { RequestStats } from './request-stats.js';
import { InvalidParameterError, parseBody } from './request-validation.js';

/**
 * The simulator's HTTP front: routing (404 unknown path, 405 anything but POST), request size
 * limit (413), faults, auth-v2 (401), then the interface handlers. It tracks open responses so
 * close() ends hanging requests and keep-alive sockets too.
 */

/** The seed documents' paths; agent calls also answer at agentgroup/queryagentcalls. */
export const SIMULATOR_PATHS: Readonly<Record<string, CmsEndpoint>> = {
  '/rest/cmsapp/v1/openapi/cti/sysindex': 'sysindex',
  '/rest/cmsapp/v1/openapi/configures/ctiservertime': 'cti_server_time',
  '/rest/cmsapp/v1/openapi/vdn/queryaccesscodecallinfo': 'access_code_call_info',
  '/rest/cmsapp/v1/openapi/agent/queryagentcalls': 'agent_calls',
  '/rest/cmsapp/v1/openapi/agentgroup/queryagentcalls': 'agent_calls',
  '/rest/cmsapp/v1/openapi/calldata/querybasiccallinfo': 'basic_call_info',
};

/** Settings read on every request, so a running simulator can change them. */
export interface LiveSettings {
  /** Base response time of every answer, ms from the request's arrival (computing included). */
  latencyMs: number;
  maxRequestBodyBytes: number;
  cti36: boolean;
  ctiClockOffsetMs: number;
}

export interface SimulatorServerDeps {
  model: CallCenterModel;
  verify: (req: VerifiableRequest) => AuthResult;
  faults: FaultInjector;
  stats: RequestStats;
  settings: LiveSettings;
}

interface Answer {
  status: number;
  text: string;
  headers?: Record<string, string>;
  resultCode?: string | null;
}

const JSON_TYPE = 'application/json;charset=UTF-8';

/**
 * Longest wait between a request's arrival and computing its answer, ms. A client that sends a
 * burst of requests a fraction of a millisecond apart gets all of them stamped on arrival;
 * computing a sysindex answer for 100 VDNs takes up to ~1 ms, and eight of them still fit well
 * inside a 20 ms latency after the wait.
 */
export const COMPUTE_DELAY_MAX_MS = 5;

function json(status: number, body: Record<string, unknown>, headers?: Record<string, string>): Answer {
  const code = body.resultCode;
  return { status, text: JSON.stringify(body), headers, resultCode: code === undefined ? null : String(code) };
}

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= max) chunks.push(chunk); // beyond the limit: keep draining, keep nothing
    });
    req.on('end', () => (size > max ? reject(new BodyTooLarge()) : resolve(Buffer.concat(chunks))));
    req.on('error', reject);
  });
}

/** Builds the server (not yet listening) and its shutdown. */
export function createSimulatorServer(deps: SimulatorServerDeps): { server: Server; shutdown(): Promise<void> } {
  const timers = new Set<NodeJS.Timeout>();
  const delay = (ms: number): Promise<void> =>
    ms <= 0
      ? Promise.resolve()
      : new Promise((resolve) => {
          const t = setTimeout(() => {
            timers.delete(t);
            resolve();
          }, ms);
          timers.add(t);
        });

  /**
   * The answer leaves `latencyMs` (plus any fault latency) after the request arrived, however
   * long computing it took: a real CMS serves requests in parallel, so the simulator's own CPU
   * must not queue up behind the latency of the requests in flight. Nor may a request's arrival
   * wait for other requests' computing: an arrival is only stamped when the event loop gets to
   * it, so computing is put off by half the latency, at most COMPUTE_DELAY_MAX_MS (with no
   * latency, to the check phase), and requests arriving in that window are stamped on arrival.
   */
  async function produce(req: IncomingMessage, endpoint: CmsEndpoint | null, url: URL, body: Buffer, arrivedAt: number): Promise<Answer | 'hang'> {
    const { latencyMs } = deps.settings;
    const dueAt = arrivedAt + latencyMs;
    const computeDelayMs = Math.min(latencyMs / 2, COMPUTE_DELAY_MAX_MS);
    if (computeDelayMs >= 1) await delay(arrivedAt + computeDelayMs - performance.now());
    else await new Promise((resolve) => setImmediate(resolve));
    const { answer, faultLatencyMs } = compute(req, endpoint, url, body);
    await delay(dueAt + faultLatencyMs - performance.now());
    return answer;
  }

  function compute(req: IncomingMessage, endpoint: CmsEndpoint | null, url: URL, body: Buffer): { answer: Answer | 'hang'; faultLatencyMs: number } {
    const { settings } = deps;
    const withoutFault = (answer: Answer | 'hang') => ({ answer, faultLatencyMs: 0 });
    if (endpoint === null) return withoutFault(json(404, { resultCode: '404', resultDesc: 'Not found' }));
    if (req.method !== 'POST') return withoutFault(json(405, { resultCode: '405', resultDesc: 'Method not allowed' }, { allow: 'POST' }));
    const fault = deps.faults.pick(endpoint);
    const withFault = (answer: Answer | 'hang') => ({ answer, faultLatencyMs: fault?.latencyMs ?? 0 });
    if (fault?.hang) return withFault('hang');
    if (fault?.unauthorized) return withFault(json(401, { error: 'Unauthorized' }));
    if (fault?.httpStatus !== undefined || fault?.retryAfterSeconds !== undefined) {
      const status = fault.httpStatus ?? 429;
      const headers = fault.retryAfterSeconds !== undefined ? { 'retry-after': String(fault.retryAfterSeconds) } : undefined;
      return withFault(json(status, { error: `Simulated HTTP ${status}` }, headers));
    }
    const auth = deps.verify({
      method: req.method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body,
    });
    if (!auth.ok) return withFault(json(401, { error: 'Unauthorized' }));
    if (fault?.malformedJson) return withFault({ status: 200, text: MALFORMED_BODY, resultCode: null });
    if (fault?.resultCode !== undefined) return withFault(json(200, failure(fault.resultCode, 'Simulated failure')));
    let parsed;
    try {
      parsed = parseBody(body.toString('utf8'));
    } catch (err) {
      if (err instanceof InvalidParameterError) return withFault(json(200, failure(SIM_RESULT_CODES.invalidParameter, 'Invalid parameter')));
      throw err;
    }
    const answer = answerFor(endpoint, parsed, {
      model: deps.model,
      role: auth.role,
      cti36: settings.cti36,
      ctiClockOffsetMs: settings.ctiClockOffsetMs,
    });
    return withFault(json(200, fault?.wrongTypes ? withWrongTypes(answer) : answer));
  }

  function onRequest(req: IncomingMessage, res: ServerResponse): void {
    const startedAt = Date.now();
    const arrivedAt = performance.now();
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://simulator.invalid');
    } catch {
      url = new URL('http://simulator.invalid/');
    }
    const endpoint = SIMULATOR_PATHS[url.pathname] ?? null;
    deps.stats.begin(endpoint);
    let bodyText = '';
    let resultCode: string | null = null;
    res.on('close', () => {
      deps.stats.end({
        atMs: startedAt,
        method: req.method ?? '',
        path: url.pathname,
        endpoint,
        status: res.headersSent ? res.statusCode : 0,
        resultCode,
        body: bodyText,
        durationMs: Date.now() - startedAt,
      });
    });
    readBody(req, deps.settings.maxRequestBodyBytes)
      .then(async (body) => {
        bodyText = body.toString('utf8');
        return produce(req, endpoint, url, body, arrivedAt);
      })
      .catch((err: unknown): Answer => {
        if (err instanceof BodyTooLarge) return { ...json(413, { error: 'Request body too large' }), headers: { connection: 'close' } };
        return json(500, failure('0100999', 'Unknown error'));
      })
      .then((answer) => {
        if (answer === 'hang' || res.destroyed) return;
        resultCode = answer.resultCode ?? null;
        res.writeHead(answer.status, {
          'content-type': JSON_TYPE,
          'content-length': String(Buffer.byteLength(answer.text)),
          ...answer.headers,
        });
        res.end(answer.text);
      })
      .catch(() => res.destroy());
  }

  const server = createServer({ keepAlive: true }, onRequest);
  return {
    server,
    shutdown: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        if (!server.listening) {
          resolve();
          return;
        }
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
