import { describe, expect, it } from 'vitest';
import { floorRequests } from '../../bench/request-floor.js';
import { SCENARIOS, minimumRequests } from '../../bench/bench-scenarios.js';
import { DEFAULT_CMS_PATHS } from '../../src/cms/cms-paths.js';

const large = SCENARIOS.large;
const bodies = (collector: Parameters<typeof floorRequests>[1], count: number) =>
  floorRequests(large, collector, count).map((r) => ({ path: r.path, body: JSON.parse(r.body) as Record<string, unknown> }));

describe('the request floor replays requests shaped like a run of the collector', () => {
  it('sysindex: the VDN batches of 100, every VDN once, with the open period as the window', () => {
    const n = minimumRequests(large, 'sysindex');
    const reqs = bodies('sysindex', n);
    expect(reqs).toHaveLength(10);
    expect(new Set(reqs.map((r) => r.path))).toEqual(new Set([DEFAULT_CMS_PATHS.sysindex]));
    const vdns = reqs.flatMap((r) => r.body.vdn as number[]);
    expect(vdns).toHaveLength(1000);
    expect(new Set(vdns).size).toBe(1000);
    const { beginDate, endDate } = reqs[0]!.body as { beginDate: string; endDate: string };
    expect(beginDate).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d[05]:00$/); // a period start
    expect(endDate >= beginDate).toBe(true);
    expect(reqs.every((r) => r.body.offset === 0 && (r.body.limit as number) >= 100)).toBe(true);
  });

  it('access_codes: one request per VDN with its 50 codes; agent_calls cycle through the watched agents', () => {
    const codes = bodies('access_codes', 1000);
    expect(codes[999]!.body).toEqual({ ccId: 1, vdn: 1000, innoIds: Array.from({ length: 50 }, (_, i) => 49_951 + i) });
    const agents = bodies('agent_calls', 600);
    expect(agents.every((r) => r.path === DEFAULT_CMS_PATHS.agentCalls)).toBe(true);
    expect(new Set(agents.map((r) => r.body.agentId)).size).toBe(500);
    expect(agents[500]!.body).toEqual(agents[0]!.body);
  });

  it('cti_server_time: the one clock request', () => {
    expect(bodies('cti_server_time', 1)).toEqual([{ path: DEFAULT_CMS_PATHS.ctiServerTime, body: { ccId: 1 } }]);
  });
});
