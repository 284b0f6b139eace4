import { execFileSync, spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CONTENT_TYPES,
  escapeHelp,
  escapeLabelValue,
  formatCanonicalFloat,
  formatValue,
  renderFamilies,
  renderFamilyHeader,
  renderSampleLines,
  validateFamily,
} from '../../src/metrics/exposition-text.js';
import { ExpositionError } from '../../src/metrics/exposition-error.js';
import type { FamilySamples } from '../../src/metrics/types.js';
import { parseExposition } from '../helpers/parse-exposition.js';
import { familyOf, type SeriesRow } from '../helpers/families.js';

const hasPromtool = spawnSync('promtool', ['--version']).status === 0;

function gauge(samples: SeriesRow[], help = 'A gauge.'): FamilySamples {
  return familyOf({ name: 'aicc_test_value', type: 'gauge', help, labelNames: ['cc_id', 'name'], samples });
}

describe('formatValue', () => {
  it('spells integers plainly and specials as Prometheus does', () => {
    expect(formatValue(0)).toBe('0');
    expect(formatValue(-0)).toBe('0');
    expect(formatValue(42)).toBe('42');
    expect(formatValue(-7)).toBe('-7');
    expect(formatValue(1_700_000_000)).toBe('1700000000');
    expect(formatValue(0.25)).toBe('0.25');
    expect(formatValue(NaN)).toBe('NaN');
    expect(formatValue(Infinity)).toBe('+Inf');
    expect(formatValue(-Infinity)).toBe('-Inf');
    expect(formatValue(1e21)).toBe('1e+21');
  });

  it('round-trips every double through both parsers', () => {
    fc.assert(
      fc.property(fc.double(), (v) => {
        for (const format of ['text', 'openmetrics'] as const) {
          const body = renderFamilies([gauge([{ labels: ['1', 'x'], value: v }])], format);
          const parsed = parseExposition(body, format).value('aicc_test_value');
          if (Number.isNaN(v)) expect(parsed).toBeNaN();
          else expect(parsed).toBe(v === 0 ? 0 : v);
        }
      }),
    );
  });

  it('writes canonical floats for OpenMetrics bucket bounds', () => {
    expect(formatCanonicalFloat(1)).toBe('1.0');
    expect(formatCanonicalFloat(0.005)).toBe('0.005');
    expect(formatCanonicalFloat(Infinity)).toBe('+Inf');
  });
});

describe('escaping', () => {
  it('escapes backslash, double quote and newline in label values', () => {
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
    expect(escapeLabelValue('plain')).toBe('plain');
  });

  it('escapes HELP per format: quotes only in OpenMetrics', () => {
    expect(escapeHelp('x\\y\n"z"', 'text')).toBe('x\\\\y\\n"z"');
    expect(escapeHelp('x\\y\n"z"', 'openmetrics')).toBe('x\\\\y\\n\\"z\\"');
  });

  it('keeps U+2028 and U+2029 as text: only \\n ends a line (a case the property below found)', () => {
    for (const format of ['text', 'openmetrics'] as const) {
      const body = renderFamilies([gauge([{ labels: ['7', 'x\u2028y'], value: 1 }], 'a\u2028b\u2029')], format);
      const family = parseExposition(body, format).family('aicc_test_value');
      expect(family?.help).toBe('a\u2028b\u2029');
      expect(family?.samples[0]?.labels).toEqual({ cc_id: '7', name: 'x\u2028y' });
    }
  });

  it('round-trips arbitrary label values and HELP texts in both formats', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' }), (value, help) => {
        for (const format of ['text', 'openmetrics'] as const) {
          const body = renderFamilies([gauge([{ labels: ['7', value], value: 1 }], help)], format);
          const family = parseExposition(body, format).family('aicc_test_value');
          expect(family?.help).toBe(help);
          expect(family?.samples[0]?.labels).toEqual({ cc_id: '7', name: value });
        }
      }),
    );
  });
});

