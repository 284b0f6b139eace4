/**
 * Property-based tests of the five response parsers: random bodies, and the documented examples
 * mutated field by field (missing fields, nulls, strings for numbers, huge numbers, negative
 * counts, NaN/Infinity spelled in the text, nested garbage), and 10 MB bodies. Every outcome is
 * either a typed CmsError (CmsResultError / CmsInvalidResponseError, with its stable code and
 * endpoint, a bounded message) or a value whose numbers are finite and non-negative where they
 * cannot be negative.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CmsInvalidResponseError, CmsResultError } from '../../src/cms/errors.js';
import {
  parseAccessCodeCallInfoResponse,
  parseAgentCallsResponse,
  parseBasicCallInfoResponse,
  parseCtiServerTimeResponse,
  parseSysindexResponse,
} from '../../src/cms/response-parsers.js';
import type { CmsEndpoint } from '../../src/cms/types.js';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../fixtures/cms-examples/${name}`, import.meta.url), 'utf8'));

const isCount = (n: unknown): boolean => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
const isNonNegative = (n: unknown): boolean => typeof n === 'number' && Number.isFinite(n) && n >= 0;

function checkSysindex(v: ReturnType<typeof parseSysindexResponse>): void {
  expect(v.count === undefined || isCount(v.count)).toBe(true);
  const bad = v.rows.flatMap((row) =>
    Object.entries(row).filter(([key, value]) => !(key === 'callRate' ? isNonNegative(value) : isCount(value))),
  );
  expect(bad).toEqual([]);
}

function checkBasicCallInfo(v: ReturnType<typeof parseBasicCallInfoResponse>): void {
  expect(isCount(v.time) && isNonNegative(v.waitTime) && isNonNegative(v.totalTalkingTimes)).toBe(true);
  for (const n of [v.deviceType, v.deviceNo, v.mediaType]) expect(n === null || Number.isSafeInteger(n)).toBe(true);
  for (const s of [v.callingNum, v.calledNum, v.callSkill]) expect(typeof s).toBe('string');
}

/** Each interface: its endpoint, parser, the value check, and the documented example to mutate. */
const INTERFACES = [
  { endpoint: 'sysindex', parse: parseSysindexResponse, check: checkSysindex, example: 'sysindex-response.json' },
  {
    endpoint: 'cti_server_time',
    parse: parseCtiServerTimeResponse,
    check: (v: number) => expect(Number.isSafeInteger(v) && v > 0).toBe(true),
    example: 'cti-server-time-response.json',
  },
  {
    endpoint: 'access_code_call_info',
    parse: parseAccessCodeCallInfoResponse,
    check: (v: ReturnType<typeof parseAccessCodeCallInfoResponse>) => {
      const bad = v.flatMap((row) =>
        Object.entries(row).filter(([key, value]) => !(key === 'longestWaitTime' ? isNonNegative(value) : isCount(value))),
      );
      expect(bad).toEqual([]);
    },
    example: 'access-code-call-info-response.json',
  },
  {
    endpoint: 'agent_calls',
    parse: parseAgentCallsResponse,
    check: (v: string[]) => expect(v.every((id) => typeof id === 'string' && id !== '')).toBe(true),
    example: 'agent-calls-response.json',
  },
  { endpoint: 'basic_call_info', parse: parseBasicCallInfoResponse, check: checkBasicCallInfo, example: 'basic-call-info-response.json' },
] as const satisfies ReadonlyArray<{ endpoint: CmsEndpoint; parse: (b: string) => unknown; check: (v: never) => void; example: string }>;

/** Parses `body`; a value must pass `check`, a throw must be one of the two typed errors of `endpoint`. */
function expectTypedOrSane(endpoint: CmsEndpoint, parse: (b: string | Uint8Array) => unknown, check: (v: never) => void, body: string | Uint8Array): 'value' | 'error' {
  let value: unknown;
  try {
    value = parse(body);
  } catch (err) {
    const typed = err instanceof CmsResultError || err instanceof CmsInvalidResponseError;
    expect(typed, `unexpected ${String(err)}`).toBe(true);
    const e = err as CmsResultError | CmsInvalidResponseError;
    expect(e.code).toBe(e instanceof CmsResultError ? 'CMS_RESULT' : 'INVALID_RESPONSE');
    expect(e.endpoint).toBe(endpoint);
    expect(e.message.length).toBeLessThan(1000);
    if (e instanceof CmsResultError) expect(e.resultCode).toMatch(/^[0-9A-Za-z_.-]{1,32}$/);
    return 'error';
  }
  check(value as never);
  return 'value';
}

