import { describe, expect, it } from 'vitest';
import { SnapshotBuilder } from '../../src/collectors/snapshot-builder.js';
import { ExpositionError } from '../../src/metrics/exposition-error.js';
import { validateFamily } from '../../src/metrics/exposition-text.js';
import { rowsOf } from '../helpers/families.js';

describe('SnapshotBuilder', () => {
  it('keeps families in declaration order and series in append order, numbers spelled as strings', () => {
    const b = new SnapshotBuilder();
    const second = b.family('aicc_b', 'gauge', 'B.', ['cc_id', 'vdn']);
    const first = b.family('aicc_a_total', 'counter', 'A.', ['cc_id']);
    second([1, 20], 5);
    first(['1'], 7);
    second(['1', 10], 0.5);
    const [b1, a1] = b.build();
    expect([b1?.name, a1?.name]).toEqual(['aicc_b', 'aicc_a_total']);
    expect(rowsOf(b1!)).toEqual([
      { labels: ['1', '20'], value: 5 },
      { labels: ['1', '10'], value: 0.5 },
    ]);
    expect(b1?.labelValues).toEqual(['1', '20', '1', '10']);
    expect(rowsOf(a1!)).toEqual([{ labels: ['1'], value: 7 }]);
  });

  it('refuses a series with the wrong number of label values, which would shift every later series', () => {
    const b = new SnapshotBuilder();
    const add = b.family('aicc_x', 'gauge', 'X.', ['cc_id', 'vdn']);
    add(['1', '2'], 1);
    expect(() => add(['1'], 2)).toThrow(ExpositionError);
    expect(() => add(['1', '2', '3'], 2)).toThrow(/aicc_x.*3 label values for 2 label names/);
    expect(b.build()[0]?.values).toEqual([1]);
  });

  it('copies the label values out at once, so one array can be refilled for every series', () => {
    const b = new SnapshotBuilder();
    const add = b.family('aicc_x', 'gauge', 'X.', ['cc_id', 'vdn']);
    const scratch = ['1', ''];
    for (const vdn of ['10', '20', '30']) {
      scratch[1] = vdn;
      add(scratch, Number(vdn));
    }
    expect(rowsOf(b.build()[0]!)).toEqual([
      { labels: ['1', '10'], value: 10 },
      { labels: ['1', '20'], value: 20 },
      { labels: ['1', '30'], value: 30 },
    ]);
  });

  it('sizes the columns from expectedSeries, trims them to the series appended, and grows past it', () => {
    const b = new SnapshotBuilder();
    const fewer = b.family('aicc_fewer', 'gauge', 'F.', ['vdn'], 100);
    const more = b.family('aicc_more', 'gauge', 'M.', ['cc_id', 'vdn'], 1);
    const none = b.family('aicc_none', 'gauge', 'N.', ['vdn'], 10);
    fewer(['1'], 1);
    fewer(['2'], 2);
    for (let i = 0; i < 3; i++) more(['1', String(i)], i);
    void none;
    const [f, m, n] = b.build();
    expect(f).toMatchObject({ labelValues: ['1', '2'], values: [1, 2] });
    expect(rowsOf(m!)).toEqual([0, 1, 2].map((i) => ({ labels: ['1', String(i)], value: i })));
    expect(n).toMatchObject({ labelValues: [], values: [] });
    expect(() => validateFamily(f!)).not.toThrow();
  });

  it('takes columns as they are, in declaration order with the other families, and refuses lengths that disagree', () => {
    const b = new SnapshotBuilder();
    const add = b.family('aicc_a', 'gauge', 'A.', ['cc_id']);
    const labelValues = ['1', '10', '1', '20'];
    const values = [3, 4];
    b.columns('aicc_b', 'gauge', 'B.', ['cc_id', 'vdn'], labelValues, values);
    add(['1'], 7);
    expect(() => b.columns('aicc_c', 'gauge', 'C.', ['cc_id', 'vdn'], ['1', '10', '1'], [1, 2])).toThrow(/aicc_c.*3 label values for 2 series of 2 labels/);
    const [a, c] = b.build();
    expect(a?.name).toBe('aicc_a');
    expect(c?.labelValues).toBe(labelValues);
    expect(c?.values).toBe(values);
    expect(rowsOf(c!)).toEqual([
      { labels: ['1', '10'], value: 3 },
      { labels: ['1', '20'], value: 4 },
    ]);
    expect(() => validateFamily(c!)).not.toThrow();
  });
});