describe('format details', () => {
  const counter: FamilySamples = familyOf({
    name: 'aicc_calls_total',
    type: 'counter',
    help: 'Calls.',
    labelNames: ['vdn'],
    samples: [{ labels: ['1'], value: 3 }],
  });

  it('names counter families without _total in OpenMetrics only', () => {
    expect(renderFamilyHeader('aicc_calls_total', 'counter', 'Calls.', 'openmetrics')).toBe(
      '# HELP aicc_calls Calls.\n# TYPE aicc_calls counter\n',
    );
    expect(renderFamilyHeader('aicc_calls_total', 'counter', 'Calls.', 'text')).toBe(
      '# HELP aicc_calls_total Calls.\n# TYPE aicc_calls_total counter\n',
    );
    const om = parseExposition(renderFamilies([counter], 'openmetrics'), 'openmetrics');
    expect(om.family('aicc_calls')?.type).toBe('counter');
    expect(om.value('aicc_calls_total', { vdn: '1' })).toBe(3);
    const text = parseExposition(renderFamilies([counter], 'text'), 'text');
    expect(text.family('aicc_calls_total')?.samples).toHaveLength(1);
  });

  it('ends OpenMetrics with one # EOF, omits empty families, writes no timestamps', () => {
    const empty: FamilySamples = { ...counter, name: 'aicc_empty_total', labelValues: [], values: [] };
    const om = renderFamilies([counter, empty], 'openmetrics');
    expect(om.endsWith('\n# EOF\n')).toBe(true);
    expect(om.match(/# EOF/g)).toHaveLength(1);
    expect(om).not.toContain('aicc_empty');
    expect(renderFamilies([counter], 'text')).not.toContain('EOF');
    for (const line of renderSampleLines(counter).trimEnd().split('\n')) expect(line.split(' ')).toHaveLength(2);
  });

  it('renders families without labels', () => {
    const f = familyOf({ name: 'aicc_x', type: 'gauge', help: 'x', labelNames: [], samples: [{ labels: [], value: 2 }] });
    expect(renderSampleLines(f)).toBe('aicc_x 2\n');
  });

  it('declares the two content types', () => {
    expect(CONTENT_TYPES.text).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(CONTENT_TYPES.openmetrics).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
  });

  it.skipIf(!hasPromtool)('passes promtool check metrics', () => {
    const body = renderFamilies(
      [counter, gauge([{ labels: ['1', 'we"ird\\\nname'], value: NaN }, { labels: ['2', ''], value: -Infinity }], 'Help with "quotes" \\ and\nnewline.')],
      'text',
    );
    expect(() => execFileSync('promtool', ['check', 'metrics'], { input: body, stdio: 'pipe' })).not.toThrow();
  });
});

describe('validateFamily', () => {
  const ok = gauge([{ labels: ['1', 'a'], value: 1 }]);
  const bad: Array<[string, FamilySamples]> = [
    ['bad metric name', { ...ok, name: '1abc' }],
    ['counter without _total', { ...ok, type: 'counter' }],
    ['bad label name', { ...ok, labelNames: ['cc-id', 'name'] }],
    ['reserved label name', { ...ok, labelNames: ['__name', 'name'] }],
    ['duplicate label name', { ...ok, labelNames: ['name', 'name'] }],
    ['wrong sample width', { ...ok, labelValues: ['1'] }],
    ['label value not a string', { ...ok, labelValues: ['1', 2 as unknown as string] }],
    ['value not a number', { ...ok, values: ['1' as unknown as number] }],
  ];

  it('accepts a valid family', () => {
    expect(() => validateFamily(ok)).not.toThrow();
  });

  it.each(bad)('rejects a family with a %s', (_why, family) => {
    expect(() => validateFamily(family)).toThrow(ExpositionError);
    try {
      validateFamily(family);
    } catch (err) {
      expect((err as ExpositionError).code).toBe('INVALID_FAMILY');
    }
  });
});

describe('parseExposition (the test helper) is strict', () => {
  it.each([
    ['a family twice', '# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\n# TYPE a gauge\n', 'text'],
    ['a timestamp', 'a 1 1700000000\n', 'text'],
    ['an unknown escape', 'a{x="\\t"} 1\n', 'text'],
    ['a duplicate series', 'a{x="1"} 1\na{x="1"} 2\n', 'text'],
    ['a missing EOF', '# TYPE a gauge\na 1\n', 'openmetrics'],
    ['two EOFs', '# TYPE a gauge\na 1\n# EOF\n# EOF\n', 'openmetrics'],
    ['a counter family named _total', '# TYPE a_total counter\na_total 1\n# EOF\n', 'openmetrics'],
    ['a quote in a text HELP', '# HELP a say \\"hi\\"\na 1\n', 'text'],
  ] as const)('rejects %s', (_what, body, format) => {
    expect(() => parseExposition(body, format)).toThrow();
  });
});
