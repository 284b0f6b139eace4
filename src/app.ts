import { CmsClient } from './cms/cms-client.js';
import type { CmsApi } from './cms/types.js';
import { COLLECTOR_KEYS, planCollectors, plannedScopes } from './collectors/collector-plan.js';
import type { SysindexMemory } from './collectors/sysindex-memory.js';
import type { Config } from './config/types.js';
import type { Logger } from './log.js';
import { createMetricsPipeline, type MetricsPipeline } from './metrics/metrics-endpoint.js';
import { RunOutcomeBook, snapshotKey } from './scheduler/run-outcomes.js';
import { Scheduler, type ScheduledJob } from './scheduler/scheduler.js';
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

/**
 * The client signs with the wall clock, because the CMS checks the signature's timestamp against
 * its own clock (±15 min), while collectors live on the exporter clock `now` (which tests step
 * through simulated time). The CTI send/receive instants are moved onto the exporter clock so
 * that the skew compares the CTI clock with the exporter clock. Identity when they are the same.
 */
function onExporterClock(api: CmsApi, now: () => number): CmsApi {
  if (now === Date.now) return api;
  return {
    querySysindex: (q, o) => api.querySysindex(q, o),
    queryAccessCodeCallInfo: (q, o) => api.queryAccessCodeCallInfo(q, o),
    queryAgentCalls: (q, o) => api.queryAgentCalls(q, o),
    queryBasicCallInfo: (q, o) => api.queryBasicCallInfo(q, o),
    async queryCtiServerTime(q, o) {
      const t = await api.queryCtiServerTime(q, o);
      const shift = now() - Date.now();
      return { ...t, sentAtMs: t.sentAtMs + shift, receivedAtMs: t.receivedAtMs + shift };
    },
  };
}

/** Whether two values have the same JSON form (configs are plain data). */
function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Settings a reload cannot apply (the HTTP server is bound to them at start), by name, that differ. */
function restartOnlyChanges(running: Config, next: Config): string[] {
  const changed: string[] = [];
  if (!sameJson(next.listen, running.listen)) changed.push('listen');
  if (next.web.configFile !== running.web.configFile) changed.push('web.configFile');
  if (next.web.enableLifecycle !== running.web.enableLifecycle) changed.push('web.enableLifecycle');
  return changed;
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

  // No `now` here: request signatures always carry the wall clock (see onExporterClock).
  const makeClient = (c: Config) => new CmsClient(c.cms, { onRequest: (e) => self.recordRequest(e), logger });
  let client = makeClient(config);
  const memories = new Map<number, SysindexMemory>();
  const book = new RunOutcomeBook({
    snapshots: store,
    metrics: self,
    logger,
    staleAfterIntervals: (name) => config.collectors[COLLECTOR_KEYS[name]].staleAfterIntervals,
  });

  const plan = (c: Config, api: CmsClient): ScheduledJob[] =>
    planCollectors(c, { api: onExporterClock(api, now), now, maxTasksInFlight: 2 * c.cms.concurrency }, memories);
  /** What each job covers (VDNs, access codes, agents) under the running configuration. */
  let scopes = plannedScopes(config);
  /** Makes `jobs` the tracked set (series of jobs no longer planned leave /metrics now) and starts them. */
  const schedule = (c: Config, jobs: ScheduledJob[]): Scheduler => {
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
  let scheduler = schedule(config, plan(config, client));
  let stopped = false;

  const reloadFailed = (message: string, problems?: unknown): ReloadResult => {
    logger.error({ problems }, 'configuration reload failed; keeping the running configuration');
    self.recordReload(false, now());
    return { ok: false, message };
  };

  /**
   * One reload: the new configuration is read and planned while the old one keeps running, so
   * an invalid file or a failed plan changes nothing; only then is the old scheduler stopped
   * (runs in flight aborted), the client replaced if `cms` changed, and the new jobs started.
   * Sysindex counter memory is kept per call center, so counters continue across reloads.
   */
  const applyReload = async (): Promise<ReloadResult> => {
    if (stopped) return { ok: false, message: 'the exporter is shutting down' };
    if (!options.reloadConfig) {
      logger.warn('configuration reload requested, but there is no configuration file to re-read (demo mode)');
      return { ok: false, message: 'nothing to reload: no configuration file (demo mode)' };
    }
    let next: Config;
    try {
      next = options.reloadConfig();
    } catch (err) {
      return reloadFailed(err instanceof Error ? err.message : String(err), (err as { problems?: unknown }).problems);
    }
    const restartOnly = restartOnlyChanges(options.config, next);
    if (restartOnly.length > 0) {
      logger.warn({ settings: restartOnly }, 'changes of these settings take effect only after a restart');
    }
    const nextClient = sameJson(next.cms, config.cms) ? client : makeClient(next);
    let jobs: ScheduledJob[];
    try {
      jobs = plan(next, nextClient);
    } catch (err) {
      if (nextClient !== client) nextClient.close();
      return reloadFailed(`planning the collectors failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    await scheduler.stop();
    const nextScopes = plannedScopes(next);
    for (const job of jobs) {
      const key = snapshotKey(job.collector.name, job.collector.ccId);
      const before = scopes.get(key);
      const after = nextScopes.get(key);
      if (before && after && [...before].some((s) => !after.has(s))) book.markShrunk(job.collector.name, job.collector.ccId);
    }
    scopes = nextScopes;
    if (nextClient !== client) {
      client.close();
      client = nextClient;
    }
    if (next.log.level !== config.log.level) logger.level = next.log.level;
    config = next;
    self.setShard(config.shard.index, config.shard.total);
    scheduler = schedule(config, jobs);
    self.recordReload(true, now());
    logger.info({ jobs: jobs.length }, 'configuration reloaded');
    return { ok: true };
  };

  let reloading: Promise<ReloadResult> = Promise.resolve({ ok: true });
  const reload = (): Promise<ReloadResult> => {
    // Reloads run one after the other; an unexpected error fails this reload, never the next ones.
    reloading = reloading.then(applyReload).catch((err: unknown) => reloadFailed(err instanceof Error ? err.message : String(err)));
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
      stopped = true; // a reload asked for from now on does nothing
      await reloading.catch(() => undefined);
      client.close(); // aborts requests in flight at once
      await scheduler.stop();
      book.close();
      await server.close();
      logger.flush();
    },
  };
}
