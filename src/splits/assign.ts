// Patient-level train/val/test (and k-fold) assignment, stratified on the four labels jointly.
//
// Method ("stratified quantiles"): patients are grouped into strata by their joint label vector (e.g. 1001 =
// TP53+IDH). Inside a stratum of m patients, patients are ordered by a seeded hash of their id and the patient at
// rank r gets the position v = (r + o) / m, where o in [0, 1) is a seeded offset of the stratum. Splits are intervals
// of v: test = [0, test), val = [test, test + val), train = the rest; fold = floor(v · k). So every stratum is cut in
// the requested proportions up to one patient, and the rounding of small strata is randomised by o (so the
// totals are right in expectation instead of always rounding the same way).
//
// Determinism: the result depends only on the seed and the set of (id, labels) — not on input order.
// Stability when one patient is added: only its own stratum changes; inside it the others keep their relative
// order and the interval boundaries move by at most one rank, so at most one existing patient crosses each
// boundary — at most 2 existing patients change split (k − 1 for folds). The positive-coverage repair below can
// swap a further pair, and only when a split would otherwise miss a label.
//
// This replaces Sechidis et al.'s iterative stratification, whose greedy order makes one added patient
// reshuffle many; joint strata give the same per-label balance here because there are only 4 labels (≤ 16 strata).
import { err, ok, type Result } from '../engine/result.js';
import { unitHash } from './hash.js';

export type Split = 'train' | 'val' | 'test';
export const SPLITS: readonly Split[] = ['train', 'val', 'test'];

export interface SplitPatient {
  id: string;
  /** 0/1 per label, in the project label order (TP53, PTEN, EGFR, IDH). Non-zero counts as positive. */
  labels: readonly number[];
}

export interface SplitOptions {
  seed: number;
  /** Fraction of patients in val (holdout split), e.g. 0.15. */
  val: number;
  /** Fraction of patients in test (holdout split), e.g. 0.15. */
  test: number;
  /**
   * k ≥ 3: also assign each patient to exactly one test fold 0..k−1. In fold f: test = fold f,
   * val = fold (f + 1) mod k, train = the other k − 2 folds (see splitInFold). `val`/`test` do not apply to folds.
   */
  folds?: number;
}

export interface SplitAssignment {
  patient: string;
  /** The holdout split (always computed, also when folds are asked for). */
  split: Split;
  /** The patient's test fold when options.folds is set, else null. */
  fold: number | null;
}

export interface SplitCounts {
  patients: number;
  /** Positive patients per label. */
  positives: number[];
}

export interface SplitResult {
  /** Sorted by patient id. */
  assignments: SplitAssignment[];
  folds: number | null;
  /** Holdout splits; for folds, per test fold. */
  counts: { split: Record<Split, SplitCounts>; fold: SplitCounts[] | null };
  warnings: string[];
}

export const DEFAULT_SPLIT = { val: 0.15, test: 0.15 } as const;

/** The role of a patient whose test fold is `testFold`, in fold `fold` of k. */
export function splitInFold(testFold: number, fold: number, k: number): Split {
  if (testFold === fold) return 'test';
  if (testFold === (fold + 1) % k) return 'val';
  return 'train';
}

const LABEL_NAMES = ['TP53', 'PTEN', 'EGFR', 'IDH'];
const labelName = (j: number): string => LABEL_NAMES[j] ?? `label ${j}`;

