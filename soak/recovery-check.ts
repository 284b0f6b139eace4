import type { CollectorName } from '../src/collectors/types.js';
import type { PhaseRecord } from './fault-driver.js';
import { alwaysFails } from './fault-schedule.js';
import { COLLECTOR_NAMES, COLLECTOR_OF_ENDPOINT, recoveryBoundSeconds } from './soak-config.js';
import type { UpTimeline } from './soak-observers.js';

/**
 * Per phase and collector: how long after the fault cleared aicc_up went back to 1 for good
 * (staying 1 until the phase ended), and whether the fault showed at all (aicc_up 0 while it ran).
 */

export interface Recovery {
  phaseIndex: number;
  phase: string;
  collector: CollectorName;
  /** The fault this collector's interface had (or the global one); null when none touched it. */
  fault: string | null;
  /** Seconds from the fault clearing to aicc_up 1 for good; null when it never came back. */
  recoverySeconds: number | null;
  boundSeconds: number;
  /** aicc_up was 0 at some scrape between the fault's start and its clearing plus the bound. */
  wentDown: boolean;
  /** The fault makes every run fail, so the collector must have gone down. */
  mustGoDown: boolean;
  /** Recovered within the bound. */
  ok: boolean;
}

function faultOf(record: PhaseRecord, collector: CollectorName): string | null {
  if (record.phase.global) return record.phase.global;
  const hit = record.phase.endpointFaults.find((f) => COLLECTOR_OF_ENDPOINT[f.endpoint] === collector);
  return hit ? hit.kind : null;
}

export function recoveries(records: readonly PhaseRecord[], up: UpTimeline): Recovery[] {
  const out: Recovery[] = [];
  for (const r of records) {
    for (const collector of COLLECTOR_NAMES) {
      const fault = faultOf(r, collector);
      const bound = recoveryBoundSeconds(collector);
      const series = up.up[collector];
      let lastBad = -1;
      let first = -1;
      let wentDown = false;
      for (let i = 0; i < up.atMs.length; i++) {
        const t = up.atMs[i]!;
        if (t >= r.startMs && t <= r.faultEndMs + bound * 1000 && series[i] === 0) wentDown = true;
        if (t < r.faultEndMs || t >= r.endMs) continue;
        if (first < 0) first = i;
        if (series[i] !== 1) lastBad = i;
      }
      const lastIndex = up.atMs.findLastIndex((t) => t < r.endMs);
      let recoverySeconds: number | null;
      if (first < 0) recoverySeconds = null;
      else if (lastBad < 0) recoverySeconds = 0;
      else if (lastBad >= lastIndex) recoverySeconds = null;
      else recoverySeconds = (up.atMs[lastBad + 1]! - r.faultEndMs) / 1000;
      const mustGoDown = fault !== null && alwaysFails(fault as Parameters<typeof alwaysFails>[0]);
      const ok = recoverySeconds !== null && recoverySeconds <= bound;
      out.push({ phaseIndex: r.phase.index, phase: r.phase.name, collector, fault, recoverySeconds, boundSeconds: bound, wentDown, mustGoDown, ok });
    }
  }
  return out;
}
