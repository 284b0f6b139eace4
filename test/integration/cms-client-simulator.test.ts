import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CmsClient, type CmsClientOptions } from '../../src/cms/cms-client.js';
import { CmsHttpError, CmsInvalidResponseError, CmsResultError, CmsTimeoutError } from '../../src/cms/errors.js';
import type { CmsConfig } from '../../src/config/types.js';
import { generateScenario, startSimulator, type RunningSimulator } from '../../src/simulator/index.js';
import { TEST_AK, TEST_SK, testCmsConfig } from '../helpers/fake-cms-server.js';

// The client against the full CC-CMS simulator (src/simulator): every interface, its paging,
// its fault modes. The model clock is manual, so the model stands still between the client's
// request and the assertions that read the model.

let sim: RunningSimulator;
const clients: CmsClient[] = [];

beforeEach(async () => {
  sim = await startSimulator({
    accessKey: TEST_AK,
    secretKey: TEST_SK,
    tenantAccessKey: 'tenant-ak',
    tenantSecretKey: 'tenant-sk',
    clock: { mode: 'manual' },
    scenario: generateScenario({ callCenters: 1, vdnsPerCallCenter: 4, accessCodesPerVdn: 6, agentsPerVdn: 12 }),
    trafficLevel: 5,
    seed: 7,
  });
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await sim.close();
});

function client(cms: Partial<CmsConfig> = {}, options: CmsClientOptions = {}): CmsClient {
  const c = new CmsClient(testCmsConfig(sim.url, { retries: 2, ...cms }), { sleep: async () => {}, ...options });
  clients.push(c);
  return c;
}

const window = (): { begin: Date; end: Date } => {
  const now = sim.clock.now();
  return { begin: new Date(now - 30 * 60_000), end: new Date(now) };
};

