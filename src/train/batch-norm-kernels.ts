// Batch norm's training step (statistics, normalisation, and its gradient for x, gamma and beta) as five passes of
// our wasm kernels (batch-norm.wat) where tfjs composes ~20 element-wise ops per layer: SENet at 64×64, batch 32,
// spent ~0.4 s of a 2.3 s step (one thread) in them. Channels-last, float32, channels a multiple of 4, on the wasm
// backend; sync-batch-norm.ts uses the composed ops elsewhere. The statistics and the gradient sums go through the
// same whole-batch combination as there (batch-stats.ts), so a step split over threads normalises by the whole batch.
//
//   forward:  y = (x − μ)·scale + β, scale = γ/σ                              (σ = √(var + ε))
//   backward: dβ = Σdy, dγ = Σdy·x̂; dx = (γ/σ)·(dy − S₁/n − x̂·S₂/n)        (S₁, S₂: those sums over the whole batch)
//             = dy·a + (x − μ)·b + c, a = γ/σ, b = −a·S₂/(n·σ), c = −a·S₁/n
import * as tf from '@tensorflow/tfjs';
import type { TensorInfo } from '@tensorflow/tfjs';
import { wholeBatchStats, wholeBatchSums, type ActiveExchange } from './batch-stats.js';
import { compileWat, heapOffset, onHeap, type WasmHeapBackend } from './wat.js';

interface Kernels {
  stats(x: number, m: number, c: number, mean: number, m2: number): void;
  affine(a: number, centerA: number, x2: number, center2: number, m: number, c: number, scale: number, scale2: number, shift: number, out: number): void;
  sums(x: number, dy: number, m: number, c: number, mean: number, invstd: number, sumDy: number, sumDyXhat: number): void;
}
const module = compileWat(new URL('./batch-norm.wat', import.meta.url));

/** Whether x's batch norm can run on the kernels here. */
export function batchNormKernelsApply(x: tf.Tensor): boolean {
  const c = x.shape[x.shape.length - 1] ?? 0;
  return tf.getBackend() === 'wasm' && x.dtype === 'float32' && x.rank >= 2 && c > 0 && c % 4 === 0 && x.size > 0;
}

export interface BatchNormTraining {
  y: tf.Tensor;
  /** the whole batch's per-channel mean and biased variance (for the moving averages) */
  mean: Float32Array;
  variance: Float32Array;
}

/** Training-mode batch norm of x over every axis but the last (check batchNormKernelsApply first). */
export function batchNormTraining(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number, ex: ActiveExchange | undefined): BatchNormTraining {
  const backend = tf.backend() as unknown as WasmHeapBackend;
  const k = onHeap<Kernels>(module, backend);
  const c = x.shape[x.shape.length - 1]!;
  const m = x.size / c;
  const at = (t: tf.Tensor | TensorInfo): number => heapOffset(backend, t);
  const heapOut = (shape: number[]): tf.Tensor => tf.engine().makeTensorFromTensorInfo(backend.makeOutput(shape, 'float32'));
  const vector = (v: ArrayLike<number>): tf.Tensor => tf.tensor1d(Float32Array.from(v));
  const stats = { mean: new Float32Array(c), variance: new Float32Array(c) };
  const op = tf.customGrad(((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xs, g, b] = args as [tf.Tensor, tf.Tensor, tf.Tensor];
    const save = args[3] as tf.GradSaveFunc;
    const meanT = heapOut([c]);
    const m2T = heapOut([c]);
    k.stats(at(xs), m, c, at(meanT), at(m2T));
    const whole = wholeBatchStats(ex, m, meanT.dataSync(), m2T.dataSync());
    tf.dispose([meanT, m2T]);
    const n = whole.n;
    const gv = g.dataSync();
    const invstd = whole.variance.map((v) => 1 / Math.sqrt(v + epsilon));
    const scale = invstd.map((s, j) => gv[j]! * s);
    const mu = vector(whole.mean);
    const is = vector(invstd);
    const sc = vector(scale);
    const y = heapOut(xs.shape);
    k.affine(at(xs), at(mu), 0, 0, m, c, at(sc), 0, at(b), at(y));
    tf.dispose(sc);
    stats.mean.set(whole.mean);
    stats.variance.set(whole.variance);
    save([xs, mu, is]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [xSaved, muT, isT] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
        const d = dy as tf.Tensor;
        const sumDy = heapOut([c]);
        const sumDyXhat = heapOut([c]);
        k.sums(at(xSaved), at(d), m, c, at(muT), at(isT), at(sumDy), at(sumDyXhat));
        const local = new Float64Array(2 * c);
        local.set(sumDy.dataSync(), 0);
        local.set(sumDyXhat.dataSync(), c);
        const total = wholeBatchSums(ex, local, 'kernelGradient');
        const a = new Float64Array(c);
        const bcoef = new Float64Array(c);
        const cc = new Float64Array(c);
        for (let j = 0; j < c; j++) {
          a[j] = gv[j]! * invstd[j]!;
          const s1 = total[j]! / n;
          const s2 = (total[c + j]! / n) * invstd[j]!;
          bcoef[j] = -a[j]! * s2;
          cc[j] = -a[j]! * s1;
        }
        const [aT, bT, cT] = [vector(a), vector(bcoef), vector(cc)];
        const dx = heapOut(xSaved.shape);
        k.affine(at(d), 0, at(xSaved), at(muT), m, c, at(aT), at(bT), at(cT), at(dx));
        tf.dispose([aT, bT, cT]);
        // dγ = Σdy·x̂ and dβ = Σdy of this piece: the step weights and sums the pieces
        return [dx, sumDyXhat, sumDy];
      },
    };
  }) as Parameters<typeof tf.customGrad<tf.Tensor>>[0]);
  const y = op(x, gamma, beta);
  return { y, ...stats };
}
