import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { CallCenterConfig } from '../../src/config/types.js';
import { jumpConsistentHash, stableKey64 } from '../../src/sharding/stable-hash.js';
import {
  ctiClockShard,
  discoveredVdnFilter,
  filterCallCentersForShard,
  ownsCtiClock,
  ownsVdn,
  shardOf,
} from '../../src/sharding/shard-assignment.js';

/** 5,000 (ccId, VDN) pairs: three call centers of uneven size, VDN ids spread over 1-5000. */
const PAIRS: Array<[number, number]> = [
  ...Array.from({ length: 3000 }, (_, i): [number, number] => [1, i + 1]),
  ...Array.from({ length: 1500 }, (_, i): [number, number] => [2, 2 * i + 7]),
  ...Array.from({ length: 500 }, (_, i): [number, number] => [65535, 5000 - i]),
];

describe('jumpConsistentHash', () => {
  it('reproduces the published test vectors of the reference implementation', () => {
    expect(jumpConsistentHash(1n, 1)).toBe(0);
    expect(jumpConsistentHash(42n, 57)).toBe(43);
    expect(jumpConsistentHash(0xdead10ccn, 1)).toBe(0);
    expect(jumpConsistentHash(0xdead10ccn, 666)).toBe(361);
    expect(jumpConsistentHash(256n, 1024)).toBe(520);
    expect(jumpConsistentHash(1n, 128)).toBe(55);
    expect(jumpConsistentHash(129n, 128)).toBe(120);
    expect(jumpConsistentHash(18446744073709551615n, 128)).toBe(92);
    expect(jumpConsistentHash(128n, 100_000_000)).toBe(38_172_097);
  });

  it('rejects bucket counts that are not positive integers', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, 2 ** 31]) {
      expect(() => jumpConsistentHash(1n, bad)).toThrow(RangeError);
    }
  });

  it('keys are the big-endian first 8 bytes of SHA-256', () => {
    // sha256("abc") = ba7816bf8f01cfea 414140de...
    expect(stableKey64('abc')).toBe(0xba7816bf8f01cfean);
  });
});

describe('shardOf over 5,000 VDNs', () => {
  for (let total = 1; total <= 8; total++) {
    it(`${total} shard(s): disjoint, covering, and even (no shard above 1.2 x the mean)`, () => {
      const counts = new Array<number>(total).fill(0);
      for (const [ccId, vdn] of PAIRS) {
        const owners = Array.from({ length: total }, (_, index) => index).filter((index) =>
          ownsVdn({ index, total }, ccId, vdn),
        );
        expect(owners).toEqual([shardOf(ccId, vdn, total)]);
        counts[owners[0]!]! += 1;
      }
      expect(counts.reduce((a, b) => a + b, 0)).toBe(PAIRS.length);
      const mean = PAIRS.length / total;
      expect(Math.max(...counts)).toBeLessThanOrEqual(1.2 * mean);
      expect(Math.min(...counts)).toBeGreaterThanOrEqual(0.8 * mean);
    });
  }

  it('growing from n to n+1 shards moves only about 1/(n+1) of the VDNs, all to the new shard', () => {
    for (let n = 1; n < 8; n++) {
      let moved = 0;
      for (const [ccId, vdn] of PAIRS) {
        const before = shardOf(ccId, vdn, n);
        const after = shardOf(ccId, vdn, n + 1);
        if (before !== after) {
          moved += 1;
          expect(after).toBe(n);
        }
      }
      expect(moved / PAIRS.length).toBeLessThan(1.25 / (n + 1));
      expect(moved / PAIRS.length).toBeGreaterThan(0.75 / (n + 1));
    }
  });

  it('always answers a shard in [0, total) and the same one twice', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 65535 }), fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 1, max: 64 }), (cc, vdn, total) => {
        const shard = shardOf(cc, vdn, total);
        expect(Number.isInteger(shard) && shard >= 0 && shard < total).toBe(true);
        expect(shardOf(cc, vdn, total)).toBe(shard);
      }),
    );
  });
});