export function assignSplits(patients: readonly SplitPatient[], options: SplitOptions): Result<SplitResult> {
  const { seed, val, test } = options;
  const k = options.folds ?? null;
  if (!Number.isFinite(seed)) return err({ kind: 'splits.options', message: `seed must be a finite number, got ${seed}` });
  if (!(test >= 0 && val >= 0 && test + val < 1)) {
    return err({ kind: 'splits.options', message: `need 0 ≤ val, 0 ≤ test and val + test < 1; got val ${val}, test ${test}` });
  }
  if (k !== null && !(Number.isInteger(k) && k >= 3)) {
    return err({ kind: 'splits.options', message: `folds must be an integer ≥ 3 (fold f: test f, val f+1, train the rest); got ${k}` });
  }
  const warnings: string[] = [];
  const nLabels = patients[0]?.labels.length ?? 4;
  const seen = new Set<string>();
  const list: { id: string; bits: number[]; u: number }[] = [];
  for (const p of patients) {
    if (p.labels.length !== nLabels) {
      return err({ kind: 'splits.labels', message: `patient ${p.id} has ${p.labels.length} labels, others ${nLabels}`, item: p.id });
    }
    if (seen.has(p.id)) {
      warnings.push(`patient ${p.id} listed twice; assigned once`);
      continue;
    }
    seen.add(p.id);
    list.push({ id: p.id, bits: p.labels.map((x) => (x ? 1 : 0)), u: unitHash(seed, 'patient', p.id) });
  }
  list.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

  // Position v of every patient inside its stratum, and the stratum's own salt for folds.
  const strata = new Map<string, number[]>();
  list.forEach((p, i) => {
    const key = p.bits.join('');
    const s = strata.get(key);
    if (s) s.push(i);
    else strata.set(key, [i]);
  });
  const vSplit = new Array<number>(list.length).fill(0);
  const vFold = new Array<number>(list.length).fill(0);
  for (const [key, members] of strata) {
    members.sort((a, b) => (list[a]!.u - list[b]!.u) || (list[a]!.id < list[b]!.id ? -1 : 1));
    const m = members.length;
    const oSplit = unitHash(seed, 'stratum', key);
    const oFold = unitHash(seed, 'fold-stratum', key);
    members.forEach((idx, r) => {
      vSplit[idx] = (r + oSplit) / m;
      vFold[idx] = (r + oFold) / m;
    });
  }

  // Cut by rank of the stratified position, not by the position itself: each stratum is spread
  // evenly over [0, 1), so the lowest positions are a stratified sample, and the counts come out
  // exact (round(test·n), at least 1 when asked for) even in cohorts so small that most strata
  // hold one patient. Adding a patient shifts ranks by one: at most a few patients change split.
  const n = list.length;
  const order = list.map((_, i) => i).sort((a, b) => vSplit[a]! - vSplit[b]! || list[a]!.u - list[b]!.u);
  const want = (fraction: number): number => (fraction > 0 && n >= 3 ? Math.max(1, Math.round(fraction * n)) : 0);
  const nTest = Math.min(want(test), Math.max(0, n - 2));
  const nVal = Math.min(want(val), Math.max(0, n - 1 - nTest));
  const splitGroup = new Array<number>(n).fill(0); // index into SPLITS
  order.forEach((idx, rank) => (splitGroup[idx] = rank < nTest ? 2 : rank < nTest + nVal ? 1 : 0));
  const bits = list.map((p) => p.bits);
  const tie = list.map((p) => p.u);
  repairCoverage(splitGroup, bits, tie, [...SPLITS], [true, val > 0, test > 0], warnings, 'split');
  let foldGroup: number[] | null = null;
  if (k !== null) {
    const kk = k;
    // Folds stay cut by position (not rank): adding a patient then moves at most k − 1 others.
    foldGroup = vFold.map((v) => Math.min(kk - 1, Math.floor(v * kk)));
    const names = Array.from({ length: kk }, (_, f) => `test fold ${f}`);
    repairCoverage(foldGroup, bits, tie, names, names.map(() => true), warnings, 'fold');
  }

  const count = (members: number[]): SplitCounts => ({
    patients: members.length,
    positives: Array.from({ length: nLabels }, (_, j) => members.filter((i) => bits[i]![j] === 1).length),
  });
  const idxs = list.map((_, i) => i);
  const splitCounts = Object.fromEntries(SPLITS.map((s, g) => [s, count(idxs.filter((i) => splitGroup[i] === g))])) as Record<Split, SplitCounts>;
  const fg = foldGroup;
  const foldCounts = fg && k !== null ? Array.from({ length: k }, (_, f) => count(idxs.filter((i) => fg[i] === f))) : null;
  return ok({
    assignments: list.map((p, i) => ({ patient: p.id, split: SPLITS[splitGroup[i]!]!, fold: fg ? fg[i]! : null })),
    folds: k,
    counts: { split: splitCounts, fold: foldCounts },
    warnings,
  });
}

/**
 * Makes every group that should hold patients hold ≥ 1 positive of every label the cohort has enough positives for,
 * by swapping a positive from the group with the most positives with the most similar negative of the lacking group
 * (so group sizes and the other labels' balance are kept). Rarest labels first. Warns where it cannot.
 */
function repairCoverage(group: number[], bits: number[][], tie: number[], names: string[], wanted: boolean[], warnings: string[], what: string): void {
  const nLabels = bits[0]?.length ?? 0;
  const groups = names.map((_, g) => g).filter((g) => wanted[g] && group.some((x) => x === g));
  const pos = (g: number, j: number): number => group.reduce((n, x, i) => n + (x === g && bits[i]![j] === 1 ? 1 : 0), 0);
  const labels = Array.from({ length: nLabels }, (_, j) => j).sort(
    (a, b) => bits.filter((x) => x[a] === 1).length - bits.filter((x) => x[b] === 1).length || a - b,
  );
  for (const j of labels) {
    const total = bits.filter((x) => x[j] === 1).length;
    for (const g of groups) {
      if (pos(g, j) > 0) continue;
      // Donor: the group with most positives of j (it keeps ≥ 1 after giving one). With fewer positives than
      // groups this still spreads them, one per group, in group order (train first: a model needs positives).
      const donorGroup = [...groups].sort((a, b) => pos(b, j) - pos(a, j) || a - b)[0]!;
      if (pos(donorGroup, j) < 2) {
        warnings.push(
          total < groups.length
            ? `${labelName(j)}: only ${total} positive patient(s) in the cohort, ${names[g]} has none`
            : `${labelName(j)}: ${names[g]} has no positive patient and no ${what} can spare one`,
        );
        continue;
      }
      // Moving i out of group h must not leave h without a label it has only through i.
      const safeToMove = (i: number, h: number): boolean => bits[i]!.every((b, l) => b === 0 || pos(h, l) > 1);
      const donors = group.map((x, i) => i).filter((i) => group[i] === donorGroup && bits[i]![j] === 1 && safeToMove(i, donorGroup));
      const receivers = group.map((x, i) => i).filter((i) => group[i] === g && bits[i]![j] === 0 && safeToMove(i, g));
      let best: [number, number] | null = null;
      let bestScore = Infinity;
      for (const d of donors) {
        for (const q of receivers) {
          let dist = 0;
          for (let l = 0; l < nLabels; l++) if (l !== j && bits[d]![l] !== bits[q]![l]) dist++;
          const score = dist * 4 + tie[d]! + tie[q]!; // tie-break by seeded hash, deterministic
          if (score < bestScore) {
            bestScore = score;
            best = [d, q];
          }
        }
      }
      if (!best) {
        warnings.push(`${labelName(j)}: ${names[g]} has no positive patient and no safe swap was found`);
        continue;
      }
      const [d, q] = best;
      group[d] = g;
      group[q] = donorGroup;
    }
  }
}
