/**
 * HTTP basic auth against bcrypt hashes (exporter-toolkit's basic_auth_users). bcrypt is slow on
 * purpose (about 70 ms at cost 10, more in JavaScript), so successful checks are remembered for
 * a short time under a SHA-256 of (user, hash, password), and checks run one at a time, as
 * exporter-toolkit does, so a flood of guesses cannot take every core.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import bcrypt from 'bcryptjs';

/** How long a successful check is remembered, ms. */
export const AUTH_CACHE_TTL_MS = 60_000;
/** Most remembered checks; the oldest is dropped first. */
const AUTH_CACHE_MAX = 256;
/** bcrypt("fakepassword"): compared against for unknown users so their timing matches known ones. */
const DECOY_HASH = '$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi';

/** The user and password of an `Authorization: Basic ...` header; null when absent or malformed. */
export function parseBasicAuthorization(header: string | undefined): { user: string; password: string } | null {
  if (header === undefined) return null;
  const m = /^basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!m) return null;
  const decoded = Buffer.from(m[1] as string, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** Checks credentials against one set of users; make a new one when the users change. */
export class BasicAuthenticator {
  private readonly users: ReadonlyArray<{ digest: Buffer; user: string; hash: string }>;
  private readonly verified = new Map<string, number>();
  private readonly inFlight = new Map<string, Promise<boolean>>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(users: ReadonlyMap<string, string>, private readonly now: () => number = Date.now) {
    this.users = [...users].map(([user, hash]) => ({ digest: sha256(user), user, hash }));
  }

  /** Whether any user is configured (no users: every request is let through). */
  get enabled(): boolean {
    return this.users.length > 0;
  }

  /** Whether `header` carries a configured user's password. */
  async check(header: string | undefined): Promise<boolean> {
    const credentials = parseBasicAuthorization(header);
    if (credentials === null) return false;
    const entry = this.findUser(credentials.user);
    const hash = entry?.hash ?? DECOY_HASH;
    const cacheKey = createHash('sha256')
      .update(`${credentials.user}\0${hash}\0${credentials.password}`)
      .digest('base64');
    const expires = this.verified.get(cacheKey);
    if (entry !== undefined && expires !== undefined && expires > this.now()) return true;
    // Identical checks in flight (parallel scrapes with the same credentials) share one bcrypt run.
    let pending = this.inFlight.get(cacheKey);
    if (pending === undefined) {
      pending = this.serialized(() => bcrypt.compare(credentials.password, hash)).finally(() => {
        this.inFlight.delete(cacheKey);
      });
      this.inFlight.set(cacheKey, pending);
    }
    const ok = await pending;
    if (!ok || entry === undefined) return false;
    this.remember(cacheKey);
    return true;
  }

  /** Compares the user name against every configured one in constant time per name. */
  private findUser(user: string): { user: string; hash: string } | undefined {
    const digest = sha256(user);
    let found: { user: string; hash: string } | undefined;
    for (const candidate of this.users) {
      if (timingSafeEqual(candidate.digest, digest) && found === undefined) found = candidate;
    }
    return found;
  }

  private remember(cacheKey: string): void {
    this.verified.delete(cacheKey);
    this.verified.set(cacheKey, this.now() + AUTH_CACHE_TTL_MS);
    while (this.verified.size > AUTH_CACHE_MAX) {
      const oldest = this.verified.keys().next().value;
      if (oldest === undefined) break;
      this.verified.delete(oldest);
    }
  }

  private serialized<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