describe('golden assignments (a change of hash reshuffles every deployed shard set)', () => {
  const golden = JSON.parse(readFileSync(new URL('../fixtures/sharding-assignments.golden.json', import.meta.url), 'utf8')) as {
    totals: number[];
    vdnShards: Record<string, number[]>;
    ctiClockShards: Record<string, number[]>;
  };

  it('VDN assignments match the committed fixture', () => {
    const entries = Object.entries(golden.vdnShards);
    expect(entries.length).toBeGreaterThanOrEqual(150);
    for (const [key, expected] of entries) {
      const [cc, vdn] = key.split(':').map(Number) as [number, number];
      expect(golden.totals.map((t) => shardOf(cc, vdn, t)), key).toEqual(expected);
    }
  });

  it('CTI clock assignments match the committed fixture', () => {
    for (const [cc, expected] of Object.entries(golden.ctiClockShards)) {
      expect(golden.totals.map((t) => ctiClockShard(Number(cc), t)), cc).toEqual(expected);
    }
  });
});

describe('CTI clock ownership', () => {
  it('exactly one shard polls the clock of each call center, and the clocks spread', () => {
    const total = 4;
    const used = new Set<number>();
    for (let cc = 1; cc <= 200; cc++) {
      const owners = [0, 1, 2, 3].filter((index) => ownsCtiClock({ index, total }, cc));
      expect(owners).toEqual([ctiClockShard(cc, total)]);
      used.add(owners[0]!);
    }
    expect(used.size).toBe(total);
  });

  it('a single shard owns everything', () => {
    expect(ctiClockShard(9, 1)).toBe(0);
    expect(ownsCtiClock({ index: 0, total: 1 }, 9)).toBe(true);
    expect(ownsVdn({ index: 0, total: 1 }, 9, 9)).toBe(true);
  });
});

describe('filterCallCentersForShard', () => {
  const vdn = (id: number) => ({ id, accessCodes: [id * 10], agents: [100 + id] });
  const callCenters: CallCenterConfig[] = [
    { ccId: 1, vdns: Array.from({ length: 60 }, (_, i) => vdn(i + 1)) },
    { ccId: 2, vdns: [] },
    { ccId: 3, vdns: [vdn(5)] },
  ];

  it('splits explicit VDNs (with their access codes and agents) disjointly and completely', () => {
    const total = 3;
    const seen = new Map<string, number>();
    for (let index = 0; index < total; index++) {
      for (const cc of filterCallCentersForShard(callCenters, { index, total })) {
        for (const v of cc.vdns) {
          const key = `${cc.ccId}:${v.id}`;
          expect(seen.has(key), key).toBe(false);
          seen.set(key, index);
          expect(v).toEqual(vdn(v.id));
          expect(shardOf(cc.ccId, v.id, total)).toBe(index);
        }
      }
    }
    expect(seen.size).toBe(61);
  });

  it('keeps discovery call centers on every shard, drops call centers with nothing owned, leaves the input alone', () => {
    const before = structuredClone(callCenters);
    const owner3 = shardOf(3, 5, 3);
    for (let index = 0; index < 3; index++) {
      const kept = filterCallCentersForShard(callCenters, { index, total: 3 });
      expect(kept.find((c) => c.ccId === 2)).toEqual({ ccId: 2, vdns: [] });
      expect(kept.some((c) => c.ccId === 3)).toBe(index === owner3);
    }
    expect(callCenters).toEqual(before);
    expect(filterCallCentersForShard(callCenters, { index: 0, total: 1 })).toEqual(callCenters);
  });

  it('adding a VDN moves no other VDN', () => {
    const total = 4;
    const grown: CallCenterConfig[] = [{ ...callCenters[0]!, vdns: [...callCenters[0]!.vdns, vdn(4000)] }];
    for (let index = 0; index < total; index++) {
      const a = filterCallCentersForShard([callCenters[0]!], { index, total }).flatMap((c) => c.vdns.map((v) => v.id));
      const b = filterCallCentersForShard(grown, { index, total }).flatMap((c) => c.vdns.map((v) => v.id));
      expect(b.filter((id) => id !== 4000)).toEqual(a);
    }
  });

  it('discoveredVdnFilter agrees with ownsVdn, also when asked twice', () => {
    const shard = { index: 1, total: 3 };
    const owns = discoveredVdnFilter(shard, 2);
    for (let v = 1; v <= 300; v++) {
      expect(owns(v)).toBe(ownsVdn(shard, 2, v));
      expect(owns(v)).toBe(ownsVdn(shard, 2, v));
    }
    expect(discoveredVdnFilter({ index: 0, total: 1 }, 2)(77)).toBe(true);
  });
});
