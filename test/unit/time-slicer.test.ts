import { describe, expect, it } from 'vitest';
import { TimeSlicer } from '../../src/metrics/time-slicer.js';

function busyWait(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // spin: synchronous work
  }
}

describe('TimeSlicer', () => {
  it('is due once a slice has lasted its length, and pause() gives other callbacks a turn', async () => {
    const slicer = new TimeSlicer(5);
    expect(slicer.due()).toBe(false);
    busyWait(6);
    expect(slicer.due()).toBe(true);
    let ran = false;
    setImmediate(() => {
      ran = true;
    });
    await slicer.pause();
    expect(ran).toBe(true);
    expect(slicer.due()).toBe(false); // a new slice started
  });
});
