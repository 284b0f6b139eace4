import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { CmsClient, type CmsClientOptions } from '../../src/cms/cms-client.js';
import { DEFAULT_CMS_PATHS } from '../../src/cms/cms-paths.js';
import { CmsInvalidRequestError } from '../../src/cms/errors.js';
import type { CmsConfig } from '../../src/config/types.js';
import type { CmsRequestEvent } from '../../src/cms/types.js';
import { startFakeCmsServer, testCmsConfig, type FakeCmsServer, type FakeHandler, type RecordedRequest } from '../helpers/fake-cms-server.js';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../fixtures/cms-examples/${name}`, import.meta.url), 'utf8'));

const BEGIN = new Date(Date.UTC(2021, 8, 9, 0, 0, 0));
const END = new Date(Date.UTC(2021, 8, 9, 0, 10, 0));

function row(vdn: number, beginTime: number): Record<string, unknown> {
  return { beginTime: String(beginTime), ccId: 1, vdn, onlineAgentNums: 3, talkingNums: 1, ideaAgentNum: 1, busyNums: 0, restNums: 1, inCallNums: 4, rateNum: 2, callRate: 50, callOutNums: 0 };
}

/** sysindex answered from the request: `perVdn` rows per requested VDN, paged by limit/offset, with or without count. */
function sysindexHandler(perVdn: number, withCount = true): FakeHandler {
  return (req) => {
    const body = req.json as { vdn?: number[]; limit: number; offset: number };
    const vdns = body.vdn ?? [7, 8, 9];
    const all = vdns.flatMap((v) => Array.from({ length: perVdn }, (_, i) => row(v, 1631594100000 + i * 300000)));
    const data = all.slice(body.offset, body.offset + body.limit);
    return { body: { resultCode: 0, resultDesc: withCount ? { data, count: all.length } : data } };
  };
}

let server: FakeCmsServer | undefined;
let client: CmsClient | undefined;
afterEach(async () => {
  client?.close();
  client = undefined;
  await server?.close();
  server = undefined;
});

async function setup(handler: FakeHandler, cms: Partial<CmsConfig> = {}, options: CmsClientOptions = {}): Promise<{ server: FakeCmsServer; client: CmsClient }> {
  server = await startFakeCmsServer({ handler });
  client = new CmsClient(testCmsConfig(server.url, cms), options);
  return { server, client };
}

function expectWellFormed(req: RecordedRequest, path: string, s: FakeCmsServer): void {
  expect(req.method).toBe('POST');
  expect(req.path).toBe(path);
  expect(req.headers['content-type']).toBe('application/json;charset=UTF-8');
  expect(req.headers.host).toBe(s.host);
  expect(req.signatureValid).toBe(true);
}

describe('CmsClient requests', () => {
  it('calls every interface as a signed POST with the exact body and parses the documented answers', async () => {
    const byPath: Record<string, string> = {
      [DEFAULT_CMS_PATHS.ctiServerTime]: 'cti-server-time-response.json',
      [DEFAULT_CMS_PATHS.accessCodeCallInfo]: 'access-code-call-info-response.json',
      [DEFAULT_CMS_PATHS.agentCalls]: 'agent-calls-response.json',
      [DEFAULT_CMS_PATHS.basicCallInfo]: 'basic-call-info-response.json',
      [DEFAULT_CMS_PATHS.sysindex]: 'sysindex-response.json',
    };
    const events: CmsRequestEvent[] = [];
    const t0 = Date.now();
    const { server: s, client: c } = await setup((req) => ({ body: fixture(byPath[req.path]!) }), {}, { onRequest: (e) => events.push(e) });

    const time = await c.queryCtiServerTime({ ccId: 1 });
    expect(time.serverTimeMs).toBe(1605057110000);
    expect(time.receivedAtMs).toBeGreaterThanOrEqual(time.sentAtMs);
    expect(await c.queryAccessCodeCallInfo({ ccId: 1, vdn: 170, innoIds: [1, 2] })).toHaveLength(2);
    expect(await c.queryAgentCalls({ ccId: 1, vdn: 170, agentId: 1099 })).toEqual(['1605492949-1447']);
    expect((await c.queryBasicCallInfo({ ccId: 1, vdn: 1, callId: '1453723531-574' })).callSkill).toBe('defaultAudioSkill');
    const rows = await c.querySysindex({ ccId: 1, vdns: [1, 2, 3], begin: BEGIN, end: new Date(Date.UTC(2021, 8, 11, 23)) });
    expect(rows).toEqual([expect.objectContaining({ vdn: 1, beginTime: 1631594100000, inCallNums: 1 })]);

    expect(s.requests.map((r) => r.text)).toEqual([
      '{"ccId":1}',
      '{"ccId":1,"vdn":170,"innoIds":[1,2]}',
      '{"ccId":1,"vdn":170,"agentId":1099}',
      '{"ccId":1,"vdn":1,"callId":"1453723531-574"}',
      '{"ccId":1,"vdn":[1,2,3],"beginDate":"2021-09-09 00:00:00","endDate":"2021-09-11 23:00:00","limit":1000,"offset":0}',
    ]);
    const paths = [DEFAULT_CMS_PATHS.ctiServerTime, DEFAULT_CMS_PATHS.accessCodeCallInfo, DEFAULT_CMS_PATHS.agentCalls, DEFAULT_CMS_PATHS.basicCallInfo, DEFAULT_CMS_PATHS.sysindex];
    s.requests.forEach((r, i) => {
      expectWellFormed(r, paths[i]!, s);
      expect(r.headers['content-length']).toBe(String(r.body.length));
      expect(r.authorization).toMatch(/^auth-v2\/test-ak-global\/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\/host\/[0-9a-f]{64}$/);
      expect(r.signedAtMs).toBeGreaterThanOrEqual(Math.floor(t0 / 1000) * 1000);
    });
    expect(events.map((e) => [e.endpoint, e.code])).toEqual([
      ['cti_server_time', '0100000'],
      ['access_code_call_info', '0100000'],
      ['agent_calls', '0100000'],
      ['basic_call_info', '0100000'],
      ['sysindex', '0100000'],
    ]);
    expect(events.every((e) => e.durationSeconds >= 0 && e.durationSeconds < 20)).toBe(true);
  });

  it('signs content-length, content-type and host with millisecond timestamps when configured', async () => {
    const { server: s, client: c } = await setup(() => ({ body: fixture('agent-calls-response.json') }), {
      signedHeaders: ['host', 'content-type', 'content-length'],
      timestampPrecision: 'milliseconds',
    });
    await c.queryAgentCalls({ ccId: 1, vdn: 170, agentId: 1099 });
    const r = s.requests[0]!;
    expect(r.signatureValid).toBe(true);
    expect(r.authorization).toMatch(/^auth-v2\/test-ak-global\/[^/]+\.\d{3}Z\/content-length;content-type;host\//);
  });

  it('accepts the cms slice itself as config, too', async () => {
    const { server: s } = await setup(() => ({ body: fixture('agent-calls-response.json') }));
    const direct = new CmsClient(testCmsConfig(s.url).cms);
    try {
      expect(await direct.queryAgentCalls({ ccId: 1, vdn: 1, agentId: 101 })).toEqual(['1605492949-1447']);
    } finally {
      direct.close();
    }
  });

  it('refuses at construction to sign a header it does not send', () => {
    expect(() => new CmsClient(testCmsConfig('http://127.0.0.1:1', { signedHeaders: ['host', 'x-custom'] }))).toThrow(/x-custom/);
  });

  it('uses overridden paths and keeps a base-URL path prefix, signing the path actually sent', async () => {
    server = await startFakeCmsServer({ handler: () => ({ body: fixture('agent-calls-response.json') }) });
    const agentgroup = '/rest/cmsapp/v1/openapi/agentgroup/queryagentcalls';
    client = new CmsClient(testCmsConfig(`${server.url}/nslb/`, { paths: { ...DEFAULT_CMS_PATHS, agentCalls: agentgroup } }));
    await client.queryAgentCalls({ ccId: 1, vdn: 1, agentId: 101 });
    expectWellFormed(server.requests[0]!, `/nslb${agentgroup}`, server);
  });

  it('splits 250 VDNs into batches of 100, 100, 50 sent with one window, limit (sized to the batch) and offset as numbers', async () => {
    const { server: s, client: c } = await setup(sysindexHandler(1));
    const vdns = Array.from({ length: 250 }, (_, i) => i + 1);
    const rows = await c.querySysindex({ ccId: 9, vdns: [...vdns, 5, 6], begin: BEGIN, end: END });
    expect(rows).toHaveLength(250);
    expect(new Set(rows.map((r) => r.vdn)).size).toBe(250);
    const bodies = s.requests.map((r) => r.json as Record<string, unknown>);
    expect(bodies.map((b) => (b.vdn as number[]).length).sort((a, b) => b - a)).toEqual([100, 100, 50]);
    expect(bodies.flatMap((b) => b.vdn as number[]).sort((a, b) => a - b)).toEqual(vdns);
    for (const b of bodies) {
      // 3 periods touched (00:00, 00:05, 00:10) × the batch's VDNs, plus one.
      const limit = (b.vdn as number[]).length * 3 + 1;
      expect(b).toMatchObject({ ccId: 9, beginDate: '2021-09-09 00:00:00', endDate: '2021-09-09 00:10:00', limit, offset: 0 });
    }
  });

  it('omits vdn when no VDNs are given (all VDNs), still paging', async () => {
    const { server: s, client: c } = await setup(sysindexHandler(3), {}, { pageSize: 4 });
    const rows = await c.querySysindex({ ccId: 1, vdns: [], begin: BEGIN, end: END });
    expect(rows).toHaveLength(9);
    expect(s.requests.every((r) => !('vdn' in (r.json as object)))).toBe(true);
    expect(s.requests.map((r) => (r.json as { offset: number }).offset).sort((a, b) => a - b)).toEqual([0, 4, 8]);
  });

  it('follows count across several pages in every batch', async () => {
    const { server: s, client: c } = await setup(sysindexHandler(5), {}, { pageSize: 100 });
    const vdns = Array.from({ length: 150 }, (_, i) => i + 1);
    const rows = await c.querySysindex({ ccId: 1, vdns, begin: BEGIN, end: END });
    expect(rows).toHaveLength(750);
    expect(new Set(rows.map((r) => `${r.vdn}/${r.beginTime}`)).size).toBe(750);
    const pages = s.requests.map((r) => { const b = r.json as { vdn: number[]; offset: number }; return `${b.vdn.length}@${b.offset}`; });
    expect(pages.sort()).toEqual(['100@0', '100@100', '100@200', '100@300', '100@400', '50@0', '50@100', '50@200'].sort());
  });

  it('reads the bare-list form page by page until a short page', async () => {
    const { server: s, client: c } = await setup(sysindexHandler(5, false), {}, { pageSize: 2 });
    const rows = await c.querySysindex({ ccId: 1, vdns: [4], begin: BEGIN, end: END });
    expect(rows).toHaveLength(5);
    expect(s.requests.map((r) => (r.json as { offset: number }).offset)).toEqual([0, 2, 4]);
  });

  it('refuses a bare-list server that ignores offset instead of looping', async () => {
    const { server: s, client: c } = await setup(() => ({ body: { resultCode: 0, resultDesc: [row(4, 1631594100000), row(4, 1631594400000)] } }), {}, { pageSize: 2 });
    await expect(c.querySysindex({ ccId: 1, vdns: [4], begin: BEGIN, end: END })).rejects.toThrow(/offset ignored/);
    expect(s.requests).toHaveLength(2);
  });

  it('returns a VDN-period once when a late row shifts it onto the next page between two requests', async () => {
    // Rows ordered by period then VDN: VDN 5's row for t0, published between the two page
    // requests, pushes VDN 6's t0 row from the end of page 1 onto page 2, so it comes twice.
    const t = (i: number): number => 1631594100000 + i * 300000;
    const before = [row(4, t(0)), row(6, t(0)), row(4, t(1))];
    const after = [row(4, t(0)), row(5, t(0)), row(6, t(0)), row(4, t(1))];
    for (const withCount of [true, false]) {
      let calls = 0;
      const { client: c } = await setup((req) => {
        const { offset, limit } = req.json as { offset: number; limit: number };
        const all = calls++ === 0 ? before : after;
        const data = all.slice(offset, offset + limit);
        return { body: { resultCode: 0, resultDesc: withCount ? { data, count: all.length } : data } };
      }, {}, { pageSize: 2 });
      const rows = await c.querySysindex({ ccId: 1, vdns: [4, 5, 6], begin: BEGIN, end: END });
      expect(rows.map((r) => `${r.vdn}@${r.beginTime}`), `withCount ${withCount}`).toEqual([`4@${t(0)}`, `6@${t(0)}`, `4@${t(1)}`]);
      client?.close();
      await server?.close();
      client = undefined;
      server = undefined;
    }
  });

  it('asks no further pages when the first page already holds count rows (limit ignored)', async () => {
    const rows = [1, 2, 3].map((i) => row(4, 1631594100000 + i * 300000));
    const { server: s, client: c } = await setup(() => ({ body: { resultCode: 0, resultDesc: { data: rows, count: 3 } } }), {}, { pageSize: 2 });
    expect(await c.querySysindex({ ccId: 1, vdns: [4], begin: BEGIN, end: END })).toHaveLength(3);
    expect(s.requests).toHaveLength(1);
  });

  it('splits 1200 access codes (plus duplicates) into 500, 500, 200 and concatenates the answers', async () => {
    const { server: s, client: c } = await setup((req) => {
      const ids = (req.json as { innoIds: number[] }).innoIds;
      return { body: { resultCode: '0100000', resultDesc: ids.map((innoId) => ({ innoId, allCallCount: 1, ivrCallCount: 0, agentCallCount: 1, queueCallCount: 0, longestWaitTime: 2 })) } };
    });
    const ids = Array.from({ length: 1200 }, (_, i) => i + 1);
    const result = await c.queryAccessCodeCallInfo({ ccId: 1, vdn: 3, innoIds: [...ids, 1, 2, 3] });
    expect(result.map((r) => r.innoId).sort((a, b) => a - b)).toEqual(ids);
    expect(s.requests.map((r) => (r.json as { innoIds: number[] }).innoIds.length).sort((a, b) => b - a)).toEqual([500, 500, 200]);
    expect(await c.queryAccessCodeCallInfo({ ccId: 1, vdn: 3, innoIds: [] })).toEqual([]);
    expect(s.requests).toHaveLength(3);
  });

  it('refuses invalid requests before sending anything', async () => {
    const { server: s, client: c } = await setup(() => ({ body: {} }));
    const day = 86_400_000;
    const refused = [
      c.querySysindex({ ccId: 1, begin: BEGIN, end: new Date(BEGIN.getTime() + 32 * day) }),
      c.querySysindex({ ccId: 1, begin: END, end: BEGIN }),
      c.querySysindex({ ccId: 1, vdns: [1, 5001], begin: BEGIN, end: END }),
      c.querySysindex({ ccId: 0, begin: BEGIN, end: END }),
      c.queryCtiServerTime({ ccId: 65536 }),
      c.queryAccessCodeCallInfo({ ccId: 1, vdn: 0, innoIds: [1] }),
      c.queryAccessCodeCallInfo({ ccId: 1, vdn: 1, innoIds: [1, -2] }),
      c.queryAgentCalls({ ccId: 1, vdn: 1, agentId: 100 }),
      c.queryAgentCalls({ ccId: 1, vdn: 1, agentId: 60000 }),
      c.queryBasicCallInfo({ ccId: 1, vdn: 1, callId: '1659513159000-5467501' }),
      c.queryBasicCallInfo({ ccId: 1, vdn: 1, callId: 'abc' }),
    ];
    for (const p of refused) await expect(p).rejects.toBeInstanceOf(CmsInvalidRequestError);
    expect(s.requests).toHaveLength(0);
  });

  it('takes CtiServerTime instants from the injected clock', async () => {
    let clock = 1_700_000_000_000;
    const { server: s, client: c } = await setup(() => ({ body: fixture('cti-server-time-response.json') }), {}, { now: () => (clock += 1000) });
    const t = await c.queryCtiServerTime({ ccId: 1 });
    expect(t.receivedAtMs - t.sentAtMs).toBe(1000);
    expect(s.requests[0]!.signedAtMs).toBe(t.sentAtMs);
  });
});
