import { describe, expect, it } from 'vitest';
import { CmsAbortedError, CmsHttpError, CmsResultError } from '../../src/cms/errors.js';
import type { BasicCallInfo, CmsApi } from '../../src/cms/types.js';
import { createAgentCallsCollector } from '../../src/collectors/agent-calls-collector.js';
import type { CallCenterConfig } from '../../src/config/types.js';
import type { Snapshot } from '../../src/metrics/types.js';
import { rowsOf } from '../helpers/families.js';

// The collector against a scripted CmsApi: which requests it makes, how it picks the oldest
// call, what a failing request does to the run.

const NOW = Date.UTC(2024, 2, 1, 10, 0, 0);

function info(time: number, waitTime: number): BasicCallInfo {
  return {
    time,
    callingNum: '1',
    calledNum: '2',
    waitTime,
    totalTalkingTimes: 0,
    deviceType: 2,
    deviceNo: 1,
    callSkill: 's',
    mediaType: 5,
    raw: { time, waitTime },
  };
}

type Reply<T> = T | Error | (() => Promise<T>);

/** A CmsApi answering agent calls and call details from tables; records every request. */
function scriptedApi(agentCalls: Record<string, Reply<string[]>>, details: Record<string, Reply<BasicCallInfo>>) {
  const asked: string[] = [];
  const signals: AbortSignal[] = [];
  const answer = async <T>(reply: Reply<T> | undefined, what: string): Promise<T> => {
    if (reply === undefined) throw new Error(`unexpected request ${what}`);
    if (reply instanceof Error) throw reply;
    if (typeof reply === 'function') return (reply as () => Promise<T>)();
    return reply;
  };
  const api: CmsApi = {
    querySysindex: () => Promise.reject(new Error('not used')),
    queryCtiServerTime: () => Promise.reject(new Error('not used')),
    queryAccessCodeCallInfo: () => Promise.reject(new Error('not used')),
    queryAgentCalls: async (q, opts) => {
      asked.push(`agent ${q.ccId}/${q.vdn}/${q.agentId}`);
      if (opts?.signal) signals.push(opts.signal);
      return answer(agentCalls[`${q.vdn}/${q.agentId}`], `agent ${q.agentId}`);
    },
    queryBasicCallInfo: async (q, opts) => {
      asked.push(`call ${q.ccId}/${q.vdn}/${q.callId}`);
      if (opts?.signal) signals.push(opts.signal);
      return answer(details[q.callId], `call ${q.callId}`);
    },
  };
  return { api, asked, signals };
}

function callCenter(vdns: Array<[number, number[]]>): CallCenterConfig {
  return { ccId: 3, vdns: vdns.map(([id, agents]) => ({ id, accessCodes: [], agents })) };
}

function value(snapshot: Snapshot, name: string, vdn: number, agent: number): number | undefined {
  const family = snapshot.find((f) => f.name === name);
  expect(family, name).toBeDefined();
  expect(family!.labelNames).toEqual(['cc_id', 'vdn', 'agent_id']);
  return rowsOf(family!).find((s) => s.labels.join() === `3,${vdn},${agent}`)?.value;
}

const collect = (api: CmsApi, cc: CallCenterConfig, signal = new AbortController().signal) =>
  createAgentCallsCollector({ api, now: () => NOW }, { callCenter: cc, intervalSeconds: 15 }).collect(signal);

