// One place decides which tfjs backend trains. Order for 'auto': tensorflow-gpu (kept only when TensorFlow sees a GPU),
// tensorflow (native CPU), wasm (with our gradient kernels), cpu (pure JS, ~100× slower: said loudly, never silently).
// `probeBackend` is the cheap, import-free half: it goes into cache keys and `status`; `selectBackend` really loads.
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { err, ok, type GlioflowError, type Result } from '../engine/result.js';

export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';
export type BackendRequest = 'auto' | BackendName;
export const BACKEND_ORDER: readonly BackendName[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

export type BackendFailureKind =
  | 'package-missing' // npm dropped the optional package (its install script needs network)
  | 'native-binding-missing' // package present, its compiled tfjs_binding.node is not
  | 'cuda-libraries-missing' // libcudart.so.11.0 / libcudnn.so.8 not found
  | 'no-gpu-device' // no /dev/nvidia* device, or TensorFlow loaded but saw no GPU
  | 'load-failed'; // import or initialisation threw

/** Why one backend was not used; typed so the manifest can record it. */
export interface BackendFailure {
  backend: BackendName;
  kind: BackendFailureKind;
  message: string;
}

export interface BackendProbe {
  /** The backend that would be chosen, or null when the requested one is unavailable. */
  name: BackendName | null;
  /** Why each earlier backend (in BACKEND_ORDER) was passed over. */
  reasons: BackendFailure[];
}

/** What the probe may look at; injected in tests (no GPU, no tfjs-node here). */
export interface ProbeEnv {
  /** Absolute path of a package's directory, or null when it cannot be resolved. */
  packageDir(name: string): string | null;
  exists(path: string): boolean;
  list(dir: string): string[];
  /** Directories searched for CUDA shared libraries. */
  libraryDirs: string[];
}

const GPU_PACKAGE = '@tensorflow/tfjs-node-gpu';
const CPU_PACKAGE = '@tensorflow/tfjs-node';
const WASM_PACKAGE = '@tensorflow/tfjs-backend-wasm';
const CUDA_LIBS = ['libcudart.so.11.0', 'libcudnn.so.8']; // what tfjs-node-gpu 4.22 (TF 2.9) links against
const GPU_DEVICES = ['/dev/nvidiactl', '/dev/nvidia0'];

export function defaultProbeEnv(): ProbeEnv {
  const req = createRequire(import.meta.url);
  const ld = (process.env.LD_LIBRARY_PATH ?? '').split(':').filter((d) => d !== '');
  return {
    packageDir(name) {
      try {
        return dirname(req.resolve(`${name}/package.json`));
      } catch {
        return null;
      }
    },
    exists: (p) => existsSync(p),
    list(dir) {
      try {
        return readdirSync(dir);
      } catch {
        return [];
      }
    },
    libraryDirs: [
      ...ld,
      '/usr/local/cuda/lib64',
      '/usr/local/cuda-11.8/lib64',
      '/usr/lib/x86_64-linux-gnu',
      '/usr/lib64',
      '/usr/lib',
      '/lib/x86_64-linux-gnu',
    ],
  };
}

/** tfjs-node keeps its binding under lib/napi-v<N>/tfjs_binding.node; the install script downloads it. */
function hasNativeBinding(env: ProbeEnv, pkgDir: string): boolean {
  const lib = join(pkgDir, 'lib');
  return env.list(lib).some((d) => d.startsWith('napi-v') && env.exists(join(lib, d, 'tfjs_binding.node')));
}

/** The cheap check for one backend: null when it looks usable, else why not. Imports nothing. */
export function probeOne(backend: BackendName, env: ProbeEnv = defaultProbeEnv()): BackendFailure | null {
  const fail = (kind: BackendFailureKind, message: string): BackendFailure => ({ backend, kind, message });
  switch (backend) {
    case 'tensorflow-gpu': {
      const dir = env.packageDir(GPU_PACKAGE);
      if (dir === null) return fail('package-missing', `${GPU_PACKAGE} is not installed (optional; its install needs network)`);
      if (!hasNativeBinding(env, dir)) return fail('native-binding-missing', `${GPU_PACKAGE} has no compiled tfjs_binding.node`);
      const missing = CUDA_LIBS.filter((lib) => !env.libraryDirs.some((d) => env.exists(join(d, lib))));
      if (missing.length > 0) return fail('cuda-libraries-missing', `not found on the library path: ${missing.join(', ')}`);
      if (!GPU_DEVICES.some((d) => env.exists(d))) return fail('no-gpu-device', `no NVIDIA device file (${GPU_DEVICES.join(', ')})`);
      return null;
    }
    case 'tensorflow': {
      const dir = env.packageDir(CPU_PACKAGE);
      if (dir === null) return fail('package-missing', `${CPU_PACKAGE} is not installed (optional; its install needs network)`);
      if (!hasNativeBinding(env, dir)) return fail('native-binding-missing', `${CPU_PACKAGE} has no compiled tfjs_binding.node`);
      return null;
    }
    case 'wasm': {
      const dir = env.packageDir(WASM_PACKAGE);
      if (dir === null) return fail('package-missing', `${WASM_PACKAGE} is not installed`);
      if (!env.exists(join(dir, 'dist', 'tfjs-backend-wasm-simd.wasm')) && !env.exists(join(dir, 'dist', 'tfjs-backend-wasm.wasm'))) {
        return fail('load-failed', `${WASM_PACKAGE} has no .wasm binary in dist/`);
      }
      return null;
    }
    case 'cpu':
      return null; // pure JS, part of @tensorflow/tfjs
  }
}

/** Which backend `selectBackend(requested)` would get, without importing tfjs. */
export function probeBackend(requested: BackendRequest, env: ProbeEnv = defaultProbeEnv()): BackendProbe {
  const candidates = requested === 'auto' ? BACKEND_ORDER : [requested];
  const reasons: BackendFailure[] = [];
  for (const b of candidates) {
    const f = probeOne(b, env);
    if (f === null) return { name: b, reasons };
    reasons.push(f);
  }
  return { name: null, reasons };
}

/** Loads one backend into tfjs and makes it current; resolves to true when it is usable (GPU seen, for -gpu). */
export type BackendLoader = () => Promise<{ ok: true } | { ok: false; kind: BackendFailureKind; message: string }>;

export interface SelectedBackend {
  name: BackendName;
  reasons: BackendFailure[];
  /** Said to the user when training will be slow or single-threaded. */
  warning?: string;
}

export interface SelectDeps {
  env?: ProbeEnv;
  loaders?: Partial<Record<BackendName, BackendLoader>>;
}

export const CPU_WARNING =
  'training on the pure-JS cpu backend: expect about 0.4 images/s for a small CNN on 2 cores (hours per epoch); ' +
  'install @tensorflow/tfjs-node or make the wasm backend available';

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function isModuleMissing(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}

// A variable specifier keeps TypeScript from resolving optional packages that npm may have dropped.
async function importOptional(spec: string): Promise<unknown> {
  return import(spec);
}

async function nativeLoader(pkg: string, wantGpu: boolean): Promise<Awaited<ReturnType<BackendLoader>>> {
  try {
    await importOptional(pkg);
  } catch (e) {
    if (isModuleMissing(e) && messageOf(e).includes(pkg)) return { ok: false, kind: 'package-missing', message: messageOf(e) };
    const m = messageOf(e);
    if (m.includes('tfjs_binding')) return { ok: false, kind: 'native-binding-missing', message: m };
    return { ok: false, kind: 'load-failed', message: m };
  }
  const tf = await import('@tensorflow/tfjs');
  if (!(await tf.setBackend('tensorflow'))) return { ok: false, kind: 'load-failed', message: `${pkg} loaded but backend 'tensorflow' did not initialise` };
  if (wantGpu) {
    const b = tf.backend() as unknown as { isUsingGpuDevice?: boolean | (() => boolean) };
    const seen = typeof b.isUsingGpuDevice === 'function' ? b.isUsingGpuDevice() : b.isUsingGpuDevice === true;
    if (!seen) {
      // Give the 'tensorflow' name back so tfjs-node (CPU) can be tried next in a clean state.
      tf.removeBackend('tensorflow');
      return { ok: false, kind: 'no-gpu-device', message: `${pkg} loaded but TensorFlow saw no GPU` };
    }
  }
  return { ok: true };
}

export const defaultLoaders: Record<BackendName, BackendLoader> = {
  'tensorflow-gpu': () => nativeLoader(GPU_PACKAGE, true),
  tensorflow: () => nativeLoader(CPU_PACKAGE, false),
  async wasm() {
    try {
      const { registerWasmKernels } = await import('./wasm-kernels.js');
      registerWasmKernels();
      const tf = await import('@tensorflow/tfjs');
      if (!(await tf.setBackend('wasm'))) return { ok: false, kind: 'load-failed', message: 'wasm backend did not initialise' };
      return { ok: true };
    } catch (e) {
      return { ok: false, kind: isModuleMissing(e) ? 'package-missing' : 'load-failed', message: messageOf(e) };
    }
  },
  async cpu() {
    const tf = await import('@tensorflow/tfjs');
    return (await tf.setBackend('cpu')) ? { ok: true } : { ok: false, kind: 'load-failed', message: 'cpu backend did not initialise' };
  },
};

/**
 * Makes the requested backend current in tfjs. 'auto' walks BACKEND_ORDER: the cheap probe first (so a machine without
 * CUDA never imports tfjs-node-gpu), then the real load; every skipped backend is returned with its reason.
 */
export async function selectBackend(
  requested: BackendRequest,
  deps: SelectDeps = {},
): Promise<Result<SelectedBackend, GlioflowError & { reasons: BackendFailure[] }>> {
  const env = deps.env ?? defaultProbeEnv();
  const loaders = { ...defaultLoaders, ...deps.loaders };
  const candidates = requested === 'auto' ? BACKEND_ORDER : [requested];
  const reasons: BackendFailure[] = [];
  for (const b of candidates) {
    const probed = probeOne(b, env);
    if (probed !== null) {
      reasons.push(probed);
      continue;
    }
    const loaded = await loaders[b]();
    if (!loaded.ok) {
      reasons.push({ backend: b, kind: loaded.kind, message: loaded.message });
      continue;
    }
    const selected: SelectedBackend = { name: b, reasons };
    if (b === 'cpu') selected.warning = CPU_WARNING;
    if (b === 'wasm') selected.warning = 'wasm backend: one thread per backend under Node; training splits steps over worker threads (GLIOFLOW_TRAIN_THREADS)';
    return ok(selected);
  }
  return err({
    kind: 'backend-unavailable',
    message: `backend '${requested}' is not available: ${reasons.map((r) => `${r.backend}: ${r.message}`).join('; ')}`,
    hint: requested === 'auto' ? undefined : BACKEND_AUTO_HINT,
    reasons,
  });
}

/** There is no --backend flag: the backend is the train (and evaluate) stage's `backend` param. */
export const BACKEND_AUTO_HINT =
  "set the train stage's `backend` param to auto in pipeline.yaml (or with --set, where a var feeds it) to fall back to the next available backend";

/**
 * Silences tfjs's "Hi, looks like you are running TensorFlow.js in Node.js … install our node backend" banner.
 * The cpu backend prints it through tfjs's own warn() on its first tensor, and warn() stays quiet in tfjs's PROD
 * mode (tf.enableProdMode(): it only silences tfjs's console warnings and logs; results are unchanged).
 * Call it with the loaded tfjs before the first tensor is made.
 */
export function silenceTfjsBanner(tf: { env(): { set(flag: string, value: boolean): void } }): void {
  tf.env().set('PROD', true);
}

/**
 * A stage's cache key names the backend the cheap probe predicted (probeBackend); the real load may still fail (a
 * GPU that TensorFlow does not see) and fall back to another backend. Training that one under the key would store
 * another backend's weights as this key's: this says so, or null when the selected backend is the keyed one.
 */
export function keyedBackendMismatch(keyed: string, selected: SelectedBackend): GlioflowError | null {
  if (selected.name === keyed) return null;
  const why = selected.reasons.find((r) => r.backend === keyed)?.message ?? 'it did not load';
  return {
    kind: 'backend-mismatch',
    message: `the stage's cache key names the ${keyed} backend (its files are present), but ${keyed} failed to load here (${why}); ${selected.name} would have trained instead`,
    hint: `set the train stage's backend to '${selected.name}' (pipeline.yaml, or --set) to train on it under its own key, or fix ${keyed}`,
  };
}
