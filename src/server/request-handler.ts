/**
 * Routing of the exporter's HTTP endpoints. Nothing thrown here escapes: a failure answers 500
 * (or drops the connection when the response had started) and is logged.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../log.js';
import type { BasicAuthenticator } from './basic-auth.js';
import { acceptsGzip, negotiateFormat } from './content-negotiation.js';
import { renderLandingPage } from './landing-page.js';
import type { MetricsSource, ReloadResult, StatusSource } from './types.js';

/** What the web config decides per request; swapped whole when the config is reloaded. */
export interface RequestSecurity {
  headers: ReadonlyArray<readonly [string, string]>;
  authenticator: BasicAuthenticator;
  authExcludedPaths: ReadonlySet<string>;
}

export interface RequestHandlerDeps {
  security: () => RequestSecurity;
  metrics: MetricsSource;
  status: StatusSource;
  onReload?: () => Promise<ReloadResult>;
  logger: Logger;
  version?: string;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

/** Paths always served without basic auth, so probes work (TLS client auth still applies). */
export const UNAUTHENTICATED_PATHS: ReadonlySet<string> = new Set(['/-/healthy', '/-/ready']);

const TEXT = 'text/plain; charset=utf-8';

function send(res: ServerResponse, status: number, body: string, contentType = TEXT): void {
  const buf = Buffer.from(body);
  res.statusCode = status;
  res.setHeader('Content-Type', contentType);
  res.setHeader('Content-Length', buf.length);
  res.end(buf);
}

/** The `(req, res)` listener of the HTTP(S) server. */
export function createRequestHandler(deps: RequestHandlerDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const { metrics, status, logger } = deps;
  let reloading: Promise<ReloadResult> | null = null;

  const serveMetrics: Handler = async (req, res) => {
    const format = negotiateFormat(req.headers.accept);
    const body = await metrics.renderMetrics(format, acceptsGzip(req.headers['accept-encoding']));
    if (body.release) {
      if (res.closed) body.release(); // the client left while the body was being made
      else res.once('close', body.release);
    }
    res.statusCode = 200;
    res.setHeader('Content-Type', body.contentType);
    res.setHeader('Content-Length', body.byteLength);
    res.setHeader('Vary', 'Accept, Accept-Encoding');
    if (body.contentEncoding) res.setHeader('Content-Encoding', body.contentEncoding);
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    res.cork();
    for (const chunk of body.chunks) res.write(chunk);
    res.uncork();
    res.end();
  };

  const reload: Handler = async (_req, res) => {
    if (!deps.onReload) {
      send(res, 403, 'Lifecycle API is not enabled.\n');
      return;
    }
    reloading ??= deps.onReload().finally(() => {
      reloading = null;
    });
    const result = await reloading;
    if (result.ok) send(res, 200, `${result.message ?? 'Configuration reloaded.'}\n`);
    else send(res, 500, `Reload failed: ${result.message ?? 'see the exporter log'}\n`);
  };

  const routes: Record<string, { methods: readonly string[]; handle: Handler }> = {
    '/metrics': { methods: ['GET', 'HEAD'], handle: serveMetrics },
    '/': {
      methods: ['GET', 'HEAD'],
      handle: (_req, res) => send(res, 200, renderLandingPage(status.collectors(), deps.version), 'text/html; charset=utf-8'),
    },
    '/-/healthy': { methods: ['GET', 'HEAD'], handle: (_req, res) => send(res, 200, 'Healthy\n') },
    '/-/ready': {
      methods: ['GET', 'HEAD'],
      handle: (_req, res) => (status.ready() ? send(res, 200, 'Ready\n') : send(res, 503, 'Not ready\n')),
    },
    '/-/reload': { methods: ['POST', 'PUT'], handle: reload },
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const security = deps.security();
    for (const [name, value] of security.headers) res.setHeader(name, value);
    let path: string;
    try {
      path = new URL(req.url ?? '/', 'http://exporter.invalid').pathname;
    } catch {
      send(res, 400, 'Bad Request\n');
      return;
    }
    const open = UNAUTHENTICATED_PATHS.has(path) || security.authExcludedPaths.has(path);
    if (!open && security.authenticator.enabled && !(await security.authenticator.check(req.headers.authorization))) {
      res.setHeader('WWW-Authenticate', 'Basic');
      send(res, 401, 'Unauthorized\n');
      return;
    }
    const route = routes[path];
    if (route === undefined) {
      send(res, 404, 'Not Found\n');
      return;
    }
    if (!route.methods.includes(req.method ?? '')) {
      res.setHeader('Allow', route.methods.join(', '));
      send(res, 405, 'Method Not Allowed\n');
      return;
    }
    await route.handle(req, res);
  };

  return (req, res) => {
    req.on('error', (err) => logger.debug({ err: { message: err.message } }, 'HTTP request error'));
    res.on('error', (err) => logger.debug({ err: { message: err.message } }, 'HTTP response error'));
    req.resume(); // no endpoint reads a body; drain it so keep-alive works
    handle(req, res).catch((err: unknown) => {
      logger.error({ err: { message: err instanceof Error ? err.message : String(err) }, url: req.url }, 'HTTP handler failed');
      if (!res.headersSent) send(res, 500, 'Internal Server Error\n');
      else res.destroy();
    });
  };
}
