// Vega-Lite specs for glioflow's plots. Pure functions of the results: the same input gives the same JSON,
// which is kept beside each picture so a figure can be restyled or re-rendered without rerunning anything.
import { LABELS, type LabelEvaluation } from '../metrics/types.js';
import { BASE_CONFIG, type VlSpec } from './render.js';
import { ciText } from './format.js';
import type { HistoryRow, ModelResult } from './types.js';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const SPLIT_COLORS = { domain: ['train', 'validation'], range: ['#1f77b4', '#e6550d'] };

interface HistoryPoint {
  epoch: number;
  split: 'train' | 'validation';
  panel: 'loss' | 'accuracy' | 'auroc';
  label: string;
  value: number;
}

function historyPoints(history: readonly HistoryRow[]): HistoryPoint[] {
  const out: HistoryPoint[] = [];
  const push = (epoch: number, split: HistoryPoint['split'], panel: HistoryPoint['panel'], label: string, v: number | null | undefined): void => {
    if (typeof v === 'number' && Number.isFinite(v)) out.push({ epoch, split, panel, label, value: v });
  };
  for (const r of history) {
    push(r.epoch, 'train', 'loss', 'loss', r.train_loss);
    push(r.epoch, 'validation', 'loss', 'loss', r.val_loss);
    for (const l of LABELS) {
      push(r.epoch, 'train', 'accuracy', l, r[`train_acc_${l}`]);
      push(r.epoch, 'validation', 'accuracy', l, r[`val_acc_${l}`]);
      push(r.epoch, 'train', 'auroc', l, r[`train_auroc_${l}`]);
      push(r.epoch, 'validation', 'auroc', l, r[`val_auroc_${l}`]);
    }
  }
  return out;
}

function hasGaps(history: readonly HistoryRow[]): boolean {
  return history.some((r) =>
    LABELS.some((l) =>
      [r[`train_acc_${l}`], r[`val_acc_${l}`], r[`train_auroc_${l}`], r[`val_auroc_${l}`]].some((v) => typeof v !== 'number' || !Number.isFinite(v)),
    ),
  );
}

/** Loss by epoch (train vs validation), then per-label accuracy and AUROC by epoch. */
export function convergenceSpec(model: string, history: readonly HistoryRow[], bestEpoch: number | null = null): VlSpec {
  const values = historyPoints(history);
  const maxEpoch = history.reduce((m, r) => Math.max(m, r.epoch), 1);
  const x = { field: 'epoch', type: 'quantitative' as const, title: 'Epoch', scale: { domain: [1, Math.max(2, maxEpoch)], nice: false, zero: false }, axis: { tickMinStep: 1, format: 'd' } };
  const color = { field: 'split', type: 'nominal' as const, title: null, scale: SPLIT_COLORS, legend: { orient: 'top' as const, direction: 'horizontal' as const } };
  const lines = { mark: { type: 'line' as const, point: true, strokeWidth: 2 }, encoding: { x, y: {}, color } };
  const best = bestEpoch === null ? [] : [{ mark: { type: 'rule' as const, color: '#777', strokeDash: [4, 4] }, encoding: { x: { datum: bestEpoch, type: 'quantitative' as const, scale: x.scale } } }];
  const perLabel = (panel: 'accuracy' | 'auroc', title: string, yTitle: string, chance: boolean): object => ({
    title: { text: title, fontSize: 13 },
    transform: [{ filter: `datum.panel === '${panel}'` }],
    facet: { column: { field: 'label', type: 'nominal', sort: [...LABELS], title: null } },
    spec: {
      width: 190,
      height: 140,
      layer: [
        ...(chance ? [{ mark: { type: 'rule', color: '#bbb' }, encoding: { y: { datum: 0.5 } } }] : []),
        ...best,
        { ...lines, encoding: { ...lines.encoding, y: { field: 'value', type: 'quantitative', title: yTitle, scale: { domain: [0, 1] } } } },
      ],
    },
  });
  const line1 = [`${history.length} epochs`, bestEpoch === null ? null : `dashed line: best epoch ${bestEpoch}`];
  const line2 = [
    values.some((v) => v.panel === 'auroc') ? 'grey line: AUROC 0.5 (chance)' : null,
    hasGaps(history) ? 'missing points: metric undefined (e.g. one class in the split)' : null,
  ];
  const subtitle = [line1, line2].map((l) => l.filter((s) => s !== null).join(' · ')).filter((s) => s !== '');
  return {
    $schema: SCHEMA,
    title: { text: `${model}: convergence`, subtitle },
    config: BASE_CONFIG,
    data: { values },
    vconcat: [
      {
        title: { text: 'Loss', fontSize: 13 },
        transform: [{ filter: "datum.panel === 'loss'" }],
        width: 420,
        height: 180,
        layer: [...best, { ...lines, encoding: { ...lines.encoding, y: { field: 'value', type: 'quantitative', title: 'Loss (BCE)' } } }],
      },
      perLabel('accuracy', 'Accuracy at 0.5, by mutation', 'Accuracy', false),
      perLabel('auroc', 'AUROC, by mutation', 'AUROC', true),
    ],
  } as unknown as VlSpec;
}

function rocTitle(le: LabelEvaluation): string {
  const a = le.metrics.auroc;
  const counts = `${le.positives}+ / ${le.negatives}−`;
  // '|' separates header lines (labelExpr splits on it).
  if (!a.defined) return `${le.label}: AUROC undefined|${a.reason}`;
  return `${le.label}: AUROC ${a.value.toFixed(2)}${a.ci ? `, 95% CI ${ciText(a.ci)}` : ''}|${counts} patients`;
}

