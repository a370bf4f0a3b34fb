// Each architecture, as built for training, can drive the BCE loss on 16 fixed synthetic images below 0.1 on wasm
// (with our gradient kernels). Images carry their labels as bright/dark quadrants (quadrant k ↔ label k) and as fixed
// per-label textures, plus a ripple, so the test checks learning end to end, not the memorising of noise. Loss is measured in inference
// mode (no dropout). Sizes are the smallest each architecture sensibly allows (AlexNet's three 3/2 max pools need 63).
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { stepRandomness } from '../../src/train/layers.js';
import { bceWithLogits } from '../../src/train/loss.js';
import { buildModel, type ModelName } from '../../src/train/models.js';
import { TorchAdam } from '../../src/train/optimizer.js';
import { onWasmWithOurKernels } from './compare.js';

const N = 16;

function texture(q: number, r: number, c: number): number {
  const f = Math.sin(q * 12.9898 + r * 78.233 + c * 37.719) * 43758.5453;
  return f - Math.floor(f) < 0.5 ? -1 : 1;
}

function synthetic(size: number): { x: tf.Tensor4D; y: tf.Tensor2D } {
  const y = new Float32Array(N * 4);
  for (let i = 0; i < N; i++) for (let k = 0; k < 4; k++) y[i * 4 + k] = (i >> k) & 1; // all 16 label combinations
  const x = new Float32Array(N * size * size);
  const h = size / 2;
  for (let i = 0; i < N; i++) {
    for (let r = 0; r < size; r++) {
      for (let c = 0; c < size; c++) {
        const k = (r < h ? 0 : 2) + (c < h ? 0 : 1);
        let v = y[i * 4 + k]! * 2 - 1 + 0.3 * Math.sin(i * 7.3 + r * 1.7 + c * 0.9);
        // Plus a fixed ±1 texture per label, so that every patch (token) also carries every label.
        for (let q = 0; q < 4; q++) v += 0.5 * (y[i * 4 + q]! * 2 - 1) * texture(q, r, c);
        x[(i * size + r) * size + c] = v;
      }
    }
  }
  return { x: tf.tensor4d(x, [N, size, size, 1]), y: tf.tensor2d(y, [N, 4]) };
}

/** Full-batch Adam steps until the inference-mode loss is below 0.1; returns the losses seen. */
function fit(name: ModelName, size: number, lr: number, maxSteps: number): number[] {
  const { x, y } = synthetic(size);
  const model = buildModel(name, { size, seed: 1 });
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const opt = new TorchAdam(vars, { kind: 'adam', lr, weightDecay: 1e-5 });
  const evalLoss = (): number => tf.tidy(() => bceWithLogits(model.apply(x, { training: false }) as tf.Tensor, y).dataSync()[0]!);
  const losses = [evalLoss()];
  try {
    for (let step = 1; step <= maxSteps && losses[losses.length - 1]! >= 0.1; step++) {
      stepRandomness.step = step;
      const { value, grads } = tf.variableGrads(() => bceWithLogits(model.apply(x, { training: true }) as tf.Tensor, y), vars);
      opt.apply(vars.map((v) => grads[v.name]!));
      tf.dispose([value, ...Object.values(grads)]);
      losses.push(evalLoss());
    }
  } finally {
    model.dispose();
    tf.dispose([x, y]);
  }
  return losses;
}

onWasmWithOurKernels();

describe('every model learns 16 synthetic images on wasm', () => {
  const cases: Array<[ModelName, number, number, number]> = [
    ['ConvNeXtV2_2D', 32, 1e-3, 40],
    ['SENet', 32, 1e-3, 30],
    ['VisionLSTM', 32, 1e-3, 30],
    ['AlexNet2D', 64, 3e-4, 40],
    ['ViT', 32, 3e-4, 20],
  ];
  for (const [name, size, lr, maxSteps] of cases) {
    it(`${name} at ${size}×${size}`, () => {
      const t = performance.now();
      const losses = fit(name, size, lr, maxSteps);
      console.log(`${name}: ${losses.length - 1} steps, ${((performance.now() - t) / 1000).toFixed(1)} s, loss ${losses[0]!.toFixed(3)} → ${losses.at(-1)!.toFixed(4)}`);
      expect(losses[0]!).toBeGreaterThan(0.3); // it starts untrained
      expect(losses.at(-1)!).toBeLessThan(0.1);
    }, 600_000);
  }
});
