import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { floorRequests, measureRequestFloor } from '../../bench/request-floor.js';
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

describe('measureRequestFloor', () => {
  const withServer = async (status: number, body: (arrivals: number[], url: string, keyFile: string) => Promise<void>): Promise<void> => {
    const arrivals: number[] = [];
    const server = http.createServer((req, res) => {
      arrivals.push(performance.now());
      req.resume();
      req.on('end', () => res.writeHead(status).end('{}'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const dir = mkdtempSync(path.join(os.tmpdir(), 'floor-'));
    const keyFile = path.join(dir, 'sk');
    writeFileSync(keyFile, 'floor-test-key', { mode: 0o600 });
    try {
      await body(arrivals, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, keyFile);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const oneRequest = floorRequests(large, 'cti_server_time', 1);

  it('starts each run one interval after the one before, as the exporter does', async () => {
    await withServer(200, async (arrivals, baseUrl, secretKeyFile) => {
      const walls = await measureRequestFloor({ baseUrl, accessKey: 'AK', secretKeyFile, concurrency: 1, requests: oneRequest, runs: 2, intervalMs: 300 });
      expect(walls).toHaveLength(2);
      expect(arrivals).toHaveLength(3); // the untimed run, then two timed ones
      // Back to back the requests would arrive a few ms apart; spaced, 300 ms apart, give or
      // take the difference of two requests' transit (the untimed one also opened the connection).
      expect(arrivals[1]! - arrivals[0]!).toBeGreaterThanOrEqual(200);
      expect(arrivals[2]! - arrivals[1]!).toBeGreaterThanOrEqual(200);
    });
  });

  it('refuses to measure a floor on answers that are not HTTP 200', async () => {
    await withServer(503, async (_arrivals, baseUrl, secretKeyFile) => {
      await expect(measureRequestFloor({ baseUrl, accessKey: 'AK', secretKeyFile, concurrency: 1, requests: oneRequest, runs: 1 })).rejects.toThrow('HTTP 503');
    });
  });
});
