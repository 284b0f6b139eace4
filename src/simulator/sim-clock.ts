/**
 * The simulator's clock: the time the model (calls, agents, 5-minute periods) lives in.
 * It is NOT the clock request signatures are checked against (see auth-verifier.ts).
 */

/**
 * `real`: wall time. `accelerated`: starts at wall time and runs `factor` times faster.
 * `manual`: stands still at `startMs` (default: wall time at start) until `advance` is called.
 */
export type ClockMode =
  | { mode: 'real' }
  | { mode: 'accelerated'; factor: number }
  | { mode: 'manual'; startMs?: number };

/** The clock as the rest of the simulator sees it. */
export interface SimClock {
  readonly mode: ClockMode['mode'];
  /** Model time, epoch milliseconds (integer). */
  now(): number;
  /** Moves a manual clock forward by `ms` (>= 0). Throws in the other modes. */
  advance(ms: number): void;
}

/** Thrown for an invalid clock setting or use (e.g. advancing a real clock). */
export class SimClockError extends Error {
  readonly code = 'SIM_CLOCK';
  constructor(message: string) {
    super(message);
    this.name = 'SimClockError';
  }
}

/** Builds a clock; `wallNow` is injectable for tests of the accelerated mode. */
export function createSimClock(mode: ClockMode = { mode: 'real' }, wallNow: () => number = Date.now): SimClock {
  switch (mode.mode) {
    case 'real':
      return {
        mode: 'real',
        now: () => Math.floor(wallNow()),
        advance: () => {
          throw new SimClockError('advance() is only available with a manual clock');
        },
      };
    case 'accelerated': {
      if (!Number.isFinite(mode.factor) || mode.factor <= 0) {
        throw new SimClockError(`accelerated clock factor must be > 0, got ${mode.factor}`);
      }
      const wallStart = wallNow();
      const factor = mode.factor;
      return {
        mode: 'accelerated',
        now: () => Math.floor(wallStart + (wallNow() - wallStart) * factor),
        advance: () => {
          throw new SimClockError('advance() is only available with a manual clock');
        },
      };
    }
    case 'manual': {
      let current = Math.floor(mode.startMs ?? wallNow());
      if (!Number.isFinite(current)) throw new SimClockError('manual clock startMs must be a finite number');
      return {
        mode: 'manual',
        now: () => current,
        advance: (ms: number) => {
          if (!Number.isFinite(ms) || ms < 0) throw new SimClockError(`advance(ms) needs ms >= 0, got ${ms}`);
          current += Math.floor(ms);
        },
      };
    }
    default:
      throw new SimClockError('unknown clock mode');
  }
}
