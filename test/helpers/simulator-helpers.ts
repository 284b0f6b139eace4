import { formatAuthTimestamp, signAuthV2, type TimestampPrecision } from '../../src/cms/auth-v2-signer.js';
import { DEMO_ACCESS_KEY, DEMO_SECRET_KEY } from '../../src/simulator/start-simulator.js';

/**
 * Plain-fetch access to a running simulator, signed with the project's auth-v2 signer: what a
 * CC-CMS client does, without depending on the client under test.
 */

/** The seed documents' interface paths. */
export const SIM_PATHS = {
  sysindex: '/rest/cmsapp/v1/openapi/cti/sysindex',
  ctiServerTime: '/rest/cmsapp/v1/openapi/configures/ctiservertime',
  accessCodeCallInfo: '/rest/cmsapp/v1/openapi/vdn/queryaccesscodecallinfo',
  agentCalls: '/rest/cmsapp/v1/openapi/agent/queryagentcalls',
  agentGroupCalls: '/rest/cmsapp/v1/openapi/agentgroup/queryagentcalls',
  basicCallInfo: '/rest/cmsapp/v1/openapi/calldata/querybasiccallinfo',
} as const;

export interface SignedPostOptions {
  accessKey?: string;
  secretKey?: string;
  /** Signing instant (default now) or an already formatted timestamp. */
  at?: Date | string;
  precision?: TimestampPrecision;
  /** Header names to sign (default ['host']). */
  signedHeaders?: string[];
  /** Query parameters appended to the URL and signed. */
  query?: Record<string, string>;
  method?: string;
  /** Replace the Authorization header (null: send none). */
  authorization?: string | null;
  /** Sign this body but send `sendBody` instead (to break the signature). */
  sendBody?: string;
  signal?: AbortSignal;
}

export interface SimAnswer {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed body, or undefined when it is not JSON. */
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** POSTs `body` (object: JSON-encoded; string: sent as is) to `baseUrl + path`, signed. */
export async function signedPost(
  baseUrl: string,
  path: string,
  body: unknown,
  opts: SignedPostOptions = {},
): Promise<SimAnswer> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const url = new URL(path, baseUrl);
  for (const [k, v] of Object.entries(opts.query ?? {})) url.searchParams.set(k, v);
  const method = opts.method ?? 'POST';
  const contentType = 'application/json;charset=UTF-8';
  const timestamp = typeof opts.at === 'string' ? opts.at : formatAuthTimestamp(opts.at ?? new Date(), opts.precision);
  const headers: Record<string, string> = { 'content-type': contentType };
  const authorization =
    opts.authorization !== undefined
      ? opts.authorization
      : signAuthV2(
          {
            method,
            path: url.pathname,
            query: opts.query,
            headers: { host: url.host, 'content-type': contentType, 'content-length': String(Buffer.byteLength(text)) },
            body: text,
          },
          { accessKey: opts.accessKey ?? DEMO_ACCESS_KEY, secretKey: opts.secretKey ?? DEMO_SECRET_KEY },
          timestamp,
          opts.signedHeaders ?? ['host'],
        );
  if (authorization !== null) headers.authorization = authorization;
  const sent = opts.sendBody ?? text;
  const res = await fetch(url, {
    method,
    headers,
    body: method === 'GET' || method === 'HEAD' ? undefined : sent,
    signal: opts.signal,
  });
  const answerText = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(answerText);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text: answerText, json };
}

/** A fixed manual-clock start used by tests: 2024-03-01 10:00:00 UTC. */
export const TEST_START_MS = Date.UTC(2024, 2, 1, 10, 0, 0);

/** `yyyy-MM-dd HH:mm:ss` in UTC, as sysindex wants its dates. */
export function cmsDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}
