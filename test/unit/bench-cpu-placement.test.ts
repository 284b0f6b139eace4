import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  allowedCpus,
  asExporterPlaced,
  everyCpu,
  parseCpuList,
  placeAwayFromExporter,
  placeExporter,
  planCpuPlacement,
  releaseProcess,
  tasksetProblem,
  threadsOutOfPlace,
} from '../../bench/cpu-placement.js';

describe('parseCpuList', () => {
  it('reads the list forms taskset and /proc print', () => {
    expect(parseCpuList('0-3,6')).toEqual([0, 1, 2, 3, 6]);
    expect(parseCpuList(' 5\n')).toEqual([5]);
    expect(parseCpuList('4,0-1,1')).toEqual([0, 1, 4]);
  });

  it('names what it could not read', () => {
    expect(() => parseCpuList('3-1')).toThrow("not a CPU list: '3-1'");
    expect(() => parseCpuList('0,x')).toThrow("not a CPU list: '0,x'");
  });
});

describe('planCpuPlacement', () => {
  it('gives the exporter main thread the first CPU and everything else the rest', () => {
    const plan = planCpuPlacement([2, 5, 7], true, null);
    expect(plan).toEqual({ pinned: true, exporterMainCpu: 2, otherCpus: [5, 7] });
    if (plan.pinned) expect(everyCpu(plan)).toEqual([2, 5, 7]);
  });

  it('pins nothing, and says why, when it cannot or should not', () => {
    expect(planCpuPlacement([0, 1], false, null)).toEqual({ pinned: false, reason: '--no-pin' });
    expect(planCpuPlacement([0], true, null)).toEqual({ pinned: false, reason: 'only 1 CPU available' });
    expect(planCpuPlacement(null, true, null)).toMatchObject({ pinned: false, reason: expect.stringContaining('not Linux') });
    expect(planCpuPlacement([0, 1], true, 'taskset (util-linux) not found')).toEqual({ pinned: false, reason: 'taskset (util-linux) not found' });
  });
});

describe('tasksetProblem', () => {
  it('names a missing taskset', () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      expect(tasksetProblem([0])).toBe('taskset (util-linux) not found');
    } finally {
      process.env.PATH = path;
    }
  });
});

// Real pinning needs Linux, two CPUs this process may use, and taskset.
const cpus = allowedCpus('self');
const plan = planCpuPlacement(cpus, true, tasksetProblem(cpus));
const canPin = plan.pinned;

describe.skipIf(!canPin)('placing real processes (taskset)', () => {
  if (!plan.pinned) return;
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const c of children.splice(0)) if (c.pid !== undefined && c.exitCode === null) process.kill(c.pid, 'SIGKILL');
  });

  /** A Node process with its libuv pool started, that starts a worker thread when sent 'worker'. */
  const startChild = async (): Promise<number> => {
    const script = `
      require('node:fs').readFile('/proc/self/status', () => process.send('ready'));
      process.on('message', () => {
        const w = new (require('node:worker_threads').Worker)('setInterval(() => {}, 1000)', { eval: true });
        w.on('online', () => process.send('worker'));
      });
      setTimeout(() => process.exit(0), 15000);`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    children.push(child);
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`child exited (${code}) before it was ready`)));
    });
    return child.pid!;
  };
  const threads = (pid: number): number[] => readdirSync(`/proc/${pid}/task`).map(Number);

  it('the exporter: main thread alone on its CPU, every other thread on the others', async () => {
    const pid = await startChild();
    placeExporter(pid, plan);
    expect(allowedCpus(pid)).toEqual([plan.exporterMainCpu]);
    const others = threads(pid).filter((t) => t !== pid);
    expect(others.length).toBeGreaterThanOrEqual(4); // V8's and libuv's threads
    for (const tid of others) expect(allowedCpus(tid)).toEqual(plan.otherCpus);
    expect(threadsOutOfPlace(pid, plan)).toBe(0);
  });

  it('tells when a thread started after placement inherited the exporter CPU', async () => {
    const pid = await startChild();
    placeExporter(pid, plan);
    const child = children.at(-1)!;
    const started = new Promise<void>((resolve) => child.once('message', () => resolve()));
    child.send('worker');
    await started;
    expect(threadsOutOfPlace(pid, plan)).toBeGreaterThanOrEqual(1);
  });

  it('the simulator: every thread off the exporter CPU, and back on every CPU after phase 1', async () => {
    const pid = await startChild();
    placeAwayFromExporter(pid, plan);
    for (const tid of threads(pid)) expect(allowedCpus(tid)).toEqual(plan.otherCpus);
    releaseProcess(pid, plan);
    for (const tid of threads(pid)) expect(allowedCpus(tid)).toEqual(cpus);
  });

  it('a process that has exited is left alone, without an error', async () => {
    const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    await new Promise((resolve) => child.once('exit', resolve));
    expect(() => placeExporter(child.pid!, plan)).not.toThrow();
    expect(() => releaseProcess(child.pid!, plan)).not.toThrow();
    expect(threadsOutOfPlace(child.pid!, plan)).toBe(0);
  });

  it('asExporterPlaced runs the floor on the exporter CPU and gives the CPUs back, also on failure', async () => {
    const before = allowedCpus(process.pid);
    const inside = await asExporterPlaced(plan, async () => allowedCpus(process.pid));
    expect(inside).toEqual([plan.exporterMainCpu]);
    expect(allowedCpus(process.pid)).toEqual(before);
    await expect(asExporterPlaced(plan, () => Promise.reject(new Error('floor failed')))).rejects.toThrow('floor failed');
    expect(allowedCpus(process.pid)).toEqual(before);
  });
});

describe('without a plan nothing is touched', () => {
  it('placement functions are no-ops and the floor runs as is', async () => {
    const off = planCpuPlacement(cpus, false, null);
    const before = allowedCpus(process.pid);
    placeExporter(process.pid, off);
    placeAwayFromExporter(process.pid, off);
    releaseProcess(process.pid, off);
    expect(threadsOutOfPlace(process.pid, off)).toBe(0);
    expect(await asExporterPlaced(off, async () => allowedCpus(process.pid))).toEqual(before);
  });
});
