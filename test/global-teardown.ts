/**
 * Vitest globalSetup: the end-of-suite secret grep. `setup` empties .tmp/test-output/ (where
 * test/helpers/capture-logger.ts appends every captured log line, CLI output, /metrics body and
 * landing page of the run); `teardown` reads every file there and throws, failing `vitest run`,
 * when one holds a secret key used by the tests or anything shaped like an auth-v2
 * Authorization header. The secrets are collected, not listed by hand: the simulator's and the
 * fake CMS server's keys, the cms-auth.md test vector's SK, the secret files and secretKey values
 * of test/fixtures/config/, and every string literal of 8+ characters the test sources assign to
 * a secretKey / SECRET_KEY / SECRET / SK (tenantSecretKey, TEST_SK and the like included).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_SECRET_KEY } from '../src/simulator/start-simulator.js';
import { TEST_SK } from './helpers/fake-cms-server.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
/** Same folder as capture-logger.ts's CAPTURED_OUTPUT_DIR (not imported: that would make the folder here). */
const OUTPUT_DIR = join(process.cwd(), '.tmp', 'test-output');
/** The SK of the test vector in cms-auth.md (also in test/unit/auth-v2-signer.test.ts). */
const VECTOR_SK = '1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p';
/** Shorter literals are too likely to occur by chance (`12345`) to be grepped for. */
const MIN_SECRET_LENGTH = 8;
/** An auth-v2 Authorization header (cms-auth.md): AK, timestamp, signed headers, 64 hex digits. */
export const AUTHORIZATION_PATTERN = /auth-v2\/[^/\s"]+\/[^/\s"]+\/[^/\s"]*\/[0-9a-f]{64}/;

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Secrets written in the configuration fixtures: secret files and secretKey values. */
function fixtureSecrets(): string[] {
  const out: string[] = [];
  for (const file of filesUnder(join(ROOT, 'test/fixtures/config'))) {
    const text = readFileSync(file, 'utf8');
    if (/secret/i.test(file) && file.endsWith('.txt')) out.push(...text.split(/\r?\n/));
    for (const m of text.matchAll(/"?secretKey"?\s*:\s*["']?([^"'\s,}]+)/g)) out.push(m[1] ?? '');
  }
  return out;
}

/** String literals the test sources assign to a secret key (`secretKey: '...'`, `SK = '...'`). */
function sourceSecrets(): string[] {
  const out: string[] = [];
  const assigned = /(?:secretKey|SecretKey|SECRET_KEY|secret_key|SECRET|_SK|\bSK)['"]?\s*[:=]\s*(['"`])([^'"`\n]+)\1/g;
  for (const file of filesUnder(join(ROOT, 'test'))) {
    if (!file.endsWith('.ts') || file.includes(`${join('test', 'fixtures')}`)) continue;
    for (const m of readFileSync(file, 'utf8').matchAll(assigned)) out.push(m[2] ?? '');
  }
  return out;
}

/** The distinct secrets to grep for, longest first. */
export function knownSecrets(): string[] {
  const all = [DEMO_SECRET_KEY, TEST_SK, VECTOR_SK, ...fixtureSecrets(), ...sourceSecrets()].map((s) => s.trim());
  return [...new Set(all.filter((s) => s.length >= MIN_SECRET_LENGTH && !s.includes('${')))].sort((a, b) => b.length - a.length);
}

/** Every leak in the captured output: file, line number and what leaked (secrets shown masked). */
export function findLeaks(dir = OUTPUT_DIR, secrets = knownSecrets()): string[] {
  const leaks: string[] = [];
  for (const file of filesUnder(dir)) {
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, i) => {
      const where = `${relative(process.cwd(), file)}:${i + 1}`;
      for (const secret of secrets) {
        if (line.includes(secret)) leaks.push(`${where}: secret key ${secret.slice(0, 3)}… (${secret.length} chars)`);
      }
      const auth = AUTHORIZATION_PATTERN.exec(line);
      if (auth) leaks.push(`${where}: Authorization header ${auth[0].slice(0, 16)}…`);
    });
  }
  return leaks;
}

/** Empties the capture folder so that only this run's output is checked. */
export function setup(): void {
  rmSync(OUTPUT_DIR, { recursive: true, force: true });
  mkdirSync(OUTPUT_DIR, { recursive: true });
}

/**
 * Fails the run when any captured output holds a secret or an Authorization header. Vitest 4
 * only logs an error thrown by a global teardown ("error during close") and still exits 0, so
 * the exit code is set here before throwing.
 */
export function teardown(): void {
  const files = filesUnder(OUTPUT_DIR).length;
  const leaks = findLeaks();
  if (leaks.length > 0) {
    process.exitCode = 1;
    const shown = leaks.slice(0, 20).join('\n  ');
    throw new Error(`secret grep: ${leaks.length} leak(s) in ${files} captured output file(s):\n  ${shown}`);
  }
}
