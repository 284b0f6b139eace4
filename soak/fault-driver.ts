import { setTimeout as sleep } from 'node:timers/promises';
import type { CmsEndpoint } from '../src/cms/types.js';
import type { RunningSimulator } from '../src/simulator/start-simulator.js';
import { endpointFault, type Phase } from './fault-schedule.js';
import { SOAK_CMS } from './soak-config.js';
import type { TcpProxy } from './tcp-proxy.js';

/**
 * Plays the schedule against the simulator and the relay: at each phase start the faults go on,
 * at its fault end they are cleared (the relay reopens), and the wall-clock instants and the
 * simulator's request counts at those instants are recorded for the checks.
 */

/** What happened in one phase, wall-clock epoch ms. */
export interface PhaseRecord {
  phase: Phase;
  startMs: number;
  faultEndMs: number;
  endMs: number;
  /** Requests the simulator received per interface during the fault. */
  requestsDuringFault: Record<CmsEndpoint, number>;
}

/** "Very slow": every answer waits this long, just under the client's timeout. */
export const VERY_SLOW_MS = SOAK_CMS.timeoutSeconds * 1000 - 200;

/** Switches a phase's faults on (the relay goes down for `unreachable`). */
export async function applyFaults(phase: Phase, sim: RunningSimulator, proxy: TcpProxy): Promise<void> {
  for (const { endpoint, kind } of phase.endpointFaults) sim.faults.set(endpoint, endpointFault(kind));
  if (phase.global === 'all_503') sim.faults.set('all', { httpStatus: 503 });
  if (phase.global === 'very_slow') sim.faults.set('all', { latencyMs: VERY_SLOW_MS });
  if (phase.global === 'unreachable') await proxy.down();
}

/** Clears every fault and brings the relay back up on its port. */
export async function clearFaults(sim: RunningSimulator, proxy: TcpProxy): Promise<void> {
  sim.faults.clear();
  await proxy.up();
}

function diff(after: Readonly<Record<CmsEndpoint, number>>, before: Readonly<Record<CmsEndpoint, number>>): Record<CmsEndpoint, number> {
  const out = { ...after };
  for (const k of Object.keys(out) as CmsEndpoint[]) out[k] -= before[k];
  return out;
}

/**
 * Runs every phase in turn, `t0Ms` being the soak's start. Returns early (with the phases
 * played so far) once `shouldStop()` says so, e.g. because the exporter died.
 */
export async function playSchedule(
  phases: readonly Phase[],
  t0Ms: number,
  sim: RunningSimulator,
  proxy: TcpProxy,
  shouldStop: () => boolean,
  onPhase: (p: Phase) => void,
): Promise<PhaseRecord[]> {
  const records: PhaseRecord[] = [];
  const waitUntil = async (ms: number): Promise<boolean> => {
    while (Date.now() < ms) {
      if (shouldStop()) return false;
      await sleep(Math.min(100, ms - Date.now()));
    }
    return !shouldStop();
  };
  for (const phase of phases) {
    if (!(await waitUntil(t0Ms + phase.startS * 1000))) break;
    onPhase(phase);
    const before = sim.stats.requestsByEndpoint;
    const startMs = Date.now();
    await applyFaults(phase, sim, proxy);
    const completed = await waitUntil(t0Ms + phase.faultEndS * 1000);
    const requestsDuringFault = diff(sim.stats.requestsByEndpoint, before);
    await clearFaults(sim, proxy);
    const faultEndMs = Date.now();
    if (!completed || !(await waitUntil(t0Ms + phase.endS * 1000))) break;
    records.push({ phase, startMs, faultEndMs, endMs: Date.now(), requestsDuringFault });
  }
  await clearFaults(sim, proxy);
  return records;
}
