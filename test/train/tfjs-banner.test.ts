// silenceTfjsBanner: tfjs's cpu backend prints "Hi, looks like you are running TensorFlow.js in Node.js …" on its
// first tensor unless silenced. Each case runs in a fresh node process (the banner comes once per process).
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const BACKEND = new URL('../../dist/train/backend.js', import.meta.url).href;

function firstCpuTensor(silence: boolean): string {
  const script = `
    const tf = await import('@tensorflow/tfjs');
    const { silenceTfjsBanner } = await import(${JSON.stringify(BACKEND)});
    if (${silence}) silenceTfjsBanner(tf);
    await tf.setBackend('cpu');
    tf.tensor([1, 2, 3]).dataSync();`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', cwd: new URL('../..', import.meta.url).pathname });
  expect(r.status, r.stderr).toBe(0);
  return `${r.stdout}${r.stderr}`;
}

describe('silenceTfjsBanner', () => {
  it('without it, the first cpu tensor prints the banner', () => {
    expect(firstCpuTensor(false)).toMatch(/looks like you are running TensorFlow\.js in Node\.js/);
  });
  it('with it, nothing is printed', () => {
    expect(firstCpuTensor(true)).toBe('');
  });
});
