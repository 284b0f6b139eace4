import { describe, expect, it } from 'vitest';
import { renderSampleBuffers, renderSampleLines } from '../../src/metrics/exposition-text.js';
import type { FamilySamples } from '../../src/metrics/types.js';

function family(count: number, labelNames: string[]): FamilySamples {
  return {
    name: 'aicc_test_calls',
    type: 'gauge',
    help: 'h',
    labelNames,
    samples: Array.from({ length: count }, (_, i) => ({ labels: labelNames.map((n) => `${n}-${i}-"\\\n`), value: i / 3 })),
  };
}

describe('renderSampleBuffers', () => {
  it('renders in bounded chunks whose concatenation is exactly the string rendering', () => {
    const big = family(20_000, ['cc_id', 'vdn', 'access_code']);
    const buffers = renderSampleBuffers(big);
    expect(buffers.length).toBeGreaterThan(10);
    for (const b of buffers.slice(0, -1)) expect(b.length).toBeLessThan(200 * 1024);
    expect(Buffer.concat(buffers).toString('utf8')).toBe(renderSampleLines(big));
    expect(renderSampleLines(big).split('\n')).toHaveLength(20_001);
  });

  it('handles families without labels and without samples', () => {
    expect(Buffer.concat(renderSampleBuffers(family(2, []))).toString()).toBe('aicc_test_calls 0\naicc_test_calls 0.3333333333333333\n');
    expect(renderSampleBuffers(family(0, ['a']))).toEqual([]);
  });
});
