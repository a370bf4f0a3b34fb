// End to end on a synthetic cohort with a known answer: index → ratios → cluster → labels →
// tensorize → train → evaluate through `glioflow run`, then the numbers a reviewer would ask for.
// TP53 is the strongest planted label (ring enhancement on T1 post-contrast); PTEN is made pure
// noise (its column in labels.csv is independent of the images), so a model that learned the
// images must rank TP53 patients well and PTEN patients no better than chance.
//
// The configuration is small enough for CI on 2 cores (~3 minutes, one core while training):
// 48 patients at 32×32, post-contrast slices only, the most brain-filled slices per series,
// ConvNeXtV2_2D for 10 epochs on the wasm backend (deterministic: one thread, seeded). 40% of the
// patients are the test split (19 patients, 6 with TP53) so a patient-level AUROC means
// something; there is no validation split, so the last epoch is the one evaluated.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateCohort, type CohortSummary } from '../../src/synth/index.js';
import { TestProject } from '../engine/helpers.js';

interface Metric {
  defined: boolean;
  value?: number;
  ci?: { defined: boolean; low?: number; high?: number; resamples: number };
}
interface PerLabel {
  label: string;
  n: number;
  positives: number;
  metrics: { auroc: Metric };
}
interface Results {
  model: string;
  backend: string;
  bestEpoch: number;
  evaluation: { slice: { perLabel: PerLabel[] }; patient: { perLabel: PerLabel[] } };
}

const PIPELINE = `stages:
  index: { uses: index, deps: [cohort/mri] }
  ratios: { uses: ratios, needs: [index] }
  cluster: { uses: cluster, needs: [index, ratios], params: { keep: lowest, sequences: [T1post] } }
  labels: { uses: labels, needs: [index], deps: [cohort/labels.csv] }
  tensorize: { uses: tensorize, needs: [cluster, labels], params: { size: 32, seed: 0, val: 0, test: 0.4 } }
  train: { uses: train, needs: [tensorize], params: { model: ConvNeXtV2_2D, epochs: 10, batch: 16, lr: 0.001, seed: 0, backend: wasm } }
  evaluate: { uses: evaluate, needs: [train, tensorize] }
`;

describe('planted signal, end to end through the pipeline', () => {
  const p = new TestProject('glioflow-planted-');
  let cohort: CohortSummary;
  let results: Results;

  beforeAll(async () => {
    cohort = await generateCohort(join(p.dir, 'cohort'), { patients: 48, seed: 3, size: 32, slicesPerSeries: 24, noiseLabel: 'PTEN' });
    p.write('pipeline.yaml', PIPELINE);
    const { summary, result } = p.run();
    expect(summary.ok, result.stderr.slice(-3000)).toBe(true);
    results = JSON.parse(readFileSync(join(p.dir, 'experiments', 'ConvNeXtV2_2D', 'results.json'), 'utf8')) as Results;
  }, 900_000);

  const patientAuroc = (label: string): PerLabel => {
    const found = results.evaluation.patient.perLabel.find((l) => l.label === label);
    if (!found) throw new Error(`no patient-level ${label} in results.json`);
    return found;
  };

  it('records in pipeline.lock the backend and what computed its matrix products (they decide the weights)', () => {
    const lock = JSON.parse(readFileSync(join(p.dir, 'pipeline.lock'), 'utf8')) as { stages: Record<string, { record: Record<string, unknown> }> };
    expect(lock.stages.train?.record).toMatchObject({ backend: 'wasm', seed: 0, wasm_products: 'relaxed-simd-fma' });
  });

  it('the premise holds: PTEN in labels.csv is noise, TP53 is what the images show', () => {
    const differ = cohort.patients.filter((pt) => pt.imageTraits.PTEN !== (pt.labels.PTEN === 1)).length;
    expect(differ).toBeGreaterThan(0);
    for (const pt of cohort.patients) expect(pt.imageTraits.TP53).toBe(pt.labels.TP53 === 1);
  });

  it('ranks the test patients by TP53 at patient-level AUROC >= 0.9', () => {
    const tp53 = patientAuroc('TP53');
    console.log(`patient-level TP53: AUROC ${tp53.metrics.auroc.value?.toFixed(3)} (95% CI ${tp53.metrics.auroc.ci?.low?.toFixed(2)}–${tp53.metrics.auroc.ci?.high?.toFixed(2)}), ${tp53.n} patients, ${tp53.positives} positive`);
    expect(results.backend).toBe('wasm');
    expect(tp53.n).toBeGreaterThanOrEqual(15);
    expect(tp53.positives).toBeGreaterThanOrEqual(4);
    expect(tp53.metrics.auroc.defined).toBe(true);
    expect(tp53.metrics.auroc.value).toBeGreaterThanOrEqual(0.9);
  });

  it("gives the noise label an AUROC whose 95% CI contains 0.5", () => {
    const pten = patientAuroc('PTEN');
    const ci = pten.metrics.auroc.ci;
    console.log(`patient-level PTEN (noise): AUROC ${pten.metrics.auroc.value?.toFixed(3)} (95% CI ${ci?.low?.toFixed(2)}–${ci?.high?.toFixed(2)}), ${pten.positives} of ${pten.n} positive`);
    expect(pten.positives).toBeGreaterThanOrEqual(4);
    expect(ci?.defined).toBe(true);
    expect(ci?.resamples).toBe(1000);
    expect(ci?.low).toBeLessThanOrEqual(0.5);
    expect(ci?.high).toBeGreaterThanOrEqual(0.5);
  });
});
