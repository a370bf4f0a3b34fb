'use strict';
// EXPERIMENT, not used by glioflow: runs @tensorflow/tfjs-backend-wasm 4.22's threaded-SIMD build under Node.
// tfjs turns it off under Node (WASM_HAS_MULTITHREAD_SUPPORT is false when IS_NODE, tfjs issue #3830) because its
// Emscripten pthread workers are made from Blob URLs, which worker_threads cannot load. During backend init only,
// this shim (1) forces the flag, (2) replaces Blob with one that remembers its text and URL.createObjectURL with one
// that writes that text to a temporary .js file and returns its path, prefixing the worker script so that inside
// each worker the main script resolves to that file too, and giving the main script the bundle-level variables its
// stringified factory refers to, (3) fakes os.cpus() to 2 × threads, as the C++ side caps the pool at half the
// logical cores (1 on a 2-core machine). Afterwards it unrefs the pthread workers, or the process never exits.
// It depends on internals of dist/tf-backend-wasm.node.js 4.22 (names require$$0…4, the factory's text prefix).
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

async function setWasmBackendThreaded(tf, threads) {
  const wasm = require('@tensorflow/tfjs-backend-wasm');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfjs-wasm-pthread-'));
  const write = (name, text) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  };
  const OriginalBlob = globalThis.Blob;
  const originalCreate = URL.createObjectURL;
  const originalCpus = os.cpus;
  let mainScript = null;
  let workers = 0;
  class TextBlob extends OriginalBlob {
    constructor(parts, options) {
      super(parts, options);
      this.text_ = parts.join('');
      if (this.text_.startsWith('var WasmBackendModuleThreadedSimd')) {
        const main = path.join(dir, 'tfjs-main.js');
        mainScript = write('tfjs-main.js', `var require$$0=require('fs'),require$$1=require('path'),require$$3=require('perf_hooks'),require$$4=require('os'),commonjsGlobal=globalThis,_scriptDir=${JSON.stringify(main)};\n${this.text_}`);
      }
    }
  }
  globalThis.Blob = TextBlob;
  URL.createObjectURL = (blob) =>
    blob instanceof TextBlob
      ? write(`tfjs-worker-${workers++}.js`, `URL.createObjectURL=()=>${JSON.stringify(mainScript)};URL.revokeObjectURL=()=>{};\n${blob.text_}`)
      : originalCreate.call(URL, blob);
  const cpu = originalCpus()[0];
  os.cpus = () => Array.from({ length: 2 * threads }, () => cpu);
  try {
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
    wasm.setThreadsCount(threads);
    if (!(await tf.setBackend('wasm'))) throw new Error('the threaded wasm backend did not initialise');
    await tf.ready();
  } finally {
    globalThis.Blob = OriginalBlob;
    URL.createObjectURL = originalCreate;
    os.cpus = originalCpus;
  }
  const pthreads = tf.backend().wasm.PThread;
  if (pthreads) for (const w of [...pthreads.runningWorkers, ...pthreads.unusedWorkers]) w.unref();
  fs.rmSync(dir, { recursive: true, force: true }); // every worker has loaded its script by now
  return { threads: wasm.getThreadsCount(), pthreads: Boolean(pthreads) };
}

module.exports = { setWasmBackendThreaded };
