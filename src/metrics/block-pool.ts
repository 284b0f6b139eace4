/**
 * Reuse of the 64 KB buffers that snapshots' sample lines are written into.
 *
 * At 50,000 access codes a render writes 20 MB of text. Left to the garbage collector, a
 * replaced snapshot's buffers are freed only when a full collection finds them, and the C heap
 * they come from keeps its high-water mark: the fewer full collections a run causes, the more
 * replaced snapshots are alive at once and the larger the process stays (~35 MB more in the
 * `large` benchmark). The snapshot store hands a replaced snapshot's buffers back here once no
 * scrape and no compression still reads them, and the next render writes into them.
 */

/** Hands out buffers of `blockBytes` and takes them back; keeps at most `maxFree` free ones. */
export class BlockPool {
  /** Every buffer this pool made, so that give() can ignore anything else (copies, views). */
  readonly #mine = new WeakSet<ArrayBuffer>();
  readonly #free: ArrayBuffer[] = [];
  readonly #isFree = new Set<ArrayBuffer>();

  constructor(
    readonly blockBytes: number,
    private readonly maxFree: number,
  ) {}

  /** A buffer of blockBytes: a free one if there is one, else a new one. Its content is garbage. */
  take(): Buffer {
    const reused = this.#free.pop();
    if (reused !== undefined) {
      this.#isFree.delete(reused);
      return Buffer.from(reused);
    }
    const block = Buffer.allocUnsafeSlow(this.blockBytes);
    this.#mine.add(block.buffer);
    return block;
  }

  /**
   * Takes back the buffers under `views` (each a block from take() or a view into one), which
   * the caller must no longer read or write. Views of other memory are ignored, and so is a
   * block given twice.
   */
  give(views: Iterable<Uint8Array>): void {
    for (const view of views) {
      const { buffer } = view;
      if (!(buffer instanceof ArrayBuffer) || !this.#mine.has(buffer) || this.#isFree.has(buffer)) continue;
      if (this.#free.length >= this.maxFree) return;
      this.#free.push(buffer);
      this.#isFree.add(buffer);
    }
  }

  /** Free buffers held now. */
  get freeCount(): number {
    return this.#free.length;
  }
}
