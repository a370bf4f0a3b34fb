// One process of the wasm-threads experiment: `node train-step.mjs single|threaded|split MODEL…` measures training
// images/s at 64×64, batch 32 (measureTrainingSpeed from dist/, 1 warm-up and 3 timed steps) on the SIMD build, on the
// threaded-SIMD build with 2 pthreads, or with glioflow's own data-parallel split over 2 threads; one JSON line each.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const tf = require('@tensorflow/tfjs');
const [mode, ...models] = process.argv.slice(2);
const dist = new URL('../../dist/train/', import.meta.url);
const { registerWasmKernels } = await import(new URL('wasm-kernels.js', dist).href);
registerWasmKernels();
if (mode === 'threaded') await require('./shim.cjs').setWasmBackendThreaded(tf, 2);
else await tf.setBackend('wasm');
const { measureTrainingSpeed } = await import(new URL('bench-speed.js', dist).href);
const r = await measureTrainingSpeed({
  models,
  backend: 'wasm',
  steps: 3,
  warmup: 1,
  threads: mode === 'split' ? 2 : 1,
  onResult: (x) => process.stdout.write(`${JSON.stringify({ mode, model: x.model, imagesPerSecond: x.imagesPerSecond, threads: x.threads })}\n`),
});
if (!r.ok) throw new Error(r.error.message);
