import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { recordOutput } from './capture-logger.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** What a finished CLI process left behind. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Options of runCli. */
export interface RunCliOptions {
  /** Variables added to the environment (every AICC_* variable of this process is left out). */
  env?: Record<string, string>;
  /** Sends SIGTERM once stdout matches (for `run`, which does not end by itself). */
  stopWhen?: RegExp;
  /** Killed by PID (SIGKILL) after this long, ms. Default 30 s. */
  timeoutMs?: number;
}

/**
 * Runs the CLI from source (`node --import tsx src/cli.ts ...args`), as a user runs it, to its
 * end; the output is also recorded for the end-of-suite secret grep. The process is killed by
 * PID if it outlives `timeoutMs`.
 */
export function runCli(args: readonly string[], options: RunCliOptions = {}): Promise<CliResult> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AICC_')));
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli.ts'), ...args], {
    cwd: ROOT,
    env: { ...base, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let stopped = false;
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString('utf8');
    if (options.stopWhen && !stopped && options.stopWhen.test(stdout)) {
      stopped = true;
      child.kill('SIGTERM');
    }
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  const killer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
  return new Promise((resolve, reject) => {
    child.once('error', (err) => {
      clearTimeout(killer);
      reject(err);
    });
    child.once('close', (code) => {
      clearTimeout(killer);
      recordOutput('cli', `$ aicc-exporter ${args.join(' ')}\n${stdout}${stderr}`);
      resolve({ code, stdout, stderr });
    });
  });
}
