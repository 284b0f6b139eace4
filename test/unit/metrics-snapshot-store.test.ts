import { gunzipSync } from 'node:zlib';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { FamilySamples, Snapshot } from '../../src/metrics/types.js';
import { parseExposition } from '../helpers/parse-exposition.js';
import { familyOf } from '../helpers/families.js';
import { countTurnsWhile } from '../helpers/event-loop-turns.js';

// Count the expensive steps: rendering a family's samples and compressing a block.
vi.mock('../../src/metrics/sample-line-encoder.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/metrics/sample-line-encoder.js')>();
  return { ...actual, sampleLineBlocks: vi.fn(actual.sampleLineBlocks) };
});
vi.mock('../../src/metrics/gzip.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/metrics/gzip.js')>();
  return { ...actual, gzipMember: vi.fn(actual.gzipMember) };
});

const { sampleLineBlocks, BLOCK_BYTES } = await import('../../src/metrics/sample-line-encoder.js');
const { gzipMember } = await import('../../src/metrics/gzip.js');
const { SnapshotStore } = await import('../../src/metrics/snapshot-store.js');
const { ExpositionError } = await import('../../src/metrics/exposition-error.js');

function agents(ccId: number, vdns: number[]): FamilySamples {
  return familyOf({
    name: 'aicc_agents_online',
    type: 'gauge',
    help: 'Agents online.',
    labelNames: ['cc_id', 'vdn'],
    samples: vdns.map((vdn) => ({ labels: [String(ccId), String(vdn)], value: vdn * 10 })),
  });
}

function calls(ccId: number, value: number): FamilySamples {
  return familyOf({
    name: 'aicc_inbound_calls_total',
    type: 'counter',
    help: 'Inbound calls.',
    labelNames: ['cc_id'],
    samples: [{ labels: [String(ccId)], value }],
  });
}

/** The 64 KB blocks under `chunks` (headers and small copied-out blocks share other memory). */
const blockBuffersOf = (chunks: readonly Buffer[]): Set<ArrayBufferLike> =>
  new Set(chunks.filter((c) => c.buffer.byteLength === BLOCK_BYTES).map((c) => c.buffer));

const text = (store: InstanceType<typeof SnapshotStore>, format: 'text' | 'openmetrics' = 'text'): string =>
  Buffer.concat([...store.chunks(format)]).toString('utf8');

beforeEach(() => {
  vi.mocked(sampleLineBlocks).mockClear();
  vi.mocked(gzipMember).mockClear();
});

