// Adam / AdamW with torch.optim semantics, written out so its state (m, v, step) is ours to checkpoint and restore
// by weight order (tfjs's optimizers key state by global variable names, which differ between processes).
// Adam: weight decay is L2 added to the gradient (torch.optim.Adam). AdamW: decoupled decay θ ← θ·(1 − lr·wd).
// The moments live in JS memory and the update is a plain loop: the wasm heap stops at 4 GB (in practice it failed
// near 2 GB), and AlexNet's or ViT's weights + gradients + two moments + an op-by-op update's temporaries exceed it.
import * as tf from '@tensorflow/tfjs';

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
    this.params.forEach((param, i) => {
      const gi = grads[i]!;
      const g = gi instanceof Float32Array ? gi : (gi.dataSync() as Float32Array);
      // wasm's readSync copies out of its heap already; the cpu backend hands back the variable's own storage, which
      // another tensor may share (a clone of the weights), so only there is it copied before being updated in place
      const read = param.dataSync() as Float32Array;
      const p = tf.getBackend() === 'wasm' ? read : read.slice();
      const m = this.m[i]!;
      const v = this.v[i]!;
      for (let k = 0; k < p.length; k++) {
        const gk = g[k]! + l2 * p[k]!;
        const mk = b1 * m[k]! + (1 - b1) * gk;
        const vk = b2 * v[k]! + (1 - b2) * gk * gk;
        m[k] = mk;
        v[k] = vk;
        p[k] = p[k]! * shrink - (lr * (mk / c1)) / (Math.sqrt(vk / c2) + eps);
      }
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
