/**
 * The current vendor series, one Snapshot per key (e.g. `sysindex:1`), kept as rendered text.
 *
 * A snapshot is rendered once, when it is prepared: its sample lines (the same in both formats)
 * become a list of UTF-8 buffers, and the FamilySamples are not kept. prepare() renders in slices
 * of a few milliseconds and yields to the event loop between them, so the 20 MB of text of
 * 250,000 series never hold a scrape up for the whole render; swap() then serves the result at
 * once, and starts compressing each family's block as its own gzip member in the background. A
 * scrape only joins cached buffers: the vendor body of a format is a list of parts (HELP/TYPE
 * lines once per family, then every key's block of that family), cached until the next
 * swap/delete, and so is its gzip form (one member per part). Scrape cost does not depend on how
 * often it is scraped, only on one array walk per changed snapshot. A replaced or deleted
 * snapshot's blocks go back to a BlockPool for the next render, once no scrape that leased them
 * (lease()) and no compression still reads them.
 */
import type { FamilySamples, MetricType, Snapshot } from './types.js';
import {
  renderFamilyHeader,
  validateFamily,
  type ExpositionFormat,
} from './exposition-text.js';
import { ExpositionError } from './exposition-error.js';
import { gzipMember, gzipMemberSync } from './gzip.js';
import { BLOCK_BYTES, sampleLineBlocks } from './sample-line-encoder.js';
import { BlockPool } from './block-pool.js';
import { TimeSlicer } from './time-slicer.js';

/** Options of a SnapshotStore. */
export interface SnapshotStoreOptions {
  /** Family names snapshots may not use: the exporter's own metrics, served by SelfMetrics. */
  reservedNames?: Iterable<string>;
  /**
   * Compress each family block as soon as it is set (on the thread pool), so the first gzip
   * scrape after a change does not wait for it. Default true; false compresses on first need.
   */
  eagerGzip?: boolean;
}

/** One family of one key's snapshot, rendered. */
interface RenderedFamily {
  readonly type: MetricType;
  readonly help: string;
  readonly sampleCount: number;
  /** The sample lines, UTF-8, in blocks of about 64 KB (see sampleLineBlocks). */
  readonly blocks: readonly Buffer[];
  /** The block as one gzip member, once requested. */
  gz: Promise<Buffer> | null;
  /** Leases (scrapes) and compressions reading `blocks` now. */
  readers: number;
  /** No longer served (replaced or deleted): its blocks go back to the pool once unread. */
  retired: boolean;
}

/** Blocks kept free for the next render: 16 MB, most of one 50,000-access-code render. */
const MAX_FREE_BLOCKS = 256;

/** A family as served: its metadata from the first key that has it, then every key's block. */
interface LayoutFamily {
  readonly name: string;
  readonly type: MetricType;
  readonly help: string;
  readonly parts: readonly RenderedFamily[];
}

interface HeaderParts {
  readonly type: MetricType;
  readonly help: string;
  readonly text: Map<ExpositionFormat, Buffer>;
  readonly gz: Map<ExpositionFormat, Buffer>;
}

/**
 * A snapshot checked and rendered by prepare(), ready to be swapped in under a key. It holds the
 * rendered text only, not the snapshot's FamilySamples.
 */
export class PreparedSnapshot {
  /** @internal the rendered families by name (only the store reads them). */
  constructor(readonly families: ReadonlyMap<string, RenderedFamily>) {}
}

/** Holds the current snapshot of every collector × call center and serves their exposition. */
export class SnapshotStore {
  private readonly entries = new Map<string, ReadonlyMap<string, RenderedFamily>>();
  private readonly reserved: ReadonlySet<string>;
  private readonly eagerGzip: boolean;
  private readonly headers = new Map<string, HeaderParts>();
  /** Bumped by every set/delete; the caches below belong to one version. */
  private version = 0;
  private layoutCache: { version: number; layout: LayoutFamily[] } | null = null;
  private readonly textCache = new Map<ExpositionFormat, { version: number; chunks: Buffer[] }>();
  private readonly gzCache = new Map<ExpositionFormat, { version: number; chunks: Promise<Buffer[]> }>();
  private readonly pool = new BlockPool(BLOCK_BYTES, MAX_FREE_BLOCKS);

  constructor(options: SnapshotStoreOptions = {}) {
    this.reserved = new Set(options.reservedNames ?? []);
    this.eagerGzip = options.eagerGzip ?? true;
  }

