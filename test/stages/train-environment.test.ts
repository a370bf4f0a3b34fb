// What the train stage puts into its cache key besides params and code: the backend, and for models with batch norm
// the threads that share a step's statistics (they change SENet's float rounding; other models' results do not
// depend on the thread count).
import { afterEach, describe, expect, it } from 'vitest';
import trainStage from '../../src/stages/model/train-stage.js';

const environment = (params: Record<string, unknown>) => trainStage.environment!(params as never);

describe('train stage environment (cache key)', () => {
  const saved = process.env['GLIOFLOW_TRAIN_THREADS'];
  afterEach(() => {
    if (saved === undefined) delete process.env['GLIOFLOW_TRAIN_THREADS'];
    else process.env['GLIOFLOW_TRAIN_THREADS'] = saved;
  });

  it('SENet on wasm: the backend and the batch norm threads (at most 2, one per piece)', async () => {
    process.env['GLIOFLOW_TRAIN_THREADS'] = '1';
    expect(await environment({ model: 'SENet', backend: 'wasm' })).toMatchObject({ backend: 'wasm', batch_norm_threads: '1' });
    process.env['GLIOFLOW_TRAIN_THREADS'] = '8';
    expect(await environment({ model: 'SENet', backend: 'wasm' })).toMatchObject({ backend: 'wasm', batch_norm_threads: '2' });
  });

  it('models without batch norm: the backend only, whatever the threads', async () => {
    process.env['GLIOFLOW_TRAIN_THREADS'] = '1';
    const one = await environment({ model: 'ConvNeXtV2_2D', backend: 'wasm' });
    process.env['GLIOFLOW_TRAIN_THREADS'] = '2';
    expect(await environment({ model: 'ConvNeXtV2_2D', backend: 'wasm' })).toEqual(one);
    expect(one).not.toHaveProperty('batch_norm_threads');
  });

  it("on wasm: which kernel computes the products (they round differently) and Node's major version, as this process has them", async () => {
    const env = await environment({ model: 'ConvNeXtV2_2D', backend: 'wasm' });
    // Node 20 gets relaxed SIMD behind a V8 flag we set, Node 22 has it: the FMA product either way
    expect(env).toEqual({ backend: 'wasm', wasm_products: 'relaxed-simd-fma', node: process.versions.node.split('.')[0] });
    const { registerWasmKernels, wasmProductKernel } = await import('../../src/train/wasm-kernels.js');
    registerWasmKernels(); // as the wasm backend's loader does
    expect(wasmProductKernel()).toBe(env['wasm_products']); // what really computes them, in this process
    expect(await environment({ model: 'ConvNeXtV2_2D', backend: 'cpu' })).toEqual({ backend: 'cpu', node: process.versions.node.split('.')[0] });
  });
});

describe('train and evaluate code fingerprints', () => {
  // The tfjs work runs in child processes; the stages name their child modules with new URL(…, import.meta.url), so a
  // change anywhere in the training code reruns training, and only the evaluation code reruns evaluation. Checked on
  // the build users run (dist/, made by the test set-up), where type-only imports are gone.
  it('cover what their child processes run, and not each other\'s jobs', async () => {
    const { fingerprintModule } = await import('../../src/engine/fingerprint.js');
    await (await import('../../src/engine/hash.js')).initHashing();
    const train = fingerprintModule(new URL('../../dist/stages/model/train-stage.js', import.meta.url).href).files.join('\n');
    for (const f of ['train-child', 'train-job', 'trainer', 'step-plan', 'lstm-recurrence', 'gradient-worker', 'data-parallel', 'gemm']) expect(train).toMatch(new RegExp(`${f}\\.js`));
    expect(train).toMatch(/gemm\.wat/);
    expect(train).not.toMatch(/evaluate-job/);
    const evaluate = fingerprintModule(new URL('../../dist/stages/model/evaluate-stage.js', import.meta.url).href).files.join('\n');
    for (const f of ['evaluate-child', 'evaluate-job', 'trainer', 'models']) expect(evaluate).toMatch(new RegExp(`${f}\\.js`));
    expect(evaluate).not.toMatch(/train-job/);
  });
});
