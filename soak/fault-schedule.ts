import type { CmsEndpoint } from '../src/cms/types.js';
import type { Fault } from '../src/simulator/start-simulator.js';
import { SOAK_CMS } from './soak-config.js';

/**
 * The soak's timeline: a warm-up, then phases of "fault, then calm". A phase either puts one
 * fault on each of the five interfaces at once (a round; the kinds rotate so that 12 rounds
 * pair every interface with every kind) or hits the whole CMS (unreachable, very slow, 503 to
 * everything). The first six phases already cover every kind, so a 2-minute run does too.
 */

/** Faults put on one interface. */
export const ENDPOINT_FAULT_KINDS = [
  'latency_past_timeout',
  'http_500',
  'http_502',
  'http_503',
  'http_429_retry_after',
  'result_code',
  'malformed_json',
  'wrong_types',
  'unauthorized',
  'hang',
  'flaky_502',
  'http_500_twice',
] as const;
export type EndpointFaultKind = (typeof ENDPOINT_FAULT_KINDS)[number];

/** Faults of the whole CMS. */
export type GlobalFaultKind = 'unreachable' | 'very_slow' | 'all_503';

/** The five interfaces, in the order a round assigns kinds to them. */
export const ENDPOINTS: readonly CmsEndpoint[] = ['sysindex', 'cti_server_time', 'access_code_call_info', 'agent_calls', 'basic_call_info'];

/** The simulator fault of each per-interface kind. */
export function endpointFault(kind: EndpointFaultKind): Fault {
  const timeoutMs = SOAK_CMS.timeoutSeconds * 1000;
  switch (kind) {
    case 'latency_past_timeout': return { latencyMs: timeoutMs + 500 };
    case 'http_500': return { httpStatus: 500 };
    case 'http_502': return { httpStatus: 502 };
    case 'http_503': return { httpStatus: 503 };
    case 'http_429_retry_after': return { retryAfterSeconds: 2 };
    case 'result_code': return { resultCode: '0100999' };
    case 'malformed_json': return { malformedJson: true };
    case 'wrong_types': return { wrongTypes: true };
    case 'unauthorized': return { unauthorized: true };
    case 'hang': return { hang: true };
    case 'flaky_502': return { httpStatus: 502, probability: 0.5 };
    case 'http_500_twice': return { httpStatus: 500, times: 2 };
  }
}

/** Whether a kind makes every run of the interface fail while it lasts (the others may be absorbed by retries). */
export function alwaysFails(kind: EndpointFaultKind | GlobalFaultKind): boolean {
  return kind !== 'flaky_502' && kind !== 'http_500_twice' && kind !== 'very_slow';
}

/** One phase; times are seconds from the start of the soak. */
export interface Phase {
  index: number;
  /** `round N`, or the global kind (followed by its cycle number from the second cycle on). */
  name: string;
  startS: number;
  /** When the fault is cleared and the calm begins. */
  faultEndS: number;
  endS: number;
  endpointFaults: Array<{ endpoint: CmsEndpoint; kind: EndpointFaultKind }>;
  global: GlobalFaultKind | null;
}

/** Seconds before the first fault: the exporter starts and every collector succeeds once. */
export const WARMUP_SECONDS = 10;
/** Shortest calm after a fault: the longest recovery bound (see recoveryBoundSeconds). */
export const MIN_CALM_SECONDS = 8;
const MIN_FAULT_SECONDS = 5;
/** Aimed-at length of a normal phase in long runs. */
const TARGET_PHASE_SECONDS = 60;
/** The CMS is unreachable for at most this long ("for a minute"). */
const UNREACHABLE_SECONDS = 60;

type Slot = { round: number } | { global: GlobalFaultKind };

/** Slot i of the endless pattern: globals at 1, 3, 5 of every 15, rounds elsewhere. */
function slot(i: number): Slot {
  const cycle = Math.floor(i / 15);
  const pos = i % 15;
  const globals: Record<number, GlobalFaultKind> = { 1: 'unreachable', 3: 'very_slow', 5: 'all_503' };
  const g = globals[pos];
  if (g) return { global: g };
  const roundsBefore = pos - Object.keys(globals).filter((p) => Number(p) < pos).length;
  return { round: cycle * 12 + roundsBefore };
}

const weight = (s: Slot): number => ('global' in s && s.global === 'unreachable' ? 2 : 1);

/** Builds the timeline of a run of `minutes`. Throws when the run is too short to cover every kind. */
export function buildSchedule(minutes: number): Phase[] {
  const available = minutes * 60 - WARMUP_SECONDS;
  let n = 6;
  const weightOf = (count: number) => Array.from({ length: count }, (_, i) => weight(slot(i))).reduce((a, b) => a + b, 0);
  while (weightOf(n + 1) * TARGET_PHASE_SECONDS <= available) n++;
  const unit = available / weightOf(n);
  const phases: Phase[] = [];
  let t = WARMUP_SECONDS;
  for (let i = 0; i < n; i++) {
    const s = slot(i);
    const length = weight(s) * unit;
    let fault = Math.max(0, length - Math.max(MIN_CALM_SECONDS, length / 2));
    if ('global' in s && s.global === 'unreachable') fault = Math.min(UNREACHABLE_SECONDS, length / 2);
    if (fault < MIN_FAULT_SECONDS) throw new RangeError(`--minutes ${minutes} is too short to run every fault (need about 2)`);
    const endpointFaults =
      'round' in s
        ? ENDPOINTS.map((endpoint, e) => ({ endpoint, kind: ENDPOINT_FAULT_KINDS[(s.round * ENDPOINTS.length + e) % ENDPOINT_FAULT_KINDS.length]! }))
        : [];
    phases.push({
      index: i,
      name: 'round' in s ? `round ${s.round + 1}` : Math.floor(i / 15) === 0 ? s.global : `${s.global} ${Math.floor(i / 15) + 1}`,
      startS: round1(t),
      faultEndS: round1(t + fault),
      endS: round1(t + length),
      endpointFaults,
      global: 'global' in s ? s.global : null,
    });
    t += length;
  }
  return phases;
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
