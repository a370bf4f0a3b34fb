// One direction of an LSTM's recurrence as one op with its own backward (backpropagation through time).
//
// Composed of tfjs ops under autodiff, each time step's h·W_hh has a weight gradient of its own (h_{t−1}ᵀ·dg_t, a
// full [H, 4H] matrix), and the tape keeps every one of them, with every other intermediate of the backward pass,
// until the gradients are done: for VisionLSTM at 224×224 (196 tokens, 6 blocks, 2 directions, H = 256) that was
// ~2.4 GB of the wasm heap whatever the rows (measured: 2.8 GB at 2 rows, 4.0 GB at 8; 4 GB is wasm's limit).
// Here the forward keeps only each step's activated gates, cell and previous hidden state; the backward walks the
// steps in reverse, freeing each step's temporaries, and the weight gradient is one product over all steps:
// dW_hh = Σ_t h_{t−1}ᵀ·dg_t = H_prevᵀ·dG ([t·n, H]ᵀ·[t·n, 4H]).
//
// The forward is the same ops in the same order as the composed formula (the same values, bit for bit); the
// gradients are the same mathematics in another float order (test/train/lstm-recurrence.test.ts against autodiff).
// Gate order i, f, g, o (PyTorch's).
import * as tf from '@tensorflow/tfjs';

/**
 * The time steps of x [n, t, d] as t tensors [n, d], from one read of x. tf.unstack on wasm slices each step through
 * the backend's readSync, which copies the whole input every time: 196 steps of VisionLSTM's projection at 224×224
 * took ~0.4 s per call (~10 s of a 16-row step).
 */
function timeSteps(x: tf.Tensor3D): tf.Tensor2D[] {
  const [n, t, d] = x.shape;
  const values = x.dataSync() as Float32Array;
  return Array.from({ length: t }, (_, k) => {
    const step = new Float32Array(n * d);
    for (let r = 0; r < n; r++) step.set(values.subarray((r * t + k) * d, (r * t + k + 1) * d), r * d);
    return tf.tensor2d(step, [n, d]);
  });
}

/**
 * `proj`: [n, t, 4H], the input projection with both biases already added (x·W_ih + b_ih + b_hh); `whh`: [H, 4H].
 * Returns the hidden states [n, t, H] in input order; `reverse` runs the recurrence from the last step to the first.
 */
export function lstmRecurrence(proj: tf.Tensor3D, whh: tf.Tensor2D, reverse: boolean): tf.Tensor3D {
  const op = tf.customGrad(((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [p, w] = args as [tf.Tensor3D, tf.Tensor2D];
    const save = args[2] as tf.GradSaveFunc;
    const [n, t] = p.shape;
    const h = w.shape[0];
    const steps = timeSteps(p);
    // Per step, in processing order: activated gates [n, 4H] (i, f, g, o), the new cell [n, H], the previous hidden
    // state [n, H]. Everything else is freed within the step.
    const gates: tf.Tensor2D[] = [];
    const cells: tf.Tensor2D[] = [];
    const hPrevs: tf.Tensor2D[] = [];
    const out = new Array<tf.Tensor2D>(t);
    const c0 = tf.zeros([n, h]) as tf.Tensor2D;
    let hPrev: tf.Tensor2D = tf.zeros([n, h]);
    let cPrev: tf.Tensor2D = c0;
    for (let k = 0; k < t; k++) {
      const idx = reverse ? t - 1 - k : k;
      hPrevs.push(hPrev);
      const [act, c, hNew] = tf.tidy(() => {
        const g = steps[idx]!.add(tf.matMul(hPrev, w));
        const [gi, gf, gg, go] = tf.split(g, 4, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
        const i = tf.sigmoid(gi);
        const f = tf.sigmoid(gf);
        const cc = tf.tanh(gg);
        const o = tf.sigmoid(go);
        // the composed formula's order: σ(f)·c + σ(i)·tanh(g), then σ(o)·tanh(c)
        const cNew = f.mul(cPrev).add(i.mul(cc)) as tf.Tensor2D;
        const hOut = o.mul(tf.tanh(cNew)) as tf.Tensor2D;
        return [tf.concat([i, f, cc, o], 1) as tf.Tensor2D, cNew, hOut];
      });
      gates.push(act);
      cells.push(c);
      out[idx] = hNew;
      hPrev = hNew;
      cPrev = c;
    }
    // cells[k − 1] is the previous cell of step k (c0 before the first); the forward runs in a scope that frees
    // everything neither saved nor returned
    save([w, c0, ...gates, ...cells, ...hPrevs]);
    const value = tf.transpose(tf.stack(out, 0), [1, 0, 2]) as tf.Tensor3D;
    return {
      value,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const sw = saved[0] as tf.Tensor2D;
        const c0 = saved[1] as tf.Tensor2D;
        const sGates = saved.slice(2, 2 + t) as tf.Tensor2D[];
        const sCells = saved.slice(2 + t, 2 + 2 * t) as tf.Tensor2D[];
        const sPrev = saved.slice(2 + 2 * t, 2 + 3 * t) as tf.Tensor2D[];
        const dys = timeSteps(dy as tf.Tensor3D);
        let dhNext: tf.Tensor2D = tf.zerosLike(c0);
        let dcNext: tf.Tensor2D = tf.zerosLike(c0);
        const dgs = new Array<tf.Tensor2D>(t);
        for (let k = t - 1; k >= 0; k--) {
          const idx = reverse ? t - 1 - k : k;
          const [dg, dh, dc] = tf.tidy(() => {
            const [i, f, cc, o] = tf.split(sGates[k]!, 4, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
            const cPrevK = k > 0 ? sCells[k - 1]! : c0;
            const tc = tf.tanh(sCells[k]!);
            const dhk = dys[idx]!.add(dhNext);
            const dO = dhk.mul(tc);
            const dcK = dhk.mul(o).mul(tf.scalar(1).sub(tc.square())).add(dcNext);
            const one = tf.scalar(1);
            const dgi = dcK.mul(cc).mul(i.mul(one.sub(i)));
            const dgf = dcK.mul(cPrevK).mul(f.mul(one.sub(f)));
            const dgg = dcK.mul(i).mul(one.sub(cc.square()));
            const dgo = dO.mul(o.mul(one.sub(o)));
            const g = tf.concat([dgi, dgf, dgg, dgo], 1) as tf.Tensor2D;
            return [g, tf.matMul(g, sw, false, true) as tf.Tensor2D, dcK.mul(f) as tf.Tensor2D];
          });
          tf.dispose([dhNext, dcNext]);
          dhNext = dh;
          dcNext = dc;
          dgs[idx] = dg; // in input order, so no reverse is needed after (wasm's Reverse took ~0.13 s a call)
        }
        tf.dispose([dhNext, dcNext, ...dys]);
        return tf.tidy(() => {
          const dG = tf.stack(dgs, 0); // [t, n, 4H], input order
          // the previous hidden state of each input step, in input order too
          const hp = tf.stack(reverse ? sPrev.slice().reverse() : sPrev, 0); // [t, n, H]
          const dW = tf.matMul(hp.reshape([t * n, h]), dG.reshape([t * n, 4 * h]), true, false);
          const dProj = tf.transpose(dG, [1, 0, 2]);
          tf.dispose(dgs);
          return [dProj, dW];
        });
      },
    };
  }) as Parameters<typeof tf.customGrad<tf.Tensor3D>>[0]);
  return op(proj, whh);
}
