// Backend selection with injected probes and loaders: this machine has no GPU and no tfjs-node, so every branch
// is driven by a fake file system / package resolver and fake loaders that record whether they were called.
import { describe, expect, it } from 'vitest';
import {
  CPU_WARNING,
  keyedBackendMismatch,
  probeBackend,
  selectBackend,
  type BackendLoader,
  type BackendName,
  type ProbeEnv,
} from '../../src/train/backend.js';

interface World {
  packages: Partial<Record<string, string>>;
  files: string[];
}

function envOf(w: World): ProbeEnv {
  const files = new Set(w.files);
  return {
    packageDir: (name) => w.packages[name] ?? null,
    exists: (p) => files.has(p),
    list: (dir) => [...new Set(w.files.filter((f) => f.startsWith(`${dir}/`)).map((f) => f.slice(dir.length + 1).split('/')[0]!))],
    libraryDirs: ['/usr/lib/x86_64-linux-gnu'],
  };
}

const wasmOnly: World = {
  packages: { '@tensorflow/tfjs-backend-wasm': '/nm/wasm' },
  files: ['/nm/wasm/dist/tfjs-backend-wasm-simd.wasm'],
};
const gpuInstalled: World = {
  packages: { ...wasmOnly.packages, '@tensorflow/tfjs-node-gpu': '/nm/gpu', '@tensorflow/tfjs-node': '/nm/node' },
  files: [
    ...wasmOnly.files,
    '/nm/gpu/lib/napi-v8/tfjs_binding.node',
    '/nm/node/lib/napi-v8/tfjs_binding.node',
    '/usr/lib/x86_64-linux-gnu/libcudart.so.11.0',
    '/usr/lib/x86_64-linux-gnu/libcudnn.so.8',
    '/dev/nvidiactl',
  ],
};

function recordingLoaders(outcomes: Partial<Record<BackendName, Awaited<ReturnType<BackendLoader>>>>) {
  const called: BackendName[] = [];
  const loaders: Partial<Record<BackendName, BackendLoader>> = {};
  for (const b of ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const) {
    loaders[b] = async () => {
      called.push(b);
      return outcomes[b] ?? { ok: true };
    };
  }
  return { called, loaders };
}

describe('probeBackend (no imports)', () => {
  it('without the optional packages, auto probes to wasm with typed reasons', () => {
    const p = probeBackend('auto', envOf(wasmOnly));
    expect(p.name).toBe('wasm');
    expect(p.reasons.map((r) => [r.backend, r.kind])).toEqual([
      ['tensorflow-gpu', 'package-missing'],
      ['tensorflow', 'package-missing'],
    ]);
  });

  it('GPU package present but CUDA libraries or device missing', () => {
    const noCuda = { ...gpuInstalled, files: gpuInstalled.files.filter((f) => !f.includes('libcudnn')) };
    expect(probeBackend('auto', envOf(noCuda)).reasons[0]).toMatchObject({ backend: 'tensorflow-gpu', kind: 'cuda-libraries-missing' });
    expect(probeBackend('auto', envOf(noCuda)).name).toBe('tensorflow');
    const noDevice = { ...gpuInstalled, files: gpuInstalled.files.filter((f) => !f.startsWith('/dev/')) };
    expect(probeBackend('auto', envOf(noDevice)).reasons[0]).toMatchObject({ kind: 'no-gpu-device' });
  });

  it('an explicit request that is unavailable probes to null', () => {
    const p = probeBackend('tensorflow', envOf(wasmOnly));
    expect(p.name).toBeNull();
    expect(p.reasons).toHaveLength(1);
  });

  it('the real probe on this machine finds wasm and never claims a native backend without its binding', () => {
    const p = probeBackend('auto');
    expect(['tensorflow-gpu', 'tensorflow', 'wasm']).toContain(p.name);
  });
});

