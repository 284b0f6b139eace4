/**
 * Whatever a parser accepts must render sanely: answers whose fields are drawn from pools of edge
 * values (zero, the largest safe integer, 1e308, numbers as strings, a callRate over 100, and
 * invalid ones: negatives, null, missing, text) are parsed; accepted ones go through the four
 * collectors (a fake CmsApi hands them over), the SnapshotStore and the /metrics renderer, in
 * both formats. The exposition must parse strictly, hold no NaN or infinity, and no negative
 * value except the clock skew (the only series that may be negative).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  parseAccessCodeCallInfoResponse,
  parseAgentCallsResponse,
  parseBasicCallInfoResponse,
  parseCtiServerTimeResponse,
  parseSysindexResponse,
} from '../../src/cms/response-parsers.js';
import { createAccessCodesCollector } from '../../src/collectors/access-codes-collector.js';
import { createAgentCallsCollector } from '../../src/collectors/agent-calls-collector.js';
import { createCtiServerTimeCollector } from '../../src/collectors/cti-server-time-collector.js';
import { createSysindexCollector } from '../../src/collectors/sysindex-collector.js';
import { SysindexMemory } from '../../src/collectors/sysindex-memory.js';
import type { Collector } from '../../src/collectors/types.js';
import { createMetricsPipeline } from '../../src/metrics/metrics-endpoint.js';
import { parseExposition } from '../helpers/parse-exposition.js';
import { fakeCmsApi } from '../helpers/fake-cms-api.js';

const MISSING = Symbol('missing');
const invalidValue = fc.constantFrom<unknown>(MISSING, null, -1, -0.5, 'abc', '', '-3', '1e400', -1e308, [], {});
const countValue = fc.oneof(
  { weight: 6, arbitrary: fc.oneof(fc.nat(), fc.constantFrom(0, Number.MAX_SAFE_INTEGER), fc.nat().map(String)) },
  { weight: 1, arbitrary: invalidValue },
);
const floatValue = fc.oneof(
  { weight: 6, arbitrary: fc.oneof(fc.double({ min: 0, max: 1e308, noNaN: true }), fc.constantFrom(5e-324, 1e308, 150, '12.5', '0')) },
  { weight: 1, arbitrary: invalidValue },
);

/** An object with `keys` drawn from `value`, MISSING ones left out. */
function fields(keys: readonly string[], value: fc.Arbitrary<unknown>): fc.Arbitrary<Record<string, unknown>> {
  return fc.tuple(...keys.map(() => value)).map((values) =>
    Object.fromEntries(keys.map((k, i) => [k, values[i]]).filter(([, v]) => v !== MISSING)),
  );
}

const ok = (resultDesc: unknown): string => JSON.stringify({ resultCode: '0100000', resultDesc });
const SYSINDEX_COUNTS = ['beginTime', 'vdn', 'onlineAgentNums', 'talkingNums', 'ideaAgentNum', 'busyNums', 'restNums', 'inCallNums', 'rateNum', 'callOutNums'];
const sysindexRow = fc.tuple(fields(SYSINDEX_COUNTS, countValue), floatValue).map(([row, callRate]) => ({ ...row, ccId: 1, callRate }));
const accessRow = fc.tuple(fields(['innoId', 'allCallCount', 'ivrCallCount', 'agentCallCount', 'queueCallCount'], countValue), floatValue)
  .map(([row, longestWaitTime]) => ({ ...row, longestWaitTime }));
const basicCall = fc.record({
  time: countValue,
  waitTime: floatValue,
  totalTalkingTimes: floatValue,
  callingNum: fc.oneof(fc.string(), fc.nat()),
  deviceType: fc.oneof(fc.constant(null), fc.integer()),
});

/** Parses `body`; undefined when the parser refuses it (refusals are fuzz-cms-parsers' subject). */
function accepted<T>(parse: (b: string) => T, body: string): T | undefined {
  try {
    return parse(body);
  } catch {
    return undefined;
  }
}

const SIGNED_SERIES = new Set(['aicc_cti_clock_skew_seconds']);

