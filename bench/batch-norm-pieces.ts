// SENet's batch norm when a whole batch does not fit the wasm heap (224×224: step-plan.ts cuts a batch of 32 into 8
// pieces of 4, each normalised by its own rows) against whole-batch statistics, measured where both fit: the same
// cohort, split, seed and schedule through `glioflow run`, at 64×64, once with the batch in one piece (statistics of
// 32 rows, one thread) and once forced into pieces of 4 (`micro_batch: 4`: statistics of 4 rows, as at 224). Per
// cohort seed: the validation loss per epoch and the test patients' TP53 AUROC (the planted label) and PTEN (noise).
//
//   npx tsx bench/batch-norm-pieces.ts [--seeds 3,11] [--patients 48] [--epochs 8]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCohort } from '../src/synth/index.js';

const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? dflt) : dflt;
};
const seeds = arg('seeds', '3,11').split(',').map(Number);
const patients = Number(arg('patients', '48'));
const epochs = Number(arg('epochs', '8'));
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

const pipeline = (micro: number): string => `stages:
  index: { uses: index, deps: [cohort/mri] }
  ratios: { uses: ratios, needs: [index] }
  cluster: { uses: cluster, needs: [index, ratios], params: { keep: lowest, sequences: [T1post] } }
  labels: { uses: labels, needs: [index], deps: [cohort/labels.csv] }
  tensorize: { uses: tensorize, needs: [cluster, labels], params: { size: 64, seed: 0, val: 0.2, test: 0.3 } }
  train: { uses: train, needs: [tensorize], params: { model: SENet, epochs: ${epochs}, batch: 32, lr: 0.001, seed: 0, backend: wasm, micro_batch: ${micro} } }
  evaluate: { uses: evaluate, needs: [train, tensorize] }
`;

interface PerLabel {
  label: string;
  n: number;
  metrics: { auroc: { value?: number; ci?: { low?: number; high?: number } } };
}

const rows: string[] = [];
for (const seed of seeds) {
  const dir = mkdtempSync(join(tmpdir(), 'glioflow-bn-'));
  try {
    await generateCohort(join(dir, 'cohort'), { patients, seed, size: 64, slicesPerSeries: 24, noiseLabel: 'PTEN' });
    for (const [name, micro] of [['whole batch (32 rows)', 0], ['pieces of 4 rows', 4]] as const) {
      writeFileSync(join(dir, 'pipeline.yaml'), pipeline(micro));
      process.stderr.write(`seed ${seed}: ${name}…\n`);
      // one thread: the whole batch in one piece (no synchronised halves), so only the statistics differ
      const r = spawnSync(process.execPath, [cli, 'run', '--no-ui'], { cwd: dir, encoding: 'utf8', env: { ...process.env, GLIOFLOW_TRAIN_THREADS: '1' } });
      if (r.status !== 0) throw new Error(`run failed (${name}, seed ${seed}): ${r.stderr.slice(-2000)}`);
      const history = readFileSync(join(dir, 'experiments', 'SENet', 'history.csv'), 'utf8').trim().split('\n');
      const head = history[0]!.split(',');
      const val = history.slice(1).map((l) => Number(l.split(',')[head.indexOf('val_loss')]));
      const results = JSON.parse(readFileSync(join(dir, 'experiments', 'SENet', 'results.json'), 'utf8')) as { bestEpoch: number; evaluation: { patient: { perLabel: PerLabel[]; patients: number } } };
      const auroc = (label: string): string => {
        const l = results.evaluation.patient.perLabel.find((x) => x.label === label)!;
        const a = l.metrics.auroc;
        return a.value === undefined ? '—' : `${a.value.toFixed(2)} [${a.ci?.low?.toFixed(2)}, ${a.ci?.high?.toFixed(2)}]`;
      };
      rows.push(`| ${seed} | ${name} | ${val.map((v) => v.toFixed(3)).join(' ')} | ${results.bestEpoch} | ${auroc('TP53')} | ${auroc('PTEN')} | ${results.evaluation.patient.patients} |`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
process.stdout.write(
  [
    `SENet at 64×64, batch 32, Adam lr 1e-3, ${epochs} epochs, one thread, on synthetic cohorts of ${patients} patients (post-contrast, brain-filled slices; PTEN made noise), split 50/20/30 by patient. Only the batch norm statistics differ between the two rows of a seed: the whole batch's 32 rows, or each piece's 4 (what step-plan.ts does for SENet at 224×224, batch 32, where a whole batch does not fit wasm's heaps).`,
    '',
    '| cohort seed | batch norm statistics | validation loss per epoch | best epoch | test TP53 AUROC [95% CI], patient level | PTEN (noise) | test patients |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n'),
);