describe('agent_calls collector', () => {
  it('reports active calls and the age and wait of the oldest call; 0 for an agent without calls', async () => {
    const { api, asked } = scriptedApi(
      { '170/101': ['a-1', 'b-2', 'c-3'], '170/102': [], '171/5000': ['d-4'] },
      {
        'a-1': info(NOW - 30_000, 4),
        'b-2': info(NOW - 90_000, 12), // the oldest of agent 101
        'c-3': info(NOW - 60_000, 7),
        'd-4': info(NOW + 5_000, 1), // a CTI clock slightly ahead: age clamped to 0
      },
    );
    const s = await collect(api, callCenter([[170, [101, 102]], [171, [5000]]]));
    expect(s.map((f) => [f.name, f.type])).toEqual([
      ['aicc_agent_active_calls', 'gauge'],
      ['aicc_agent_oldest_call_age_seconds', 'gauge'],
      ['aicc_agent_oldest_call_wait_seconds', 'gauge'],
    ]);
    expect(value(s, 'aicc_agent_active_calls', 170, 101)).toBe(3);
    expect(value(s, 'aicc_agent_oldest_call_age_seconds', 170, 101)).toBe(90);
    expect(value(s, 'aicc_agent_oldest_call_wait_seconds', 170, 101)).toBe(12);
    expect(value(s, 'aicc_agent_active_calls', 170, 102)).toBe(0);
    expect(value(s, 'aicc_agent_oldest_call_age_seconds', 170, 102)).toBe(0);
    expect(value(s, 'aicc_agent_oldest_call_wait_seconds', 170, 102)).toBe(0);
    expect(value(s, 'aicc_agent_active_calls', 171, 5000)).toBe(1);
    expect(value(s, 'aicc_agent_oldest_call_age_seconds', 171, 5000)).toBe(0);
    // One request per agent plus one per call; never a call ID in a label.
    expect(asked.filter((a) => a.startsWith('agent')).sort()).toEqual(['agent 3/170/101', 'agent 3/170/102', 'agent 3/171/5000']);
    expect(asked.filter((a) => a.startsWith('call')).sort()).toEqual(['call 3/170/a-1', 'call 3/170/b-2', 'call 3/170/c-3', 'call 3/171/d-4']);
    for (const f of s) for (const sample of rowsOf(f)) expect(sample.labels.join()).not.toMatch(/-\d/);
    for (const f of s) expect(f.help).toMatch(/Cached: refreshed every 15s/);
  });

  it('reads a start time sent in seconds as seconds', async () => {
    const { api } = scriptedApi({ '1/101': ['1605492949-1447'] }, { '1605492949-1447': info(Math.floor(NOW / 1000) - 125, 3) });
    const s = await collect(api, callCenter([[1, [101]]]));
    expect(value(s, 'aicc_agent_oldest_call_age_seconds', 1, 101)).toBe(125);
    expect(value(s, 'aicc_agent_oldest_call_wait_seconds', 1, 101)).toBe(3);
  });

  it('skips a call whose details fail (it ended meanwhile) for the age figures, without failing the run', async () => {
    const { api } = scriptedApi(
      { '1/101': ['old-1', 'new-2'], '1/102': ['gone-3'], '1/103': ['zero-4'] },
      {
        'old-1': new CmsResultError('basic_call_info', '0100001', 'The call does not exist'),
        'new-2': info(NOW - 20_000, 6),
        'gone-3': new CmsHttpError('basic_call_info', 503),
        'zero-4': info(0, 9), // a server that does not know the start
      },
    );
    const s = await collect(api, callCenter([[1, [101, 102, 103]]]));
    expect(value(s, 'aicc_agent_active_calls', 1, 101)).toBe(2);
    expect(value(s, 'aicc_agent_oldest_call_age_seconds', 1, 101)).toBe(20);
    expect(value(s, 'aicc_agent_oldest_call_wait_seconds', 1, 101)).toBe(6);
    // Calls but no readable details: the age is unknown, so no series rather than a false 0.
    for (const agent of [102, 103]) {
      expect(value(s, 'aicc_agent_active_calls', 1, agent)).toBe(1);
      expect(value(s, 'aicc_agent_oldest_call_age_seconds', 1, agent)).toBeUndefined();
      expect(value(s, 'aicc_agent_oldest_call_wait_seconds', 1, agent)).toBeUndefined();
    }
  });

  it('counts a call listed twice once and asks for its details once', async () => {
    const { api, asked } = scriptedApi({ '1/101': ['x-1', 'x-1'] }, { 'x-1': info(NOW - 1000, 0) });
    const s = await collect(api, callCenter([[1, [101]]]));
    expect(value(s, 'aicc_agent_active_calls', 1, 101)).toBe(1);
    expect(asked.filter((a) => a.startsWith('call'))).toHaveLength(1);
  });

  it('fails the run on a failing queryagentcalls and cancels the requests still running', async () => {
    let slowSignal: AbortSignal | undefined;
    const failure = new CmsResultError('agent_calls', '0100002', 'Invalid parameter');
    const { api, signals } = scriptedApi(
      {
        '1/101': failure,
        '1/102': () =>
          new Promise<string[]>((_, reject) => {
            slowSignal = signals.at(-1);
            slowSignal!.addEventListener('abort', () => reject(new CmsAbortedError('agent_calls')), { once: true });
          }),
      },
      {},
    );
    await expect(collect(api, callCenter([[1, [102, 101]]]))).rejects.toBe(failure);
    expect(slowSignal?.aborted).toBe(true);
  });

  it('passes an abort of the run on (it is not a skipped call) and lets programming errors through', async () => {
    const controller = new AbortController();
    const aborted = scriptedApi(
      { '1/101': ['a-1'] },
      {
        'a-1': async () => {
          controller.abort();
          throw new CmsAbortedError('basic_call_info');
        },
      },
    );
    await expect(collect(aborted.api, callCenter([[1, [101]]]), controller.signal)).rejects.toBeInstanceOf(CmsAbortedError);
    expect(aborted.signals.every((s) => s.aborted)).toBe(true);

    const bug = new TypeError('boom');
    const buggy = scriptedApi({ '1/101': ['a-1'] }, { 'a-1': bug });
    await expect(collect(buggy.api, callCenter([[1, [101]]]))).rejects.toBe(bug);
  });

  it('makes no request and reports nothing for VDNs without agents', async () => {
    const { api, asked } = scriptedApi({}, {});
    const s = await collect(api, callCenter([[1, []]]));
    expect(asked).toEqual([]);
    expect(s.every((f) => f.values.length === 0)).toBe(true);
  });
});