describe('SnapshotStore', () => {
  it('groups a family across keys: HELP/TYPE once, every key’s samples after it', () => {
    const store = new SnapshotStore({ eagerGzip: false });
    store.set('sysindex:2', [agents(2, [5]), calls(2, 7)]);
    store.set('sysindex:1', [agents(1, [1, 2]), calls(1, 3)]);
    for (const format of ['text', 'openmetrics'] as const) {
      const body = text(store, format) + (format === 'openmetrics' ? '# EOF\n' : '');
      const parsed = parseExposition(body, format); // throws on a family appearing twice
      expect(parsed.family('aicc_agents_online')?.samples.map((s) => s.labels)).toEqual([
        { cc_id: '1', vdn: '1' },
        { cc_id: '1', vdn: '2' },
        { cc_id: '2', vdn: '5' },
      ]);
      expect(body.match(/# TYPE aicc_agents_online /g)).toHaveLength(1);
    }
    expect(parseExposition(text(store), 'text').value('aicc_inbound_calls_total', { cc_id: '2' })).toBe(7);
    expect(store.seriesCount()).toBe(5);
  });

  it('omits families without samples in every key, keeps ones with samples somewhere', () => {
    const store = new SnapshotStore({ eagerGzip: false });
    store.set('a:1', [agents(1, []), calls(1, 1)]);
    store.set('a:2', [{ ...calls(2, 0), name: 'aicc_outbound_calls_total', labelValues: [], values: [] }, calls(2, 2)]);
    const body = text(store);
    expect(body).not.toContain('aicc_agents_online');
    expect(body).not.toContain('aicc_outbound_calls_total');
    store.set('a:3', [agents(3, [9])]);
    expect(parseExposition(text(store), 'text').family('aicc_agents_online')?.samples).toHaveLength(1);
  });

  it('replaces a key’s snapshot whole and deletes keys', () => {
    const store = new SnapshotStore({ eagerGzip: false });
    store.set('a:1', [agents(1, [1, 2, 3])]);
    store.set('a:1', [agents(1, [4])]);
    expect(parseExposition(text(store), 'text').family('aicc_agents_online')?.samples).toHaveLength(1);
    expect(store.delete('a:1')).toBe(true);
    expect(store.delete('a:1')).toBe(false);
    expect(text(store)).toBe('');
    expect(store.keys()).toEqual([]);
  });

  it('renders once per set and never per scrape; caches the joined parts per version', async () => {
    const store = new SnapshotStore({ eagerGzip: false });
    store.set('a:1', [agents(1, [1]), calls(1, 1)]);
    expect(sampleLineBlocks).toHaveBeenCalledTimes(2);
    const first = store.chunks('text');
    for (let i = 0; i < 20; i++) {
      expect(store.chunks('text')).toBe(first);
      store.chunks('openmetrics');
      await store.gzipChunks('text');
      await store.gzipChunks('openmetrics');
    }
    expect(sampleLineBlocks).toHaveBeenCalledTimes(2);
    // One gzip member per family block, shared by both formats (headers are compressed apart).
    expect(gzipMember).toHaveBeenCalledTimes(2);
    store.set('a:2', [agents(2, [1])]);
    expect(sampleLineBlocks).toHaveBeenCalledTimes(3);
    expect(store.chunks('text')).not.toBe(first);
    await store.gzipChunks('text');
    expect(gzipMember).toHaveBeenCalledTimes(3); // only the new block
  });

  it("reuses a replaced snapshot's blocks for later renders, once no lease reads them", () => {
    const store = new SnapshotStore({ eagerGzip: false });
    const big = (ccId: number): FamilySamples => agents(ccId, Array.from({ length: 20_000 }, (_, i) => i));
    const buffersOf = (chunks: readonly Buffer[]): Set<ArrayBufferLike> => blockBuffersOf(chunks);
    store.set('a:1', [big(1)]);
    const release = store.lease();
    const leased = store.chunks('text');
    const leasedText = Buffer.concat([...leased]).toString();
    expect(leased.length).toBeGreaterThan(3); // several 64 KB blocks

    store.set('a:1', [big(2)]); // replaces the leased snapshot
    store.set('b:1', [big(3)]);
    // Leased blocks were not written into: the leased body is what it was.
    expect(Buffer.concat([...leased]).toString()).toBe(leasedText);
    const leasedBuffers = buffersOf(leased);
    expect([...buffersOf(store.chunks('text'))].some((b) => leasedBuffers.has(b))).toBe(false);

    release();
    release(); // twice is once
    store.set('c:1', [big(4)]);
    expect([...buffersOf(store.chunks('text'))].filter((b) => leasedBuffers.has(b)).length).toBeGreaterThan(3);
    const body = parseExposition(text(store), 'text');
    for (const ccId of ['2', '3', '4']) {
      expect(body.value('aicc_agents_online', { cc_id: ccId, vdn: '19999' })).toBe(199_990);
      expect(body.value('aicc_agents_online', { cc_id: ccId, vdn: '0' })).toBe(0);
    }
    expect(body.value('aicc_agents_online', { cc_id: '1', vdn: '0' })).toBeUndefined();
  });

  it('keeps blocks being compressed until the compression ends', async () => {
    const store = new SnapshotStore(); // eager gzip: swap starts compressing on the thread pool
    const big = (ccId: number): FamilySamples => agents(ccId, Array.from({ length: 20_000 }, (_, i) => i));
    const buffersOf = (chunks: readonly Buffer[]): Set<ArrayBufferLike> => blockBuffersOf(chunks);
    store.set('a:1', [big(1)]);
    const compressing = vi.mocked(gzipMember).mock.results.at(-1)!.value as Promise<Buffer>;
    const first = buffersOf(store.chunks('text'));
    store.set('a:1', [big(2)]); // retires the blocks under compression
    store.set('b:1', [big(3)]);
    expect([...buffersOf(store.chunks('text'))].some((b) => first.has(b))).toBe(false);
    await compressing;
    store.set('c:1', [big(4)]);
    expect([...buffersOf(store.chunks('text'))].some((b) => first.has(b))).toBe(true);
  });

  it('compresses eagerly on set when asked to', () => {
    const store = new SnapshotStore();
    store.set('a:1', [agents(1, [1]), calls(1, 1), { ...calls(1, 1), name: 'aicc_none_total', labelValues: [], values: [] }]);
    expect(gzipMember).toHaveBeenCalledTimes(2); // not for the empty family
  });

  it('serves a gzip stream of concatenated members equal to the plain body', async () => {
    const store = new SnapshotStore();
    store.set('a:1', [agents(1, [1, 2]), calls(1, 4)]);
    store.set('b:1', [agents(3, [7])]);
    for (const format of ['text', 'openmetrics'] as const) {
      const gz = Buffer.concat([...(await store.gzipChunks(format))]);
      expect(gunzipSync(gz).toString('utf8')).toBe(text(store, format));
    }
  });

  it('refuses invalid, reserved and type-conflicting families and keeps the old snapshot', () => {
    const store = new SnapshotStore({ reservedNames: ['aicc_up'], eagerGzip: false });
    store.set('a:1', [agents(1, [1])]);
    const before = text(store);
    const bad: Array<[Snapshot, string]> = [
      [[agents(1, [2]), { ...calls(1, 1), name: 'aicc_bad' }], 'INVALID_FAMILY'],
      [[{ ...agents(1, [2]), name: 'aicc_up' }], 'FAMILY_CONFLICT'],
      [[{ ...agents(1, [2]), name: 'aicc_x_total' }, { ...calls(1, 1), name: 'aicc_x_total' }], 'FAMILY_CONFLICT'],
    ];
    for (const [snapshot, code] of bad) {
      try {
        store.set('a:1', snapshot);
        expect.unreachable('set should throw');
      } catch (err) {
        expect(err).toBeInstanceOf(ExpositionError);
        expect((err as InstanceType<typeof ExpositionError>).code).toBe(code);
      }
    }
    const asCounter: FamilySamples = { ...calls(2, 1), name: 'aicc_agents_online_total' };
    store.set('b:1', [asCounter]);
    expect(() => store.set('b:1', [{ ...agents(2, [1]), name: 'aicc_agents_online_total' }])).not.toThrow();
    expect(() => store.set('c:1', [{ ...calls(3, 1), name: 'aicc_agents_online_total' }])).toThrow(/gauge under 'b:1'/);
    store.delete('b:1');
    expect(text(store)).toBe(before);
  });

  it('merges a family listed twice in one snapshot', () => {
    const store = new SnapshotStore({ eagerGzip: false });
    store.set('a:1', [agents(1, [1]), agents(1, [2])]);
    expect(parseExposition(text(store), 'text').family('aicc_agents_online')?.samples).toHaveLength(2);
  });
});

describe('SnapshotStore.prepare', () => {
  it('renders a large snapshot in slices, giving the event loop turns, and serves nothing until swap', async () => {
    const store = new SnapshotStore({ eagerGzip: false });
    store.set('a:1', [agents(1, [1])]);
    const big = agents(2, Array.from({ length: 200_000 }, (_, i) => i + 1));
    const preparing = store.prepare([big]);
    const servedMeanwhile = store.seriesCount();
    const { result: prepared, turns } = await countTurnsWhile(preparing);
    // 200,000 series take far longer than one slice to render: other callbacks ran in between.
    expect(turns).toBeGreaterThan(2);
    expect(servedMeanwhile).toBe(1);
    expect(store.seriesCount()).toBe(1);
    store.swap('a:2', prepared);
    expect(store.seriesCount()).toBe(200_001);
    expect(text(store)).toContain('aicc_agents_online{cc_id="2",vdn="200000"} 2000000\n');
  });

  it('renders exactly what the synchronous path renders', async () => {
    const snapshot = [agents(1, [1, 2, 3]), calls(1, 4), agents(1, [9])];
    const a = new SnapshotStore({ eagerGzip: false });
    const b = new SnapshotStore({ eagerGzip: false });
    a.swap('k:1', await a.prepare(snapshot));
    b.set('k:1', snapshot);
    expect(text(a, 'openmetrics')).toBe(text(b, 'openmetrics'));
  });

  it('rejects an invalid snapshot; swap refuses a type conflict and keeps the served snapshot', async () => {
    const store = new SnapshotStore({ eagerGzip: false });
    store.set('a:1', [agents(1, [1])]);
    const before = text(store);
    await expect(store.prepare([{ ...agents(1, [2]), labelValues: ['1'] }])).rejects.toMatchObject({ code: 'INVALID_FAMILY' });
    const conflicting = await store.prepare([{ ...calls(2, 1), name: 'aicc_agents_online_total' }, { ...agents(2, [3]), name: 'aicc_agents_online' }]);
    store.set('b:1', [{ ...agents(3, [1]), name: 'aicc_agents_online_total' }]);
    expect(() => store.swap('c:1', conflicting)).toThrow(/counter here but a gauge under 'b:1'/);
    store.delete('b:1');
    expect(text(store)).toBe(before);
  });
});
