import type { CmsEndpoint } from '../cms/types.js';

/**
 * What the simulator saw: requests in flight (the number tests compare with the client's
 * concurrency limit), totals per interface, and a bounded log of recent requests with their
 * bodies. The Authorization header is never recorded.
 */

/** One finished (or aborted) request. */
export interface RequestLogEntry {
  /** Wall-clock arrival, epoch ms. */
  atMs: number;
  method: string;
  /** Path without the query string. */
  path: string;
  /** null for a path that is none of the five interfaces. */
  endpoint: CmsEndpoint | null;
  /** HTTP status sent; 0 when the connection closed without an answer (hang, client abort). */
  status: number;
  /** resultCode of the answer, when it had one. */
  resultCode: string | null;
  /** The request body text, cut at 4096 characters. */
  body: string;
  /** Wall-clock time from arrival to answer (or close), ms. */
  durationMs: number;
}

/** The `stats` handle of a running simulator. */
export interface SimulatorStats {
  /** Requests received and not yet answered (or closed). */
  readonly inFlight: number;
  /** Highest inFlight since start or the last resetMaxInFlight(). */
  readonly maxInFlight: number;
  /** Requests received, all paths. */
  readonly total: number;
  /** Requests received per interface (both agent-calls paths count as agent_calls). */
  readonly requestsByEndpoint: Readonly<Record<CmsEndpoint, number>>;
  /** The most recent requests, oldest first (at most 500). */
  readonly recent: readonly RequestLogEntry[];
  /** Sets maxInFlight to the current inFlight. */
  resetMaxInFlight(): void;
  /** Zeroes totals, the log and maxInFlight (inFlight keeps counting open requests). */
  reset(): void;
}

const LOG_SIZE = 500;
const BODY_CHARS = 4096;

function zeroCounts(): Record<CmsEndpoint, number> {
  return { sysindex: 0, cti_server_time: 0, access_code_call_info: 0, agent_calls: 0, basic_call_info: 0 };
}

export class RequestStats implements SimulatorStats {
  private open = 0;
  private max = 0;
  private count = 0;
  private byEndpoint = zeroCounts();
  private log: RequestLogEntry[] = [];

  get inFlight(): number {
    return this.open;
  }
  get maxInFlight(): number {
    return this.max;
  }
  get total(): number {
    return this.count;
  }
  get requestsByEndpoint(): Readonly<Record<CmsEndpoint, number>> {
    return { ...this.byEndpoint };
  }
  get recent(): readonly RequestLogEntry[] {
    return [...this.log];
  }

  resetMaxInFlight(): void {
    this.max = this.open;
  }

  reset(): void {
    this.count = 0;
    this.byEndpoint = zeroCounts();
    this.log = [];
    this.max = this.open;
  }

  /** A request arrived (headers received). */
  begin(endpoint: CmsEndpoint | null): void {
    this.open++;
    this.count++;
    if (this.open > this.max) this.max = this.open;
    if (endpoint) this.byEndpoint[endpoint]++;
  }

  /** The request was answered or its connection closed. */
  end(entry: Omit<RequestLogEntry, 'body'> & { body: string }): void {
    this.open--;
    this.log.push({ ...entry, body: entry.body.slice(0, BODY_CHARS) });
    if (this.log.length > LOG_SIZE) this.log.splice(0, this.log.length - LOG_SIZE);
  }
}