/** Replacement values a mutation puts in place of a field (undefined: the field is removed). */
const garbage: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(undefined, null, '', 'abc', '-1', '1e3', '12.5', ' 7', '0x10', 'NaN', 'Infinity', true, [], {}),
  fc.constantFrom(-1, -0, -0.5, 0.5, 1.5, 1e308, -1e308, 2 ** 53, 2 ** 53 + 2, Number.MAX_SAFE_INTEGER, 5e-324),
  fc.integer().map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.jsonValue({ maxDepth: 3 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
);

/** Every path (list of keys / indexes) inside a JSON tree, the root excluded. */
function pathsOf(node: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> {
  if (Array.isArray(node)) return node.flatMap((child, i) => [[...prefix, i], ...pathsOf(child, [...prefix, i])]);
  if (typeof node === 'object' && node !== null) {
    return Object.entries(node).flatMap(([k, child]) => [[...prefix, k], ...pathsOf(child, [...prefix, k])]);
  }
  return [];
}

/** A copy of `doc` with the value at `path` replaced (or removed when `value` is undefined). */
function mutate(doc: unknown, path: ReadonlyArray<string | number>, value: unknown): unknown {
  const copy = structuredClone(doc);
  let parent = copy as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = path[path.length - 1] as string | number;
  if (value === undefined && !Array.isArray(parent)) delete parent[last];
  else parent[last] = value;
  return copy;
}

/** Up to four mutations of `example`, serialized; sometimes a number is respelled as non-JSON text. */
function mutatedBody(example: unknown): fc.Arbitrary<string> {
  const paths = pathsOf(example);
  const step = fc.tuple(fc.nat({ max: paths.length - 1 }), garbage);
  const respell = fc.constantFrom(null, '1e999', '-1e999', 'NaN', '-Infinity', '-0', '1.0e2', '00012');
  return fc.tuple(fc.array(step, { minLength: 1, maxLength: 4 }), respell).map(([steps, spelling]) => {
    let doc = example;
    for (const [i, value] of steps) {
      const current = pathsOf(doc);
      const path = current[i % Math.max(1, current.length)];
      if (path) doc = mutate(doc, path, value);
    }
    const text = JSON.stringify(doc) ?? '';
    return spelling === null ? text : text.replace(/(?<=:)-?\d+(\.\d+)?(?=[,}\]])/, spelling);
  });
}

const randomBody: fc.Arbitrary<string | Uint8Array> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.json({ maxDepth: 4 }),
  fc.uint8Array({ maxLength: 200 }),
  fc.record({ resultCode: garbage, resultDesc: fc.jsonValue({ maxDepth: 4 }) }).map((d) => JSON.stringify(d)),
  fc.record({ result: garbage, resultDatas: garbage }, { requiredKeys: [] }).map((d) => JSON.stringify(d)),
);

describe.each(INTERFACES)('$endpoint parser under bad input', ({ endpoint, parse, check, example }) => {
  it('gives a typed error or a sane value for any random body', () => {
    fc.assert(fc.property(randomBody, (body) => void expectTypedOrSane(endpoint, parse, check, body)), { numRuns: 400 });
  });

  it('gives a typed error or a sane value for the documented example, mutated', () => {
    const doc = fixture(example);
    expect(expectTypedOrSane(endpoint, parse, check, JSON.stringify(doc))).toBe('value');
    let values = 0;
    fc.assert(
      fc.property(mutatedBody(doc), (body) => {
        if (expectTypedOrSane(endpoint, parse, check, body) === 'value') values++;
      }),
      { numRuns: 600 },
    );
    // The mutations are not all fatal: the sane-value branch is really exercised.
    expect(values).toBeGreaterThan(0);
  });
});

describe('10 MB bodies', () => {
  const MB10 = 10 * 1024 * 1024;
  const hugeString = 'x'.repeat(MB10);

  it('a 10 MB resultDesc text with a failing code: CmsResultError with a bounded message', () => {
    for (const { endpoint, parse } of INTERFACES) {
      const err = (() => {
        try {
          parse(JSON.stringify({ resultCode: '0100999', resultDesc: hugeString }));
        } catch (e) {
          return e;
        }
        return null;
      })();
      expect(err).toBeInstanceOf(CmsResultError);
      expect((err as CmsResultError).endpoint).toBe(endpoint);
      expect((err as CmsResultError).message.length).toBeLessThan(500);
    }
  });

  it('10 MB of garbage in every shape: a typed error, never a crash', () => {
    const bodies: Array<string | Uint8Array> = [
      JSON.stringify({ resultCode: '0100000', resultDesc: hugeString }),
      `{"resultCode":"0100000","resultDesc":${'9'.repeat(MB10)}}`,
      `{"resultCode":"0100000","resultDesc":{"${hugeString}":1}}`,
      Buffer.alloc(MB10, 0xff),
      `{"resultCode":"0100000","resultDesc":[${'1,'.repeat(MB10 / 2)}1]}`,
    ];
    for (const { endpoint, parse, check } of INTERFACES) {
      for (const body of bodies) expect(expectTypedOrSane(endpoint, parse, check, body)).toBe('error');
    }
  }, 120_000);

  it('10 MB of nesting (5 million brackets): a typed error, no stack overflow', () => {
    // Every parser decodes through the same decodeJsonBody; one slow body is enough.
    const deep = `{"resultCode":"0100000","resultDesc":${'['.repeat(MB10 / 2)}${']'.repeat(MB10 / 2)}}`;
    expect(expectTypedOrSane('sysindex', parseSysindexResponse, checkSysindex as (v: never) => void, deep)).toBe('error');
  }, 60_000);

  it('a valid 10 MB sysindex page (about 50,000 rows) parses to sane rows', () => {
    const row = { beginTime: '1631594100000', ccId: 1, vdn: 1, onlineAgentNums: 1, talkingNums: 1, ideaAgentNum: 1, busyNums: 1, restNums: 1, inCallNums: 1, rateNum: 1, callRate: 1, callOutNums: 1 };
    const rowText = JSON.stringify(row);
    const n = Math.ceil(MB10 / rowText.length);
    const body = `{"resultCode":"0100000","resultDesc":{"count":${n},"data":[${Array(n).fill(rowText).join(',')}]}}`;
    expect(body.length).toBeGreaterThan(MB10);
    const page = parseSysindexResponse(body);
    expect(page.rows).toHaveLength(n);
    checkSysindex(page);
  }, 60_000);
});