  /**
   * Checks and renders `snapshot`, yielding to the event loop every few milliseconds. Rejects
   * with ExpositionError when a family is invalid, uses a reserved name, or is listed twice with
   * two types (families listed twice with one type are merged). Nothing is served until swap().
   */
  async prepare(snapshot: Snapshot): Promise<PreparedSnapshot> {
    const render = this.render(snapshot);
    const slicer = new TimeSlicer();
    for (;;) {
      const step = render.next();
      if (step.done === true) return step.value;
      if (slicer.due()) await slicer.pause();
    }
  }

  /**
   * Serves `prepared` as the snapshot of `key` from now on, replacing the previous one. Throws
   * ExpositionError (and keeps the previous snapshot) when a family has another type than the
   * same family under another key.
   */
  swap(key: string, prepared: PreparedSnapshot): void {
    for (const [name, part] of prepared.families) this.checkTypeAcrossKeys(key, name, part.type);
    for (const part of prepared.families.values()) {
      if (this.eagerGzip && part.sampleCount > 0) this.gzipOf(part).catch(() => undefined);
    }
    const replaced = this.entries.get(key);
    this.entries.set(key, prepared.families);
    this.version++;
    if (replaced !== undefined) this.retire(replaced);
  }

  /**
   * prepare() and swap() in one go, for small snapshots and tests: replaces the snapshot of `key`
   * with `snapshot`, rendered now, blocking until the whole text is rendered.
   */
  set(key: string, snapshot: Snapshot): void {
    const render = this.render(snapshot);
    let step = render.next();
    while (step.done !== true) step = render.next();
    this.swap(key, step.value);
  }

  /** Drops the snapshot of `key` (a stale collector, a removed call center). */
  delete(key: string): boolean {
    const families = this.entries.get(key);
    if (families === undefined) return false;
    this.entries.delete(key);
    this.version++;
    this.retire(families);
    return true;
  }

