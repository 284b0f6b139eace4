import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { LogAudit } from './log-audit.js';
import { EXPORTER_NODE_OPTIONS } from '../bench/exporter-node-options.js';

/**
 * The exporter under soak, as a separate process (`node dist/cli.js --config ...`), so that a
 * crash shows as an exit and every line it writes is audited. The GC probe (gc-probe.mjs) is
 * preloaded to read the heap after a forced GC on demand.
 */

/** A post-GC heap reading. */
export interface HeapReading {
  heapUsed: number;
  rss: number;
  external: number;
  /** How long the forced GC took, ms (it pauses the exporter: scrapes then wait). */
  gcMs: number;
  /** Used bytes per V8 heap space (old_space, code_space, ...). */
  spaces: Record<string, number>;
  /** When the GC ended, epoch ms. */
  atMs: number;
}

const REPO = fileURLToPath(new URL('..', import.meta.url));
const PROBE = pathToFileURL(fileURLToPath(new URL('./gc-probe.mjs', import.meta.url))).href;

/** The spawned exporter: its output audit, its exit, the GC probe, stop and kill by PID. */
export class ExporterProcess {
  readonly log: LogAudit;
  /** Set once the process exited: its code or signal. */
  exit: { code: number | null; signal: NodeJS.Signals | null; atMs: number } | null = null;
  private readonly child: ChildProcess;
  private readonly heapWaiters: Array<(r: HeapReading) => void> = [];
  private readonly exited: Promise<void>;

  private constructor(configFile: string, secrets: readonly string[]) {
    this.log = new LogAudit(secrets);
    this.child = spawn(
      process.execPath,
      [...EXPORTER_NODE_OPTIONS, '--expose-gc', '--import', PROBE, 'dist/cli.js', '--config', configFile, '--web.listen-address', '127.0.0.1:0'],
      { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_ENV: 'production' } },
    );
    createInterface({ input: this.child.stdout! }).on('line', (line) => this.log.stdoutLine(line));
    createInterface({ input: this.child.stderr! }).on('line', (line) => {
      if (line.startsWith('SOAK_HEAP ')) {
        const reading = JSON.parse(line.slice('SOAK_HEAP '.length)) as HeapReading;
        for (const w of this.heapWaiters.splice(0)) w(reading);
      } else this.log.stderrLine(line);
    });
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exit = { code, signal, atMs: Date.now() };
        resolve();
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Spawns the exporter and resolves with its metrics URL once it serves (or rejects if it dies first). */
  static async start(configFile: string, secrets: readonly string[], timeoutMs = 20_000): Promise<{ proc: ExporterProcess; url: string }> {
    const proc = new ExporterProcess(configFile, secrets);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (proc.log.listenUrl) return { proc, url: proc.log.listenUrl };
      if (proc.exit) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    proc.kill();
    throw new Error(`the exporter did not start (exit ${JSON.stringify(proc.exit)}); stderr: ${proc.log.stderr.slice(-5).join(' | ')}`);
  }

  /** Forces a GC in the exporter and resolves with the heap afterwards (null on timeout). */
  heapAfterGc(timeoutMs = 5_000): Promise<HeapReading | null> {
    if (this.exit || this.child.pid === undefined) return Promise.resolve(null);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(null), timeoutMs);
      this.heapWaiters.push((r) => {
        clearTimeout(timer);
        resolve(r);
      });
      this.child.kill('SIGUSR2');
    });
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves with how it ended. */
  async stop(graceMs = 7_000): Promise<{ code: number | null; signal: NodeJS.Signals | null; clean: boolean }> {
    if (!this.exit) {
      this.child.kill('SIGTERM');
      const killed = await Promise.race([this.exited.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), graceMs).unref())]);
      if (killed) this.kill();
      await this.exited;
      const exit = this.exit!;
      return { code: exit.code, signal: exit.signal, clean: !killed && exit.code === 0 };
    }
    return { code: this.exit.code, signal: this.exit.signal, clean: false };
  }

  /** Kills the process by its PID at once (driver failure, SIGINT). */
  kill(): void {
    if (!this.exit && this.child.pid !== undefined) this.child.kill('SIGKILL');
  }
}
