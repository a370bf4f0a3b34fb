// Slice predictions → one prediction per patient.
import type { EvalRow, Fusion } from './types.js';

export interface PatientRow {
  patient: string;
  probs: number[];
  labels: number[];
  /** slices behind this patient's prediction */
  slices: number;
  /** (sequence, plane) groups behind it */
  groups: number;
}

/**
 * Patients in order of first appearance. Labels are taken from the patient's first row; the caller has
 * already checked that all of a patient's rows agree.
 */
export function fusePatients(rows: readonly EvalRow[], fusion: Fusion, nLabels: number): PatientRow[] {
  // patient → group key → [sum per label, count]
  const byPatient = new Map<string, { labels: readonly number[]; slices: number; groups: Map<string, { sum: number[]; count: number }> }>();
  for (const r of rows) {
    let p = byPatient.get(r.patient);
    if (!p) {
      p = { labels: r.labels, slices: 0, groups: new Map() };
      byPatient.set(r.patient, p);
    }
    p.slices++;
    // With `mean` every slice goes into one group, so both fusions share the code below.
    const key = fusion === 'mean' ? '' : JSON.stringify([r.sequence, r.plane]);
    let g = p.groups.get(key);
    if (!g) {
      g = { sum: new Array<number>(nLabels).fill(0), count: 0 };
      p.groups.set(key, g);
    }
    for (let l = 0; l < nLabels; l++) g.sum[l] = (g.sum[l] as number) + (r.probs[l] as number);
    g.count++;
  }
  const out: PatientRow[] = [];
  for (const [patient, p] of byPatient) {
    const probs = new Array<number>(nLabels).fill(0);
    for (const g of p.groups.values()) {
      for (let l = 0; l < nLabels; l++) probs[l] = (probs[l] as number) + (g.sum[l] as number) / g.count;
    }
    for (let l = 0; l < nLabels; l++) probs[l] = (probs[l] as number) / p.groups.size;
    out.push({ patient, probs, labels: [...p.labels], slices: p.slices, groups: p.groups.size });
  }
  return out;
}
