import { cpus, loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';

/**
 * What else was going on while the soak measured latencies: the driver's own event-loop delay
 * (a stalled driver inflates every scrape latency it records) and the machine's 1-minute load
 * average (other processes competing for the 2 cores).
 */

export interface EnvironmentSummary {
  cpus: number;
  /** 1-minute load average: mean and highest of the samples taken every 5 s. */
  loadAverageMean: number;
  loadAverageMax: number;
  /** Event-loop delay of the soak driver, ms. */
  driverLoopDelayP99Ms: number;
  driverLoopDelayMaxMs: number;
}

/** Samples the load average every 5 s and the driver's event-loop delay from start() to stop(). */
export class EnvironmentMonitor {
  private readonly delay = monitorEventLoopDelay({ resolution: 10 });
  private readonly loads: number[] = [];
  private timer: NodeJS.Timeout | null = null;

  start(): void {
    this.delay.enable();
    const sample = () => this.loads.push(loadavg()[0]!);
    sample();
    this.timer = setInterval(sample, 5_000);
  }

  stop(): EnvironmentSummary {
    if (this.timer) clearInterval(this.timer);
    this.delay.disable();
    return {
      cpus: cpus().length,
      loadAverageMean: this.loads.reduce((a, b) => a + b, 0) / Math.max(1, this.loads.length),
      loadAverageMax: Math.max(0, ...this.loads),
      driverLoopDelayP99Ms: this.delay.percentile(99) / 1e6,
      driverLoopDelayMaxMs: this.delay.max / 1e6,
    };
  }
}
