/**
 * What the CC-CMS client returns: typed, already-validated results of the five seed interfaces.
 * Field names follow the documents (including their spelling), values are plain numbers in the
 * documents' units; conversion to base units happens in the collectors.
 */

/** Stable names of the interfaces; the `endpoint` label of aicc_api_requests_total. */
export type CmsEndpoint =
  | 'sysindex'
  | 'cti_server_time'
  | 'access_code_call_info'
  | 'agent_calls'
  | 'basic_call_info';

/** One 5-minute statistics row of cti/sysindex for one VDN. */
export interface SysindexRow {
  /** Start of the 5-minute period, epoch milliseconds (sent as a string by real servers). */
  beginTime: number;
  ccId: number;
  vdn: number;
  onlineAgentNums: number;
  talkingNums: number;
  /** Idle agents (the document's spelling). */
  ideaAgentNum: number;
  busyNums: number;
  restNums: number;
  /** Inbound calls in the period; documented `incallNums`, sent as `inCallNums`. */
  inCallNums: number;
  /** Manual inbound calls connected in the period. */
  rateNum: number;
  /** Manual inbound connection rate in the period, percent 0-100. */
  callRate: number;
  callOutNums: number;
}

/** configures/ctiservertime, with the exporter's own send/receive instants for skew. */
export interface CtiServerTime {
  /** The CTI server's clock, epoch milliseconds. */
  serverTimeMs: number;
  /** Exporter clock just before the request was sent (final attempt), epoch ms. */
  sentAtMs: number;
  /** Exporter clock when the answer was received, epoch ms. */
  receivedAtMs: number;
}

/** One element of vdn/queryaccesscodecallinfo. */
export interface AccessCodeCallInfo {
  innoId: number;
  allCallCount: number;
  ivrCallCount: number;
  agentCallCount: number;
  queueCallCount: number;
  /** Seconds. */
  longestWaitTime: number;
}

/** calldata/querybasiccallinfo, the fields the product uses, typed; the rest kept raw. */
export interface BasicCallInfo {
  /** When the call entered the platform, epoch milliseconds. */
  time: number;
  callingNum: string;
  calledNum: string;
  /** Seconds in queue. */
  waitTime: number;
  /** Seconds talking. */
  totalTalkingTimes: number;
  deviceType: number | null;
  deviceNo: number | null;
  /** Documented Integer, sent as a skill name string by real servers. */
  callSkill: string;
  mediaType: number | null;
  /** The decoded object as received (resultDesc, or the legacy resultDatas). */
  raw: Record<string, unknown>;
}

/** Emitted once per HTTP exchange (every attempt), for aicc_api_requests_total and the histogram. */
export interface CmsRequestEvent {
  endpoint: CmsEndpoint;
  /**
   * The resultCode (e.g. `0100000`), or `http_<status>`, `timeout`, `network`, `invalid_response`.
   */
  code: string;
  durationSeconds: number;
}

export type CmsRequestObserver = (event: CmsRequestEvent) => void;

/** Per-call options. */
export interface CallOptions {
  signal?: AbortSignal;
}

/** Options of querySysindex. */
export interface SysindexCallOptions extends CallOptions {
  /**
   * Gets the rows of each VDN batch (all its pages) as soon as the batch is complete, in the
   * order batches complete, before the call settles: a caller can fold the first batches in
   * while the last are still on their way. Handed over once each, and the returned list holds
   * them all again. An implementation may not call it (test fakes), so a caller folds what was
   * not handed over from the returned list. Must not throw. When the call fails as a whole,
   * some batches may already have been handed over.
   */
  onRows?: (rows: readonly SysindexRow[]) => void;
}

/** The typed CC-CMS API. Implemented by CmsClient (src/cms/cms-client.ts). */
export interface CmsApi {
  /** All rows for the window, across VDN batches of 100 and every page. `vdns` omitted: every VDN. */
  querySysindex(
    q: { ccId: number; vdns?: readonly number[]; begin: Date; end: Date },
    opts?: SysindexCallOptions,
  ): Promise<SysindexRow[]>;
  queryCtiServerTime(q: { ccId: number }, opts?: CallOptions): Promise<CtiServerTime>;
  /** Across batches of 500 innoIds. */
  queryAccessCodeCallInfo(
    q: { ccId: number; vdn: number; innoIds: readonly number[] },
    opts?: CallOptions,
  ): Promise<AccessCodeCallInfo[]>;
  /** The agent's current call IDs, e.g. `1605492949-1447`. */
  queryAgentCalls(q: { ccId: number; vdn: number; agentId: number }, opts?: CallOptions): Promise<string[]>;
  queryBasicCallInfo(q: { ccId: number; vdn: number; callId: string }, opts?: CallOptions): Promise<BasicCallInfo>;
}
