import { performance } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';

/** The default slice length, ms: well inside the 25 ms scrape p99 the exporter aims for. */
export const SLICE_MS = 2;

/**
 * Cuts long synchronous work (turning 250,000 series into a snapshot, rendering it) into slices
 * of at most `sliceMs` milliseconds, so a scrape that arrives meanwhile waits for one slice, not
 * for the whole job. Use: `if (slicer.due()) await slicer.pause();` at points where pausing is
 * safe. `pause` yields to the event loop with setImmediate, after pending I/O callbacks.
 */
export class TimeSlicer {
  private sliceStart = performance.now();

  constructor(private readonly sliceMs: number = SLICE_MS) {}

  /** True once the current slice has lasted `sliceMs`. */
  due(): boolean {
    return performance.now() - this.sliceStart >= this.sliceMs;
  }

  /** Gives the event loop a turn and starts a new slice. */
  async pause(): Promise<void> {
    await nextTurn();
    this.sliceStart = performance.now();
  }
}
