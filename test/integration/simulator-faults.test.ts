import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { COMPUTE_DELAY_MAX_MS } from '../../src/simulator/http-server.js';
import { startSimulator, type RunningSimulator } from '../../src/simulator/start-simulator.js';
import { SIM_PATHS, TEST_START_MS, cmsDate, signedPost } from '../helpers/simulator-helpers.js';

describe('simulator faults and request stats', () => {
  let sim: RunningSimulator;
  beforeEach(async () => {
    sim = await startSimulator({ clock: { mode: 'manual', startMs: TEST_START_MS }, seed: 4 });
  });
  afterEach(async () => {
    await sim.close();
  });

  const cti = (opts = {}) => signedPost(sim.url, SIM_PATHS.ctiServerTime, { ccId: 1 }, opts);
  const sysindex = () => {
    const now = sim.clock.now();
    return signedPost(sim.url, SIM_PATHS.sysindex, { ccId: 1, beginDate: cmsDate(now - 600_000), endDate: cmsDate(now) });
  };

  it('latencyMs delays the answer, and the base latency applies to every answer', async () => {
    sim.faults.set('cti_server_time', { latencyMs: 150 });
    let t0 = performance.now();
    expect((await cti()).status).toBe(200);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(140);
    sim.faults.clear();
    sim.setLatencyMs(120);
    t0 = performance.now();
    expect((await signedPost(sim.url, '/nope', {})).status).toBe(404);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(110);
  });

  it('latency is a response time: the answer is computed soon after arrival and held, not computed after the wait', async () => {
    sim.setLatencyMs(1000);
    const arrivedAt = sim.clock.now();
    const pending = cti();
    await expect.poll(() => sim.stats.inFlight).toBe(1);
    // The answer is computed at most COMPUTE_DELAY_MAX_MS after arrival, long before it is sent.
    await new Promise((resolve) => setTimeout(resolve, COMPUTE_DELAY_MAX_MS + 20));
    sim.clock.advance(3_600_000);
    const res = await pending;
    expect(res.status).toBe(200);
    expect((res.json as { resultDatas: number }).resultDatas).toBe(arrivedAt);
  });

  it('httpStatus, retryAfterSeconds (429), unauthorized', async () => {
    sim.faults.set('cti_server_time', { httpStatus: 503 });
    expect((await cti()).status).toBe(503);
    sim.faults.set('cti_server_time', { httpStatus: 429, retryAfterSeconds: 7 });
    let res = await cti();
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
    sim.faults.set('cti_server_time', { retryAfterSeconds: 2 });
    res = await cti();
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('2');
    sim.faults.set('cti_server_time', { unauthorized: true });
    expect((await cti()).status).toBe(401);
    sim.faults.clear('cti_server_time');
    expect((await cti()).status).toBe(200);
  });

  it('resultCode, malformedJson and wrongTypes answers', async () => {
    sim.faults.set('sysindex', { resultCode: '0100999' });
    expect((await sysindex()).json).toEqual({ resultCode: '0100999', resultDesc: 'Simulated failure' });
    sim.faults.set('sysindex', { malformedJson: true });
    const bad = await sysindex();
    expect(bad.status).toBe(200);
    expect(bad.json).toBeUndefined();
    expect(() => JSON.parse(bad.text)).toThrow();
    sim.faults.set('sysindex', { wrongTypes: true });
    const mistyped = (await sysindex()).json;
    expect(mistyped.resultCode).toBe(0);
    expect(typeof mistyped.resultDesc.count).not.toBe('number');
    const row = mistyped.resultDesc.data[0];
    expect(row.beginTime).toEqual({ value: expect.stringMatching(/^\d+$/) });
    expect(Object.values(row).every((v) => typeof v !== 'number')).toBe(true);
    expect(Object.values(row).some((v) => typeof v === 'string' && Number.isNaN(Number(v)))).toBe(true);
    sim.faults.set('cti_server_time', { wrongTypes: true });
    const t = (await cti()).json;
    expect(typeof t.resultDesc).toBe('object');
  });

  it('hang never answers: the client times out, and close() ends hanging requests', async () => {
    sim.faults.set('all', { hang: true });
    await expect(cti({ signal: AbortSignal.timeout(200) })).rejects.toThrow();
    await expect.poll(() => sim.stats.inFlight).toBe(0);
    const pending = cti();
    await expect.poll(() => sim.stats.inFlight).toBe(1);
    await sim.close();
    await expect(pending).rejects.toThrow();
    expect(sim.stats.recent.at(-1)).toMatchObject({ status: 0, endpoint: 'cti_server_time' });
  });

  it('times limits a fault to the next N requests; probability 0 never fires; all vs endpoint', async () => {
    sim.faults.set('all', { httpStatus: 500, times: 2 });
    expect((await cti()).status).toBe(500);
    expect((await sysindex()).status).toBe(500);
    expect((await cti()).status).toBe(200);
    expect(sim.faults.active()).toEqual({});
    sim.faults.set('all', { httpStatus: 502, probability: 0 });
    for (let i = 0; i < 5; i++) expect((await cti()).status).toBe(200);
    sim.faults.set('all', { httpStatus: 502 });
    sim.faults.set('sysindex', { resultCode: '0100001' });
    expect((await sysindex()).json.resultCode).toBe('0100001');
    expect((await cti()).status).toBe(502);
    sim.faults.clear();
    expect((await cti()).status).toBe(200);
  });

  it('probability makes a share of requests fail', async () => {
    sim.faults.set('cti_server_time', { httpStatus: 503, probability: 0.5 });
    const statuses = [];
    for (let i = 0; i < 60; i++) statuses.push((await cti()).status);
    const failed = statuses.filter((s) => s === 503).length;
    expect(failed).toBeGreaterThan(10);
    expect(failed).toBeLessThan(50);
    expect(statuses.every((s) => s === 200 || s === 503)).toBe(true);
  });

  it('counts requests in flight, per endpoint and in total, and logs recent bodies without the Authorization', async () => {
    sim.faults.set('cti_server_time', { latencyMs: 300 });
    sim.stats.reset();
    const answers = Promise.all(Array.from({ length: 5 }, () => cti()));
    await expect.poll(() => sim.stats.inFlight).toBe(5);
    const results = await answers;
    expect(results.every((r) => r.status === 200)).toBe(true);
    await expect.poll(() => sim.stats.inFlight).toBe(0);
    expect(sim.stats.maxInFlight).toBe(5);
    sim.stats.resetMaxInFlight();
    expect(sim.stats.maxInFlight).toBe(0);
    await sysindex();
    await signedPost(sim.url, SIM_PATHS.agentGroupCalls, { ccId: 1, vdn: 1, agentId: 101 });
    expect(sim.stats.maxInFlight).toBe(1);
    expect(sim.stats.total).toBe(7);
    expect(sim.stats.requestsByEndpoint).toEqual({
      sysindex: 1,
      cti_server_time: 5,
      access_code_call_info: 0,
      agent_calls: 1,
      basic_call_info: 0,
    });
    const last = sim.stats.recent.at(-1)!;
    expect(last).toMatchObject({ method: 'POST', endpoint: 'agent_calls', status: 200, resultCode: '0100000' });
    expect(JSON.parse(last.body)).toEqual({ ccId: 1, vdn: 1, agentId: 101 });
    expect(JSON.stringify(sim.stats.recent)).not.toMatch(/auth-v2/);
  });
});
