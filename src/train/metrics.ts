// Per-label metrics for the training history: accuracy at threshold 0.5 and AUROC (Mann–Whitney U with tied ranks
// averaged; null when a label has only one class in the split, where AUROC is undefined).

export function accuracyAt(probs: Float32Array, labels: Float32Array, labelCount: number, label: number, threshold = 0.5): number | null {
  const rows = labels.length / labelCount;
  if (rows === 0) return null;
  let right = 0;
  for (let r = 0; r < rows; r++) {
    const p = probs[r * labelCount + label]! >= threshold ? 1 : 0;
    const y = labels[r * labelCount + label]! >= 0.5 ? 1 : 0;
    if (p === y) right++;
  }
  return right / rows;
}

export function auroc(scores: readonly number[], positives: readonly boolean[]): number | null {
  const n = scores.length;
  const order = [...scores.keys()].sort((a, b) => scores[a]! - scores[b]!);
  const ranks = new Array<number>(n);
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]!] === scores[order[i]!]) j++;
    const avg = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k]!] = avg;
    i = j + 1;
  }
  let nPos = 0;
  let rankSum = 0;
  for (let i = 0; i < n; i++) {
    if (positives[i]) {
      nPos++;
      rankSum += ranks[i]!;
    }
  }
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) return null;
  return (rankSum - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

export function aurocOf(probs: Float32Array, labels: Float32Array, labelCount: number, label: number): number | null {
  const rows = labels.length / labelCount;
  const s: number[] = [];
  const p: boolean[] = [];
  for (let r = 0; r < rows; r++) {
    s.push(probs[r * labelCount + label]!);
    p.push(labels[r * labelCount + label]! >= 0.5);
  }
  return auroc(s, p);
}
