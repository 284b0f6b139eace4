import { CmsClient } from './cms/cms-client.js';
import { COLLECTOR_KEYS, planCollectors } from './collectors/collector-plan.js';
import type { SysindexMemory } from './collectors/sysindex-memory.js';
import type { Config } from './config/types.js';
import type { Logger } from './log.js';
import { createMetricsPipeline, type MetricsPipeline } from './metrics/metrics-endpoint.js';
import { RunOutcomeBook, snapshotKey } from './scheduler/run-outcomes.js';
import { Scheduler } from './scheduler/scheduler.js';
import { startHttpServer } from './server/http-server.js';
import type { ReloadResult } from './server/types.js';
import { VERSION } from './version.js';

/** What startApp needs. */
export interface AppOptions {
  config: Config;
  logger: Logger;
  /**
   * Re-reads and validates the configuration (SIGHUP, POST /-/reload). Throws (a ConfigError)
   * when the new configuration is invalid; the running one is then kept. Absent: reload refused.
   */
  reloadConfig?: () => Config;
  /** Exporter clock, epoch ms (tests). */
  now?: () => number;
}

/** A running exporter. */
export interface RunningApp {
  /** Base URL of the HTTP server, e.g. http://127.0.0.1:10125 */
  readonly url: string;
  readonly port: number;
  readonly logger: Logger;
  /** The metrics layer (tests read the snapshot store and self-metrics through it). */
  readonly metrics: MetricsPipeline;
  /** True once every scheduled collector finished its first run. */
  ready(): boolean;
  /** Re-reads the configuration and applies it without a restart. Never throws. */
  reload(): Promise<ReloadResult>;
  /** Stops scheduling, aborts CMS requests in flight, closes the HTTP server. */
  stop(): Promise<void>;
}

/** Whether two values have the same JSON form (configs are plain data). */
function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Wires configuration, CMS client, collectors, scheduler, metrics and HTTP server. The server
 * knows nothing of the CMS; collectors know nothing of HTTP; the client's one limiter bounds
 * every CMS request of the process.
 */
export async function startApp(options: AppOptions): Promise<RunningApp> {
  const { logger } = options;
  const now = options.now ?? Date.now;
  let config = options.config;
  const metrics = createMetricsPipeline({ version: VERSION });
  const { self, store } = metrics;

  const makeClient = (c: Config) => new CmsClient(c.cms, { onRequest: (e) => self.recordRequest(e), logger, now });
  let client = makeClient(config);
  const memories = new Map<number, SysindexMemory>();
  const book = new RunOutcomeBook({
    snapshots: store,
    metrics: self,
    logger,
    staleAfterIntervals: (name) => config.collectors[COLLECTOR_KEYS[name]].staleAfterIntervals,
  });

  const schedule = (c: Config): Scheduler => {
    const jobs = planCollectors(c, { api: client, now }, memories);
    const keep = new Set(jobs.map((j) => snapshotKey(j.collector.name, j.collector.ccId)));
    for (const s of book.statuses()) if (!keep.has(snapshotKey(s.collector, s.ccId))) book.untrack(s.collector, s.ccId);
    book.track(jobs);
    const scheduler = new Scheduler(jobs, {
      onOutcome: (o) => book.record(o),
      onSkip: (j) => book.recordSkip(j),
      onStart: (j) => book.recordStart(j),
      now,
    });
    scheduler.start();
    logger.info({ jobs: jobs.length, shard: c.shard.index, shards: c.shard.total }, 'collectors scheduled');
    return scheduler;
  };

  self.setShard(config.shard.index, config.shard.total);
  self.recordReload(true, now());
  let scheduler = schedule(config);

  let reloading: Promise<ReloadResult> = Promise.resolve({ ok: true });
  const reload = (): Promise<ReloadResult> => {
    reloading = reloading.then(async () => {
      if (!options.reloadConfig) return { ok: false, message: 'nothing to reload: no configuration file (demo mode)' };
      let next: Config;
      try {
        next = options.reloadConfig();
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        logger.error({ problems: (err as { problems?: unknown }).problems }, 'configuration reload failed; keeping the running configuration');
        self.recordReload(false, now());
        return { ok: false, message };
      }
      if (!sameJson(next.listen, config.listen) || next.web.configFile !== config.web.configFile) {
        logger.warn('listen address and web.configFile changes take effect only after a restart');
      }
      await scheduler.stop();
      if (!sameJson(next.cms, config.cms)) {
        const old = client;
        client = makeClient(next);
        old.close();
      }
      config = next;
      self.setShard(config.shard.index, config.shard.total);
      scheduler = schedule(config);
      self.recordReload(true, now());
      logger.info('configuration reloaded');
      return { ok: true };
    });
    return reloading;
  };

  let server;
  try {
    server = await startHttpServer({
      host: config.listen.host,
      port: config.listen.port,
      metrics: metrics.endpoint,
      status: { ready: () => book.ready(), collectors: () => book.statuses() },
      onReload: config.web.enableLifecycle ? reload : undefined,
      webConfigFile: config.web.configFile,
      logger,
      version: VERSION,
    });
  } catch (err) {
    await scheduler.stop();
    book.close();
    client.close();
    throw err;
  }
  logger.info({ url: `${server.url}/metrics`, version: VERSION }, 'aicc-exporter serving metrics');

  return {
    url: server.url,
    port: server.port,
    logger,
    metrics,
    ready: () => book.ready(),
    reload,
    async stop() {
      await reloading.catch(() => undefined);
      client.close(); // aborts requests in flight at once
      await scheduler.stop();
      book.close();
      await server.close();
      logger.flush();
    },
  };
}
