/**
 * The sysindex collector against a fake CmsApi: what it asks for (VDNs, window), which rows it
 * keeps, and the snapshot it renders (families, labels, units, counters over runs).
 */
import { describe, expect, it } from 'vitest';
import { createSysindexCollector } from '../../src/collectors/sysindex-collector.js';
import { PERIOD_MS, SysindexMemory } from '../../src/collectors/sysindex-memory.js';
import type { CmsApi, SysindexRow } from '../../src/cms/types.js';
import type { CallCenterConfig } from '../../src/config/types.js';
import type { Snapshot } from '../../src/metrics/types.js';
import { fakeCmsApi } from '../helpers/fake-cms-api.js';
import { rowsOf, seriesValue } from '../helpers/families.js';

const T0 = Date.UTC(2024, 2, 1, 10, 2, 30);
const P0 = Math.floor(T0 / PERIOD_MS) * PERIOD_MS;

function row(vdn: number, beginTime: number, extra: Partial<SysindexRow> = {}): SysindexRow {
  return {
    beginTime, ccId: 1, vdn, onlineAgentNums: 9, talkingNums: 2, ideaAgentNum: 3, busyNums: 1, restNums: 4,
    inCallNums: 10, rateNum: 8, callRate: 80, callOutNums: 4, ...extra,
  };
}

type SysindexQuery = Parameters<CmsApi['querySysindex']>[0];

/** A fake API answering sysindex with `answer(query)`; every query is recorded. */
function fakeApi(answer: (q: SysindexQuery) => SysindexRow[] | Error) {
  const queries: SysindexQuery[] = [];
  const api = fakeCmsApi({
    querySysindex: (q) => {
      queries.push(q);
      const a = answer(q);
      return a instanceof Error ? Promise.reject(a) : Promise.resolve(a);
    },
  });
  return { api, queries };
}

function vdnsIn(snapshot: Snapshot, name: string): string[] {
  const family = snapshot.find((f) => f.name === name);
  return [...new Set(family === undefined ? [] : rowsOf(family).map((s) => s.labels[1]!))];
}

const CC: CallCenterConfig = { ccId: 1, vdns: [{ id: 5, accessCodes: [], agents: [] }, { id: 6, accessCodes: [], agents: [] }] };

