import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../src/simulator/start-simulator.js';
import { SIM_PATHS, TEST_START_MS, cmsDate, signedPost } from '../helpers/simulator-helpers.js';

const INVALID = { resultCode: '0100002', resultDesc: 'Invalid parameter' };

describe('simulator HTTP interfaces', () => {
  let sim: RunningSimulator;
  beforeEach(async () => {
    sim = await startSimulator({
      clock: { mode: 'manual', startMs: TEST_START_MS },
      seed: 21,
      trafficLevel: 2,
      tenantAccessKey: 'tenant-ak',
      tenantSecretKey: 'tenant-sk',
    });
  });
  afterEach(async () => {
    await sim.close();
  });

  const post = (path: string, body: unknown, opts = {}) => signedPost(sim.url, path, body, opts);

  it('answers sysindex with the documented example quirks and the model rows', async () => {
    const now = sim.clock.now();
    const res = await post(SIM_PATHS.sysindex, {
      ccId: 1,
      vdn: [2, 1],
      beginDate: cmsDate(now - 900_000),
      endDate: cmsDate(now),
      limit: '100',
      offset: '0',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.json.resultCode).toBe(0);
    const { data, count } = res.json.resultDesc;
    expect(count).toBe(8); // periods 09:45, 09:50, 09:55, 10:00 x 2 VDNs
    expect(data).toHaveLength(8);
    for (const row of data) {
      expect(typeof row.beginTime).toBe('string');
      expect(row.beginTime).toMatch(/^\d{13}$/);
      expect(Number(row.beginTime) % 300_000).toBe(0);
      expect(row).toHaveProperty('inCallNums');
      expect(row).not.toHaveProperty('incallNums');
      expect(Object.keys(row)).toEqual([
        'beginTime', 'ccId', 'vdn', 'onlineAgentNums', 'talkingNums', 'ideaAgentNum', 'busyNums',
        'restNums', 'inCallNums', 'rateNum', 'callRate', 'callOutNums',
      ]);
    }
    // Ordered by period, then VDN; values are the model's.
    expect(data.map((r: { vdn: number }) => r.vdn)).toEqual([1, 2, 1, 2, 1, 2, 1, 2]);
    const modelRows = sim.model.periods(1, 2).filter((r) => r.beginTime >= now - 900_000);
    expect(data.filter((r: { vdn: number }) => r.vdn === 2).map((r: { beginTime: string }) => ({ ...r, beginTime: Number(r.beginTime) }))).toEqual(modelRows);
  });

  it('pages sysindex with limit/offset (numbers or strings), defaults, ccId default and VDN filter', async () => {
    const now = sim.clock.now();
    const window = { beginDate: cmsDate(now - 3_600_000), endDate: cmsDate(now) };
    const all = await post(SIM_PATHS.sysindex, window); // ccId omitted: the default call center
    expect(all.json.resultDesc.count).toBe(12); // 4 periods x 3 VDNs
    const page = await post(SIM_PATHS.sysindex, { ...window, ccId: 1, limit: 5, offset: '4' });
    expect(page.json.resultDesc.count).toBe(12);
    expect(page.json.resultDesc.data).toEqual(all.json.resultDesc.data.slice(4, 9));
    const beyond = await post(SIM_PATHS.sysindex, { ...window, ccId: 1, offset: 50 });
    expect(beyond.json.resultDesc).toEqual({ data: [], count: 12 });
    const unknownVdn = await post(SIM_PATHS.sysindex, { ...window, ccId: 1, vdn: [77] });
    expect(unknownVdn.json.resultDesc).toEqual({ data: [], count: 0 });
    const hundred = await post(SIM_PATHS.sysindex, { ...window, ccId: 1, vdn: Array.from({ length: 100 }, (_, i) => i + 1) });
    expect(hundred.json.resultDesc.count).toBe(12);
    const month = await post(SIM_PATHS.sysindex, { ccId: 1, beginDate: cmsDate(now - 31 * 86_400_000), endDate: cmsDate(now) });
    expect(month.json.resultCode).toBe(0);
  });

  it('answers ctiservertime with the legacy fields and the CTI clock offset', async () => {
    const res = await post(SIM_PATHS.ctiServerTime, { ccId: 1 });
    expect(res.json).toEqual({ result: '0', resultCode: '0100000', resultDatas: sim.clock.now(), resultDesc: sim.clock.now() });
    sim.setCtiClockOffsetMs(-4500);
    sim.clock.advance(1000);
    const skewed = await post(SIM_PATHS.ctiServerTime, { ccId: '1' });
    expect(skewed.json.resultDesc).toBe(sim.clock.now() - 4500);
  });

  it('answers agent calls (both paths) and basic call info as the model says, with the example types', async () => {
    const talking = sim.model.calls().filter((c) => c.stage === 'agent' && c.direction === 'inbound');
    expect(talking.length).toBeGreaterThan(0);
    for (const call of talking) {
      for (const path of [SIM_PATHS.agentCalls, SIM_PATHS.agentGroupCalls]) {
        const res = await post(path, { ccId: 1, vdn: call.vdn, agentId: call.agentId });
        expect(res.json).toEqual({ result: '0', resultCode: '0100000', resultDatas: [call.callId], resultDesc: [call.callId] });
      }
      const info = await post(SIM_PATHS.basicCallInfo, { ccId: 1, vdn: call.vdn, callId: call.callId });
      expect(info.json.result).toBe('0');
      expect(info.json.resultCode).toBe('0100000');
      expect(info.json.resultDatas).toEqual(info.json.resultDesc);
      const d = info.json.resultDesc;
      expect(d.time).toBe(call.startMs);
      expect(d.time).toBeLessThan(sim.clock.now());
      expect(d.waitTime).toBe(Math.floor((call.answerMs! - call.queueEnterMs!) / 1000));
      expect(d.totalTalkingTimes).toBe(Math.floor((sim.clock.now() - call.answerMs!) / 1000));
      expect(d.calledNum).toBe(String(call.innoId));
      expect(typeof d.callSkill).toBe('string');
      expect(d.orgiCalledNum).toBe('');
      expect(d.mediaBillType).toBe(0);
      expect(d.deviceNo).toBe(call.agentId);
      expect(d).toEqual(sim.model.basicCallInfo(call.callId));
    }
    const idle = sim.model.agents(1, 1).find((a) => a.state !== 'talking')!;
    const none = await post(SIM_PATHS.agentCalls, { ccId: 1, vdn: 1, agentId: idle.agentId });
    expect(none.json).toEqual({ result: '0', resultCode: '0100000', resultDatas: [], resultDesc: [] });
  });

  it('answers access code call info without legacy fields, zeros for unknown codes', async () => {
    const innoIds = [1, 2, 3, 4, 5, 12345];
    const res = await post(SIM_PATHS.accessCodeCallInfo, { ccId: 1, vdn: 1, innoIds });
    expect(Object.keys(res.json)).toEqual(['resultCode', 'resultDesc']);
    expect(res.json.resultCode).toBe('0100000');
    expect(res.json.resultDesc).toEqual(innoIds.map((innoId) => ({ innoId, ...sim.model.accessCodeState(1, 1, innoId) })));
    expect(res.json.resultDesc[5]).toEqual({
      innoId: 12345, allCallCount: 0, ivrCallCount: 0, queueCallCount: 0, agentCallCount: 0, longestWaitTime: 0,
    });
  });

  it('answers 0100001 for a call that does not exist or has ended', async () => {
    const call = sim.model.calls()[0]!;
    const otherVdn = call.vdn === 1 ? 2 : 1;
    expect((await post(SIM_PATHS.basicCallInfo, { ccId: 1, vdn: otherVdn, callId: call.callId })).json.resultCode).toBe('0100001');
    expect((await post(SIM_PATHS.basicCallInfo, { ccId: 1, vdn: 1, callId: '17093000000001-99999' })).json).toEqual({
      resultCode: '0100001',
      resultDesc: 'The call does not exist',
    });
    sim.clock.advance(4 * 3_600_000);
    expect(sim.model.call(call.callId)).toBeUndefined();
    expect((await post(SIM_PATHS.basicCallInfo, { ccId: 1, vdn: call.vdn, callId: call.callId })).json.resultCode).toBe('0100001');
  });

  it('answers 0100002 for every request outside the documented limits', async () => {
    const now = sim.clock.now();
    const win = { beginDate: cmsDate(now - 600_000), endDate: cmsDate(now) };
    const cases: Array<[string, unknown]> = [
      [SIM_PATHS.sysindex, { ...win, ccId: 0 }],
      [SIM_PATHS.sysindex, { ...win, ccId: 65536 }],
      [SIM_PATHS.sysindex, { ...win, ccId: 2 }], // unknown call center
      [SIM_PATHS.sysindex, { ...win, vdn: Array.from({ length: 101 }, (_, i) => i + 1) }],
      [SIM_PATHS.sysindex, { ...win, vdn: [5001] }],
      [SIM_PATHS.sysindex, { ...win, vdn: 1 }],
      [SIM_PATHS.sysindex, { ...win, beginDate: '2024-03-01T09:00:00' }],
      [SIM_PATHS.sysindex, { ...win, endDate: '2024-02-30 00:00:00' }],
      [SIM_PATHS.sysindex, { endDate: win.endDate }],
      [SIM_PATHS.sysindex, { beginDate: cmsDate(now - 31 * 86_400_000 - 1000), endDate: win.endDate }],
      [SIM_PATHS.sysindex, { beginDate: win.endDate, endDate: win.beginDate }],
      [SIM_PATHS.sysindex, { ...win, limit: 0 }],
      [SIM_PATHS.sysindex, { ...win, limit: 'ten' }],
      [SIM_PATHS.sysindex, { ...win, limit: 1.5 }],
      [SIM_PATHS.sysindex, { ...win, offset: -1 }],
      [SIM_PATHS.ctiServerTime, {}],
      [SIM_PATHS.ctiServerTime, { ccId: 'x' }],
      [SIM_PATHS.ctiServerTime, { ccId: 9 }],
      [SIM_PATHS.accessCodeCallInfo, { ccId: 1, vdn: 0, innoIds: [1] }],
      [SIM_PATHS.accessCodeCallInfo, { ccId: 1, vdn: 5001, innoIds: [1] }],
      [SIM_PATHS.accessCodeCallInfo, { ccId: 1, vdn: 1, innoIds: Array.from({ length: 501 }, (_, i) => i + 1) }],
      [SIM_PATHS.accessCodeCallInfo, { ccId: 1, vdn: 1 }],
      [SIM_PATHS.accessCodeCallInfo, { ccId: 1, vdn: 1, innoIds: ['a'] }],
      [SIM_PATHS.accessCodeCallInfo, { ccId: 70000, vdn: 1, innoIds: [1] }],
      [SIM_PATHS.agentCalls, { ccId: 1, vdn: 1, agentId: 100 }],
      [SIM_PATHS.agentCalls, { ccId: 1, vdn: 1, agentId: 60000 }],
      [SIM_PATHS.agentCalls, { ccId: 1, vdn: 5001, agentId: 101 }],
      [SIM_PATHS.agentGroupCalls, { ccId: 1, vdn: 1 }],
      [SIM_PATHS.basicCallInfo, { ccId: 1, vdn: 1, callId: '1709287200000-1234567' }],
      [SIM_PATHS.basicCallInfo, { ccId: 1, vdn: 1, callId: 'abc-1' }],
      [SIM_PATHS.basicCallInfo, { ccId: 1, vdn: 1, callId: '1709287200000' }],
      [SIM_PATHS.basicCallInfo, { ccId: 1, vdn: 1, callId: 1709287200000 }],
      [SIM_PATHS.basicCallInfo, { ccId: 1, vdn: 0, callId: '1-1' }],
      [SIM_PATHS.ctiServerTime, 'not json'],
      [SIM_PATHS.ctiServerTime, '[1]'],
    ];
    for (const [path, body] of cases) {
      const res = await post(path, body);
      expect({ path, body, status: res.status, json: res.json }).toEqual({ path, body, status: 200, json: INVALID });
    }
    // The boundaries themselves are accepted.
    const ok: Array<[string, unknown]> = [
      [SIM_PATHS.accessCodeCallInfo, { ccId: 1, vdn: 5000, innoIds: Array.from({ length: 500 }, (_, i) => i) }],
      [SIM_PATHS.agentCalls, { ccId: 1, vdn: 1, agentId: 101 }],
      [SIM_PATHS.agentCalls, { ccId: 1, vdn: 1, agentId: '59999' }],
    ];
    for (const [path, body] of ok) expect((await post(path, body)).json.resultCode).toBe('0100000');
    const twenty = await post(SIM_PATHS.basicCallInfo, { ccId: 1, vdn: 1, callId: '1709287200000-123456' });
    expect(twenty.json.resultCode).toBe('0100001');
  });

  it('in CTI 3.6 mode answers 0100003 for the three V300R008-only interfaces', async () => {
    sim.setCti36(true);
    const bodies: Array<[string, unknown]> = [
      [SIM_PATHS.ctiServerTime, { ccId: 1 }],
      [SIM_PATHS.accessCodeCallInfo, { ccId: 1, vdn: 1, innoIds: [1] }],
      [SIM_PATHS.basicCallInfo, { ccId: 1, vdn: 1, callId: '1-1' }],
    ];
    for (const [path, body] of bodies) expect((await post(path, body)).json.resultCode).toBe('0100003');
    expect((await post(SIM_PATHS.agentCalls, { ccId: 1, vdn: 1, agentId: 101 })).json.resultCode).toBe('0100000');
    const now = sim.clock.now();
    expect((await post(SIM_PATHS.sysindex, { beginDate: cmsDate(now - 60_000), endDate: cmsDate(now) })).json.resultCode).toBe(0);
    sim.setCti36(false);
    expect((await post(SIM_PATHS.ctiServerTime, { ccId: 1 })).json.resultCode).toBe('0100000');
  });

  it('checks auth-v2 over HTTP: 401 without a good signature, the real wall clock for skew', async () => {
    const body = { ccId: 1 };
    expect((await post(SIM_PATHS.ctiServerTime, body)).status).toBe(200); // model clock is 2024, wall clock is now
    expect((await post(SIM_PATHS.ctiServerTime, body, { precision: 'milliseconds', signedHeaders: ['content-length', 'content-type', 'host'] })).status).toBe(200);
    expect((await post(SIM_PATHS.ctiServerTime, body, { query: { lang: 'en us' } })).status).toBe(200);
    expect((await post(SIM_PATHS.ctiServerTime, body, { authorization: null })).status).toBe(401);
    expect((await post(SIM_PATHS.ctiServerTime, body, { secretKey: 'wrong' })).status).toBe(401);
    expect((await post(SIM_PATHS.ctiServerTime, body, { accessKey: 'nobody' })).status).toBe(401);
    expect((await post(SIM_PATHS.ctiServerTime, body, { at: new Date(Date.now() - 20 * 60_000) })).status).toBe(401);
    expect((await post(SIM_PATHS.ctiServerTime, body, { sendBody: '{"ccId":2}' })).status).toBe(401);
    expect((await post(SIM_PATHS.ctiServerTime, body, { authorization: 'auth-v2/x' })).status).toBe(401);
  });

  it('refuses sysindex to a tenant key (0101003) but serves it the other interfaces', async () => {
    const tenant = { accessKey: 'tenant-ak', secretKey: 'tenant-sk' };
    const now = sim.clock.now();
    const res = await post(SIM_PATHS.sysindex, { beginDate: cmsDate(now - 60_000), endDate: cmsDate(now) }, tenant);
    expect(res.json).toEqual({ resultCode: '0101003', resultDesc: 'Insufficient permission' });
    expect((await post(SIM_PATHS.ctiServerTime, { ccId: 1 }, tenant)).json.resultCode).toBe('0100000');
  });

  it('routes: 404 for unknown paths, 405 for other methods, 413 for oversized bodies', async () => {
    expect((await post('/rest/cmsapp/v1/openapi/nope', { ccId: 1 })).status).toBe(404);
    const get = await post(SIM_PATHS.ctiServerTime, {}, { method: 'GET' });
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect((await post(SIM_PATHS.ctiServerTime, { ccId: 1 }, { method: 'PUT' })).status).toBe(405);
    const small = await startSimulator({ maxRequestBodyBytes: 64, warmupMs: 0 });
    try {
      const big = await signedPost(small.url, SIM_PATHS.accessCodeCallInfo, { ccId: 1, vdn: 1, innoIds: Array.from({ length: 100 }, (_, i) => i) });
      expect(big.status).toBe(413);
      expect((await signedPost(small.url, SIM_PATHS.ctiServerTime, { ccId: 1 })).status).toBe(200);
    } finally {
      await small.close();
    }
  });
});
