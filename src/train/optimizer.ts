// Adam / AdamW with torch.optim semantics, written out so its state (m, v, step) is ours to checkpoint and restore
// by weight order (tfjs's optimizers key state by global variable names, which differ between processes).
// Adam: weight decay is L2 added to the gradient (torch.optim.Adam). AdamW: decoupled decay θ ← θ·(1 − lr·wd).
// The update is a wasm SIMD kernel (adam-kernel.ts) that keeps the moments in a memory of its own: the tfjs wasm heap
// stops at 4 GB (in practice it failed near 2 GB), and AlexNet's or ViT's weights + gradients + two moments + an
// op-by-op update's temporaries exceed it.
import * as tf from '@tensorflow/tfjs';
import { AdamKernel, type AdamScalars } from './adam-kernel.js';
import { readValues, wasmHeap } from './heap-view.js';

export type OptimizerKind = 'adam' | 'adamw';

export interface AdamConfig {
  kind: OptimizerKind;
  lr: number;
  weightDecay: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
}

export class TorchAdam {
  step = 0;
  private readonly kernel: AdamKernel;
  private readonly b1: number;
  private readonly b2: number;
  private readonly eps: number;

  constructor(private readonly params: tf.Variable[], private readonly cfg: AdamConfig) {
    this.b1 = cfg.beta1 ?? 0.9;
    this.b2 = cfg.beta2 ?? 0.999;
    this.eps = cfg.eps ?? 1e-8;
    this.kernel = new AdamKernel(params.map((p) => p.size));
  }

  /** One update; `grads[i]` belongs to `params[i]` (a tensor, or values already read). Tensors are not disposed here. */
  apply(grads: Array<tf.Tensor | Float32Array>): void {
    // read when the update runs: on wasm a heap view, valid only after the last allocation
    const gradient = (i: number): Float32Array => {
      const g = grads[i]!;
      return g instanceof Float32Array ? g : readValues(g);
    };
    this.updateAll((i, p, out, s) => this.kernel.update(i, p, gradient(i), out, s));
  }

  /**
   * Adds one piece's gradients, times `weight`, to the step's sum, kept in the kernel (`first` starts the sum);
   * `applySum` then makes the update. `grads(i)` is read at once (a heap view is fine: nothing is allocated meanwhile).
   */
  accumulate(grads: (i: number) => Float32Array, weight: number, first: boolean): void {
    this.params.forEach((_, i) => this.kernel.accumulate(i, grads(i), weight, first));
  }

  /** One update with the gradient sum `accumulate` built. */
  applySum(): void {
    this.updateAll((i, p, out, s) => this.kernel.updateFromSum(i, p, out, s));
  }

  private updateAll(update: (i: number, p: Float32Array, out: Float32Array, s: AdamScalars) => void): void {
    this.step++;
    const { lr, weightDecay: wd, kind } = this.cfg;
    const { b1, b2, eps } = this;
    // torch.optim.Adam's own arrangement: step_size = lr / c1, denominator = √v / √c2 + eps
    const scalars: AdamScalars = {
      b1,
      b2,
      eps,
      l2: kind === 'adam' ? wd : 0,
      shrink: kind === 'adamw' ? 1 - lr * wd : 1,
      step: lr / (1 - b1 ** this.step),
      rootC2: Math.sqrt(1 - b2 ** this.step),
    };
    const heap = wasmHeap();
    this.params.forEach((param, i) => {
      if (heap) {
        // On wasm the update reads the weights and gradient where they lie in the heap and writes the new weights
        // straight into a fresh tensor: no copy out, no copy back, no 4·size fresh JS pages per weight per step
        // (AlexNet2D: 57 M weights). The views are taken after the last allocation, since growing the heap detaches them.
        const next = tf.fill(param.shape, 0, 'float32'); // filled in the heap (tf.zeros would copy a JS array in)
        const out = heap.typedArrayFromHeap(next) as Float32Array;
        update(i, readValues(param), out, scalars);
        param.assign(next);
        next.dispose();
        return;
      }
      // cpu: dataSync hands back the variable's own storage, which another tensor may share (a clone of the weights)
      const p = (param.dataSync() as Float32Array).slice();
      update(i, p, p, scalars);
      const t = tf.tensor(p, param.shape, 'float32');
      param.assign(t);
      t.dispose();
    });
  }

  /** m then v for every parameter, in parameter order: views of the kernel's memory. */
  private moments(): Float32Array[] {
    const each = this.params.map((_, i) => this.kernel.moments(i));
    return [...each.map((x) => x.m), ...each.map((x) => x.v)];
  }

  /** m then v for every parameter, in parameter order (views of the kernel's memory: copy to keep). */
  state(): { shape: number[]; data: Float32Array }[] {
    return this.moments().map((d, i) => ({ shape: this.params[i % this.params.length]!.shape, data: d }));
  }

  restore(step: number, values: Float32Array[]): void {
    if (values.length !== 2 * this.params.length) throw new Error(`optimizer state has ${values.length} tensors, expected ${2 * this.params.length}`);
    this.moments().forEach((d, i) => {
      if (values[i]!.length !== d.length) throw new Error(`optimizer tensor ${i} has ${values[i]!.length} values, expected ${d.length}`);
      d.set(values[i]!);
    });
    this.step = step;
  }

  dispose(): void {
    // Nothing on the backend: the moments are in the kernel's own memory, freed with it.
  }
}
