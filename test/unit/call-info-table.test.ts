import { describe, expect, it } from 'vitest';
import { callStartMs, SECONDS_TIMESTAMP_BELOW } from '../../src/collectors/call-start-time.js';
import { formatCallInfoTable, formatCallInfoValue } from '../../src/commands/call-info-table.js';

// The documented querybasiccallinfo example (seed document 004), as resultDesc.
const DOC_EXAMPLE = {
  time: 1606115215000,
  dsn: 0,
  handle: 0,
  server: 0,
  keyId: '',
  callingNum: '88881364',
  calledNum: '650550',
  mid: 5,
  trunkNo: 582,
  priority: 0,
  deviceType: 2,
  deviceNo: 1177,
  callSkill: 'defaultAudioSkill',
  partyNum: 1,
  callFeature: 0,
  orgiCalledNum: '',
  mediaType: 5,
  place: 0,
  waitTime: 0,
  totalTalkingTimes: 275,
  logonTimes: 284,
  serviceType: 2,
  callInCause: 65535,
  enterReason: 0,
  mediaBillType: 0,
};

describe('callStartMs', () => {
  it('keeps milliseconds, scales seconds (the call-ID example 1605492949 is seconds), refuses unknown times', () => {
    expect(callStartMs(1606115215000)).toBe(1606115215000);
    expect(callStartMs(1605492949)).toBe(1605492949000);
    expect(callStartMs(SECONDS_TIMESTAMP_BELOW - 1)).toBe((SECONDS_TIMESTAMP_BELOW - 1) * 1000);
    expect(callStartMs(SECONDS_TIMESTAMP_BELOW)).toBe(SECONDS_TIMESTAMP_BELOW);
    expect(callStartMs(0)).toBeNull();
    expect(callStartMs(-5)).toBeNull();
    expect(callStartMs(Number.NaN)).toBeNull();
  });
});

describe('formatCallInfoTable', () => {
  it('prints the documented example as an aligned two-column table in the order received', () => {
    const out = formatCallInfoTable(DOC_EXAMPLE);
    const lines = out.split('\n');
    expect(lines.pop()).toBe(''); // ends with a newline
    expect(lines.map((l) => l.split(/\s+/)[0])).toEqual(Object.keys(DOC_EXAMPLE));
    // Every value starts in the same column: the longest name (totalTalkingTimes) + 2 spaces.
    const column = 'totalTalkingTimes'.length + 2;
    for (const line of lines.filter((l) => l.trim().includes(' '))) {
      expect(line[column - 1]).toBe(' ');
      expect(line[column]).not.toBe(' ');
    }
    expect(out).toContain(`${'time'.padEnd(column)}2020-11-23T07:06:55.000Z\n`);
    expect(out).toContain(`${'waitTime'.padEnd(column)}0 s\n`);
    expect(out).toContain(`${'totalTalkingTimes'.padEnd(column)}275 s\n`);
    expect(out).toContain(`${'logonTimes'.padEnd(column)}284 s\n`);
    expect(out).toContain(`${'callSkill'.padEnd(column)}defaultAudioSkill\n`);
    expect(out).toContain(`${'callInCause'.padEnd(column)}65535\n`);
    // Empty strings leave the value column empty, without trailing blanks.
    expect(out).toContain('\nkeyId\n');
    expect(out).not.toMatch(/ \n/);
  });

  it('shows a time sent in seconds, or as a numeric string, as the same ISO-8601 UTC instant', () => {
    expect(formatCallInfoValue('time', 1606115215)).toBe('2020-11-23T07:06:55.000Z');
    expect(formatCallInfoValue('time', '1606115215000')).toBe('2020-11-23T07:06:55.000Z');
    expect(formatCallInfoValue('waitTime', '12')).toBe('12 s');
  });

  it('shows values that do not fit their field as received, objects as JSON, null as empty', () => {
    expect(formatCallInfoValue('time', 0)).toBe('0');
    expect(formatCallInfoValue('time', 'soon')).toBe('soon');
    expect(formatCallInfoValue('time', 1e300)).toBe('1e+300');
    expect(formatCallInfoValue('waitTime', 'n/a')).toBe('n/a');
    expect(formatCallInfoValue('extra', { a: [1, 2] })).toBe('{"a":[1,2]}');
    expect(formatCallInfoValue('extra', null)).toBe('');
    expect(formatCallInfoValue('flag', true)).toBe('true');
  });

  it('keeps one field on one line: control characters in names and values are escaped', () => {
    const out = formatCallInfoTable({ callingNum: '123\n456\u001b[31m', 'odd\tkey': 1 });
    expect(out.split('\n')).toHaveLength(3);
    expect(out).toContain('123\\u000a456\\u001b[31m');
    expect(out).toContain('odd\\u0009key');
    expect(out).not.toContain('\u001b');
  });

  it('prints nothing for an empty object', () => {
    expect(formatCallInfoTable({})).toBe('');
  });
});
