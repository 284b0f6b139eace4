import type { TimeSlicer } from '../metrics/time-slicer.js';
import type { AccessCodeAnswers } from './access-code-answers.js';

/** The `stage` label values of aicc_access_code_calls, in series order per access code. */
export const ACCESS_CODE_STAGES = ['ivr', 'queue', 'agent'] as const;

/**
 * The label columns of the access-code families for one layout, the (VDN, access code) pairs of
 * a run's series in order: `byStage` (cc_id, vdn, access_code, stage; three series per code) and
 * `byCode` (cc_id, vdn, access_code). At 50,000 access codes they hold 800,000 label values and
 * 50,000 strings, ~9 MB that every run allocated and kept when they were built anew. They are
 * kept, as the same arrays, while the layout stays the same, and replaced by new arrays when a
 * run's answers list other codes or another order, so labels a snapshot already holds never
 * change.
 */
export class AccessCodeLabels {
  /** VDN and access code of each series of the layout the columns were built for. */
  #layout = new Float64Array(0);
  byStage: string[] = [];
  byCode: string[] = [];

  constructor(private readonly ccId: string) {}

  /**
   * Makes the columns those of the run in `answers` (every VDN's filled slots in order): kept if
   * the layout is the same.
   */
  async update(answers: AccessCodeAnswers, slicer: TimeSlicer): Promise<void> {
    const { series } = answers;
    if (this.#sameLayout(answers, series)) return;
    const layout = new Float64Array(2 * series);
    const byStage = new Array<string>(4 * ACCESS_CODE_STAGES.length * series);
    const byCode = new Array<string>(3 * series);
    let k = 0;
    let s = 0;
    let c = 0;
    const { vdns, start, filled, codes } = answers;
    for (let v = 0; v < vdns.length; v++) {
      if (slicer.due()) await slicer.pause();
      const vdn = vdns[v]!;
      const vdnLabel = String(vdn);
      for (let slot = start[v]!, end = slot + filled[v]!; slot < end; slot++) {
        const innoId = codes[slot]!;
        layout[k++] = vdn;
        layout[k++] = innoId;
        const code = String(innoId);
        for (const stage of ACCESS_CODE_STAGES) {
          byStage[s++] = this.ccId;
          byStage[s++] = vdnLabel;
          byStage[s++] = code;
          byStage[s++] = stage;
        }
        byCode[c++] = this.ccId;
        byCode[c++] = vdnLabel;
        byCode[c++] = code;
      }
    }
    this.#layout = layout;
    this.byStage = byStage;
    this.byCode = byCode;
  }

  #sameLayout(answers: AccessCodeAnswers, series: number): boolean {
    const layout = this.#layout;
    if (layout.length !== 2 * series) return false;
    const { vdns, start, filled, codes } = answers;
    let k = 0;
    for (let v = 0; v < vdns.length; v++) {
      const vdn = vdns[v]!;
      for (let slot = start[v]!, end = slot + filled[v]!; slot < end; slot++) {
        if (layout[k] !== vdn || layout[k + 1] !== codes[slot]) return false;
        k += 2;
      }
    }
    return true;
  }
}
