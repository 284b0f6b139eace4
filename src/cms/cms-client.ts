import type { CmsConfig, CmsPaths, Config } from '../config/types.js';
import { allOrAbort } from './all-or-abort.js';
import type { Logger } from '../log.js';
import { DEFAULT_CMS_PATHS } from './cms-paths.js';
import { runRequest, type RequestRunnerDeps } from './cms-request-runner.js';
import { CmsTransport } from './cms-transport.js';
import { CmsAbortedError, CmsInvalidResponseError } from './errors.js';
import { DEFAULT_MAX_RESPONSE_BYTES } from './parse-envelope.js';
import { parseSysindexResponse, type SysindexPage } from './parse-sysindex.js';
import {
  parseAccessCodeCallInfoResponse,
  parseAgentCallsResponse,
  parseBasicCallInfoResponse,
  parseCtiServerTimeResponse,
} from './parse-call-info.js';
import { createCmsLimiter, type CmsLimiter } from './request-limiter.js';
import * as limits from './request-limits.js';
import { defaultSleep, type SleepFunction } from './retry-policy.js';
import { checkSysindexWindow, type SysindexWindow } from './sysindex-window.js';
import type {
  AccessCodeCallInfo,
  BasicCallInfo,
  CallOptions,
  CmsApi,
  CmsEndpoint,
  CmsRequestObserver,
  CtiServerTime,
  SysindexCallOptions,
  SysindexRow,
} from './types.js';

/** sysindex page size (`limit`) without a VDN list (discovery): the documented server default. */
export const DEFAULT_SYSINDEX_PAGE_SIZE = 100;
/** Largest sysindex `limit` sent (the documents give none; this bounds one answer to ~300 kB). */
export const MAX_SYSINDEX_PAGE_SIZE = 1000;
/** Length of a sysindex statistics period, ms. */
const SYSINDEX_PERIOD_MS = 5 * 60_000;
/** Most pages followed for one sysindex VDN batch; a bigger `count` is treated as an invalid answer. */
export const MAX_SYSINDEX_PAGES = 10_000;

/** Identity of a sysindex row: one VDN's one 5-minute period. */
function rowKey(row: SysindexRow): string {
  return `${row.ccId}/${row.vdn}/${row.beginTime}`;
}

/**
 * The rows of one VDN batch read over several pages, each VDN-period once: a period can shift
 * from one page to the next between two requests. One page is taken as it is (a row repeated in
 * one answer would be folded in idempotently by the collector anyway), and batches ask for
 * disjoint VDN lists, so only a paged batch pays for this.
 */
