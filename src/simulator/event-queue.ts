/**
 * A binary min-heap of timed model events, ordered by (time, insertion order), so events due at
 * the same millisecond are handled in the order they were scheduled: a deterministic story.
 */

/** An entry; `seq` is assigned by the queue. */
export interface TimedEvent<T> {
  /** Model time at which the event is due, epoch ms. */
  readonly t: number;
  readonly seq: number;
  readonly payload: T;
}

export class EventQueue<T> {
  private readonly heap: TimedEvent<T>[] = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  push(t: number, payload: T): void {
    const heap = this.heap;
    heap.push({ t, seq: this.seq++, payload });
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  /** The earliest event without removing it. */
  peek(): TimedEvent<T> | undefined {
    return this.heap[0];
  }

  /** Removes and returns the earliest event. */
  pop(): TimedEvent<T> | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    heap[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && this.less(heap[l]!, heap[m]!)) m = l;
      if (r < heap.length && this.less(heap[r]!, heap[m]!)) m = r;
      if (m === i) break;
      [heap[i], heap[m]] = [heap[m]!, heap[i]!];
      i = m;
    }
    return top;
  }

  private less(a: TimedEvent<T>, b: TimedEvent<T>): boolean {
    return a.t < b.t || (a.t === b.t && a.seq < b.seq);
  }
}
