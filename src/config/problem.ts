/** One thing wrong with the configuration, before it becomes a line of a ConfigError. */
export interface Problem {
  /** The dotted key path (`callCenters[0].vdns[1].id`); null for file-level problems. */
  path: string | null;
  /** What is wrong: the bad value and what is allowed. Never contains a secret. */
  text: string;
}

/** Longest rendering of a value in a message, characters; the rest is elided. */
const MAX_VALUE_CHARS = 60;

/** Stands in for the value of a secret in every message. */
export const HIDDEN_VALUE = '(value hidden)';

/**
 * A value as a message shows it: strings quoted, lists and mappings as compact JSON, long ones
 * cut. `hidden` (a secret) shows nothing of it, not even its type.
 */
export function renderValue(value: unknown, hidden = false): string {
  if (hidden) return HIDDEN_VALUE;
  if (value === undefined) return 'nothing';
  let text: string;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) text = String(value);
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS - 3)}...` : text;
}

/** True for a plain mapping (not a list, not null). */
export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The closest of `candidates` to a mistyped key, when it is close enough to suggest. */
export function suggestKey(key: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance =
      candidate.toLowerCase() === key.toLowerCase() ? 0 : editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(key.length / 4)) ? best : undefined;
}

/**
 * An unknown key as a message path shows it. A key that does not look like a key name (spaces,
 * braces, over 64 characters) is often a value typed where a key belongs — `secretKey:abc` with
 * no space is one key in YAML — so it is not echoed: it may be the secret itself.
 */
export function keyForMessage(key: string): string {
  return /^[A-Za-z0-9_$-]{1,64}$/.test(key) ? key : `(a key of ${key.length} characters, not shown)`;
}

/** The message for a key the schema does not know. */
export function unknownKeyText(key: string, allowed: readonly string[]): string {
  const suggestion = suggestKey(key, allowed);
  return suggestion === undefined
    ? `unknown key (allowed: ${allowed.join(', ')})`
    : `unknown key (did you mean ${suggestion}? allowed: ${allowed.join(', ')})`;
}

/** Edit distance counting an adjacent transposition (`prot` → `port`) as one edit. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number): number => d[i]?.[j] ?? 0;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      (d[i] as number[])[j] = best;
    }
  }
  return at(a.length, b.length);
}

/** How an integer range is described: `integer 1-5000`. */
export function describeIntRange(min: number, max: number): string {
  return `integer ${min}-${max}`;
}

/** What is wrong with `value` as an integer in [min, max], or null when it is one. */
export function intRangeText(value: unknown, min: number, max: number): string | null {
  const allowed = describeIntRange(min, max);
  if (typeof value !== 'number' || !Number.isInteger(value)) return `${renderValue(value)} is not an integer (allowed: ${allowed})`;
  if (value < min || value > max) return `${value} is out of range (allowed: ${allowed})`;
  return null;
}
