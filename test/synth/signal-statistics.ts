// Prints the table of src/synth/README.md ("The planted signal"): for each label, one simple
// per-patient image statistic and its AUROC against the label, on 48 patients, seed 3, defaults
// otherwise. Run: npx tsx test/synth/signal-statistics.ts   (not a test: README numbers come from here)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCohort, type CohortSummary } from '../../src/synth/index.js';
import { auroc, readSlice } from './read-dicom.js';

type Patient = CohortSummary['patients'][number];

const dir = mkdtempSync(join(tmpdir(), 'glioflow-signal-'));
try {
  const summary = await generateCohort(dir, { patients: 48, seed: 3 });
  const pixelsOf = (p: Patient, description: string): Float64Array[] =>
    (p.series.find((s) => s.description === description)?.files ?? []).map((f) => readSlice(join(summary.outDir, f)).physical);
  const headMedian = (slices: Float64Array[]): number => {
    const head = slices.flatMap((s) => [...s].filter((v) => v > 50)).sort((a, b) => a - b);
    return head[Math.floor(head.length / 2)] ?? 1;
  };
  const statistics: Record<string, { what: string; score: (p: Patient) => number }> = {
    TP53: {
      what: 'max / median of head pixels over the T1 post series',
      score: (p) => Math.max(...['AX T1 POST GD', 'COR T1 POST'].map((d) => {
        const s = pixelsOf(p, d);
        return Math.max(...s.map((x) => Math.max(...x))) / headMedian(s);
      })),
    },
    PTEN: {
      what: 'number of `AX FLAIR` pixels brighter than 1.15 × median',
      score: (p) => {
        const s = pixelsOf(p, 'AX FLAIR');
        const m = headMedian(s);
        return s.reduce((n, x) => n + x.filter((v) => v > 1.15 * m).length, 0);
      },
    },
    EGFR: {
      what: 'mean |difference| of horizontally adjacent bright `AX T2 FSE` pixels / median',
      score: (p) => {
        const s = pixelsOf(p, 'AX T2 FSE');
        const m = headMedian(s);
        let sum = 0;
        let n = 0;
        for (const x of s) {
          const size = Math.round(Math.sqrt(x.length));
          for (let i = 0; i < x.length - 1; i++) {
            if ((i + 1) % size === 0 || x[i]! <= 1.15 * m || x[i + 1]! <= 1.15 * m) continue;
            sum += Math.abs(x[i + 1]! - x[i]!);
            n++;
          }
        }
        return n === 0 ? 0 : sum / n / m;
      },
    },
    IDH: {
      what: 'number of `AX FLAIR` pixels brighter than 1.15 × median (smaller edema)',
      score: (p) => -statistics['PTEN']!.score(p),
    },
  };
  console.log('| label | statistic | AUROC |\n|---|---|---|');
  for (const [label, s] of Object.entries(statistics)) {
    const a = auroc(summary.patients.map(s.score), summary.patients.map((p) => p.labels[label as 'TP53']));
    console.log(`| ${label} | ${s.what} | ${a.toFixed(2)} |`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