describe('CmsClient against the simulator', () => {
  it('sysindex: every VDN, all pages, rows equal to the model', async () => {
    const [{ ccId, vdns }] = sim.model.callCenters() as [{ ccId: number; vdns: number[] }];
    const onePage = await client({}, { pageSize: 1000 }).querySysindex({ ccId, ...window() });
    sim.stats.reset();
    const paged = await client({}, { pageSize: 3 }).querySysindex({ ccId, ...window() });
    expect(sim.stats.requestsByEndpoint.sysindex).toBeGreaterThan(2);
    expect(onePage.length).toBeGreaterThan(vdns.length);
    const key = (r: { vdn: number; beginTime: number }): string => `${r.vdn}/${r.beginTime}`;
    expect(paged.map(key).sort()).toEqual(onePage.map(key).sort());
    expect(new Set(onePage.map((r) => r.vdn))).toEqual(new Set(vdns));
    for (const row of paged) {
      const model = sim.model.periods(ccId, row.vdn).find((p) => p.beginTime === row.beginTime);
      expect(row).toEqual(model);
    }
    const some = await client().querySysindex({ ccId, vdns: [vdns[1]!], ...window() });
    expect(some.length).toBeGreaterThan(0);
    expect(some.every((r) => r.vdn === vdns[1])).toBe(true);
  });

  it('ctiservertime: the CTI clock with its offset', async () => {
    sim.setCtiClockOffsetMs(-4000);
    const t = await client().queryCtiServerTime({ ccId: 1 });
    expect(t.serverTimeMs).toBe(sim.clock.now() - 4000);
    expect(t.receivedAtMs).toBeGreaterThanOrEqual(t.sentAtMs);
  });

  it('access codes, agent calls and basic call info match the model', async () => {
    const c = client();
    const [{ ccId, vdns }] = sim.model.callCenters() as [{ ccId: number; vdns: number[] }];
    const vdn = vdns[0]!;
    const innoIds = Array.from({ length: 6 }, (_, i) => i + 1);
    const codes = await c.queryAccessCodeCallInfo({ ccId, vdn, innoIds });
    expect(codes.map((r) => r.innoId)).toEqual(innoIds);
    for (const r of codes) {
      const { innoId, ...counts } = r;
      expect(counts).toEqual(sim.model.accessCodeState(ccId, vdn, innoId));
    }

    const talking = vdns.flatMap((v) => sim.model.agents(ccId, v).map((a) => ({ vdn: v, ...a }))).find((a) => a.callIds.length > 0);
    expect(talking).toBeDefined(); // traffic 5x after a 15-minute warm-up: someone is on a call
    const ids = await c.queryAgentCalls({ ccId, vdn: talking!.vdn, agentId: talking!.agentId });
    expect(ids).toEqual(talking!.callIds);

    const info = await c.queryBasicCallInfo({ ccId, vdn: talking!.vdn, callId: ids[0]! });
    expect(info.raw).toEqual(sim.model.basicCallInfo(ids[0]!));
    expect(info.time).toBe(Number(sim.model.basicCallInfo(ids[0]!)!.time));
    expect(sim.model.call(ids[0]!)).toBeDefined();

    const idle = sim.model.agents(ccId, vdn).find((a) => a.callIds.length === 0);
    if (idle) expect(await c.queryAgentCalls({ ccId, vdn, agentId: idle.agentId })).toEqual([]);
  });

  it('answers the documented failures as typed errors', async () => {
    const c = client({ timeoutSeconds: 0.3 });
    const q = { ccId: 1, vdn: 1, agentId: 101 };
    sim.faults.set('agent_calls', { httpStatus: 503, times: 2 });
    await expect(c.queryAgentCalls(q)).resolves.toBeInstanceOf(Array); // two retries
    expect(sim.stats.requestsByEndpoint.agent_calls).toBe(3);
    sim.faults.set('agent_calls', { retryAfterSeconds: 1, times: 1 });
    await expect(c.queryAgentCalls(q)).resolves.toBeInstanceOf(Array);
    sim.faults.set('agent_calls', { resultCode: '0100999' });
    await expect(c.queryAgentCalls(q)).rejects.toMatchObject({ resultCode: '0100999' });
    sim.faults.set('agent_calls', { malformedJson: true });
    await expect(c.queryAgentCalls(q)).rejects.toBeInstanceOf(CmsInvalidResponseError);
    sim.faults.set('agent_calls', { unauthorized: true });
    await expect(c.queryAgentCalls(q)).rejects.toMatchObject({ httpStatus: 401 });
    sim.faults.set('agent_calls', { hang: true });
    await expect(c.queryAgentCalls(q)).rejects.toBeInstanceOf(CmsTimeoutError);
    sim.faults.set('access_code_call_info', { wrongTypes: true });
    await expect(c.queryAccessCodeCallInfo({ ccId: 1, vdn: 1, innoIds: [1, 2] })).rejects.toBeInstanceOf(CmsInvalidResponseError);
    sim.faults.clear();
    sim.setCti36(true);
    await expect(c.queryCtiServerTime({ ccId: 1 })).rejects.toMatchObject({ resultCode: '0100003' });
    await expect(c.queryBasicCallInfo({ ccId: 1, vdn: 1, callId: '1-1' })).rejects.toMatchObject({ resultCode: '0100003' });
    sim.setCti36(false);
    await expect(c.queryBasicCallInfo({ ccId: 1, vdn: 1, callId: '1-1' })).rejects.toMatchObject({ resultCode: '0100001' });
  });

  it('a tenant key gets 0101003 from sysindex only; a wrong secret gets 401', async () => {
    const tenant = client({ accessKey: 'tenant-ak', secretKey: 'tenant-sk' });
    await expect(tenant.querySysindex({ ccId: 1, ...window() })).rejects.toBeInstanceOf(CmsResultError);
    await expect(tenant.querySysindex({ ccId: 1, ...window() })).rejects.toMatchObject({ resultCode: '0101003' });
    await expect(tenant.queryCtiServerTime({ ccId: 1 })).resolves.toMatchObject({ serverTimeMs: sim.clock.now() });
    const wrong = client({ secretKey: 'not-the-secret' });
    await expect(wrong.queryCtiServerTime({ ccId: 1 })).rejects.toBeInstanceOf(CmsHttpError);
  });

  it('signs every header variant and precision the config allows', async () => {
    for (const signedHeaders of [['host'], ['host', 'content-type'], ['host', 'content-type', 'content-length']]) {
      for (const timestampPrecision of ['seconds', 'milliseconds'] as const) {
        await expect(client({ signedHeaders, timestampPrecision }).queryCtiServerTime({ ccId: 1 })).resolves.toBeDefined();
      }
    }
  });

  it('keeps the simulator below cms.concurrency requests in flight', async () => {
    sim.setLatencyMs(15);
    const c = client({ concurrency: 2 });
    await Promise.all(Array.from({ length: 8 }, (_, i) => c.queryAgentCalls({ ccId: 1, vdn: 1, agentId: 101 + i })));
    expect(sim.stats.maxInFlight).toBeLessThanOrEqual(2);
    expect(sim.stats.total).toBe(8);
  });
});
