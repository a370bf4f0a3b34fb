// Loss and metrics against independent references: float64 textbook formulas, and published/hand-worked AUROC values.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { bceWithLogits, positiveWeights } from '../../src/train/loss.js';
import { accuracyAt, auroc } from '../../src/train/metrics.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('bceWithLogits', () => {
  it('equals −[w·y·log σ(z) + (1−y)·log(1−σ(z))] averaged, computed in float64', () => {
    const z = [-3, -0.5, 0, 0.7, 2.5, -1.2, 4, 0.1];
    const y = [0, 1, 1, 0, 1, 0, 1, 1];
    const w = [2, 0.5, 1, 3];
    const sig = (v: number) => 1 / (1 + Math.exp(-v));
    let want = 0;
    z.forEach((v, i) => {
      want -= w[i % 4]! * y[i]! * Math.log(sig(v)) + (1 - y[i]!) * Math.log(1 - sig(v));
    });
    want /= z.length;
    const got = bceWithLogits(tf.tensor2d(z, [2, 4]), tf.tensor2d(y, [2, 4]), w).dataSync()[0]!;
    expect(got).toBeCloseTo(want, 5);
  });

  it('is finite and exact for huge logits (no log(0))', () => {
    const got = bceWithLogits(tf.tensor2d([[200, -200, 200, -200]]), tf.tensor2d([[1, 0, 0, 1]])).dataSync()[0]!;
    expect(got).toBeCloseTo((0 + 0 + 200 + 200) / 4, 3);
  });

  it('positiveWeights = negatives/positives per label; 1 when a label has no positive or no negative', () => {
    const y = Float32Array.from([1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0]); // 4 rows
    expect(positiveWeights(y, 4)).toEqual([3, 1, 1, 1 / 3]);
    expect(positiveWeights(Float32Array.from([1, 1, 1, 1, 1, 1, 1, 1]), 4)).toEqual([1, 1, 1, 1]); // all positive
  });
});

describe('metrics', () => {
  it('AUROC matches the scikit-learn documentation example (0.75) and handles ties as 0.5 credit', () => {
    expect(auroc([0.1, 0.4, 0.35, 0.8], [false, false, true, true])).toBeCloseTo(0.75, 12);
    expect(auroc([0.5, 0.5, 0.5, 0.5], [false, true, false, true])).toBeCloseTo(0.5, 12);
    // Hand count: pairs (pos, neg): (0.9>0.2)(0.9>0.6)(0.6=0.6 → ½)(0.6>0.2) → 3.5 / 4
    expect(auroc([0.9, 0.6, 0.6, 0.2], [true, true, false, false])).toBeCloseTo(0.875, 12);
  });

  it('AUROC is null when a split has one class only', () => {
    expect(auroc([0.1, 0.9], [true, true])).toBeNull();
    expect(auroc([0.1, 0.9], [false, false])).toBeNull();
  });

  it('accuracy at 0.5 per label', () => {
    const probs = Float32Array.from([0.9, 0.2, 0.5, 0.4, 0.1, 0.7, 0.49, 0.6]);
    const labels = Float32Array.from([1, 0, 0, 1, 0, 0, 0, 1]);
    expect([0, 1, 2, 3].map((l) => accuracyAt(probs, labels, 4, l))).toEqual([1, 0.5, 0.5, 0.5]);
  });
});
