import { startApp, type RunningApp } from './app.js';
import { demoConfig } from './config/index.js';
import type { Logger } from './log.js';
import { DEMO_ACCESS_KEY, DEMO_SECRET_KEY, generateScenario, startSimulator } from './simulator/start-simulator.js';

/** The demo's call center: 1 call center, 3 VDNs, 4 access codes and 12 agents each, all watched. */
export const DEMO_SCENARIO = { callCenters: 1, vdnsPerCallCenter: 3, accessCodesPerVdn: 4, agentsPerVdn: 12 } as const;

/**
 * `npm start` without --config: an in-process CC-CMS simulator on a free loopback port (real time,
 * the demo keys) and the exporter pointed at it, with every collector. `overrides` are the
 * command line's config overrides (listen address, log level, ...).
 */
export async function startDemo(options: { logger: Logger; overrides: Record<string, unknown> }): Promise<RunningApp> {
  const { logger } = options;
  const simulator = await startSimulator({ scenario: generateScenario(DEMO_SCENARIO), clock: { mode: 'real' } });
  logger.info({ cmsUrl: simulator.url }, 'demo: CC-CMS simulator started (no --config given)');
  let app: RunningApp;
  try {
    const config = demoConfig(simulator.url, DEMO_ACCESS_KEY, DEMO_SECRET_KEY, simulator.scenario.callCenters, {
      'cms.retries': 0,
      ...options.overrides,
    });
    app = await startApp({ config, logger });
  } catch (err) {
    await simulator.close();
    throw err;
  }
  logger.info(`demo: metrics at ${app.url}/metrics, landing page at ${app.url}/`);
  return {
    ...app,
    async stop() {
      await app.stop();
      await simulator.close();
    },
  };
}