  /**
   * Marks the blocks chunks() serves now as being read, until the returned function is called:
   * call it once the body is written, or abandoned. Until then they are not reused, even if
   * their snapshot is replaced. A lease never released only keeps its blocks from being reused.
   */
  lease(): () => void {
    const parts: RenderedFamily[] = [];
    for (const family of this.layout()) for (const part of family.parts) parts.push(part);
    for (const part of parts) part.readers++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const part of parts) this.unread(part);
    };
  }

  /** Whether `key` has a snapshot. */
  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** The keys that have a snapshot, sorted. */
  keys(): string[] {
    return [...this.entries.keys()].sort();
  }

  /** Number of vendor series currently served, across keys. */
  seriesCount(): number {
    let n = 0;
    for (const families of this.entries.values()) for (const f of families.values()) n += f.sampleCount;
    return n;
  }

  /**
   * The vendor part of the body in `format`, as buffers to send in order (no `# EOF`: the caller
   * ends an OpenMetrics body). The array is cached until the next set/delete; do not mutate it.
   */
  chunks(format: ExpositionFormat): readonly Buffer[] {
    const cached = this.textCache.get(format);
    if (cached?.version === this.version) return cached.chunks;
    const chunks: Buffer[] = [];
    for (const family of this.layout()) {
      chunks.push(this.headerText(family, format));
      for (const part of family.parts) chunks.push(...part.blocks);
    }
    this.textCache.set(format, { version: this.version, chunks });
    return chunks;
  }

  /** chunks(format) with every part as a gzip member; their concatenation is one gzip body. */
  gzipChunks(format: ExpositionFormat): Promise<readonly Buffer[]> {
    const cached = this.gzCache.get(format);
    if (cached?.version === this.version) return cached.chunks;
    const pending: Array<Buffer | Promise<Buffer>> = [];
    for (const family of this.layout()) {
      pending.push(this.headerGzip(family, format));
      for (const part of family.parts) pending.push(this.gzipOf(part));
    }
    const version = this.version;
    const chunks = Promise.all(pending);
    this.gzCache.set(format, { version, chunks });
    chunks.catch(() => {
      if (this.gzCache.get(format)?.chunks === chunks) this.gzCache.delete(format);
    });
    return chunks;
  }

  /**
   * Validates and groups the families, then renders them piece by piece, pausing (yield) after
   * each piece so that prepare() can give the event loop a turn; returns the rendered families.
   */
  private *render(snapshot: Snapshot): Generator<void, PreparedSnapshot, undefined> {
    const rendered = new Map<string, RenderedFamily>();
    for (const [name, group] of this.groupByName(snapshot)) {
      const first = group[0] as FamilySamples;
      const blocks: Buffer[] = [];
      let sampleCount = 0;
      for (const family of group) {
        sampleCount += family.values.length;
        for (const block of sampleLineBlocks(family, this.pool)) {
          blocks.push(block);
          yield;
        }
      }
      rendered.set(name, { type: first.type, help: first.help, sampleCount, blocks, gz: null, readers: 0, retired: false });
    }
    return new PreparedSnapshot(rendered);
  }

  private groupByName(snapshot: Snapshot): Map<string, FamilySamples[]> {
    const grouped = new Map<string, FamilySamples[]>();
    for (const family of snapshot) {
      validateFamily(family);
      const omName = family.type === 'counter' ? family.name.slice(0, -'_total'.length) : family.name;
      if (this.reserved.has(family.name) || this.reserved.has(omName)) {
        throw new ExpositionError('FAMILY_CONFLICT', `metric family '${family.name}' is one of the exporter's own`);
      }
      const group = grouped.get(family.name);
      if (group === undefined) grouped.set(family.name, [family]);
      else if (group[0]?.type !== family.type) {
        throw new ExpositionError('FAMILY_CONFLICT', `metric family '${family.name}' listed with two types`);
      } else group.push(family);
    }
    return grouped;
  }

  private checkTypeAcrossKeys(key: string, name: string, type: MetricType): void {
    for (const [otherKey, families] of this.entries) {
      const other = otherKey === key ? undefined : families.get(name);
      if (other !== undefined && other.type !== type) {
        throw new ExpositionError(
          'FAMILY_CONFLICT',
          `metric family '${name}' is a ${type} here but a ${other.type} under '${otherKey}'`,
        );
      }
    }
  }

  private gzipOf(part: RenderedFamily): Promise<Buffer> {
    if (part.gz === null) {
      part.readers++; // the compressor reads the blocks on the thread pool
      const gz = gzipMember(part.blocks);
      part.gz = gz;
      gz.then(
        () => this.unread(part),
        () => {
          if (part.gz === gz) part.gz = null;
          this.unread(part);
        },
      );
    }
    return part.gz;
  }

  /** Takes the blocks of families no longer served back into the pool, now or once unread. */
  private retire(families: ReadonlyMap<string, RenderedFamily>): void {
    for (const part of families.values()) {
      part.retired = true;
      if (part.readers === 0) this.pool.give(part.blocks);
    }
  }

  private unread(part: RenderedFamily): void {
    part.readers--;
    if (part.retired && part.readers === 0) this.pool.give(part.blocks);
  }

  /** Families with at least one sample, sorted by name; keys sorted within each family. */
  private layout(): LayoutFamily[] {
    if (this.layoutCache?.version === this.version) return this.layoutCache.layout;
    const byName = new Map<string, { type: MetricType; help: string; parts: RenderedFamily[] }>();
    for (const key of this.keys()) {
      for (const [name, part] of this.entries.get(key) ?? []) {
        if (part.sampleCount === 0) continue;
        const family = byName.get(name);
        if (family === undefined) byName.set(name, { type: part.type, help: part.help, parts: [part] });
        else family.parts.push(part);
      }
    }
    const layout = [...byName.keys()].sort().map((name) => ({ name, ...byName.get(name)! }));
    for (const name of this.headers.keys()) if (!byName.has(name)) this.headers.delete(name);
    this.layoutCache = { version: this.version, layout };
    return layout;
  }

  private headerParts(family: LayoutFamily): HeaderParts {
    let parts = this.headers.get(family.name);
    if (parts === undefined || parts.type !== family.type || parts.help !== family.help) {
      parts = { type: family.type, help: family.help, text: new Map(), gz: new Map() };
      this.headers.set(family.name, parts);
    }
    return parts;
  }

  private headerText(family: LayoutFamily, format: ExpositionFormat): Buffer {
    const parts = this.headerParts(family);
    let text = parts.text.get(format);
    if (text === undefined) {
      text = Buffer.from(renderFamilyHeader(family.name, family.type, family.help, format));
      parts.text.set(format, text);
    }
    return text;
  }

  private headerGzip(family: LayoutFamily, format: ExpositionFormat): Buffer {
    const parts = this.headerParts(family);
    let gz = parts.gz.get(format);
    if (gz === undefined) {
      gz = gzipMemberSync(this.headerText(family, format));
      parts.gz.set(format, gz);
    }
    return gz;
  }
}
