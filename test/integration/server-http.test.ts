import { request as httpRequest, Agent } from 'node:http';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createMetricsPipeline } from '../../src/metrics/metrics-endpoint.js';
import { startHttpServer } from '../../src/server/http-server.js';
import type { CollectorStatus, HttpServerOptions, MetricsSource, RunningHttpServer } from '../../src/server/types.js';
import { captureLogger } from '../helpers/capture-logger.js';
import { parseExposition } from '../helpers/parse-exposition.js';
import { familyOf } from '../helpers/families.js';

const servers: RunningHttpServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

function pipeline() {
  const p = createMetricsPipeline({ version: '1.0.0', defaultMetrics: false });
  p.store.set('sysindex:1', [
    familyOf({
      name: 'aicc_inbound_calls_total',
      type: 'counter',
      help: 'Inbound calls.',
      labelNames: ['cc_id', 'vdn'],
      samples: Array.from({ length: 500 }, (_, i) => ({ labels: ['1', String(i)], value: i })),
    }),
  ]);
  return p;
}

async function start(overrides: Partial<HttpServerOptions> = {}) {
  const state = { ready: false, collectors: [] as CollectorStatus[] };
  const log = captureLogger('debug');
  const server = await startHttpServer({
    host: '127.0.0.1',
    port: 0,
    metrics: pipeline().endpoint,
    status: { ready: () => state.ready, collectors: () => state.collectors },
    logger: log.logger,
    version: '1.0.0',
    ...overrides,
  });
  servers.push(server);
  return { server, state, log };
}

