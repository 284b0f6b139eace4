/**
 * The access-codes and CTI clock collectors against a fake CmsApi: requests made, labels and
 * values rendered, the skew formula, and failure handling.
 */
import { describe, expect, it } from 'vitest';
import { createAccessCodesCollector } from '../../src/collectors/access-codes-collector.js';
import { createCtiServerTimeCollector } from '../../src/collectors/cti-server-time-collector.js';
import { CmsResultError } from '../../src/cms/errors.js';
import type { AccessCodeCallInfo, CtiServerTime } from '../../src/cms/types.js';
import { fakeCmsApi } from '../helpers/fake-cms-api.js';
import { rowsOf, seriesValue } from '../helpers/families.js';
import { countTurnsWhile } from '../helpers/event-loop-turns.js';


function info(innoId: number, n: number): AccessCodeCallInfo {
  return { innoId, allCallCount: 6 * n, ivrCallCount: n, queueCallCount: 2 * n, agentCallCount: 3 * n, longestWaitTime: 10 * n };
}

describe('access-codes collector', () => {
  const callCenter = {
    ccId: 3,
    vdns: [
      { id: 10, accessCodes: [100, 101], agents: [] },
      { id: 11, accessCodes: [], agents: [101] }, // nothing to ask
      { id: 12, accessCodes: [120], agents: [] },
    ],
  };

  it('turns a large answer into series in slices, letting other callbacks (scrapes) run in between', async () => {
    const vdns = Array.from({ length: 2_000 }, (_, k) => ({ id: k + 1, accessCodes: Array.from({ length: 50 }, (_, j) => k * 50 + j + 1), agents: [] }));
    const c = createAccessCodesCollector(
      {
        api: fakeCmsApi({ queryAccessCodeCallInfo: (q) => Promise.resolve(q.innoIds.map((id) => info(id, 1))) }),
        now: () => 0,
      },
      { callCenter: { ccId: 3, vdns }, intervalSeconds: 15 },
    );
    const collecting = c.collect(new AbortController().signal);
    // Every answer resolves at once; from then on only the mapping of 500,000 series runs.
    await new Promise((resolve) => setImmediate(resolve));
    const { result: snap, turns } = await countTurnsWhile(collecting);
    expect(snap.find((f) => f.name === 'aicc_access_code_calls')?.values).toHaveLength(300_000);
    expect(turns).toBeGreaterThan(2);
  });

  it('reuses the label columns while the answers list the same codes in the same order, and builds new ones otherwise', async () => {
    let answer = (innoIds: readonly number[], n: number): AccessCodeCallInfo[] => innoIds.map((id) => info(id, n));
    let n = 1;
    const c = createAccessCodesCollector(
      { api: fakeCmsApi({ queryAccessCodeCallInfo: (q) => Promise.resolve(answer(q.innoIds, n)) }), now: () => 0 },
      { callCenter, intervalSeconds: 15 },
    );
    const signal = new AbortController().signal;
    const family = (snap: Awaited<ReturnType<typeof c.collect>>, name: string) => snap.find((f) => f.name === name)!;
    const first = await c.collect(signal);
    const firstLabels = [...family(first, 'aicc_access_code_calls').labelValues];
    n = 2;
    const second = await c.collect(signal);
    for (const name of ['aicc_access_code_calls', 'aicc_access_code_online_calls', 'aicc_access_code_longest_wait_seconds']) {
      expect(family(second, name).labelValues).toBe(family(first, name).labelValues);
    }
    expect(seriesValue(first, 'aicc_access_code_calls', ['3', '10', '101', 'queue'])).toBe(2);
    expect(seriesValue(second, 'aicc_access_code_calls', ['3', '10', '101', 'queue'])).toBe(4);

    // VDN 10 now answers its codes in the other order: same codes, another layout.
    answer = (innoIds, k) => [...innoIds].reverse().map((id) => info(id, k));
    const third = await c.collect(signal);
    expect(family(third, 'aicc_access_code_calls').labelValues).not.toBe(family(second, 'aicc_access_code_calls').labelValues);
    expect(rowsOf(family(third, 'aicc_access_code_online_calls')).map((r) => r.labels.join(','))).toEqual(['3,10,101', '3,10,100', '3,12,120']);
    // A code missing from an answer: fewer series, new columns.
    answer = (innoIds, k) => innoIds.filter((id) => id !== 100).map((id) => info(id, k));
    const fourth = await c.collect(signal);
    expect(rowsOf(family(fourth, 'aicc_access_code_longest_wait_seconds')).map((r) => r.labels.join(','))).toEqual(['3,10,101', '3,12,120']);
    // Snapshots already built keep their labels.
    expect(family(second, 'aicc_access_code_calls').labelValues).toEqual(firstLabels);
    expect(rowsOf(family(third, 'aicc_access_code_online_calls'))).toHaveLength(3);
  });

  it('copies each answer when it arrives: its rows are not kept until the run ends', async () => {
    const answers = new Map<number, AccessCodeCallInfo[]>();
    const release = new Map<number, () => void>();
    const c = createAccessCodesCollector(
      {
        api: fakeCmsApi({
          queryAccessCodeCallInfo: (q) =>
            new Promise((resolve) => {
              const rows = q.innoIds.map((id) => info(id, 1));
              answers.set(q.vdn, rows);
              release.set(q.vdn, () => resolve(rows));
            }),
        }),
        now: () => 0,
      },
      { callCenter, intervalSeconds: 15 },
    );
    const collecting = c.collect(new AbortController().signal);
    await new Promise((resolve) => setImmediate(resolve));
    release.get(10)!();
    await new Promise((resolve) => setImmediate(resolve));
    // VDN 10's rows were handed over; changing them now must not reach the snapshot.
    for (const row of answers.get(10)!) row.ivrCallCount = 999;
    release.get(12)!();
    const snap = await collecting;
    expect(seriesValue(snap, 'aicc_access_code_calls', ['3', '10', '100', 'ivr'])).toBe(1);
    expect(seriesValue(snap, 'aicc_access_code_calls', ['3', '10', '101', 'ivr'])).toBe(1);
    expect(seriesValue(snap, 'aicc_access_code_calls', ['3', '12', '120', 'ivr'])).toBe(1);
  });

  it('keeps one row per access code asked for: duplicates and unasked codes in the answer are dropped', async () => {
    const c = createAccessCodesCollector(
      {
        api: fakeCmsApi({ queryAccessCodeCallInfo: () => Promise.resolve([info(100, 1), info(100, 5), info(999, 2), info(101, 3)]) }),
        now: () => 0,
      },
      { callCenter: { ccId: 3, vdns: [{ id: 10, accessCodes: [100, 101], agents: [] }] }, intervalSeconds: 15 },
    );
    const snap = await c.collect(new AbortController().signal);
    const online = snap.find((f) => f.name === 'aicc_access_code_online_calls')!;
    expect(rowsOf(online)).toEqual([
      { labels: ['3', '10', '100'], value: 6 },
      { labels: ['3', '10', '101'], value: 18 },
    ]);
  });

  it('aborts the other VDNs\' requests once one fails', async () => {
    const signals: AbortSignal[] = [];
    const c = createAccessCodesCollector(
      {
        api: fakeCmsApi({
          queryAccessCodeCallInfo: (q, opts) => {
            if (q.vdn === 10) return Promise.reject(new CmsResultError('access_code_call_info', '0100001', undefined));
            signals.push(opts!.signal!);
            return new Promise(() => {}); // would hang without the abort
          },
        }),
        now: () => 0,
      },
      { callCenter, intervalSeconds: 15 },
    );
    await expect(c.collect(new AbortController().signal)).rejects.toMatchObject({ resultCode: '0100001' });
    expect(signals).toHaveLength(1);
    expect(signals[0]!.aborted).toBe(true);
  });

  it('asks once per VDN with access codes and renders stages, online calls and waits', async () => {
    const queries: Array<{ ccId: number; vdn: number; innoIds: readonly number[] }> = [];
    const c = createAccessCodesCollector(
      {
        api: fakeCmsApi({
          queryAccessCodeCallInfo: (q) => {
            queries.push(q);
            return Promise.resolve(q.innoIds.map((id) => info(id, id % 10 + 1)));
          },
        }),
        now: () => 0,
      },
      { callCenter, intervalSeconds: 15 },
    );
    const snap = await c.collect(new AbortController().signal);
    expect(c.name).toBe('access_codes');
    expect(queries).toEqual([
      { ccId: 3, vdn: 10, innoIds: [100, 101] },
      { ccId: 3, vdn: 12, innoIds: [120] },
    ]);
    expect(snap.find((f) => f.name === 'aicc_access_code_calls')?.labelNames).toEqual(['cc_id', 'vdn', 'access_code', 'stage']);
    expect(seriesValue(snap, 'aicc_access_code_calls', ['3', '10', '101', 'ivr'])).toBe(2);
    expect(seriesValue(snap, 'aicc_access_code_calls', ['3', '10', '101', 'queue'])).toBe(4);
    expect(seriesValue(snap, 'aicc_access_code_calls', ['3', '10', '101', 'agent'])).toBe(6);
    expect(seriesValue(snap, 'aicc_access_code_online_calls', ['3', '10', '101'])).toBe(12);
    expect(seriesValue(snap, 'aicc_access_code_longest_wait_seconds', ['3', '12', '120'])).toBe(10);
    expect(snap.flatMap((f) => f.values).length).toBe(3 * 5);
    for (const f of snap) expect(f.type).toBe('gauge');
  });

  it('fails the whole run when one VDN fails (no partial answer that silently drops access codes)', async () => {
    const c = createAccessCodesCollector(
      {
        api: fakeCmsApi({
          queryAccessCodeCallInfo: (q) =>
            q.vdn === 12 ? Promise.reject(new CmsResultError('access_code_call_info', '0100003', undefined)) : Promise.resolve([info(100, 1)]),
        }),
        now: () => 0,
      },
      { callCenter, intervalSeconds: 15 },
    );
    await expect(c.collect(new AbortController().signal)).rejects.toMatchObject({ resultCode: '0100003' });
  });
});

