/**
 * Starts the exporter's HTTP or HTTPS server (HTTPS when the web config has tls_server_config),
 * with timeouts against slow clients, basic auth and headers from the web config, and the web
 * config watched so certificates and users change without a restart.
 */
import { createServer as createHttpServer, STATUS_CODES, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { Server as TlsServer, TLSSocket } from 'node:tls';
import { BasicAuthenticator } from './basic-auth.js';
import { applyClientAuthMode, clientCertRejection } from './client-cert-policy.js';
import { createRequestHandler, type RequestSecurity } from './request-handler.js';
import type { HttpServerOptions, RunningHttpServer } from './types.js';
import { loadWebConfig, PLAIN_WEB_CONFIG, type WebConfig } from './web-config.js';
import { WebConfigError } from './web-config-error.js';
import { secureContextOptions } from './web-config-tls.js';
import { WebConfigWatcher } from './web-config-watcher.js';

/** Most time to receive a request's headers, ms (slowloris guard). */
export const HEADERS_TIMEOUT_MS = 10_000;
/** Most time to receive a whole request, ms. */
export const REQUEST_TIMEOUT_MS = 30_000;
/** An idle socket (also one not reading its response) is closed after this, ms. */
export const SOCKET_IDLE_TIMEOUT_MS = 60_000;
/** Most time for a TLS handshake, ms. */
export const TLS_HANDSHAKE_TIMEOUT_MS = 10_000;
/** How long close() lets responses in flight finish before destroying their sockets, ms. */
export const CLOSE_GRACE_MS = 2_000;

function sameUsers(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  return a.size === b.size && [...a].every(([user, hash]) => b.get(user) === hash);
}

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** Starts listening; rejects with a WebConfigError for an unusable web config, or a listen error. */
export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const { logger } = options;
  const file = options.webConfigFile ?? null;
  let config: WebConfig = file === null ? PLAIN_WEB_CONFIG : await loadWebConfig(file);
  const securityOf = (c: WebConfig, previous?: RequestSecurity): RequestSecurity => ({
    headers: c.headers,
    authenticator:
      previous !== undefined && sameUsers(config.users, c.users) ? previous.authenticator : new BasicAuthenticator(c.users),
    authExcludedPaths: c.authExcludedPaths,
  });
  let security = securityOf(config);

  const handler = createRequestHandler({
    security: () => security,
    metrics: options.metrics,
    status: options.status,
    onReload: options.onReload,
    logger,
    version: options.version,
  });

  let server: HttpServer;
  let tlsServer: TlsServer | null = null;
  if (config.tls !== null) {
    const https = createHttpsServer({ ...secureContextOptions(config.tls), handshakeTimeout: TLS_HANDSHAKE_TIMEOUT_MS }, handler);
    applyClientAuthMode(https, config.tls);
    https.prependListener('secureConnection', (socket: TLSSocket) => {
      const reason = config.tls === null ? null : clientCertRejection(socket, config.tls);
      if (reason !== null) {
        logger.debug({ remote: socket.remoteAddress, reason }, 'TLS connection refused');
        socket.destroy();
      }
    });
    https.on('tlsClientError', (err: Error) => logger.debug({ err: { message: err.message } }, 'TLS handshake failed'));
    server = https;
    tlsServer = https;
  } else {
    server = createHttpServer(handler);
  }
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.maxHeadersCount = 100;
  server.setTimeout(SOCKET_IDLE_TIMEOUT_MS);

  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    logger.debug({ err: { code: err.code, message: err.message } }, 'bad HTTP request');
    const pending = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (err.code === 'ECONNRESET' || !socket.writable || pending?.headersSent) {
      socket.destroy();
      return;
    }
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  });

  const apply = (next: WebConfig): void => {
    if ((next.tls === null) !== (config.tls === null)) {
      throw new WebConfigError('WEB_CONFIG_NEEDS_RESTART', 'switching between HTTP and HTTPS needs a restart');
    }
    if (next.tls !== null && tlsServer !== null) {
      tlsServer.setSecureContext(secureContextOptions(next.tls));
      applyClientAuthMode(tlsServer, next.tls);
    }
    security = securityOf(next, security);
    config = next;
  };
  const watcher = file === null ? null : new WebConfigWatcher(file, config, apply, logger, options.webConfigPollIntervalMs);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: options.host, port: options.port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err: Error) => logger.error({ err: { message: err.message } }, 'HTTP server error'));
  watcher?.start();
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  const url = `${config.tls === null ? 'http' : 'https'}://${urlHost(options.host)}:${port}`;
  logger.info({ url, tls: config.tls !== null, basicAuth: config.users.size > 0 }, 'HTTP server listening');

  let closing: Promise<void> | null = null;
  return {
    url,
    port,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        watcher?.stop();
        const grace = setTimeout(() => {
          for (const socket of sockets) socket.destroy();
        }, CLOSE_GRACE_MS);
        grace.unref();
        server.close(() => {
          clearTimeout(grace);
          resolve();
        });
        server.closeIdleConnections();
      });
      return closing;
    },
    reloadWebConfig: async () => {
      if (watcher !== null) await watcher.reload();
    },
  };
}