describe('selectBackend with injected failures', () => {
  it('gpu package missing → its loader is never called, tfjs-node missing → wasm', async () => {
    const { called, loaders } = recordingLoaders({});
    const r = await selectBackend('auto', { env: envOf(wasmOnly), loaders });
    expect(r.ok && r.value.name).toBe('wasm');
    expect(called).toEqual(['wasm']);
    expect(r.ok && r.value.reasons.map((x) => x.kind)).toEqual(['package-missing', 'package-missing']);
  });

  it('gpu package present but TensorFlow sees no GPU → tfjs-node', async () => {
    const { called, loaders } = recordingLoaders({
      'tensorflow-gpu': { ok: false, kind: 'no-gpu-device', message: 'TensorFlow saw no GPU' },
    });
    const r = await selectBackend('auto', { env: envOf(gpuInstalled), loaders });
    expect(r.ok && r.value.name).toBe('tensorflow');
    expect(called).toEqual(['tensorflow-gpu', 'tensorflow']);
    expect(r.ok && r.value.reasons).toEqual([{ backend: 'tensorflow-gpu', kind: 'no-gpu-device', message: 'TensorFlow saw no GPU' }]);
  });

  it("a key made from the probe (tensorflow-gpu) never gets the fallback's weights: the mismatch is an error naming both", async () => {
    const env = envOf(gpuInstalled);
    const keyed = probeBackend('auto', env).name;
    expect(keyed).toBe('tensorflow-gpu'); // files, libraries and device are there
    const { loaders } = recordingLoaders({ 'tensorflow-gpu': { ok: false, kind: 'no-gpu-device', message: 'TensorFlow saw no GPU' } });
    const r = await selectBackend('auto', { env, loaders });
    expect(r.ok && r.value.name).toBe('tensorflow');
    const mismatch = r.ok ? keyedBackendMismatch(keyed!, r.value) : null;
    expect(mismatch).toMatchObject({ kind: 'backend-mismatch' });
    expect(mismatch?.message).toContain('TensorFlow saw no GPU');
    expect(mismatch?.hint).toContain("backend to 'tensorflow'");
    // when the load succeeds there is nothing to say
    const fine = await selectBackend('auto', { env, loaders: recordingLoaders({}).loaders });
    expect(fine.ok && keyedBackendMismatch(keyed!, fine.value)).toBeNull();
  });

  it('tfjs-node binding fails to load → wasm', async () => {
    const { called, loaders } = recordingLoaders({
      'tensorflow-gpu': { ok: false, kind: 'no-gpu-device', message: 'no GPU' },
      tensorflow: { ok: false, kind: 'native-binding-missing', message: 'Cannot find module tfjs_binding.node' },
    });
    const r = await selectBackend('auto', { env: envOf(gpuInstalled), loaders });
    expect(r.ok && r.value.name).toBe('wasm');
    expect(called).toEqual(['tensorflow-gpu', 'tensorflow', 'wasm']);
    expect(r.ok && r.value.reasons.map((x) => x.kind)).toEqual(['no-gpu-device', 'native-binding-missing']);
  });

  it('wasm failing falls to cpu, with the slowness warning', async () => {
    const { loaders } = recordingLoaders({ wasm: { ok: false, kind: 'load-failed', message: 'no wasm' } });
    const r = await selectBackend('auto', { env: envOf(wasmOnly), loaders });
    expect(r.ok && r.value.name).toBe('cpu');
    expect(r.ok && r.value.warning).toBe(CPU_WARNING);
  });

  it('an explicit request never falls back: it is an error with the reason', async () => {
    const { called, loaders } = recordingLoaders({});
    const r = await selectBackend('tensorflow-gpu', { env: envOf(wasmOnly), loaders });
    expect(r.ok).toBe(false);
    expect(called).toEqual([]);
    if (!r.ok) {
      expect(r.error.kind).toBe('backend-unavailable');
      expect(r.error.reasons[0]?.kind).toBe('package-missing');
      // there is no --backend flag: the hint names the stage param
      expect(r.error.hint).toMatch(/`backend` param to auto in pipeline\.yaml/);
      expect(r.error.hint).not.toMatch(/--backend/);
    }
  });

  it('the real loaders on this machine: tfjs-node is absent, so auto ends on wasm (or better)', async () => {
    const r = await selectBackend('auto');
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.value.name).not.toBe('cpu');
      if (r.value.name === 'wasm') expect(r.value.reasons.map((x) => x.backend)).toEqual(['tensorflow-gpu', 'tensorflow']);
    }
  });
});
