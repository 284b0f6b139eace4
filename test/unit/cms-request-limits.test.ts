import { describe, expect, it } from 'vitest';
import { CmsInvalidRequestError } from '../../src/cms/errors.js';
import { checkAgentId, checkCallId, checkCcId, checkInnoId, checkVdn, chunk, distinct } from '../../src/cms/request-limits.js';
import { SYSINDEX_MAX_WINDOW_MS, checkSysindexWindow, formatCmsDate } from '../../src/cms/sysindex-window.js';

const refuses = (fn: () => unknown): void => {
  expect(fn).toThrow(CmsInvalidRequestError);
};

describe('id limits', () => {
  it('ccId 1-65535, vdn 1-5000, agentId 101-59999, integers only', () => {
    expect(checkCcId('sysindex', 1)).toBe(1);
    expect(checkCcId('sysindex', 65535)).toBe(65535);
    for (const bad of [0, 65536, 1.5, Number.NaN, '1', null]) refuses(() => checkCcId('sysindex', bad));
    expect(checkVdn('agent_calls', 5000)).toBe(5000);
    for (const bad of [0, 5001, -1, 2.2]) refuses(() => checkVdn('agent_calls', bad));
    expect(checkAgentId('agent_calls', 101)).toBe(101);
    expect(checkAgentId('agent_calls', 59999)).toBe(59999);
    for (const bad of [100, 60000, 101.5]) refuses(() => checkAgentId('agent_calls', bad));
    expect(checkInnoId('access_code_call_info', 0)).toBe(0);
    refuses(() => checkInnoId('access_code_call_info', -1));
  });

  it('callId: <digits>-<digits>, at most 20 characters', () => {
    expect(checkCallId('basic_call_info', '1659513159000-546750')).toBe('1659513159000-546750'); // 20 chars
    expect(checkCallId('basic_call_info', '1605492949-1447')).toBe('1605492949-1447');
    for (const bad of ['1659513159000-5467501', '1605492949', 'abc-1', '1-', '-1', '1-2-3', ' 1-2', 42]) {
      refuses(() => checkCallId('basic_call_info', bad));
    }
  });

  it('errors carry the endpoint and the stable code', () => {
    try {
      checkVdn('access_code_call_info', 0);
    } catch (err) {
      expect(err).toMatchObject({ code: 'INVALID_REQUEST', endpoint: 'access_code_call_info', metricCode: 'invalid_request' });
    }
  });

  it('chunks and deduplicates', () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunk([], 100)).toEqual([]);
    expect(chunk(Array.from({ length: 1001 }, (_, i) => i), 100).map((c) => c.length)).toEqual([...Array(10).fill(100), 1]);
    expect(distinct([3, 1, 3, 2, 1])).toEqual([3, 1, 2]);
  });
});

describe('sysindex window', () => {
  it('formats yyyy-MM-dd HH:mm:ss in UTC whatever TZ says', () => {
    const previous = process.env.TZ;
    process.env.TZ = 'Asia/Shanghai';
    try {
      const at = new Date(Date.UTC(2021, 8, 9, 23, 5, 7, 999));
      expect(formatCmsDate(at)).toBe('2021-09-09 23:05:07');
      expect(formatCmsDate(new Date(Date.UTC(2000, 0, 1)))).toBe('2000-01-01 00:00:00');
    } finally {
      if (previous === undefined) delete process.env.TZ;
      else process.env.TZ = previous;
    }
  });

  it('accepts exactly 31 days and an empty window', () => {
    const begin = new Date(Date.UTC(2021, 8, 1));
    expect(checkSysindexWindow(begin, new Date(begin.getTime() + SYSINDEX_MAX_WINDOW_MS))).toEqual({
      beginDate: '2021-09-01 00:00:00',
      endDate: '2021-10-02 00:00:00',
    });
    expect(checkSysindexWindow(begin, begin)).toEqual({ beginDate: '2021-09-01 00:00:00', endDate: '2021-09-01 00:00:00' });
  });

  it('measures the width between the whole seconds sent', () => {
    const begin = new Date(Date.UTC(2021, 8, 1, 0, 0, 0, 900));
    expect(() => checkSysindexWindow(begin, new Date(begin.getTime() + SYSINDEX_MAX_WINDOW_MS + 50))).not.toThrow();
  });

  it('refuses over 31 days, begin after end, invalid or out-of-range dates', () => {
    const begin = new Date(Date.UTC(2021, 8, 1));
    refuses(() => checkSysindexWindow(begin, new Date(begin.getTime() + SYSINDEX_MAX_WINDOW_MS + 1000)));
    refuses(() => checkSysindexWindow(new Date(begin.getTime() + 1000), begin));
    refuses(() => checkSysindexWindow(new Date(Number.NaN), begin));
    refuses(() => checkSysindexWindow(new Date(-1000), new Date(0)));
    refuses(() => checkSysindexWindow(begin, new Date(Date.UTC(10000, 0, 1))));
  });
});
