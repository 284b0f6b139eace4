import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError, demoConfig, loadConfig } from '../../src/config/index.js';

const URL = 'https://cms.test';

function problemsOf(run: () => unknown): readonly string[] {
  try {
    run();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

const uniqueInts = (min: number, max: number, maxLength: number) => fc.uniqueArray(fc.integer({ min, max }), { maxLength });

describe('config properties', () => {
  it('keeps any valid call center list as given, filling absent lists', () => {
    const vdn = fc.record({ id: fc.integer({ min: 1, max: 5000 }), accessCodes: uniqueInts(1, 2147483647, 5), agents: uniqueInts(101, 59999, 5) });
    const callCenter = fc.record({
      ccId: fc.integer({ min: 1, max: 65535 }),
      vdns: fc.uniqueArray(vdn, { maxLength: 4, selector: (v) => v.id }),
    });
    fc.assert(
      fc.property(fc.uniqueArray(callCenter, { minLength: 1, maxLength: 4, selector: (cc) => cc.ccId }), (callCenters) => {
        expect(demoConfig(URL, 'ak', 'sk', callCenters).callCenters).toEqual(callCenters);
      }),
    );
  });

  it('names the position, the value and the range of any VDN id out of range', () => {
    const outside = fc.oneof(fc.integer({ max: 0 }), fc.integer({ min: 5001 }));
    fc.assert(
      fc.property(fc.nat({ max: 3 }), outside, (position, id) => {
        const vdns = Array.from({ length: position + 1 }, (_, i) => ({ id: i === position ? id : 5000 - i, accessCodes: [], agents: [] }));
        expect(problemsOf(() => demoConfig(URL, 'ak', 'sk', [{ ccId: 1, vdns }]))).toEqual([
          `callCenters[0].vdns[${position}].id: ${id} is out of range (allowed: integer 1-5000)`,
        ]);
      }),
    );
  });

  it('never echoes the secret key, whatever its type, alongside other problems', () => {
    const secret = fc.oneof(
      fc.string({ minLength: 6 }).filter((s) => s.trim().length >= 6),
      fc.integer({ min: 100_000 }),
      fc.array(fc.string({ minLength: 6 }), { minLength: 1, maxLength: 3 }),
      fc.dictionary(fc.string({ minLength: 6 }), fc.string({ minLength: 6 }), { minKeys: 1, maxKeys: 2 }),
    );
    fc.assert(
      fc.property(secret, (value) => {
        const env = { AICC_CMS_URL: URL, AICC_CMS_ACCESS_KEY: 'ak', AICC_CALL_CENTERS: '[{"ccId":0}]' };
        const problems = problemsOf(() => loadConfig({ env, overrides: { 'cms.secretKey': value, 'listen.port': -1 } }));
        const text = problems.join('\n');
        expect(problems.length).toBeGreaterThanOrEqual(2);
        const shown = typeof value === 'string' ? [value] : [JSON.stringify(value), ...Object.values(value as object).map(String)];
        for (const part of shown) expect(text).not.toContain(part);
      }),
    );
  });
});
