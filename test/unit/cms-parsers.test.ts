import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CmsInvalidResponseError, CmsResultError } from '../../src/cms/errors.js';
import {
  normalizeResultCode,
  parseAccessCodeCallInfoResponse,
  parseAgentCallsResponse,
  parseBasicCallInfoResponse,
  parseCtiServerTimeResponse,
  parseEnvelope,
  parseSysindexResponse,
} from '../../src/cms/response-parsers.js';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/cms-examples/${name}`, import.meta.url), 'utf8');
const json = (v: unknown): string => JSON.stringify(v);

const ROW = {
  beginTime: '1631594100000', ccId: 1, vdn: 1, onlineAgentNums: 5, talkingNums: 2, ideaAgentNum: 1,
  busyNums: 1, restNums: 1, inCallNums: 7, rateNum: 6, callRate: 85.7, callOutNums: 3,
};
const sysindex = (desc: unknown, extra: object = {}): string => json({ resultCode: '0100000', resultDesc: desc, ...extra });

describe('documented examples', () => {
  it('sysindex: resultCode 0 (number), {data, count}, inCallNums, beginTime string', () => {
    expect(parseSysindexResponse(fixture('sysindex-response.json'))).toEqual({
      count: 6,
      rows: [{ beginTime: 1631594100000, ccId: 1, vdn: 1, onlineAgentNums: 1, talkingNums: 1, ideaAgentNum: 1, busyNums: 1, restNums: 1, inCallNums: 1, rateNum: 1, callRate: 1, callOutNums: 1 }],
    });
  });
  it('ctiservertime', () => {
    expect(parseCtiServerTimeResponse(fixture('cti-server-time-response.json'))).toBe(1605057110000);
  });
  it('access code call info', () => {
    expect(parseAccessCodeCallInfoResponse(fixture('access-code-call-info-response.json'))).toEqual([
      { innoId: 1, allCallCount: 1, ivrCallCount: 0, agentCallCount: 1, queueCallCount: 0, longestWaitTime: 0 },
      { innoId: 2, allCallCount: 1, ivrCallCount: 1, agentCallCount: 0, queueCallCount: 0, longestWaitTime: 0 },
    ]);
  });
  it('agent calls', () => {
    expect(parseAgentCallsResponse(fixture('agent-calls-response.json'))).toEqual(['1605492949-1447']);
  });
  it('basic call info: callSkill string, orgiCalledNum string, mediaBillType 0', () => {
    const info = parseBasicCallInfoResponse(Buffer.from(fixture('basic-call-info-response.json')));
    expect(info).toMatchObject({
      time: 1606115215000, callingNum: '88881364', calledNum: '650550', waitTime: 0, totalTalkingTimes: 275,
      deviceType: 2, deviceNo: 1177, callSkill: 'defaultAudioSkill', mediaType: 5,
    });
    expect(info.raw).toMatchObject({ orgiCalledNum: '', mediaBillType: 0 });
  });
  it('error example: resultCode 0100002 -> CmsResultError with resultDesc', () => {
    const err = catchErr(() => parseAgentCallsResponse(fixture('error-invalid-parameter.json')));
    expect(err).toBeInstanceOf(CmsResultError);
    expect(err).toMatchObject({ code: 'CMS_RESULT', resultCode: '0100002', resultDesc: 'Invalid parameter', metricCode: '0100002' });
  });
});

function catchErr(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

describe('envelope', () => {
  it.each([
    ['0100000', '0100000', true], [0, '0100000', true], ['0', '0100000', true], [' 0100000 ', '0100000', true],
    ['0100002', '0100002', false], [100002, '0100002', false], ['1', '1', false],
  ])('normalizes resultCode %j', (raw, code, success) => {
    expect(normalizeResultCode(raw)).toEqual({ code, success });
  });
  it.each([[null], [{}], [[0]], [-1], [1.5], [Number.NaN], ['x'.repeat(40)], ['a b'], [true]])('refuses resultCode %j', (raw) => {
    expect(normalizeResultCode(raw)).toBeUndefined();
  });
  it('falls back to legacy result/resultDatas only when resultCode/resultDesc are absent', () => {
    expect(parseEnvelope('agent_calls', { result: '0', resultDatas: ['1-2'] })).toEqual(['1-2']);
    expect(parseEnvelope('agent_calls', { resultCode: '0100000', result: '1', resultDesc: ['a-1'], resultDatas: ['b-2'] })).toEqual(['a-1']);
    expect(parseEnvelope('agent_calls', { resultCode: null, result: '0', resultDesc: null, resultDatas: ['b-2'] })).toEqual(['b-2']);
    expect(() => parseEnvelope('agent_calls', { result: '0100001', resultDatas: 'call failed' })).toThrow(CmsResultError);
    expect(parseCtiServerTimeResponse(json({ result: '0', resultDatas: '1605057110000' }))).toBe(1605057110000);
  });
  it('a failing code carries resultDesc only when it is text', () => {
    const withText = catchErr(() => parseEnvelope('sysindex', { resultCode: '0101003', resultDesc: 'no permission' }));
    expect(withText).toMatchObject({ resultCode: '0101003', resultDesc: 'no permission' });
    expect(String(withText)).toContain('insufficient permission');
    const noText = catchErr(() => parseEnvelope('sysindex', { resultCode: 100999, resultDesc: { x: 1 } }));
    expect(noText).toMatchObject({ resultCode: '0100999', resultDesc: undefined });
  });
  it.each([
    ['not JSON', '<html>login</html>'],
    ['empty body', ''],
    ['truncated JSON', '{"resultCode":"0100000","resultDesc":['],
    ['JSON array', '[1,2]'],
    ['JSON null', 'null'],
    ['no code at all', '{"resultDesc":[]}'],
    ['object code', '{"resultCode":{"a":1},"resultDesc":[]}'],
  ])('%s -> CmsInvalidResponseError', (_label, body) => {
    const err = catchErr(() => parseAgentCallsResponse(body));
    expect(err).toBeInstanceOf(CmsInvalidResponseError);
    expect(err).toMatchObject({ code: 'INVALID_RESPONSE', endpoint: 'agent_calls', metricCode: 'invalid_response' });
  });
  it('tolerates a UTF-8 BOM', () => {
    expect(parseAgentCallsResponse(`\uFEFF${fixture('agent-calls-response.json')}`)).toEqual(['1605492949-1447']);
  });
});

describe('sysindex quirks', () => {
  it('accepts the documented list form (no count) and incallNums spelling', () => {
    const { inCallNums, ...rest } = ROW;
    const page = parseSysindexResponse(sysindex([{ ...rest, incallNums: inCallNums }]));
    expect(page.count).toBeUndefined();
    expect(page.rows[0]).toMatchObject({ inCallNums: 7, beginTime: 1631594100000, callRate: 85.7 });
  });
  it('accepts every number as a numeric string and count as a string', () => {
    const stringy = Object.fromEntries(Object.entries(ROW).map(([k, v]) => [k, String(v)]));
    const page = parseSysindexResponse(sysindex({ data: [stringy], count: '1' }));
    expect(page).toEqual({ count: 1, rows: [{ ...ROW, beginTime: 1631594100000 }] });
  });
  it('accepts an empty page', () => {
    expect(parseSysindexResponse(sysindex({ data: [], count: 0 }))).toEqual({ rows: [], count: 0 });
    expect(parseSysindexResponse(sysindex([]))).toEqual({ rows: [], count: undefined });
  });
  it.each([
    ['missing field', { ...ROW, busyNums: undefined }],
    ['missing both inCallNums spellings', { ...ROW, inCallNums: undefined }],
    ['negative count', { ...ROW, talkingNums: -1 }],
    ['fractional count', { ...ROW, restNums: 1.5 }],
    ['non-numeric string', { ...ROW, vdn: 'one' }],
    ['NaN string', { ...ROW, rateNum: 'NaN' }],
    ['Infinity string', { ...ROW, rateNum: 'Infinity' }],
    ['exponent string', { ...ROW, rateNum: '1e400' }],
    ['boolean', { ...ROW, ccId: true }],
    ['null', { ...ROW, callOutNums: null }],
    ['nested object', { ...ROW, beginTime: { t: 1 } }],
    ['negative rate', { ...ROW, callRate: -0.5 }],
    ['unsafe integer', { ...ROW, beginTime: '99999999999999999999' }],
  ])('%s -> invalid response', (_label, row) => {
    expect(() => parseSysindexResponse(sysindex({ data: [row], count: 1 }))).toThrow(CmsInvalidResponseError);
  });
  it.each([
    ['resultDesc a string on success', 'ok'],
    ['resultDesc a number', 5],
    ['data not a list', { data: {}, count: 1 }],
    ['row not an object', [1]],
    ['negative count', { data: [], count: -1 }],
    ['count NaN string', { data: [], count: 'x' }],
    ['resultDesc missing', undefined],
  ])('%s -> invalid response', (_label, desc) => {
    expect(() => parseSysindexResponse(sysindex(desc))).toThrow(CmsInvalidResponseError);
  });
  it('a number too big for JSON (1e999 decodes to Infinity) is refused', () => {
    const body = sysindex({ data: [ROW], count: 1 }).replace('"onlineAgentNums":5', '"onlineAgentNums":1e999');
    expect(() => parseSysindexResponse(body)).toThrow(CmsInvalidResponseError);
  });
});

describe('other interfaces: quirks and refusals', () => {
  it('ctiservertime: number or numeric string; not zero, negative, fractional or text', () => {
    expect(parseCtiServerTimeResponse(json({ resultCode: '0100000', resultDesc: '1605057110000' }))).toBe(1605057110000);
    for (const bad of [0, -5, 1.5, 'soon', [1], {}, null, true]) {
      expect(() => parseCtiServerTimeResponse(json({ resultCode: '0100000', resultDesc: bad }))).toThrow(CmsInvalidResponseError);
    }
  });
  it('access codes: numeric strings accepted; wrong containers and negatives refused', () => {
    const item = { innoId: '3', allCallCount: '4', ivrCallCount: 1, agentCallCount: 2, queueCallCount: 1, longestWaitTime: '12.5' };
    expect(parseAccessCodeCallInfoResponse(json({ resultCode: '0100000', resultDesc: [item] }))).toEqual([
      { innoId: 3, allCallCount: 4, ivrCallCount: 1, agentCallCount: 2, queueCallCount: 1, longestWaitTime: 12.5 },
    ]);
    for (const desc of [{ ...item }, [{ ...item, queueCallCount: -1 }], [{ ...item, innoId: undefined }], ['x'], 'none']) {
      expect(() => parseAccessCodeCallInfoResponse(json({ resultCode: '0100000', resultDesc: desc }))).toThrow(CmsInvalidResponseError);
    }
  });
  it('agent calls: empty list fine; non-strings refused', () => {
    expect(parseAgentCallsResponse(json({ resultCode: '0100000', resultDesc: [] }))).toEqual([]);
    for (const desc of [[1605492949], [''], [null], { a: 1 }, '1605492949-1447']) {
      expect(() => parseAgentCallsResponse(json({ resultCode: '0100000', resultDesc: desc }))).toThrow(CmsInvalidResponseError);
    }
  });
  it('basic call info: callSkill number, numeric strings, absent optionals -> null', () => {
    const info = parseBasicCallInfoResponse(
      json({ resultCode: 0, resultDesc: { time: '1606115215000', callingNum: 88881364, calledNum: '650550', waitTime: '3', totalTalkingTimes: 0, callSkill: 12, deviceType: '' } }),
    );
    expect(info).toMatchObject({ time: 1606115215000, callingNum: '88881364', waitTime: 3, callSkill: '12', deviceType: null, deviceNo: null, mediaType: null });
  });
  it('basic call info: missing time, negative wait, wrong container refused', () => {
    const ok = { time: 1, waitTime: 0, totalTalkingTimes: 0 };
    for (const desc of [{ ...ok, time: undefined }, { ...ok, waitTime: -1 }, { ...ok, deviceNo: 'dev' }, { ...ok, callSkill: {} }, [ok], 'x']) {
      expect(() => parseBasicCallInfoResponse(json({ resultCode: '0100000', resultDesc: desc }))).toThrow(CmsInvalidResponseError);
    }
  });
});
