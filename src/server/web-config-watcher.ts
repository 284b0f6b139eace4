/**
 * Keeps the web config current without a restart: re-reads the file and every file it names on
 * a short poll (and on demand), and applies it when anything changed. A rotated certificate is
 * thus served to new connections within one poll interval. An invalid new config is logged
 * (once per distinct problem) and the running one kept.
 */
import type { Logger } from '../log.js';
import { loadWebConfig, type WebConfig } from './web-config.js';

/** Default poll interval, ms. */
export const DEFAULT_WEB_CONFIG_POLL_MS = 5_000;

export class WebConfigWatcher {
  private timer: ReturnType<typeof setInterval> | null = null;
  private inFlight: Promise<boolean> | null = null;
  private lastProblem: string | null = null;

  /**
   * @param apply installs a new config; it may throw (e.g. WEB_CONFIG_NEEDS_RESTART) to refuse it.
   */
  constructor(
    private readonly file: string,
    private current: WebConfig,
    private readonly apply: (next: WebConfig) => void,
    private readonly logger: Logger,
    private readonly intervalMs: number = DEFAULT_WEB_CONFIG_POLL_MS,
  ) {}

  /** The config in force. */
  get config(): WebConfig {
    return this.current;
  }

  /** Starts polling (the timer does not keep the process alive). */
  start(): void {
    if (this.timer !== null) return;
    this.timer = setInterval(() => {
      this.reload().catch((err: unknown) => this.report(err));
    }, this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /**
   * Re-reads now; resolves true when a changed config was applied, false when nothing changed.
   * Rejects (keeping the running config) when the new config is invalid or cannot be applied.
   * Concurrent calls share one read.
   */
  reload(): Promise<boolean> {
    this.inFlight ??= this.readAndApply().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  private async readAndApply(): Promise<boolean> {
    const next = await loadWebConfig(this.file);
    if (next.fingerprint === this.current.fingerprint) {
      this.lastProblem = null;
      return false;
    }
    this.apply(next);
    this.current = next;
    this.lastProblem = null;
    this.logger.info(
      { tls: next.tls !== null, basicAuthUsers: next.users.size, clientAuth: next.tls?.clientAuthType },
      'web config reloaded',
    );
    return true;
  }

  private report(err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    if (message === this.lastProblem) return;
    this.lastProblem = message;
    this.logger.error({ err: { message, code: (err as { code?: unknown }).code } }, 'web config not applied; keeping the previous one');
  }
}
