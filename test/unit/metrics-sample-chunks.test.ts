import { describe, expect, it } from 'vitest';
import { renderSampleLines, sampleLineChunks } from '../../src/metrics/exposition-text.js';
import type { FamilySamples } from '../../src/metrics/types.js';
import { familyOf } from '../helpers/families.js';

function family(count: number, labelNames: string[]): FamilySamples {
  return familyOf({
    name: 'aicc_test_calls',
    type: 'gauge',
    help: 'h',
    labelNames,
    samples: Array.from({ length: count }, (_, i) => ({ labels: labelNames.map((n) => `${n}-${i}-"\\\n`), value: i / 3 })),
  });
}

describe('sampleLineChunks', () => {
  it('renders in bounded pieces of whole lines whose concatenation is exactly the string rendering', () => {
    const big = family(20_000, ['cc_id', 'vdn', 'access_code']);
    const pieces = [...sampleLineChunks(big)];
    expect(pieces.length).toBeGreaterThan(3);
    for (const piece of pieces) {
      expect(piece.length).toBeLessThan(300 * 1024);
      expect(piece.endsWith('\n')).toBe(true);
    }
    expect(pieces.join('')).toBe(renderSampleLines(big));
    expect(renderSampleLines(big).split('\n')).toHaveLength(20_001);
  });

  it('handles families without labels and without samples', () => {
    expect([...sampleLineChunks(family(2, []))].join('')).toBe('aicc_test_calls 0\naicc_test_calls 0.3333333333333333\n');
    expect([...sampleLineChunks(family(0, ['a']))]).toEqual([]);
  });
});
