/** BlockPool: buffers handed out again only after they were given back, once, and only its own. */
import { describe, expect, it } from 'vitest';
import { BlockPool } from '../../src/metrics/block-pool.js';

describe('BlockPool', () => {
  it('hands a given-back block out again, through a view of it too', () => {
    const pool = new BlockPool(1024, 4);
    const a = pool.take();
    expect(a.length).toBe(1024);
    pool.give([a.subarray(0, 10)]);
    expect(pool.freeCount).toBe(1);
    const b = pool.take();
    expect(b.buffer).toBe(a.buffer);
    expect(b.length).toBe(1024);
    expect(pool.take().buffer).not.toBe(a.buffer); // nothing free: a new block
  });

  it('ignores memory it did not hand out and a block given twice', () => {
    const pool = new BlockPool(1024, 4);
    pool.give([Buffer.allocUnsafeSlow(1024), Buffer.from('copy'), new Uint8Array(1024)]);
    expect(pool.freeCount).toBe(0);
    const a = pool.take();
    pool.give([a, a.subarray(5)]);
    pool.give([a]);
    expect(pool.freeCount).toBe(1);
    expect(pool.take().buffer).toBe(a.buffer);
    expect(pool.take().buffer).not.toBe(a.buffer);
  });

  it('keeps at most maxFree blocks', () => {
    const pool = new BlockPool(64, 2);
    const blocks = [pool.take(), pool.take(), pool.take()];
    pool.give(blocks);
    expect(pool.freeCount).toBe(2);
  });
});
