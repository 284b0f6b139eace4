import { describe, expect, it } from 'vitest';
import { shardIndexFromPodName } from '../../src/sharding/shard-identity.js';

describe('shardIndexFromPodName', () => {
  it('reads the StatefulSet ordinal at the end of the name', () => {
    expect(shardIndexFromPodName('aicc-exporter-0')).toBe(0);
    expect(shardIndexFromPodName('aicc-exporter-2')).toBe(2);
    expect(shardIndexFromPodName('web-12')).toBe(12);
    expect(shardIndexFromPodName('a-b-c-7')).toBe(7);
  });

  it('answers null for names without an ordinal suffix', () => {
    for (const name of ['aicc-exporter', 'aicc-exporter-', 'aicc-exporter-7d9f8b6c4-x2x5z', 'exporter-01', '3', '', 'x-1a', 'x-1234567890']) {
      expect(shardIndexFromPodName(name), name).toBeNull();
    }
  });
});
