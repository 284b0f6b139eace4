/**
 * Child processes of the e2e test (exporter, Prometheus, Alertmanager, promtool, amtool): each
 * spawned as the leader of its own process group and stopped by that PID (SIGTERM, then SIGKILL),
 * with the tail of its output kept for failure messages. A process 'exit' hook SIGKILLs whatever
 * is still running if the test runner dies before its afterAll.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { once } from 'node:events';

/** How many output lines of a child are kept for messages. */
const TAIL_LINES = 60;

/** A running (or exited) child process. */
export interface ChildHandle {
  readonly name: string;
  readonly pid: number;
  /** Resolves with the exit code (null after a signal) once the process has exited. */
  readonly exited: Promise<number | null>;
  /** Whether the process has exited. */
  hasExited(): boolean;
  /** The last lines of stdout+stderr, for messages. */
  tail(lines?: number): string;
  /** Resolves with the first output line matching `pattern`, or rejects after `timeoutMs` / on exit. */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<string>;
  /** SIGTERM to the process group, SIGKILL after `graceMs`; resolves once the process has exited. */
  stop(graceMs?: number): Promise<void>;
}

const running = new Set<ChildHandle>();
let exitHookInstalled = false;

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of running) killGroup(child.pid, 'SIGKILL');
  });
}

export interface StartChildOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Called with every chunk of output (e.g. to record it for the secret grep). */
  onOutput?: (text: string) => void;
}

/** Spawns `command args` in a new process group (detached), stdin closed, output captured. */
export function startChild(name: string, command: string, args: string[], options: StartChildOptions = {}): ChildHandle {
  installExitHook();
  const child: ChildProcess = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`${name}: could not spawn ${command}`);
  const pid = child.pid;
  const lines: string[] = [];
  const waiters = new Set<(line: string) => void>();
  let partial = '';
  const onData = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    options.onOutput?.(text);
    const parts = (partial + text).split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      lines.push(line);
      if (lines.length > TAIL_LINES) lines.shift();
      for (const w of waiters) w(line);
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  let exitedFlag = false;
  const exited = new Promise<number | null>((resolve) => {
    child.once('error', () => {
      exitedFlag = true;
      resolve(null);
    });
    child.once('exit', (code) => {
      exitedFlag = true;
      resolve(code);
    });
  });

  const handle: ChildHandle = {
    name,
    pid,
    exited,
    hasExited: () => exitedFlag,
    tail: (n = 20) => [...lines, partial].filter((l) => l !== '').slice(-n).join('\n'),
    waitForLine(pattern, timeoutMs) {
      const seen = lines.find((l) => pattern.test(l));
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise<string>((resolve, reject) => {
        const done = () => {
          clearTimeout(timer);
          waiters.delete(onLine);
        };
        const onLine = (line: string) => {
          if (!pattern.test(line)) return;
          done();
          resolve(line);
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`${name}: no output line matching ${pattern} within ${timeoutMs} ms; last output:\n${handle.tail()}`));
        }, timeoutMs);
        waiters.add(onLine);
        void exited.then((code) => {
          if (!waiters.has(onLine)) return;
          done();
          reject(new Error(`${name} exited (code ${code}) before printing ${pattern}; last output:\n${handle.tail()}`));
        });
      });
    },
    async stop(graceMs = 5_000) {
      if (!exitedFlag) {
        killGroup(pid, 'SIGTERM');
        const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }
      // Children of the leader (none expected) go with the group.
      killGroup(pid, 'SIGKILL');
      running.delete(handle);
    },
  };
  running.add(handle);
  void exited.then(() => running.delete(handle));
  return handle;
}

/** Runs a command to completion (bounded); resolves with its exit code and output. */
export async function runToCompletion(
  name: string,
  command: string,
  args: string[],
  timeoutMs: number,
  options: StartChildOptions = {},
): Promise<{ code: number | null; output: string }> {
  let output = '';
  const child = startChild(name, command, args, {
    ...options,
    onOutput: (text) => {
      output += text;
      options.onOutput?.(text);
    },
  });
  const timer = setTimeout(() => void child.stop(1_000), timeoutMs);
  const code = await child.exited;
  clearTimeout(timer);
  await child.stop();
  return { code, output };
}

/** Whether a process with this PID still exists (signal 0 probe). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A free TCP port on 127.0.0.1, for programs that cannot report the port they bound (Prometheus,
 * Alertmanager): bind port 0, read it, close. Another process could take it in between; on this
 * loopback-only test machine that race is accepted.
 */
export async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('could not read a free port');
  return address.port;
}
