import { afterEach, describe, expect, it } from 'vitest';
import { CmsClient, DEFAULT_SYSINDEX_PAGE_SIZE, MAX_SYSINDEX_PAGE_SIZE, sysindexPageSize } from '../../src/cms/cms-client.js';
import { startFakeCmsServer, testCmsConfig, type FakeCmsServer } from '../helpers/fake-cms-server.js';

const P = 300_000;
const BEGIN = new Date(Date.UTC(2021, 8, 9, 0, 0, 0));
/** 20 minutes later: the window touches 5 periods (00:00 ... 00:20). */
const END = new Date(BEGIN.getTime() + 20 * 60_000);

function row(vdn: number, beginTime: number): Record<string, unknown> {
  return { beginTime: String(beginTime), ccId: 1, vdn, onlineAgentNums: 3, talkingNums: 1, ideaAgentNum: 1, busyNums: 0, restNums: 1, inCallNums: 4, rateNum: 2, callRate: 50, callOutNums: 0 };
}

/** A sysindex server holding `periods` periods for every VDN asked, period-major like the simulator. */
function start(periods: number, opts: { withCount?: boolean } = {}): Promise<FakeCmsServer> {
  return startFakeCmsServer({
    handler: (req) => {
      const body = req.json as { vdn: number[]; limit: number; offset: number };
      const all = Array.from({ length: periods }, (_, p) => body.vdn.map((v) => row(v, BEGIN.getTime() + p * P))).flat();
      const data = all.slice(body.offset, body.offset + body.limit);
      return { body: { resultCode: 0, resultDesc: opts.withCount === false ? data : { data, count: all.length } } };
    },
  });
}

let server: FakeCmsServer | undefined;
let client: CmsClient | undefined;
afterEach(async () => {
  client?.close();
  client = undefined;
  await server?.close();
  server = undefined;
});

const vdnList = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);

describe('sysindex page sizing', () => {
  it('sizes limit to the batch: VDNs × periods touched + 1, capped; the default without a VDN list', () => {
    expect(sysindexPageSize(100, BEGIN, END)).toBe(100 * 5 + 1);
    expect(sysindexPageSize(3, new Date(BEGIN.getTime() + 60_000), new Date(BEGIN.getTime() + 120_000))).toBe(4);
    expect(sysindexPageSize(100, BEGIN, new Date(BEGIN.getTime() + 3_600_000))).toBe(MAX_SYSINDEX_PAGE_SIZE);
    expect(sysindexPageSize(undefined, BEGIN, END)).toBe(DEFAULT_SYSINDEX_PAGE_SIZE);
  });

  it('asks one request per batch of 100 VDNs when every period is held (250 VDNs × 5 periods: 3 requests)', async () => {
    server = await start(5);
    client = new CmsClient(testCmsConfig(server.url));
    const rows = await client.querySysindex({ ccId: 1, vdns: vdnList(250), begin: BEGIN, end: END });
    expect(rows).toHaveLength(250 * 5);
    expect(server.requests).toHaveLength(3);
  });

  it('ends on the first, short page of the bare-list form (no count)', async () => {
    server = await start(5, { withCount: false });
    client = new CmsClient(testCmsConfig(server.url));
    const rows = await client.querySysindex({ ccId: 1, vdns: vdnList(100), begin: BEGIN, end: END });
    expect(rows).toHaveLength(500);
    expect(server.requests).toHaveLength(1);
  });

  it('keeps a fixed pageSize when one is given', async () => {
    server = await start(5);
    client = new CmsClient(testCmsConfig(server.url), { pageSize: 200 });
    expect(await client.querySysindex({ ccId: 1, vdns: vdnList(100), begin: BEGIN, end: END })).toHaveLength(500);
    expect(server.requests.map((r) => (r.json as { limit: number }).limit)).toEqual([200, 200, 200]);
  });
});

describe('sysindex batches handed over (onRows)', () => {
  it('hands each VDN batch over once, with all its pages, before the call resolves', async () => {
    server = await start(5);
    client = new CmsClient(testCmsConfig(server.url), { pageSize: 200 });
    const handed: Array<readonly { vdn: number; beginTime: number }[]> = [];
    let resolved = false;
    const rows = await client
      .querySysindex({ ccId: 1, vdns: vdnList(250), begin: BEGIN, end: END }, { onRows: (batch) => handed.push(resolved ? [] : batch) })
      .then((r) => {
        resolved = true;
        return r;
      });
    // 3 batches (100, 100, 50 VDNs × 5 periods), each read over pages of 200 rows.
    expect(server.requests).toHaveLength(3 + 3 + 2);
    expect(handed.map((b) => b.length).sort((x, y) => x - y)).toEqual([250, 500, 500]);
    const key = (r: { vdn: number; beginTime: number }): string => `${r.vdn}/${r.beginTime}`;
    expect(handed.flat().map(key).sort()).toEqual(rows.map(key).sort());
    expect(new Set(rows.map(key)).size).toBe(250 * 5);
  });
});
