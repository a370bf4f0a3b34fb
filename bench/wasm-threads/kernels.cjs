'use strict';
// One process of the wasm-threads experiment: `node kernels.cjs single|threaded OUTDIR` times a few kernels the five
// models spend their time in (median of 5 after a warm-up, each call synchronised by dataSync), writes each output
// to OUTDIR for the bit-identity check, and prints one JSON line.
const fs = require('node:fs');
const path = require('node:path');
const tf = require('@tensorflow/tfjs');
require('@tensorflow/tfjs-backend-wasm');

const [mode, out] = process.argv.slice(2);
const cases = [
  { name: 'matMul 512×2048 · 2048×2048', flops: 2 * 512 * 2048 * 2048, make: () => [tf.randomNormal([512, 2048], 0, 1, 'float32', 1), tf.randomNormal([2048, 2048], 0, 1, 'float32', 2)], run: ([a, b]) => tf.matMul(a, b) },
  { name: 'conv2d 8×64×64×64 → 128, 3×3', flops: 2 * 8 * 64 * 64 * 128 * 9 * 64, make: () => [tf.randomNormal([8, 64, 64, 64], 0, 1, 'float32', 3), tf.randomNormal([3, 3, 64, 128], 0, 1, 'float32', 4)], run: ([x, w]) => tf.conv2d(x, w, 1, 'same') },
  { name: 'conv2d 32×16×16×64 → 128, 1×1', flops: 2 * 32 * 16 * 16 * 128 * 64, make: () => [tf.randomNormal([32, 16, 16, 64], 0, 1, 'float32', 5), tf.randomNormal([1, 1, 64, 128], 0, 1, 'float32', 6)], run: ([x, w]) => tf.conv2d(x, w, 1, 'same') },
  { name: 'depthwise 32×32×32×96, 7×7', flops: 2 * 32 * 32 * 32 * 96 * 49, make: () => [tf.randomNormal([32, 32, 32, 96], 0, 1, 'float32', 7), tf.randomNormal([7, 7, 96, 1], 0, 1, 'float32', 8)], run: ([x, w]) => tf.depthwiseConv2d(x, w, 1, 'same') },
];

(async () => {
  const info = mode === 'threaded' ? await require('./shim.cjs').setWasmBackendThreaded(tf, 2) : ((await tf.setBackend('wasm')), await tf.ready(), { threads: 1, pthreads: false });
  const results = [];
  for (const c of cases) {
    const inputs = c.make();
    c.run(inputs).dispose(); // warm-up: the first call creates the XNNPACK operator
    const ms = [];
    let last;
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      const y = c.run(inputs);
      const data = y.dataSync();
      ms.push(performance.now() - t);
      y.dispose();
      last = data;
    }
    ms.sort((a, b) => a - b);
    fs.writeFileSync(path.join(out, `${mode}-${results.length}.bin`), Buffer.from(last.buffer, last.byteOffset, last.byteLength));
    results.push({ name: c.name, ms: ms[2], gflops: c.flops / ms[2] / 1e6 });
    inputs.forEach((t) => t.dispose());
  }
  process.stdout.write(`${JSON.stringify({ mode, info, results })}\n`);
})();