describe('CTI server time collector', () => {
  function collectorAnswering(t: CtiServerTime) {
    return createCtiServerTimeCollector({ api: fakeCmsApi({ queryCtiServerTime: () => Promise.resolve(t) }), now: () => 0 }, { ccId: 4, intervalSeconds: 60 });
  }

  it('measures the skew against the midpoint of the request, positive when the CTI is ahead', async () => {
    const sent = Date.UTC(2024, 2, 1, 10);
    const snap = await collectorAnswering({ serverTimeMs: sent + 3_100, sentAtMs: sent, receivedAtMs: sent + 200 }).collect(new AbortController().signal);
    expect(seriesValue(snap, 'aicc_cti_clock_skew_seconds', ['4'])).toBeCloseTo(3.0, 10);
    expect(seriesValue(snap, 'aicc_cti_time_seconds', ['4'])).toBe((sent + 3_100) / 1000);
  });

  it('gives a negative skew when the CTI is behind', async () => {
    const sent = Date.UTC(2024, 2, 1, 10);
    const snap = await collectorAnswering({ serverTimeMs: sent - 2_000, sentAtMs: sent, receivedAtMs: sent + 1_000 }).collect(new AbortController().signal);
    expect(seriesValue(snap, 'aicc_cti_clock_skew_seconds', ['4'])).toBe(-2.5);
  });

  it('fails the run on a failing answer (CTI 3.6: 0100003)', async () => {
    const c = createCtiServerTimeCollector(
      { api: fakeCmsApi({ queryCtiServerTime: () => Promise.reject(new CmsResultError('cti_server_time', '0100003', undefined)) }), now: () => 0 },
      { ccId: 4, intervalSeconds: 60 },
    );
    await expect(c.collect(new AbortController().signal)).rejects.toBeInstanceOf(CmsResultError);
  });
});
