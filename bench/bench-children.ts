/**
 * The benchmark's child processes (the simulator, the exporter): `node dist/cli.js ...` spawned
 * directly (no shell, so the PID is the process itself), output kept as a short tail for error
 * messages, stopped by PID (SIGTERM, SIGKILL after a grace period). Every child still running when
 * the benchmark exits, fails or gets SIGINT/SIGTERM is killed by its PID.
 */
import { spawn, type ChildProcess } from 'node:child_process';

/** Output lines kept per child for messages. */
const TAIL_LINES = 40;

/** A running (or exited) child. */
export interface BenchChild {
  readonly name: string;
  readonly pid: number;
  /** Every complete output line so far that parsed as JSON with a `level` >= 40 (pino warn+). */
  readonly warnings: string[];
  /** Resolves with the first output line matching `pattern`; rejects on timeout or exit. */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<string>;
  /** The last output lines. */
  tail(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
  stop(graceMs?: number): Promise<void>;
}

const running = new Map<number, ChildProcess>();

/** Kills (SIGKILL, by PID) every child still running; used on exit and on signals. */
export function killAllChildren(): void {
  for (const [pid, child] of running) {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  running.clear();
}

let hooksInstalled = false;
function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', killAllChildren);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      killAllChildren();
      process.stderr.write(`bench: ${signal}: children stopped\n`);
      process.exit(130);
    });
  }
}

/**
 * Starts `node <nodeOptions> <script> args`, stdin closed, stdout+stderr captured line by line.
 */
export function startNodeChild(name: string, script: string, args: readonly string[], nodeOptions: readonly string[] = []): BenchChild {
  installHooks();
  const child = spawn(process.execPath, [...nodeOptions, script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`${name}: could not spawn`);
  const pid = child.pid;
  running.set(pid, child);
  const lines: string[] = [];
  const warnings: string[] = [];
  const waiters = new Set<(line: string) => void>();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => running.delete(pid));

  let partial = '';
  const onData = (chunk: Buffer): void => {
    const parts = (partial + chunk.toString('utf8')).split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      lines.push(line);
      if (lines.length > TAIL_LINES) lines.shift();
      if (isWarning(line)) warnings.push(line);
      for (const w of waiters) w(line);
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);

  return {
    name,
    pid,
    warnings,
    tail: () => lines.join('\n'),
    waitForLine(pattern, timeoutMs) {
      const seen = lines.find((l) => pattern.test(l));
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise<string>((resolve, reject) => {
        const finish = (): void => {
          clearTimeout(timer);
          waiters.delete(onLine);
        };
        const onLine = (line: string): void => {
          if (!pattern.test(line)) return;
          finish();
          resolve(line);
        };
        const timer = setTimeout(() => {
          finish();
          reject(new Error(`${name}: nothing matching ${pattern} within ${timeoutMs} ms; output:\n${lines.join('\n')}`));
        }, timeoutMs);
        waiters.add(onLine);
        void exited.then(() => {
          if (!waiters.has(onLine)) return;
          finish();
          reject(new Error(`${name} exited (code ${child.exitCode}) before ${pattern}; output:\n${lines.join('\n')}`));
        });
      });
    },
    async stop(graceMs = 6_000) {
      if (child.exitCode === null && child.signalCode === null) {
        process.kill(pid, 'SIGTERM');
        const timer = setTimeout(() => {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }, graceMs);
        await exited;
        clearTimeout(timer);
      }
      running.delete(pid);
    },
  };
}

/** A pino JSON line at warn level or above. */
function isWarning(line: string): boolean {
  if (!line.startsWith('{')) return false;
  try {
    const level = (JSON.parse(line) as { level?: unknown }).level;
    return typeof level === 'number' && level >= 40;
  } catch {
    return false;
  }
}
