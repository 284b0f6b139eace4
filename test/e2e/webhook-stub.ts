/**
 * A loopback HTTP server standing in for Alertmanager's webhook receivers, so the e2e test's
 * Alertmanager never sends anything off the machine, and the test can see what it notified.
 */
import { createServer } from 'node:http';
import { once } from 'node:events';

/** One webhook notification as Alertmanager posts it (the fields the test reads). */
export interface WebhookNotification {
  /** Request path: /<receiver name>. */
  path: string;
  receiver: string;
  status: 'firing' | 'resolved';
  alerts: Array<{ status: string; labels: Record<string, string> }>;
}

export interface WebhookStub {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  /** Every notification received so far, oldest first. */
  readonly received: WebhookNotification[];
  close(): Promise<void>;
}

/** Largest body accepted, bytes (Alertmanager's notifications for this test are a few KiB). */
const MAX_BODY_BYTES = 1024 * 1024;

/** Starts the stub on 127.0.0.1 and a free port. Every POST is answered 200 and recorded. */
export async function startWebhookStub(): Promise<WebhookStub> {
  const received: WebhookNotification[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY_BYTES) chunks.push(c);
    });
    req.on('end', () => {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Omit<WebhookNotification, 'path'>;
        received.push({ path: req.url ?? '', receiver: body.receiver, status: body.status, alerts: body.alerts });
      } catch {
        // not a notification: ignored
      }
      res.writeHead(200).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('webhook stub: no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
