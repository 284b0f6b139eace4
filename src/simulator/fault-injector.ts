import type { CmsEndpoint } from '../cms/types.js';
import { Prng } from './prng.js';

/**
 * Faults the tests switch on per interface (or for all of them): slow, failing, malformed,
 * mistyped, hanging or unauthorized answers, each optionally random and/or limited to the next
 * N requests. An interface's own fault wins over the `all` fault.
 */

/** One fault. Several fields may be combined (e.g. latency + httpStatus). */
export interface Fault {
  /** Extra delay before the answer, ms. */
  latencyMs?: number;
  /** Answer with this HTTP status (4xx/5xx) and a small JSON body. */
  httpStatus?: number;
  /** Adds `Retry-After: N` (seconds); implies HTTP 429 when httpStatus is not given. */
  retryAfterSeconds?: number;
  /** HTTP 200 with `{"resultCode": <this>, "resultDesc": "..."}` (a failing result). */
  resultCode?: string;
  /** HTTP 200 with a body that is not valid JSON. */
  malformedJson?: boolean;
  /** HTTP 200, the usual shape, but numbers turned into objects / non-numeric strings, strings into objects. */
  wrongTypes?: boolean;
  /** Never answer; the request stays open until the simulator closes (or the client gives up). */
  hang?: boolean;
  /** HTTP 401 whatever the signature. */
  unauthorized?: boolean;
  /** Chance (0-1) that a request gets the fault; default 1. */
  probability?: number;
  /** Only the next N requests that get the fault; then it clears itself. */
  times?: number;
}

/** What a fault can be attached to. */
export type FaultTarget = CmsEndpoint | 'all';

/** The `faults` handle of a running simulator. */
export interface FaultControl {
  /** Sets (replaces) the fault of one interface or of all of them. */
  set(target: FaultTarget, fault: Fault): void;
  /** Removes one target's fault, or every fault when called without an argument. */
  clear(target?: FaultTarget): void;
  /** The faults in force, for assertions. */
  active(): Partial<Record<FaultTarget, Fault>>;
}

export class FaultInjector implements FaultControl {
  private readonly faults = new Map<FaultTarget, { fault: Fault; remaining: number }>();
  private readonly rng: Prng;

  /** `seed`: makes probabilistic faults repeatable; it is a separate stream from the model's. */
  constructor(seed: number) {
    this.rng = new Prng(seed ^ 0x5eed_fa17);
  }

  set(target: FaultTarget, fault: Fault): void {
    const p = fault.probability ?? 1;
    if (!(p >= 0 && p <= 1)) throw new RangeError('fault probability must be within 0-1');
    if (fault.times !== undefined && !(Number.isInteger(fault.times) && fault.times > 0)) {
      throw new RangeError('fault times must be a positive integer');
    }
    if (fault.httpStatus !== undefined && !(Number.isInteger(fault.httpStatus) && fault.httpStatus >= 400 && fault.httpStatus <= 599)) {
      throw new RangeError('fault httpStatus must be 400-599');
    }
    this.faults.set(target, { fault: { ...fault }, remaining: fault.times ?? Infinity });
  }

  clear(target?: FaultTarget): void {
    if (target === undefined) this.faults.clear();
    else this.faults.delete(target);
  }

  active(): Partial<Record<FaultTarget, Fault>> {
    return Object.fromEntries([...this.faults].map(([k, v]) => [k, { ...v.fault }]));
  }

  /**
   * The fault to apply to one request of `endpoint`, or undefined. Counts it against `times`
   * when it applies.
   */
  pick(endpoint: CmsEndpoint): Fault | undefined {
    const target: FaultTarget | undefined = this.faults.has(endpoint) ? endpoint : this.faults.has('all') ? 'all' : undefined;
    if (target === undefined) return undefined;
    const entry = this.faults.get(target)!;
    const p = entry.fault.probability ?? 1;
    if (p < 1 && !this.rng.chance(p)) return undefined;
    entry.remaining--;
    if (entry.remaining <= 0) this.faults.delete(target);
    return entry.fault;
  }
}

/** A body that starts like a success and breaks off: not parseable JSON. */
export const MALFORMED_BODY = '{"resultCode":"0100000","resultDesc":[{"innoId":1,"allCallCount":';

/**
 * The answer with its data mistyped: inside `resultDesc`/`resultDatas`, numbers become nested
 * objects or non-numeric strings (alternately) and strings become objects. The envelope's
 * result codes stay right, so only a client that checks types notices.
 */
export function withWrongTypes(answer: Record<string, unknown>): Record<string, unknown> {
  let n = 0;
  const mangle = (value: unknown): unknown => {
    if (typeof value === 'number') return n++ % 2 === 0 ? { value } : `${value}x`;
    if (typeof value === 'string') return { value };
    if (Array.isArray(value)) return value.map(mangle);
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mangle(v)]));
    }
    return value;
  };
  const out = { ...answer };
  for (const key of ['resultDesc', 'resultDatas']) if (key in out) out[key] = mangle(out[key]);
  return out;
}
