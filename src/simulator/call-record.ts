/**
 * A call as the model tracks it, and its basic information in the form calldata/querybasiccallinfo
 * answers (the documented example's types: callSkill a string, orgiCalledNum a string,
 * mediaBillType the number 0).
 */

/** Where a call is: in the IVR, queued for an agent of its VDN, or talking with an agent. */
export type CallStage = 'ivr' | 'queue' | 'agent';

/** One active call. Mutated only by the model; accessors hand out frozen copies. */
export interface SimCall {
  /** `<start ms>-<n>`, at most 20 characters (n: 1-999999). */
  readonly callId: string;
  readonly direction: 'inbound' | 'outbound';
  readonly ccId: number;
  readonly vdn: number;
  readonly vdnIndex: number;
  /** The access code it came in on; null for outbound calls. */
  readonly innoId: number | null;
  stage: CallStage;
  /** When the call entered the platform, epoch ms (the `time` of basic info). */
  readonly startMs: number;
  /** When it entered the queue, epoch ms; null until then (and for outbound calls). */
  queueEnterMs: number | null;
  /** When an agent took it, epoch ms. */
  answerMs: number | null;
  agentId: number | null;
  readonly callingNum: string;
  readonly calledNum: string;
  readonly trunkNo: number;
  /** IVR channel used while in the IVR (deviceNo then). */
  readonly ivrChannel: number;
  /** False once the call has ended (it is then unknown to the interfaces). */
  active: boolean;
}

/** What a new call is made of; the rest follows from its direction. */
export type NewCall = Pick<
  SimCall,
  'callId' | 'direction' | 'ccId' | 'vdn' | 'vdnIndex' | 'innoId' | 'startMs' | 'callingNum' | 'calledNum' | 'trunkNo' | 'ivrChannel'
> & { agentId?: number };

/** An inbound call starts in the IVR; an outbound one is talking with its agent from the start. */
export function createCall(init: NewCall): SimCall {
  const outbound = init.direction === 'outbound';
  return {
    ...init,
    stage: outbound ? 'agent' : 'ivr',
    queueEnterMs: null,
    answerMs: outbound ? init.startMs : null,
    agentId: init.agentId ?? null,
    active: true,
  };
}

/**
 * Device types used in basic info. Huawei's Table 1 is not in the seed documents; the agent
 * value 2 matches the documented example (deviceNo 1177, an agent), the others are the
 * simulator's own convention.
 */
export const DEVICE_TYPE = { queue: 1, agent: 2, ivr: 3 } as const;

/** Seconds the call has spent (or spent) queued, at model time `now`. */
export function waitSeconds(call: SimCall, now: number): number {
  if (call.queueEnterMs === null) return 0;
  const end = call.answerMs ?? now;
  return Math.max(0, Math.floor((end - call.queueEnterMs) / 1000));
}

/** Seconds the call has been talking to an agent so far. */
export function talkingSeconds(call: SimCall, now: number): number {
  return call.answerMs === null ? 0 : Math.max(0, Math.floor((now - call.answerMs) / 1000));
}

/** The resultDesc object of querybasiccallinfo for `call` at model time `now`. */
export function basicCallInfo(call: SimCall, now: number): Record<string, unknown> {
  const seq = Number(call.callId.slice(call.callId.indexOf('-') + 1));
  let deviceType: number = DEVICE_TYPE.ivr;
  let deviceNo = call.ivrChannel;
  if (call.stage === 'queue') {
    deviceType = DEVICE_TYPE.queue;
    deviceNo = call.vdn;
  } else if (call.stage === 'agent') {
    deviceType = DEVICE_TYPE.agent;
    deviceNo = call.agentId ?? 0;
  }
  return {
    time: call.startMs,
    dsn: seq % 65536,
    handle: 0,
    server: 0,
    keyId: '',
    callingNum: call.callingNum,
    calledNum: call.calledNum,
    mid: 5,
    trunkNo: call.trunkNo,
    priority: 0,
    deviceType,
    deviceNo,
    callSkill: 'defaultAudioSkill',
    partyNum: 1,
    callFeature: call.direction === 'outbound' ? 7 : 0,
    orgiCalledNum: '',
    mediaType: 5,
    place: 0,
    waitTime: waitSeconds(call, now),
    totalTalkingTimes: talkingSeconds(call, now),
    logonTimes: Math.max(0, Math.floor((now - call.startMs) / 1000)),
    serviceType: 2,
    callInCause: call.direction === 'outbound' ? 0 : 65535,
    enterReason: 0,
    mediaBillType: 0,
  };
}
