import { performance } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Logger } from '../log.js';
import { CmsAbortedError, CmsError, CmsHttpError, CmsInvalidResponseError, CmsResultError } from './errors.js';
import type { CmsEndpoint, CmsRequestObserver } from './types.js';
import { scrubSecrets, type CmsTransport, type RawReply, type SendOutcome } from './cms-transport.js';
import { SUCCESS_RESULT_CODE } from './parse-envelope.js';
import { runLimited, type CmsLimiter } from './request-limiter.js';
import {
  isRetryableStatus,
  parseRetryAfterMs,
  retryDelayMs,
  type AttemptFailure,
  type SleepFunction,
} from './retry-policy.js';

/** What the runner needs; assembled once by CmsClient. */
export interface RequestRunnerDeps {
  transport: CmsTransport;
  limiter: CmsLimiter;
  /** Retries after the first attempt. */
  retries: number;
  /** Cap on one wait, ms. */
  retryMaxDelayMs: number;
  sleep: SleepFunction;
  random: () => number;
  now: () => number;
  onRequest: CmsRequestObserver | undefined;
  logger: Pick<Logger, 'debug'> | undefined;
}

/** A parsed answer with the send/receive instants of the attempt that produced it. */
export interface RunResult<T> {
  value: T;
  sentAtMs: number;
  receivedAtMs: number;
}

type AttemptOutcome<T> = { ok: true; result: RunResult<T> } | { ok: false; failure: AttemptFailure };

/**
 * Runs one logical request: attempts (each sent in a limiter slot, each re-signed by the
 * transport), parses 2xx bodies with `parse` once the slot is free again and the request that
 * took it has left (parsing is the exporter's work, not a request in flight), reports every
 * attempt to `onRequest`, and retries what retry-policy.ts allows after an abortable sleep
 * outside the limiter. Throws the CmsError of the last attempt, or CmsAbortedError once
 * `signal` aborts.
 */
export async function runRequest<T>(
  deps: RequestRunnerDeps,
  endpoint: CmsEndpoint,
  path: string,
  body: string,
  parse: (body: Buffer) => T,
  signal: AbortSignal,
): Promise<RunResult<T>> {
  const aborted = (): CmsAbortedError => new CmsAbortedError(endpoint);
  for (let attempt = 0; ; attempt++) {
    const send = async () => ({ started: performance.now(), sent: await deps.transport.send(endpoint, path, body, signal) });
    const { started, sent } = await runLimited(deps.limiter, signal, send, aborted);
    if (sent.ok) await afterTheNextRequestLeaves();
    const outcome = finishAttempt(deps, endpoint, sent, parse, started);
    if (outcome.ok) return outcome.result;
    const { failure } = outcome;
    if (!failure.retryable || attempt >= deps.retries) throw failure.error;
    const delayMs = retryDelayMs(failure, attempt, deps.retryMaxDelayMs, deps.random);
    deps.logger?.debug(
      { endpoint, attempt: attempt + 1, reason: failure.error.metricCode, delayMs },
      'cms request failed, retrying',
    );
    try {
      await deps.sleep(delayMs, signal);
    } catch {
      throw aborted();
    }
    if (signal.aborted) throw aborted();
  }
}

/**
 * Resolves in the event loop's next check phase (setImmediate). The request that takes the slot
 * this answer freed is made in this turn, but Node writes it to its socket in a process.nextTick,
 * and ticks queued by promise continuations run only after every continuation of the turn, the
 * parse of this answer included. Parsing after it keeps the next request from waiting for this
 * answer's parse (~0.3 ms for 100 sysindex rows).
 */
function afterTheNextRequestLeaves(): Promise<void> {
  return nextTurn();
}

/** Interprets what one attempt got and reports it (durations include the parse). */
function finishAttempt<T>(
  deps: RequestRunnerDeps,
  endpoint: CmsEndpoint,
  sent: SendOutcome,
  parse: (body: Buffer) => T,
  started: number,
): AttemptOutcome<T> {
  const outcome: AttemptOutcome<T> = sent.ok ? interpret(deps, endpoint, sent.reply, parse) : sent;
  // An attempt cut short by the caller says nothing about the CMS: not reported.
  if (outcome.ok || outcome.failure.error.code !== 'ABORTED') {
    const code = outcome.ok ? SUCCESS_RESULT_CODE : outcome.failure.error.metricCode;
    report(deps, { endpoint, code, durationSeconds: (performance.now() - started) / 1000 });
  }
  return outcome;
}

function interpret<T>(deps: RequestRunnerDeps, endpoint: CmsEndpoint, reply: RawReply, parse: (body: Buffer) => T): AttemptOutcome<T> {
  const status = reply.statusCode;
  if (status < 200 || status > 299) {
    const retryable = isRetryableStatus(status);
    const retryAfterMs = retryable ? parseRetryAfterMs(reply.retryAfter, deps.now()) : undefined;
    return { ok: false, failure: { error: new CmsHttpError(endpoint, status), retryable, retryAfterMs } };
  }
  try {
    const value = parse(reply.body);
    return { ok: true, result: { value, sentAtMs: reply.sentAtMs, receivedAtMs: reply.receivedAtMs } };
  } catch (err) {
    // Parsers throw only CmsErrors; anything else is a parser bug, still reported as invalid.
    let error = err instanceof CmsError ? err : new CmsInvalidResponseError(endpoint, 'unreadable body', status);
    if (error instanceof CmsResultError && error.resultDesc !== undefined) {
      // A gateway that echoes the request would put our Authorization into resultDesc.
      const signature = reply.authorization.slice(reply.authorization.lastIndexOf('/') + 1);
      const desc = scrubSecrets(error.resultDesc, [reply.authorization, signature]);
      if (desc !== error.resultDesc) error = new CmsResultError(endpoint, error.resultCode ?? 'unknown', desc, status);
    }
    return { ok: false, failure: { error, retryable: false } };
  }
}

function report(deps: RequestRunnerDeps, event: Parameters<CmsRequestObserver>[0]): void {
  try {
    deps.onRequest?.(event);
  } catch {
    // A failing observer must not fail the request.
  }
}
