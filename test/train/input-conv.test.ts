// InputConv2D (a model's first convolution) against tf.layers.conv2d: the same weights from the same initialiser, the
// same output, the same filter and bias gradients bit for bit, and no input gradient computed.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import { InputConv2D } from '../../src/train/layers.js';
import { registerWasmKernels } from '../../src/train/wasm-kernels.js';

const bits = (t: tf.Tensor): Buffer => Buffer.from((t.dataSync() as Float32Array).slice().buffer);

function pair(kernel: number, stride: number, bias: boolean): { ours: tf.layers.Layer; theirs: tf.layers.Layer } {
  const init = (): ReturnType<typeof tf.initializers.heNormal> => tf.initializers.heNormal({ seed: 7 });
  const ours = new InputConv2D({ filters: 8, kernelSize: kernel, strides: stride, useBias: bias, kernelInitializer: init(), name: 'ours' });
  const theirs = tf.layers.conv2d({ filters: 8, kernelSize: kernel, strides: stride, padding: 'valid', useBias: bias, kernelInitializer: init(), biasInitializer: 'zeros', name: 'theirs' });
  return { ours, theirs };
}

describe('InputConv2D', () => {
  registerWasmKernels();
  for (const backend of ['wasm', 'cpu']) {
    for (const [kernel, stride, bias] of [[11, 4, true], [7, 2, false], [4, 4, true]] as const) {
      it(`equals tf.layers.conv2d on ${backend}: ${kernel}×${kernel} stride ${stride}${bias ? ', bias' : ''}`, async () => {
        expect(await tf.setBackend(backend)).toBe(true);
        const x = tf.randomNormal([3, 27, 27, 1], 0, 1, 'float32', 1);
        const { ours, theirs } = pair(kernel, stride, bias);
        const yOurs = ours.apply(x) as tf.Tensor;
        const yTheirs = theirs.apply(x) as tf.Tensor;
        expect(ours.getWeights().map(bits)).toEqual(theirs.getWeights().map(bits)); // same initial weights
        // give them a bias that is not zero, so the bias takes part
        if (bias) for (const l of [ours, theirs]) l.setWeights([l.getWeights()[0] as tf.Tensor, tf.linspace(-1, 1, 8)]);
        expect(yOurs.shape).toEqual(yTheirs.shape);
        const up = tf.randomNormal(yOurs.shape, 0, 1, 'float32', 2);
        const grads = (layer: tf.layers.Layer): tf.Tensor[] => {
          const g = tf.variableGrads(() => tf.sum(tf.mul(layer.apply(x, { training: true }) as tf.Tensor, up)) as tf.Scalar, layer.trainableWeights.map((w) => w.read() as tf.Variable));
          return Object.values(g.grads);
        };
        expect(bits(ours.apply(x) as tf.Tensor).equals(bits(theirs.apply(x) as tf.Tensor))).toBe(true);
        const [gOurs, gTheirs] = [grads(ours), grads(theirs)];
        expect(gOurs.length).toBe(bias ? 2 : 1);
        for (let i = 0; i < gOurs.length; i++) expect(bits(gOurs[i] as tf.Tensor).equals(bits(gTheirs[i] as tf.Tensor)), `gradient ${i}`).toBe(true);
        const kernels = (await tf.profile(() => grads(ours))).kernels.map((k) => k.name);
        expect(kernels).toContain('Conv2DBackpropFilter');
        expect(kernels).not.toContain('Conv2DBackpropInput');
      });
    }
  }
});
