// A training stage that traps (its step does not fit wasm's 4 GB heap: ViT at 128×128 forced to 32 rows per piece,
// ~5.5 GB by the estimate) fails alone, with a message that names the model, size, batch, micro-batch, memory and
// what to change; the training and evaluation stages after it in the same run start their own tfjs process and
// succeed. Before the stages ran in child processes, the trap poisoned the process's wasm backend and every later
// tfjs stage failed with the same "memory access out of bounds".
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateCohort } from '../../src/synth/index.js';
import { TestProject } from '../engine/helpers.js';

const PIPELINE = `stages:
  index: { uses: index, deps: [cohort/mri] }
  ratios: { uses: ratios, needs: [index] }
  cluster: { uses: cluster, needs: [index, ratios], params: { keep: not-highest } }
  labels: { uses: labels, needs: [index], deps: [cohort/labels.csv] }
  tensorize: { uses: tensorize, needs: [cluster, labels], params: { size: 128, seed: 0, val: 0.2, test: 0.2 } }
  train:
    foreach:
      ViT: { micro_batch: 32 }
      ConvNeXtV2_2D: { micro_batch: 0 }
    uses: train
    needs: [tensorize]
    params: { model: "\${key}", epochs: 1, batch: 32, max_batches: 1, micro_batch: "\${item.micro_batch}", backend: wasm }
  evaluate:
    foreach: [ConvNeXtV2_2D]
    uses: evaluate
    needs: ["train@\${item}", tensorize]
    params: { bootstrap: 10 }
`;

describe('a trapping training stage fails alone', () => {
  const p = new TestProject('glioflow-trap-');
  let summary: ReturnType<TestProject['run']>['summary'];
  let stderr: string;

  beforeAll(async () => {
    await generateCohort(join(p.dir, 'cohort'), { patients: 6, seed: 5, size: 128, slicesPerSeries: 12 });
    p.write('pipeline.yaml', PIPELINE);
    const r = p.run(['--no-ui']);
    summary = r.summary;
    stderr = r.result.stderr + r.result.stdout;
  }, 600_000);

  it('train@ViT fails, naming model, size, batch, micro-batch, memory and a hint', () => {
    const vit = summary.stages.find((s) => s.name === 'train@ViT');
    expect(vit?.status, stderr.slice(-3000)).toBe('failed');
    expect(summary.ok).toBe(false);
    expect(stderr).toMatch(/ViT at 128×128, batch 32, micro-batch 32 \(estimated \d+\.\d GB of heap per thread\)/);
    expect(stderr).toMatch(/wasm heap ran out of its 4 GB|memory access out of bounds|killed by SIG/i);
    expect(stderr).toMatch(/peak RSS \d+\.\d GB/);
    expect(stderr).toMatch(/lower `micro_batch`/);
  });

  it('the stages after it in the same run train and evaluate normally', () => {
    const status = Object.fromEntries(summary.stages.map((s) => [s.name, s.status]));
    expect(status['train@ConvNeXtV2_2D']).toBe('ran');
    expect(status['evaluate@ConvNeXtV2_2D']).toBe('ran');
    const results = JSON.parse(readFileSync(join(p.dir, 'experiments', 'ConvNeXtV2_2D', 'results.json'), 'utf8')) as { model: string; backend: string };
    expect(results).toMatchObject({ model: 'ConvNeXtV2_2D', backend: 'wasm' });
    // and ConvNeXt really ran after the trap, in the same run (one tfjs stage at a time)
    const lines = stderr.split('\n');
    const failedAt = lines.findIndex((l) => /train@ViT.*fail/i.test(l));
    const convAt = lines.findIndex((l) => /train@ConvNeXtV2_2D.*(start|training)/i.test(l));
    expect(failedAt).toBeGreaterThanOrEqual(0);
    expect(convAt).toBeGreaterThan(failedAt);
  });
});