function distinctRows(rows: SysindexRow[]): SysindexRow[] {
  const seen = new Set<string>();
  return rows.filter((row) => {
    const key = rowKey(row);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Optional collaborators of CmsClient; every one has a production default. */
export interface CmsClientOptions {
  /** The process-wide limiter to share; default: a new one of cms.concurrency slots. */
  limiter?: CmsLimiter;
  /** Called once per HTTP attempt (not for attempts cut short by an abort). */
  onRequest?: CmsRequestObserver;
  /** Gets one debug line per retry (endpoint, attempt, reason, delay); never headers. */
  logger?: Pick<Logger, 'debug'>;
  /** Backoff sleep; must reject when the signal aborts. Default: a real timer. */
  sleep?: SleepFunction;
  /** Jitter source in [0, 1). Default Math.random. */
  random?: () => number;
  /** Exporter clock, epoch ms (signing timestamps, Retry-After dates, CtiServerTime). Default Date.now. */
  now?: () => number;
  /**
   * A fixed sysindex `limit` per page, 1-1000. Default: sized per request by sysindexPageSize
   * (every row of a VDN batch in one page; 100 in discovery mode).
   */
  pageSize?: number;
  /** Biggest response body accepted, bytes. Default 50 MB. */
  maxResponseBytes?: number;
}

/**
 * The typed CC-CMS client (see CmsApi). Owns the documented limits: it validates ids and the
 * sysindex window before any request, splits VDN lists into batches of 100 and innoId lists into
 * batches of 500 (sent in parallel under the shared limiter), follows sysindex paging to the
 * end, and fails a call as a whole — the first failing batch cancels its siblings.
 * Retries, timeouts and signing: see retry-policy.ts and cms-transport.ts.
 */
export class CmsClient implements CmsApi {
  /** The limiter every attempt of this client goes through; share it with other clients. */
  readonly limiter: CmsLimiter;
  readonly #deps: RequestRunnerDeps;
  readonly #transport: CmsTransport;
  readonly #paths: CmsPaths;
  readonly #pageSize: number | undefined;
  readonly #closed = new AbortController();

  /** `config`: the `cms` slice, either as `{ cms }` (Pick<Config, 'cms'>) or the CmsConfig itself. */
  constructor(config: Pick<Config, 'cms'> | CmsConfig, options: CmsClientOptions = {}) {
    const cms = 'cms' in config ? config.cms : config;
    const pageSize = options.pageSize;
    if (pageSize !== undefined && (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_SYSINDEX_PAGE_SIZE)) {
      throw new RangeError(`pageSize must be 1-${MAX_SYSINDEX_PAGE_SIZE}`);
    }
    const now = options.now ?? Date.now;
    this.#transport = new CmsTransport(cms, { maxResponseBytes: options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES, now });
    this.limiter = options.limiter ?? createCmsLimiter(cms.concurrency);
    this.#paths = { ...DEFAULT_CMS_PATHS, ...cms.paths };
    this.#pageSize = pageSize;
    this.#deps = {
      transport: this.#transport,
      limiter: this.limiter,
      retries: cms.retries,
      retryMaxDelayMs: cms.retryMaxDelaySeconds * 1000,
      sleep: options.sleep ?? defaultSleep,
      random: options.random ?? Math.random,
      now,
      onRequest: options.onRequest,
      logger: options.logger,
    };
  }

  /**
   * cti/sysindex rows of the window for `vdns` (omitted or empty: every VDN), all batches and
   * pages; `opts.onRows` gets each batch as it completes.
   */
  async querySysindex(
    q: { ccId: number; vdns?: readonly number[]; begin: Date; end: Date },
    opts?: SysindexCallOptions,
  ): Promise<SysindexRow[]> {
    const ccId = limits.checkCcId('sysindex', q.ccId);
    const vdns = limits.distinct((q.vdns ?? []).map((v) => limits.checkVdn('sysindex', v)));
    const window = checkSysindexWindow(q.begin, q.end);
    const batches: Array<number[] | undefined> = vdns.length === 0 ? [undefined] : limits.chunk(vdns, limits.SYSINDEX_MAX_VDNS);
    const batchRows = await this.#fanOut('sysindex', opts, batches, async (batch, signal) => {
      const rows = await this.#sysindexBatch(ccId, batch, window, this.#pageSize ?? sysindexPageSize(batch?.length, q.begin, q.end), signal);
      opts?.onRows?.(rows);
      return rows;
    });
    return batchRows.length === 1 ? batchRows[0]! : batchRows.flat();
  }

  /** configures/ctiservertime, with the send/receive instants of the answering attempt. */
  async queryCtiServerTime(q: { ccId: number }, opts?: CallOptions): Promise<CtiServerTime> {
    const ccId = limits.checkCcId('cti_server_time', q.ccId);
    const [r] = await this.#fanOut('cti_server_time', opts, [0], (_, signal) =>
      this.#request('cti_server_time', this.#paths.ctiServerTime, { ccId }, parseCtiServerTimeResponse, signal),
    );
    return { serverTimeMs: r!.value, sentAtMs: r!.sentAtMs, receivedAtMs: r!.receivedAtMs };
  }

  /** vdn/queryaccesscodecallinfo for `innoIds` (deduplicated), in batches of 500; [] without a request when empty. */
  async queryAccessCodeCallInfo(
    q: { ccId: number; vdn: number; innoIds: readonly number[] },
    opts?: CallOptions,
  ): Promise<AccessCodeCallInfo[]> {
    const e: CmsEndpoint = 'access_code_call_info';
    const ccId = limits.checkCcId(e, q.ccId);
    const vdn = limits.checkVdn(e, q.vdn);
    const innoIds = limits.distinct(q.innoIds.map((id) => limits.checkInnoId(e, id)));
    const batches = limits.chunk(innoIds, limits.ACCESS_CODE_MAX_INNO_IDS);
    const results = await this.#fanOut(e, opts, batches, (batch, signal) =>
      this.#request(e, this.#paths.accessCodeCallInfo, { ccId, vdn, innoIds: batch }, parseAccessCodeCallInfoResponse, signal),
    );
    return results.flatMap((r) => r.value);
  }

  /** agent/queryagentcalls: the agent's current call IDs. */
  async queryAgentCalls(q: { ccId: number; vdn: number; agentId: number }, opts?: CallOptions): Promise<string[]> {
    const e: CmsEndpoint = 'agent_calls';
    const body = { ccId: limits.checkCcId(e, q.ccId), vdn: limits.checkVdn(e, q.vdn), agentId: limits.checkAgentId(e, q.agentId) };
    const [r] = await this.#fanOut(e, opts, [0], (_, signal) =>
      this.#request(e, this.#paths.agentCalls, body, parseAgentCallsResponse, signal),
    );
    return r!.value;
  }

  /** calldata/querybasiccallinfo for one call. */
  async queryBasicCallInfo(q: { ccId: number; vdn: number; callId: string }, opts?: CallOptions): Promise<BasicCallInfo> {
    const e: CmsEndpoint = 'basic_call_info';
    const body = { ccId: limits.checkCcId(e, q.ccId), vdn: limits.checkVdn(e, q.vdn), callId: limits.checkCallId(e, q.callId) };
    const [r] = await this.#fanOut(e, opts, [0], (_, signal) =>
      this.#request(e, this.#paths.basicCallInfo, body, parseBasicCallInfoResponse, signal),
    );
    return r!.value;
  }

  /** Aborts every call in progress (CmsAbortedError), refuses new ones, and destroys the keep-alive agents. */
  close(): void {
    this.#closed.abort();
    this.#transport.close();
  }

  async #sysindexBatch(
    ccId: number,
    vdns: number[] | undefined,
    window: SysindexWindow,
    limit: number,
    signal: AbortSignal,
  ): Promise<SysindexRow[]> {
    const page = async (offset: number): Promise<SysindexPage> => {
      const body = { ccId, ...(vdns ? { vdn: vdns } : {}), ...window, limit, offset };
      return (await this.#request('sysindex', this.#paths.sysindex, body, parseSysindexResponse, signal)).value;
    };
    const first = await page(0);
    const rows = first.rows;
    if (first.count !== undefined) {
      if (first.count > limit * MAX_SYSINDEX_PAGES) {
        throw new CmsInvalidResponseError('sysindex', `count ${first.count} is beyond ${MAX_SYSINDEX_PAGES} pages`);
      }
      const offsets: number[] = [];
      // A server that ignored `limit` and sent everything already is not asked again. Offsets
      // step by `limit`, not by the rows received: the documents' own example answers one row
      // with count 6, which must not turn into five more requests.
      if (first.rows.length < first.count) for (let offset = limit; offset < first.count; offset += limit) offsets.push(offset);
      if (offsets.length === 0) return rows;
      const rest = await this.#fanOut('sysindex', { signal }, offsets, (offset) => page(offset));
      for (const p of rest) rows.push(...p.rows);
      return distinctRows(rows);
    }
    // The bare-list form has no count: read on while pages come back exactly full. A page that
    // repeats the previous one means the server ignores `offset`: refused rather than looping.
    let last = first;
    for (let n = 1; last.rows.length === limit; n++) {
      if (n >= MAX_SYSINDEX_PAGES) throw new CmsInvalidResponseError('sysindex', `more than ${MAX_SYSINDEX_PAGES} pages`);
      const next = await page(n * limit);
      if (next.rows.length > 0 && rowKey(next.rows[0]!) === rowKey(last.rows[0]!)) {
        throw new CmsInvalidResponseError('sysindex', 'paging does not advance (offset ignored)');
      }
      rows.push(...next.rows);
      last = next;
    }
    return last === first ? rows : distinctRows(rows);
  }

  #request<T>(endpoint: CmsEndpoint, path: string, body: object, parse: (b: Buffer) => T, signal: AbortSignal) {
    return runRequest(this.#deps, endpoint, path, JSON.stringify(body), parse, signal);
  }

  /**
   * Runs `fn` for every item in parallel (each request still waits for a limiter slot) under
   * one signal linked to the caller's and to close(): the first failure aborts the siblings and
   * is the one thrown; an abort by the caller or close() throws CmsAbortedError.
   */
  async #fanOut<I, R>(
    endpoint: CmsEndpoint,
    opts: CallOptions | undefined,
    items: readonly I[],
    fn: (item: I, signal: AbortSignal) => Promise<R>,
  ): Promise<R[]> {
    const outer = opts?.signal ? [opts.signal, this.#closed.signal] : [this.#closed.signal];
    const aborted = () => outer.some((s) => s.aborted);
    if (aborted()) throw new CmsAbortedError(endpoint);
    try {
      return await allOrAbort(items, outer, fn);
    } catch (err) {
      if (aborted()) throw new CmsAbortedError(endpoint);
      throw err;
    }
  }
}

/**
 * The sysindex `limit` for one request: with a VDN batch, room for one row per VDN per 5-minute
 * period the window touches, plus one (so that even a server answering the bare-list form, which
 * has no `count`, ends on a short page), at most MAX_SYSINDEX_PAGE_SIZE; so one request normally
 * carries a whole batch and a run costs ceil(VDNs / 100) requests. Without a batch (discovery) the
 * VDN count is unknown: DEFAULT_SYSINDEX_PAGE_SIZE. `begin`/`end` are truncated to whole seconds
 * like the dates sent.
 */
export function sysindexPageSize(vdnCount: number | undefined, begin: Date, end: Date): number {
  if (vdnCount === undefined || vdnCount < 1) return DEFAULT_SYSINDEX_PAGE_SIZE;
  const sec = (d: Date): number => Math.floor(d.getTime() / 1000) * 1000;
  const periods = Math.max(1, Math.floor(sec(end) / SYSINDEX_PERIOD_MS) - Math.floor(sec(begin) / SYSINDEX_PERIOD_MS) + 1);
  return Math.min(MAX_SYSINDEX_PAGE_SIZE, vdnCount * periods + 1);
}