/** A request with node:http (no automatic decompression, exact headers). */
function raw(url: string, init: { method?: string; headers?: Record<string, string> } = {}) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }>((resolve, reject) => {
    const req = httpRequest(url, { method: init.method ?? 'GET', headers: init.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Sends raw bytes and returns what the server answers before closing. */
function rawSocket(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(bytes));
    let out = '';
    socket.on('data', (d) => (out += d.toString()));
    socket.on('close', () => resolve(out));
    socket.on('error', reject);
    socket.setTimeout(5000, () => socket.destroy());
  });
}

describe('HTTP server', () => {
  it('serves text 0.0.4 by default, gzip when asked, decoded by fetch', async () => {
    const { server } = await start();
    const plain = await raw(`${server.url}/metrics`);
    expect(plain.status).toBe(200);
    expect(plain.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(Number(plain.headers['content-length'])).toBe(plain.body.length);
    const parsed = parseExposition(plain.body.toString(), 'text');
    expect(parsed.value('aicc_inbound_calls_total', { vdn: '499' })).toBe(499);

    const gz = await raw(`${server.url}/metrics`, { headers: { 'Accept-Encoding': 'gzip' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.body.length).toBeLessThan(plain.body.length);

    // fetch (undici) decodes the multi-member gzip stream as one body.
    const res = await fetch(`${server.url}/metrics`, { headers: { 'Accept-Encoding': 'gzip' } });
    expect(res.headers.get('content-encoding')).toBe('gzip');
    expect(await res.text()).toBe(plain.body.toString());
  });

  it('negotiates OpenMetrics', async () => {
    const { server } = await start();
    const res = await fetch(`${server.url}/metrics`, {
      headers: { Accept: 'application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.3,*/*;q=0.2' },
    });
    expect(res.headers.get('content-type')).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
    const body = await res.text();
    expect(parseExposition(body, 'openmetrics').family('aicc_inbound_calls')?.samples).toHaveLength(500);
  });

  it('answers HEAD with headers only', async () => {
    const { server } = await start();
    const res = await raw(`${server.url}/metrics`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(Number(res.headers['content-length'])).toBeGreaterThan(1000);
    expect(res.body.length).toBe(0);
    expect((await raw(`${server.url}/-/healthy`, { method: 'HEAD' })).status).toBe(200);
  });

  it('serves the landing page with every value escaped', async () => {
    const { server, state } = await start();
    state.collectors = [{ collector: 'sysindex', ccId: 1, lastRunAt: 1000, lastError: '<script>alert(1)</script>', running: false }];
    const res = await fetch(`${server.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await res.text();
    expect(html).toContain('<title>AICC Exporter</title>');
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('answers health and readiness', async () => {
    const { server, state } = await start();
    const healthy = await fetch(`${server.url}/-/healthy`);
    expect([healthy.status, (await healthy.text()).trim()]).toEqual([200, 'Healthy']);
    expect((await fetch(`${server.url}/-/ready`)).status).toBe(503);
    state.ready = true;
    expect((await fetch(`${server.url}/-/ready`)).status).toBe(200);
  });

  it('refuses /-/reload when the lifecycle API is off', async () => {
    const { server } = await start();
    const res = await fetch(`${server.url}/-/reload`, { method: 'POST' });
    expect(res.status).toBe(403);
    expect(await res.text()).toBe('Lifecycle API is not enabled.\n');
  });

  it('reloads through the lifecycle API and reports failures', async () => {
    let outcome = { ok: true, message: 'done' };
    let calls = 0;
    const { server } = await start({
      onReload: async () => {
        calls++;
        return outcome;
      },
    });
    const ok = await fetch(`${server.url}/-/reload`, { method: 'POST' });
    expect([ok.status, await ok.text()]).toEqual([200, 'done\n']);
    outcome = { ok: false, message: 'config.yaml: cms.url is required' };
    const bad = await fetch(`${server.url}/-/reload`, { method: 'PUT' });
    expect(bad.status).toBe(500);
    expect(await bad.text()).toContain('cms.url is required');
    const get = await fetch(`${server.url}/-/reload`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST, PUT');
    expect(calls).toBe(2);
  });

  it('answers 404 for unknown paths and 405 with Allow for wrong methods', async () => {
    const { server } = await start();
    expect((await fetch(`${server.url}/nope`)).status).toBe(404);
    expect((await fetch(`${server.url}/metrics/`)).status).toBe(404);
    const post = await fetch(`${server.url}/metrics`, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    expect((await fetch(`${server.url}/metrics?x=1`)).status).toBe(200);
  });

  it('survives malformed requests and oversized headers', async () => {
    const { server, log } = await start();
    expect(await rawSocket(server.port, 'NOT HTTP AT ALL\r\n\r\n')).toMatch(/^HTTP\/1\.1 400 /);
    const huge = `GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`;
    expect(await rawSocket(server.port, huge)).toMatch(/^HTTP\/1\.1 431 /);
    expect(await rawSocket(server.port, 'GET http://[bad HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).toMatch(/^HTTP\/1\.1 (400|404) /);
    expect((await fetch(`${server.url}/-/healthy`)).status).toBe(200);
    expect(log.lines().some((l) => l.msg === 'bad HTTP request' && l.level === 'debug')).toBe(true);
  });

  it("releases a body's chunks once its response is over, sent or abandoned", async () => {
    let releases = 0;
    const big = Buffer.alloc(8 * 1024 * 1024, 0x61); // more than a socket takes at once
    const metrics: MetricsSource = {
      renderMetrics: () =>
        Promise.resolve({ chunks: [big], byteLength: big.length, contentType: 'text/plain', release: () => releases++ }),
    };
    const { server } = await start({ metrics });
    const res = await fetch(`${server.url}/metrics`);
    expect((await res.arrayBuffer()).byteLength).toBe(big.length);
    await expect.poll(() => releases).toBe(1);
    expect((await fetch(`${server.url}/metrics`, { method: 'HEAD' })).status).toBe(200);
    await expect.poll(() => releases).toBe(2);
    // A client that reads the headers and leaves: released when the connection closes.
    await new Promise<void>((resolve, reject) => {
      const req = httpRequest(`${server.url}/metrics`, (r) => {
        r.destroy();
        resolve();
      });
      req.on('error', reject);
      req.end();
    });
    await expect.poll(() => releases).toBe(3);
  });

  it('answers 500 when rendering fails and keeps serving', async () => {
    let fail = true;
    const real = pipeline().endpoint;
    const metrics: MetricsSource = {
      renderMetrics: async (format, gzip) => {
        if (fail) throw new Error('boom');
        return real.renderMetrics(format, gzip);
      },
    };
    const { server, log } = await start({ metrics });
    expect((await fetch(`${server.url}/metrics`)).status).toBe(500);
    expect(log.lines().some((l) => l.msg === 'HTTP handler failed' && l.level === 'error')).toBe(true);
    fail = false;
    expect((await fetch(`${server.url}/metrics`)).status).toBe(200);
  });

  it('close() ends idle keep-alive connections', async () => {
    const { server } = await start();
    const agent = new Agent({ keepAlive: true });
    const closed = new Promise<void>((resolve, reject) => {
      const req = httpRequest(`${server.url}/-/healthy`, { agent }, (res) => {
        res.resume();
        res.on('end', () => {
          req.socket?.once('close', () => resolve());
          void server.close();
        });
      });
      req.on('error', reject);
      req.end();
    });
    await closed;
    await server.close();
    await expect(fetch(`${server.url}/-/healthy`)).rejects.toThrow();
    agent.destroy();
  });

  it('rejects when the port is taken', async () => {
    const { server } = await start();
    await expect(startHttpServer({
      host: '127.0.0.1',
      port: server.port,
      metrics: pipeline().endpoint,
      status: { ready: () => true, collectors: () => [] },
      logger: captureLogger('silent').logger,
    })).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});
