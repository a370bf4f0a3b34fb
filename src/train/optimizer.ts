// Adam / AdamW with torch.optim semantics, written out so its state (m, v, step) is ours to checkpoint and restore
// by weight order (tfjs's optimizers key state by global variable names, which differ between processes).
// Adam: weight decay is L2 added to the gradient (torch.optim.Adam). AdamW: decoupled decay θ ← θ·(1 − lr·wd).
// The moments live in JS memory and the update is a plain loop: the wasm heap stops at 4 GB (in practice it failed
// near 2 GB), and AlexNet's or ViT's weights + gradients + two moments + an op-by-op update's temporaries exceed it.
import * as tf from '@tensorflow/tfjs';
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
  private readonly m: Float32Array[];
  private readonly v: Float32Array[];
  private readonly b1: number;
  private readonly b2: number;
  private readonly eps: number;

  constructor(private readonly params: tf.Variable[], private readonly cfg: AdamConfig) {
    this.b1 = cfg.beta1 ?? 0.9;
    this.b2 = cfg.beta2 ?? 0.999;
    this.eps = cfg.eps ?? 1e-8;
    this.m = params.map((p) => new Float32Array(p.size));
    this.v = params.map((p) => new Float32Array(p.size));
  }

  /** One update; `grads[i]` belongs to `params[i]` (a tensor, or values already read). Tensors are not disposed here. */
  apply(grads: Array<tf.Tensor | Float32Array>): void {
    this.step++;
    const { lr, weightDecay: wd, kind } = this.cfg;
    const { b1, b2, eps } = this;
    const c1 = 1 - b1 ** this.step;
    const c2 = 1 - b2 ** this.step;
    const l2 = kind === 'adam' ? wd : 0;
    const shrink = kind === 'adamw' ? 1 - lr * wd : 1;
    // torch.optim.Adam's own arrangement: step_size = lr / c1, denominator = √v / √c2 + eps (one division per weight)
    const stepSize = lr / c1;
    const rootC2 = Math.sqrt(c2);
    const [k1, k2] = [1 - b1, 1 - b2];
    const heap = wasmHeap();
    this.params.forEach((param, i) => {
      const gi = grads[i]!;
      // read when the update runs: on wasm a heap view, valid only after the last allocation
      const gradient = (): Float32Array => (gi instanceof Float32Array ? gi : readValues(gi));
      const m = this.m[i]!;
      const v = this.v[i]!;
      const update = (p: Float32Array, g: Float32Array, out: Float32Array): void => {
        const len = out.length;
        for (let k = 0; k < len; k++) {
          const pk = p[k]!;
          const gk = g[k]! + l2 * pk;
          const mk = b1 * m[k]! + k1 * gk;
          const vk = b2 * v[k]! + k2 * gk * gk;
          m[k] = mk;
          v[k] = vk;
          out[k] = pk * shrink - (stepSize * mk) / (Math.sqrt(vk) / rootC2 + eps);
        }
      };
      if (heap) {
        // On wasm the update reads the weights and gradient where they lie in the heap and writes the new weights
        // straight into a fresh tensor: no copy out, no copy back, no 4·size fresh JS pages per weight per step
        // (AlexNet2D: 57 M weights). The views are taken after the last allocation, since growing the heap detaches them.
        const next = tf.fill(param.shape, 0, 'float32'); // filled in the heap (tf.zeros would copy a JS array in)
        const out = heap.typedArrayFromHeap(next) as Float32Array;
        update(readValues(param), gradient(), out);
        param.assign(next);
        next.dispose();
        return;
      }
      // cpu: dataSync hands back the variable's own storage, which another tensor may share (a clone of the weights)
      const p = (param.dataSync() as Float32Array).slice();
      update(p, gradient(), p);
      const t = tf.tensor(p, param.shape, 'float32');
      param.assign(t);
      t.dispose();
    });
  }

  /** m then v for every parameter, in parameter order. */
  state(): { shape: number[]; data: Float32Array }[] {
    return [...this.m, ...this.v].map((d, i) => ({ shape: this.params[i % this.params.length]!.shape, data: d }));
  }

  restore(step: number, values: Float32Array[]): void {
    if (values.length !== 2 * this.params.length) throw new Error(`optimizer state has ${values.length} tensors, expected ${2 * this.params.length}`);
    [...this.m, ...this.v].forEach((d, i) => {
      if (values[i]!.length !== d.length) throw new Error(`optimizer tensor ${i} has ${values[i]!.length} values, expected ${d.length}`);
      d.set(values[i]!);
    });
    this.step = step;
  }

  dispose(): void {
    // Nothing on the backend: the moments are plain arrays.
  }
}
