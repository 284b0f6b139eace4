/**
 * Sample lines written straight into UTF-8 buffers, without building strings first.
 *
 * At 250,000 series a run's exposition is 20 MB of text. Built as JavaScript strings (a string
 * per label value, per line, per piece) that took ~85 MB of short-lived garbage per render,
 * which keeps V8's young generation large and busy. Here each line is copied byte by byte into
 * a block: ASCII (every name and nearly every label value) directly, with the label escaping
 * done on the way; only a label value with a non-ASCII character goes through Buffer#write.
 * The output is byte-for-byte what `Buffer.from(line)` of the same line gives.
 */
import type { FamilySamples } from './types.js';
import type { BlockPool } from './block-pool.js';
import { escapeLabelValue, formatValue } from './exposition-text.js';

/** Size of the blocks lines are written into; a family's last block is trimmed to its content. */
export const BLOCK_BYTES = 64 * 1024;

/** Most bytes one sample value takes (`-1.2345678901234567e-308` and the like). */
const MAX_VALUE_BYTES = 32;

const BACKSLASH = 0x5c;
const QUOTE = 0x22;
const NEWLINE = 0x0a;

/**
 * The sample lines of one family (each `name{l="v",...} value\n`, the same in both exposition
 * formats), in blocks of about BLOCK_BYTES; a line longer than that gets a block of its own.
 * Label values are escaped here; the family is assumed valid (see validateFamily). Blocks come
 * from `pool` when given (of BLOCK_BYTES; a longer line's block does not), and a last block
 * copied out goes back to it.
 */
export function* sampleLineBlocks(family: FamilySamples, pool?: BlockPool): Generator<Buffer, void, undefined> {
  const { name, labelNames, labelValues, values } = family;
  const width = labelNames.length;
  // The fixed pieces around the label values: `name{a="`, `",b="`, ..., then `"} ` (or `name `).
  const texts = width === 0 ? [] : [`${name}{${labelNames[0]}="`];
  for (let i = 1; i < width; i++) texts.push(`",${labelNames[i]}="`);
  texts.push(width === 0 ? `${name} ` : '"} ');
  const pieces = texts.map((t) => Buffer.from(t, 'utf8'));
  const fixedBytes = pieces.reduce((n, p) => n + p.length, 0) + MAX_VALUE_BYTES + 1;
  if (values.length === 0) return;

  const newBlock = (bytes: number): Buffer =>
    pool !== undefined && bytes <= pool.blockBytes ? pool.take() : Buffer.allocUnsafeSlow(Math.max(BLOCK_BYTES, bytes));
  let block = newBlock(BLOCK_BYTES);
  let at = 0;
  let label = 0;
  for (let series = 0; series < values.length; series++) {
    const value = values[series]!;
    // Escaping doubles an ASCII character; UTF-8 takes at most 3 bytes per UTF-16 unit.
    let bound = fixedBytes;
    for (let i = 0; i < width; i++) bound += 3 * (labelValues[label + i] as string).length;
    if (at + bound > block.length) {
      if (at > 0) yield block.subarray(0, at);
      block = newBlock(bound);
      at = 0;
    }
    for (let i = 0; i < width; i++) {
      at = copyInto(block, at, pieces[i]!);
      at = writeLabelValue(block, at, labelValues[label++] as string);
    }
    at = copyInto(block, at, pieces[width]!);
    at = writeValue(block, at, value);
    block[at++] = NEWLINE;
  }
  if (at === 0) {
    pool?.give([block]);
    return;
  }
  // A mostly empty last block is copied out, so that small families do not each hold 64 KB.
  if (at > block.length / 2) {
    yield block.subarray(0, at);
    return;
  }
  const copy = Buffer.from(block.subarray(0, at));
  pool?.give([block]);
  yield copy;
}

function copyInto(block: Buffer, at: number, piece: Buffer): number {
  for (let k = 0; k < piece.length; k++) block[at + k] = piece[k]!;
  return at + piece.length;
}

/** Writes `value` escaped (`\` `"` newline); returns the offset after it. */
function writeLabelValue(block: Buffer, at: number, value: string): number {
  for (let k = 0; k < value.length; k++) {
    const c = value.charCodeAt(k);
    if (c >= 0x80) return at + block.write(escapeLabelValue(value.slice(k)), at, 'utf8');
    if (c === BACKSLASH || c === QUOTE) {
      block[at++] = BACKSLASH;
      block[at++] = c;
    } else if (c === NEWLINE) {
      block[at++] = BACKSLASH;
      block[at++] = 0x6e; // n
    } else block[at++] = c;
  }
  return at;
}

/** Writes the value as formatValue spells it; returns the offset after it. */
function writeValue(block: Buffer, at: number, value: number): number {
  if (Number.isInteger(value) && value >= 0 && value < 1e15) {
    // The common case, counts: digits without making a string. (-0 lands here and is `0`.)
    let digits = 1;
    for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits++;
    let rest = value;
    for (let p = at + digits - 1; p >= at; p--) {
      block[p] = 0x30 + (rest % 10);
      rest = Math.floor(rest / 10);
    }
    return at + digits;
  }
  const text = formatValue(value);
  for (let k = 0; k < text.length; k++) block[at + k] = text.charCodeAt(k);
  return at + text.length;
}
