import { createGzip, gzipSync } from 'node:zlib';

/** Bytes handed to the compressor per write. */
const WRITE_BYTES = 1024 * 1024;

/**
 * Compresses `parts`, in order, as one gzip member on libuv's thread pool, so compressing a
 * large snapshot never blocks the event loop and never needs the parts joined into one buffer
 * first. Gzip members concatenate into a valid gzip stream (RFC 1952 §2.2), which is how cached
 * parts are joined without recompressing them per scrape.
 */
export function gzipMember(parts: readonly Buffer[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const gzip = createGzip({ chunkSize: 64 * 1024 });
    const out: Buffer[] = [];
    gzip.on('data', (chunk: Buffer) => out.push(chunk));
    gzip.once('error', reject);
    gzip.once('end', () => resolve(out.length === 1 ? (out[0] as Buffer) : Buffer.concat(out)));
    // Each write is a thread-pool round trip: feed the compressor about 1 MB at a time.
    let group: Buffer[] = [];
    let groupBytes = 0;
    for (const part of parts) {
      group.push(part);
      groupBytes += part.length;
      if (groupBytes >= WRITE_BYTES) {
        gzip.write(group.length === 1 ? part : Buffer.concat(group, groupBytes));
        group = [];
        groupBytes = 0;
      }
    }
    if (group.length > 0) gzip.write(Buffer.concat(group, groupBytes));
    gzip.end();
  });
}

/**
 * gzipMember on the calling thread, for small inputs: a family's HELP/TYPE lines, a scrape's self
 * metrics (about 16 KB, 0.1 ms). A thread-pool round trip costs more than that, and on a busy
 * machine it waits for two thread wake-ups (the pool's, then the event loop's), which showed
 * as 5-20 ms gzip scrapes during an access-codes run.
 */
export function gzipMemberSync(data: Buffer): Buffer {
  return gzipSync(data);
}
