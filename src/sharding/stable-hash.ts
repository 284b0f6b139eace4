/**
 * Process-independent hashing for shard assignment. Everything here is a pure function of its
 * arguments: the same inputs give the same bucket on every host, Node version and restart, so
 * several exporter replicas agree on who owns what without talking to each other.
 */
import { createHash } from 'node:crypto';

const MASK64 = (1n << 64n) - 1n;
/** The 64-bit LCG multiplier of Lamping & Veach's jump consistent hash. */
const JUMP_MULTIPLIER = 2862933555777941757n;

/**
 * The first 8 bytes of SHA-256(`text`, UTF-8) as an unsigned big-endian 64-bit integer.
 * SHA-256 rather than a short non-cryptographic hash because keys like `1:1`, `1:2` differ in
 * one byte and must still spread evenly; its cost (about a microsecond) is irrelevant here.
 */
export function stableKey64(text: string): bigint {
  return createHash('sha256').update(text, 'utf8').digest().readBigUInt64BE(0);
}

/**
 * Jump consistent hash (Lamping & Veach, 2014): maps a 64-bit key to a bucket in
 * [0, buckets). When `buckets` grows from n to n+1, only about 1/(n+1) of the keys move, and all
 * of them move to the new bucket; shrinking moves only the keys of the removed bucket.
 * Throws RangeError unless `buckets` is an integer in [1, 2^31).
 */
export function jumpConsistentHash(key: bigint, buckets: number): number {
  if (!Number.isInteger(buckets) || buckets < 1 || buckets >= 2 ** 31) {
    throw new RangeError(`buckets must be an integer in [1, 2^31), got ${buckets}`);
  }
  let k = key & MASK64;
  let b = -1;
  let j = 0;
  while (j < buckets) {
    b = j;
    k = (k * JUMP_MULTIPLIER + 1n) & MASK64;
    j = Math.floor((b + 1) * (2 ** 31 / Number((k >> 33n) + 1n)));
  }
  return b;
}
