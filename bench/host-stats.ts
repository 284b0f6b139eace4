/**
 * What the machine was doing while the benchmark ran: the environment recorded with every result
 * (Node version, CPUs, load averages), machine-wide busy CPU over a window (Linux /proc/stat,
 * so load from other processes shows), and a process's resident memory from /proc/<pid>/status.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

/** The environment a result was measured in. */
export interface BenchEnvironment {
  node: string;
  platform: string;
  /** os.availableParallelism(): what `nproc` says. */
  nproc: number;
  cpuModel: string;
  totalMemoryBytes: number;
  date: string;
  /** The commit checked out, and whether the tree had uncommitted changes; null outside git. */
  git: { commit: string; dirty: boolean } | null;
}

export function environment(): BenchEnvironment {
  let git: BenchEnvironment['git'] = null;
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() !== '';
    git = { commit, dirty };
  } catch {
    // not a git checkout
  }
  return {
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    nproc: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    totalMemoryBytes: os.totalmem(),
    date: new Date().toISOString(),
    git,
  };
}

/** 1, 5 and 15 minute load averages, rounded (what `uptime` prints). */
export function loadAverage(): number[] {
  return os.loadavg().map((x) => Math.round(x * 100) / 100);
}

interface CpuTicks {
  busy: number;
  total: number;
}

function readCpuTicks(): CpuTicks | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    const f = line.trim().split(/\s+/).slice(1).map(Number);
    const idle = (f[3] ?? 0) + (f[4] ?? 0);
    const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  } catch {
    return null;
  }
}

/** Starts measuring machine-wide CPU; `stop()` gives the average busy cores since (null off Linux). */
export function machineCpu(): { stop(): number | null } {
  const start = readCpuTicks();
  return {
    stop() {
      const end = readCpuTicks();
      if (!start || !end || end.total === start.total) return null;
      const share = (end.busy - start.busy) / (end.total - start.total);
      return Math.round(share * os.cpus().length * 100) / 100;
    },
  };
}

/** VmRSS and VmHWM (peak) of a process, bytes; null off Linux. */
export function processMemory(pid: number): { rssBytes: number; peakRssBytes: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN) * 1024;
    return { rssBytes: kb('VmRSS'), peakRssBytes: kb('VmHWM') };
  } catch {
    return null;
  }
}