/** Runs `collectors` once each into a fresh pipeline and checks both exposition formats. */
async function expectSaneExposition(collectors: Collector[]): Promise<number> {
  const { store, endpoint } = createMetricsPipeline({ version: 'fuzz', defaultMetrics: false, eagerGzip: false });
  for (const c of collectors) store.set(`${c.name}:${c.ccId}`, await c.collect(new AbortController().signal));
  let vendorSamples = 0;
  for (const format of ['text', 'openmetrics'] as const) {
    const body = await endpoint.renderMetrics(format, false);
    const text = Buffer.concat(body.chunks).toString('utf8');
    expect(text).not.toMatch(/\bNaN\b|Inf\b/);
    const bad = parseExposition(text, format)
      .samples()
      .filter((s) => !Number.isFinite(s.value) || (s.value < 0 && !SIGNED_SERIES.has(s.name)));
    expect(bad).toEqual([]);
    vendorSamples = parseExposition(text, format).samples().filter((s) => s.name.startsWith('aicc_') && !s.name.startsWith('aicc_exporter')).length;
  }
  return vendorSamples;
}


describe('accepted CMS answers render to sane /metrics', () => {
  it('sysindex: two successive answers (counters summed across periods) stay finite and non-negative', async () => {
    const answer = fc.array(sysindexRow, { maxLength: 6 }).map((rows) => ok({ data: rows, count: rows.length }));
    let rendered = 0;
    await fc.assert(
      fc.asyncProperty(answer, answer, async (first, second) => {
        const pages = [first, second].map((b) => accepted(parseSysindexResponse, b)?.rows ?? []);
        const memory = new SysindexMemory();
        // now = 0 puts every beginTime inside the first window, so no row is ignored as old.
        const api = fakeCmsApi({ querySysindex: async () => pages.shift() ?? [] });
        const collector = createSysindexCollector(
          { api, now: () => 0 },
          { callCenter: { ccId: 1, vdns: [] }, intervalSeconds: 60, lookbackMinutes: 60, memory },
        );
        await collector.collect(new AbortController().signal);
        rendered += await expectSaneExposition([collector]);
      }),
      { numRuns: 150 },
    );
    expect(rendered).toBeGreaterThan(0);
  });

  it('access codes, CTI clock and agent calls: finite, non-negative (skew may be negative)', async () => {
    const access = fc.array(accessRow, { maxLength: 4 }).map(ok);
    const ctiTime = fc.oneof(countValue, fc.constantFrom(1, Number.MAX_SAFE_INTEGER)).map(ok);
    const agentCalls = fc.array(fc.oneof(fc.string({ minLength: 1 }), fc.constant('')), { maxLength: 3 }).map(ok);
    const calls = fc.array(basicCall.map(ok), { minLength: 3, maxLength: 3 });
    let rendered = 0;
    await fc.assert(
      fc.asyncProperty(access, ctiTime, agentCalls, calls, fc.integer({ min: 0, max: 2 ** 42 }), async (a, t, ids, details, now) => {
        const rows = accepted(parseAccessCodeCallInfoResponse, a);
        const serverTimeMs = accepted(parseCtiServerTimeResponse, t);
        const callIds = accepted(parseAgentCallsResponse, ids) ?? [];
        const api = fakeCmsApi({
          queryAccessCodeCallInfo: async () => rows ?? [],
          queryCtiServerTime: async () => ({ serverTimeMs: serverTimeMs ?? 1, sentAtMs: now, receivedAtMs: now + 5 }),
          queryAgentCalls: async () => callIds,
          queryBasicCallInfo: async (q) => parseBasicCallInfoResponse(details[callIds.indexOf(q.callId) % 3] ?? ''),
        });
        const ctx = { api, now: () => now };
        const callCenter = { ccId: 1, vdns: [{ id: 1, accessCodes: [1, 2], agents: [101, 102] }] };
        rendered += await expectSaneExposition([
          createAccessCodesCollector(ctx, { callCenter, intervalSeconds: 30 }),
          createCtiServerTimeCollector(ctx, { ccId: 1, intervalSeconds: 30 }),
          createAgentCallsCollector(ctx, { callCenter, intervalSeconds: 30 }),
        ]);
      }),
      { numRuns: 150 },
    );
    expect(rendered).toBeGreaterThan(0);
  });
});