describe('sysindex collector', () => {
  it('asks for the configured VDNs over the aligned lookback window and renders every family', async () => {
    let now = T0;
    const { api, queries } = fakeApi(() => [row(5, P0 - PERIOD_MS), row(5, P0, { callRate: 80 }), row(6, P0), row(7, P0), row(5, P0, { ccId: 2 })]);
    const c = createSysindexCollector({ api, now: () => now }, { callCenter: CC, intervalSeconds: 60, lookbackMinutes: 20, memory: new SysindexMemory() });
    expect(c.name).toBe('sysindex');
    expect(c.ccId).toBe(1);
    const snap = await c.collect(new AbortController().signal);

    expect(queries[0]).toMatchObject({ ccId: 1, vdns: [5, 6] });
    expect(queries[0]!.begin.getTime()).toBe(Math.floor((T0 - 20 * 60_000) / PERIOD_MS) * PERIOD_MS);
    expect(queries[0]!.end.getTime()).toBe(T0);
    // Rows of another VDN or call center are not ours.
    expect(vdnsIn(snap, 'aicc_agents_online')).toEqual(['5', '6']);
    expect(snap.map((f) => `${f.name}:${f.type}`)).toEqual([
      'aicc_agents_online:gauge', 'aicc_agents:gauge', 'aicc_inbound_calls_total:counter',
      'aicc_inbound_calls_connected_total:counter', 'aicc_outbound_calls_total:counter',
      'aicc_inbound_connection_ratio:gauge', 'aicc_period_start_timestamp_seconds:gauge',
    ]);
    expect(snap.find((f) => f.name === 'aicc_agents')?.labelNames).toEqual(['cc_id', 'vdn', 'state']);
    expect(seriesValue(snap, 'aicc_agents_online', ['1', '5'])).toBe(9);
    expect(seriesValue(snap, 'aicc_agents', ['1', '5', 'talking'])).toBe(2);
    expect(seriesValue(snap, 'aicc_agents', ['1', '5', 'idle'])).toBe(3);
    expect(seriesValue(snap, 'aicc_agents', ['1', '5', 'busy'])).toBe(1);
    expect(seriesValue(snap, 'aicc_agents', ['1', '5', 'rest'])).toBe(4);
    expect(seriesValue(snap, 'aicc_inbound_calls_total', ['1', '5'])).toBe(20); // two periods
    expect(seriesValue(snap, 'aicc_inbound_calls_connected_total', ['1', '5'])).toBe(16);
    expect(seriesValue(snap, 'aicc_outbound_calls_total', ['1', '5'])).toBe(8);
    expect(seriesValue(snap, 'aicc_inbound_connection_ratio', ['1', '5'])).toBe(0.8);
    expect(seriesValue(snap, 'aicc_period_start_timestamp_seconds', ['1', '5'])).toBe(P0 / 1000);
    for (const f of snap) expect(f.help).toContain('Cached: refreshed every 60s');

    // The next run asks only from the period still open at the last success.
    now = T0 + 60_000;
    await c.collect(new AbortController().signal);
    expect(queries[1]!.begin.getTime()).toBe(P0);
  });

  it('covers every VDN the CMS reports when none is configured (discovery), within its shard', async () => {
    const { api, queries } = fakeApi(() => [row(1, P0), row(2, P0), row(3, P0), row(4, P0)]);
    const c = createSysindexCollector(
      { api, now: () => T0 },
      { callCenter: { ccId: 1, vdns: [] }, intervalSeconds: 60, lookbackMinutes: 20, memory: new SysindexMemory(), ownsVdn: (v) => v !== 3 },
    );
    const snap = await c.collect(new AbortController().signal);
    expect(queries[0]!.vdns).toBeUndefined();
    expect(vdnsIn(snap, 'aicc_inbound_calls_total')).toEqual(['1', '2', '4']);
  });

  it('drops a VDN absent from an answer, keeps counters monotonic, and leaves memory alone on failure', async () => {
    let now = T0;
    let answer: SysindexRow[] | Error = [row(5, P0, { inCallNums: 3 }), row(6, P0, { inCallNums: 4 })];
    const { api, queries } = fakeApi(() => answer);
    const c = createSysindexCollector({ api, now: () => now }, { callCenter: CC, intervalSeconds: 60, lookbackMinutes: 20, memory: new SysindexMemory() });
    const signal = new AbortController().signal;
    await c.collect(signal);

    now += 60_000;
    answer = new Error('CMS down');
    await expect(c.collect(signal)).rejects.toThrow('CMS down');

    now += 5 * 60_000; // the next period; the failed run did not move the window
    answer = [row(5, P0, { inCallNums: 6 }), row(5, P0 + PERIOD_MS, { inCallNums: 2, callRate: 250 })];
    const snap = await c.collect(signal);
    expect(queries[2]!.begin.getTime()).toBe(P0);
    expect(vdnsIn(snap, 'aicc_agents_online')).toEqual(['5']);
    expect(seriesValue(snap, 'aicc_inbound_calls_total', ['1', '5'])).toBe(8); // 6 (grown from 3) + 2
    expect(seriesValue(snap, 'aicc_period_start_timestamp_seconds', ['1', '5'])).toBe((P0 + PERIOD_MS) / 1000);
    expect(seriesValue(snap, 'aicc_inbound_connection_ratio', ['1', '5'])).toBe(1); // clamped to 0-1
  });

  it('passes the run signal to the client', async () => {
    const seen: Array<AbortSignal | undefined> = [];
    const { api } = fakeApi(() => []);
    const original = api.querySysindex;
    api.querySysindex = (q, o) => {
      seen.push(o?.signal);
      return original(q, o);
    };
    const c = createSysindexCollector({ api, now: () => T0 }, { callCenter: CC, intervalSeconds: 60, lookbackMinutes: 20, memory: new SysindexMemory() });
    const ac = new AbortController();
    await c.collect(ac.signal);
    expect(seen).toEqual([ac.signal]);
  });

  it('reuses the label columns while the VDNs stay the same, and builds new ones when a VDN comes or goes', async () => {
    let answer = [row(5, P0, { onlineAgentNums: 1 }), row(6, P0, { onlineAgentNums: 2 })];
    const { api } = fakeApi(() => answer);
    const discovering: CallCenterConfig = { ccId: 1, vdns: [] };
    let now = T0;
    const c = createSysindexCollector({ api, now: () => now }, { callCenter: discovering, intervalSeconds: 60, lookbackMinutes: 20, memory: new SysindexMemory() });
    const signal = new AbortController().signal;
    const labelsOf = (snap: Snapshot, name: string) => snap.find((f) => f.name === name)!.labelValues;

    const first = await c.collect(signal);
    const firstLabels = [...labelsOf(first, 'aicc_agents')];
    now += 60_000;
    answer = [row(5, P0, { onlineAgentNums: 3 }), row(6, P0, { onlineAgentNums: 4 })];
    const second = await c.collect(signal);
    expect(labelsOf(second, 'aicc_agents')).toBe(labelsOf(first, 'aicc_agents'));
    expect(labelsOf(second, 'aicc_agents_online')).toBe(labelsOf(first, 'aicc_agents_online'));
    // The values are the run's own.
    expect(seriesValue(first, 'aicc_agents_online', ['1', '6'])).toBe(2);
    expect(seriesValue(second, 'aicc_agents_online', ['1', '6'])).toBe(4);

    now += 60_000;
    answer = [row(4, P0), row(6, P0, { onlineAgentNums: 5 })];
    const third = await c.collect(signal);
    expect(vdnsIn(third, 'aicc_agents')).toEqual(['4', '6']);
    expect(seriesValue(third, 'aicc_agents_online', ['1', '6'])).toBe(5);
    expect(rowsOf(third.find((f) => f.name === 'aicc_agents')!).map((r) => r.labels.join(','))).toEqual(
      ['4', '6'].flatMap((v) => ['talking', 'idle', 'busy', 'rest'].map((state) => `1,${v},${state}`)),
    );
    // The earlier snapshots keep their own labels: shared columns are replaced, never changed.
    expect(labelsOf(second, 'aicc_agents')).toEqual(firstLabels);
    expect(vdnsIn(second, 'aicc_agents')).toEqual(['5', '6']);
  });

  it('folds each batch in as it is handed over, and a batch both handed over and returned counts once', async () => {
    const memory = new SysindexMemory();
    const vdnsWhileAsking: number[][] = [];
    const api = fakeCmsApi({
      querySysindex: (_q, o) => {
        o?.onRows?.([row(5, P0), row(5, P0, { ccId: 2 })]);
        vdnsWhileAsking.push(memory.entries().map((e) => e.vdn));
        return Promise.resolve([row(5, P0), row(5, P0, { ccId: 2 }), row(6, P0)]); // 6 was not handed over
      },
    });
    const c = createSysindexCollector({ api, now: () => T0 }, { callCenter: CC, intervalSeconds: 60, lookbackMinutes: 20, memory });
    const snap = await c.collect(new AbortController().signal);
    expect(vdnsWhileAsking).toEqual([[5]]);
    expect(seriesValue(snap, 'aicc_inbound_calls_total', ['1', '5'])).toBe(10);
    expect(seriesValue(snap, 'aicc_inbound_calls_total', ['1', '6'])).toBe(10);
  });

  it('counts a batch of a failed run once when the next run answers it again, from the same window', async () => {
    let now = T0;
    let fail = true;
    const queries: SysindexQuery[] = [];
    const api = fakeCmsApi({
      querySysindex: (q, o) => {
        queries.push(q);
        o?.onRows?.([row(5, P0)]);
        if (fail) return Promise.reject(new Error('the second batch failed'));
        o?.onRows?.([row(6, P0)]);
        return Promise.resolve([row(5, P0), row(6, P0)]);
      },
    });
    const c = createSysindexCollector({ api, now: () => now }, { callCenter: CC, intervalSeconds: 60, lookbackMinutes: 20, memory: new SysindexMemory() });
    await expect(c.collect(new AbortController().signal)).rejects.toThrow('the second batch failed');
    fail = false;
    now += 60_000;
    const snap = await c.collect(new AbortController().signal);
    expect(queries[1]!.begin).toEqual(queries[0]!.begin); // the failed run did not move the window
    expect(seriesValue(snap, 'aicc_inbound_calls_total', ['1', '5'])).toBe(10);
    expect(seriesValue(snap, 'aicc_inbound_calls_total', ['1', '6'])).toBe(10);
  });
});
