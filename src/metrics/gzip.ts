import { gzip, gzipSync } from 'node:zlib';

/**
 * Compresses `data` as one gzip member on libuv's thread pool, so compressing a large snapshot
 * never blocks the event loop. Gzip members concatenate into a valid gzip stream (RFC 1952
 * §2.2), which is how cached parts are joined without recompressing them per scrape.
 */
export function gzipMember(data: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    gzip(data, (err, out) => (err ? reject(err) : resolve(out)));
  });
}

/** gzipMember for tiny inputs (a family's HELP/TYPE lines), where a thread hop costs more. */
export function gzipMemberSync(data: Buffer): Buffer {
  return gzipSync(data);
}
