import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderSampleLines } from '../../src/metrics/exposition-text.js';
import { BLOCK_BYTES, sampleLineBlocks } from '../../src/metrics/sample-line-encoder.js';
import type { FamilySamples } from '../../src/metrics/types.js';
import { familyOf } from '../helpers/families.js';

function family(labelNames: string[], samples: Array<{ labels: string[]; value: number }>): FamilySamples {
  return familyOf({ name: 'aicc_test_calls', type: 'gauge', help: 'h', labelNames, samples });
}

/** What the store serves: the blocks joined. */
const encoded = (f: FamilySamples): Buffer => Buffer.concat([...sampleLineBlocks(f)]);

/** The reference: the string rendering, UTF-8 encoded as Buffer.from does it. */
const reference = (f: FamilySamples): Buffer => Buffer.from(renderSampleLines(f), 'utf8');

describe('sampleLineBlocks', () => {
  it('writes exactly the bytes of the string rendering, for any label values and values', () => {
    const label = fc.oneof(
      fc.string({ unit: 'binary' }), // lone surrogates included: U+FFFD, as Buffer.from writes them
      fc.string({ unit: fc.constantFrom('a', '\\', '"', '\n', 'é', '😀', '\u2028') }),
      fc.nat().map(String),
    );
    const value = fc.oneof(fc.double(), fc.integer(), fc.nat(), fc.constantFrom(-0, 1e15 - 1, 1e15, 2 ** 53, Number.MAX_VALUE));
    fc.assert(
      fc.property(fc.array(fc.tuple(label, label, value), { maxLength: 30 }), (rows) => {
        const f = family(['vdn', 'access_code'], rows.map(([a, b, v]) => ({ labels: [a, b], value: v })));
        expect(encoded(f).equals(reference(f))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('splits many series into ~64 KB blocks of whole lines', () => {
    const f = family(
      ['cc_id', 'vdn', 'access_code', 'stage'],
      Array.from({ length: 20_000 }, (_, i) => ({ labels: ['1', String(i % 1000), String(i), 'queue'], value: i })),
    );
    const blocks = [...sampleLineBlocks(f)];
    expect(blocks.length).toBeGreaterThan(10);
    for (const block of blocks) {
      expect(block.length).toBeLessThanOrEqual(BLOCK_BYTES);
      expect(block[block.length - 1]).toBe(0x0a);
    }
    expect(blocks.slice(0, -1).every((b) => b.length > BLOCK_BYTES - 200)).toBe(true);
    expect(Buffer.concat(blocks).equals(reference(f))).toBe(true);
  });

  it('starts a bigger block for a line longer than a block, never splitting a line', () => {
    const long = 'é"'.repeat(BLOCK_BYTES);
    const f = family(['vdn'], [{ labels: ['1'], value: 1 }, { labels: [long], value: 2 }, { labels: ['3'], value: 3 }]);
    const blocks = [...sampleLineBlocks(f)];
    expect(blocks).toHaveLength(2);
    expect(blocks[0]!.toString('utf8')).toBe('aicc_test_calls{vdn="1"} 1\n');
    expect(blocks[1]!.length).toBeGreaterThan(BLOCK_BYTES);
    expect(blocks[1]!.toString('utf8').startsWith(`aicc_test_calls{vdn="${'é\\"'.repeat(3)}`)).toBe(true);
    expect(Buffer.concat(blocks).equals(reference(f))).toBe(true);
  });

  it('trims a small family to its bytes, and yields nothing for a family without series', () => {
    const small = [...sampleLineBlocks(family([], [{ labels: [], value: 0.5 }]))];
    expect(small).toHaveLength(1);
    expect(small[0]!.toString()).toBe('aicc_test_calls 0.5\n');
    expect(small[0]!.buffer.byteLength).toBeLessThan(BLOCK_BYTES);
    expect([...sampleLineBlocks(family(['a'], []))]).toEqual([]);
  });
});
