/**
 * Where the benchmark's processes run during its first phase (each collector alone), on a Linux
 * machine with two or more CPUs: the exporter's main thread (its event loop: it signs, sends,
 * parses and renders there) on a CPU of its own, every other thread (the exporter's
 * garbage-collector and compiler threads, its libuv pool, the whole simulator) on the others.
 * The simulator stands in for a CMS on its own hardware; sharing the exporter's CPU it measures
 * itself, not the exporter. On the reference machine (2 vCPUs whose kernel packs runnable
 * threads onto as few vCPUs as it can) a request woke the simulator on the exporter's CPU, where
 * it preempted the exporter in the middle of its sends: ~1 ms a hop, four hops on the critical
 * path of a sysindex run (bench/README.md has the measurements).
 *
 * Affinity is per thread: `taskset -p` on a PID moves its main thread only, `-a` every thread it
 * has now. A thread started later inherits the mask of the thread that starts it, so placement
 * happens once a process is serving (its threads exist), and `threadsOutOfPlace` tells afterwards
 * whether one appeared on the exporter's CPU. Without taskset or the right to set affinities,
 * on one CPU, off Linux or with `--no-pin`, nothing is pinned and the result says why.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';

/** The plan: which CPU the exporter's main thread gets, which CPUs everything else shares. */
export type CpuPlacement =
  | { pinned: true; exporterMainCpu: number; otherCpus: number[] }
  | { pinned: false; reason: string };

/** A CPU list as taskset and /proc print it ("0-3,6"), as ascending CPU numbers. */
export function parseCpuList(text: string): number[] {
  const cpus = new Set<number>();
  for (const part of text.trim().split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) throw new Error(`not a CPU list: '${text.trim()}'`);
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (to < from) throw new Error(`not a CPU list: '${text.trim()}'`);
    for (let c = from; c <= to; c++) cpus.add(c);
  }
  return [...cpus].sort((a, b) => a - b);
}

/** The CPUs thread `tid` may run on (/proc), or null where /proc has no such file (not Linux). */
export function allowedCpus(tid: number | 'self'): number[] | null {
  try {
    const status = readFileSync(`/proc/${tid}/status`, 'utf8');
    const line = /^Cpus_allowed_list:\s*(.+)$/m.exec(status);
    return line ? parseCpuList(line[1]!) : null;
  } catch {
    return null;
  }
}

/**
 * The placement for CPUs `allowed` (those the benchmark itself may use): the first for the
 * exporter's main thread, the rest for everything else; none with fewer than two CPUs, without
 * /proc, when not `wanted`, or when `problem` (from tasksetProblem) says why it cannot pin.
 */
export function planCpuPlacement(allowed: readonly number[] | null, wanted: boolean, problem: string | null): CpuPlacement {
  if (!wanted) return { pinned: false, reason: '--no-pin' };
  if (allowed === null) return { pinned: false, reason: 'no /proc/self/status Cpus_allowed_list (not Linux)' };
  if (allowed.length < 2) return { pinned: false, reason: `only ${allowed.length} CPU available` };
  if (problem !== null) return { pinned: false, reason: problem };
  return { pinned: true, exporterMainCpu: allowed[0]!, otherCpus: allowed.slice(1) };
}

/**
 * Why this process cannot set thread affinities with taskset, or null when it can: it sets its
 * own main thread's to `allowed` (what it already is), which fails where taskset is missing or
 * sched_setaffinity is refused (a seccomp profile).
 */
export function tasksetProblem(allowed: readonly number[] | null): string | null {
  if (allowed === null || allowed.length === 0) return 'no CPU list';
  try {
    pinThread(process.pid, allowed);
    return null;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'taskset (util-linux) not found' : (err as Error).message;
  }
}

/**
 * Pins thread `tid` to `cpus` (taskset -cp); a thread that ended meanwhile is skipped. Throws
 * with taskset's own message when it fails (`code` ENOENT when there is no taskset).
 */
function pinThread(tid: number, cpus: readonly number[]): void {
  try {
    execFileSync('taskset', ['-cp', cpus.join(','), String(tid)], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    if (!existsSync(`/proc/${tid}`)) return;
    const { code, stderr } = err as { code?: string; stderr?: Buffer };
    const why = stderr?.toString().trim() || (err as Error).message;
    throw Object.assign(new Error(`taskset could not pin thread ${tid} to CPU ${cpus.join(',')}: ${why}`), { code });
  }
}

/**
 * The thread ids of process `pid`, main thread (tid = pid) included; none once it has exited (so
 * that releasing a simulator that died does not hide why the benchmark failed).
 */
function threadsOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).map(Number);
  } catch {
    return [];
  }
}

/** Pins every thread of `pid` to `cpusOf(tid)`. */
function pinEveryThread(pid: number, cpusOf: (tid: number) => readonly number[]): void {
  for (const tid of threadsOf(pid)) pinThread(tid, cpusOf(tid));
}

/** Every thread of `pid` onto the other CPUs (the simulator); nothing when not pinned. */
export function placeAwayFromExporter(pid: number, placement: CpuPlacement): void {
  if (placement.pinned) pinEveryThread(pid, () => placement.otherCpus);
}

/** Every CPU of a plan: the exporter's and the others (the CPUs the benchmark was allowed). */
export function everyCpu(placement: Extract<CpuPlacement, { pinned: true }>): number[] {
  return [placement.exporterMainCpu, ...placement.otherCpus];
}

/** Every thread of `pid` back onto every CPU of the plan (the simulator after phase 1). */
export function releaseProcess(pid: number, placement: CpuPlacement): void {
  if (placement.pinned) pinEveryThread(pid, () => everyCpu(placement));
}

/** The exporter: its main thread onto its own CPU, its other threads onto the others. */
export function placeExporter(pid: number, placement: CpuPlacement): void {
  if (placement.pinned) pinEveryThread(pid, (tid) => (tid === pid ? [placement.exporterMainCpu] : placement.otherCpus));
}

/**
 * How many threads of exporter `pid`, other than its main thread, may run on the exporter's CPU
 * (started after placeExporter from the main thread, whose mask they inherit); 0 when not pinned
 * or the process is gone.
 */
export function threadsOutOfPlace(pid: number, placement: CpuPlacement): number {
  if (!placement.pinned) return 0;
  return threadsOf(pid).filter((tid) => tid !== pid && (allowedCpus(tid) ?? []).includes(placement.exporterMainCpu)).length;
}

/**
 * Runs `fn` with the benchmark process's own main thread where the exporter's main thread runs,
 * then puts it back on every CPU it had: the request floor's bare client stands in for the
 * exporter, so it gets the same CPU.
 */
export async function asExporterPlaced<T>(placement: CpuPlacement, fn: () => Promise<T>): Promise<T> {
  if (!placement.pinned) return fn();
  const before = allowedCpus(process.pid) ?? everyCpu(placement);
  pinThread(process.pid, [placement.exporterMainCpu]);
  try {
    return await fn();
  } finally {
    pinThread(process.pid, before);
  }
}