/** ROC curve of each mutation, patient level, one panel each with AUROC and its CI in the panel title. */
export function rocSpec(result: ModelResult, level: 'patient' | 'slice' = 'patient'): VlSpec {
  const ev = result.evaluation[level];
  const values: object[] = [];
  ev.perLabel.forEach((le, k) => {
    const panel = rocTitle(le);
    if (le.roc) le.roc.forEach((p, i) => values.push({ k, panel, order: i, fpr: p.fpr, tpr: p.tpr }));
    else values.push({ k, panel, order: 0, fpr: null, tpr: null });
  });
  const o = result.evaluation.options;
  const unit = level === 'patient' ? 'patients' : 'slices';
  const subtitle = [
    `${level} level${level === 'patient' ? ` (${o.fusion} fusion of slice probabilities)` : ''}, n = ${ev.n} ${unit}, split: ${result.split}`,
    o.bootstrap > 0 ? `95% CI: percentile bootstrap over patients, ${o.bootstrap} resamples, seed ${o.seed}` : 'no confidence intervals (bootstrap off)',
  ];
  return {
    $schema: SCHEMA,
    title: { text: `${result.model}: ROC curves by mutation`, subtitle },
    config: { ...BASE_CONFIG, header: { ...BASE_CONFIG.header, labelLimit: 0, labelExpr: "split(datum.label, '|')" } },
    data: { values },
    facet: { field: 'panel', type: 'nominal', title: null, sort: { field: 'k', op: 'min' } },
    columns: 2,
    spec: {
      width: 260,
      height: 260,
      layer: [
        { mark: { type: 'rule', color: '#bbb', strokeDash: [4, 4] }, encoding: { x: { datum: 0 }, y: { datum: 0 }, x2: { datum: 1 }, y2: { datum: 1 } } },
        {
          mark: { type: 'line', strokeWidth: 2, color: '#1f77b4', point: { size: 20 } },
          encoding: {
            x: { field: 'fpr', type: 'quantitative', title: 'False positive rate (1 − specificity)', scale: { domain: [0, 1], nice: false, padding: 0 } },
            y: { field: 'tpr', type: 'quantitative', title: 'True positive rate (sensitivity)', scale: { domain: [0, 1], nice: false, padding: 0 } },
            order: { field: 'order', type: 'quantitative' },
          },
        },
      ],
    },
    resolve: { axis: { x: 'independent', y: 'independent' } },
  } as unknown as VlSpec;
}

const MEAN = 'Mean';

/** Patient-level AUROC per mutation (and the mean over labels), models side by side, with CI error bars. */
export function aurocComparisonSpec(results: readonly ModelResult[], level: 'patient' | 'slice' = 'patient'): VlSpec {
  const values: object[] = [];
  const missing: string[] = [];
  for (const r of results) {
    const ev = r.evaluation[level];
    for (const le of ev.perLabel) {
      const a = le.metrics.auroc;
      if (!a.defined) {
        missing.push(`${le.label} for ${r.model}`);
        continue;
      }
      const ci = a.ci?.defined ? a.ci : null;
      values.push({ model: r.model, label: le.label, auroc: a.value, low: ci?.low ?? null, high: ci?.high ?? null });
    }
    const m = ev.mean.auroc;
    if (m.defined) {
      const ci = m.ci?.defined ? m.ci : null;
      values.push({ model: r.model, label: MEAN, auroc: m.value, low: ci?.low ?? null, high: ci?.high ?? null, over: m.over });
    }
  }
  const models = results.map((r) => r.model);
  const groups = [...LABELS, MEAN];
  const subtitle = [
    `${level} level · points: AUROC · bars: 95% bootstrap CI (resampling patients)`,
    `dashed line: 0.5 (chance) · Mean: over the labels where AUROC is defined`,
    ...(missing.length ? [`not shown (undefined): ${missing.join(', ')}`] : []),
  ];
  const x = { field: 'label', type: 'nominal', sort: groups, scale: { domain: groups }, title: 'Mutation', axis: { labelAngle: 0 } };
  const xOffset = { field: 'model', type: 'nominal', sort: models, scale: { domain: models, paddingOuter: 0.3 } };
  const color = { field: 'model', type: 'nominal', sort: models, title: 'Model', scale: { domain: models } };
  return {
    $schema: SCHEMA,
    title: { text: `AUROC by mutation and model`, subtitle },
    config: BASE_CONFIG,
    data: { values },
    width: Math.max(420, groups.length * models.length * 26),
    height: 280,
    layer: [
      { mark: { type: 'rule', color: '#999', strokeDash: [4, 4] }, encoding: { y: { datum: 0.5 } } },
      {
        mark: { type: 'rule', strokeWidth: 2 },
        encoding: { x, xOffset, color, y: { field: 'low', type: 'quantitative' }, y2: { field: 'high' } },
      },
      {
        mark: { type: 'point', filled: true, size: 70, opacity: 1 },
        encoding: {
          x,
          xOffset,
          color,
          y: { field: 'auroc', type: 'quantitative', title: 'AUROC', scale: { domain: [0, 1] } },
          tooltip: [{ field: 'model' }, { field: 'label' }, { field: 'auroc', format: '.3f' }, { field: 'low', format: '.3f' }, { field: 'high', format: '.3f' }],
        },
      },
    ],
  } as unknown as VlSpec;
}
