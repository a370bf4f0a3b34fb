// `plot`: per model convergence and ROC plots, a cross-model AUROC comparison and a
// self-contained experiments/report.html (Vega-Lite → SVG → PNG with resvg).
import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { defineStage, GlioflowFailure } from '../../engine/stage-api.js';
import type { HistoryRow, ModelResult } from '../../report/index.js';

async function* walk(dir: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else yield full;
  }
}

export default defineStage({
  name: 'plot',
  description: 'convergence and ROC plots per model, AUROC comparison across models, experiments/report.html',
  version: 1,
  params: {
    title: { type: 'string', default: 'glioflow: mutation status from MRI', description: 'title of report.html' },
  },
  async run(ctx) {
    const { renderReport, parseHistoryCsv, checkModelResult } = await import('../../report/index.js');
    const results: ModelResult[] = [];
    for (const ev of ctx.upstreamAll('evaluate')) {
      const checked = checkModelResult(await ev.readJson<unknown>('results.json'), `${ev.stage}/results.json`);
      if (!checked.ok) throw new GlioflowFailure({ ...checked.error, stage: ctx.stage });
      results.push(checked.value);
    }
    if (results.length === 0) throw new GlioflowFailure({ kind: 'bad-needs', message: 'plot needs at least one evaluate stage', stage: ctx.stage });
    const histories: Record<string, HistoryRow[]> = {};
    for (const tr of ctx.upstreamAll('train')) {
      const model = String(tr.element ?? tr.stage);
      const parsed = parseHistoryCsv((await tr.read('history.csv')).toString('utf8'), `${tr.stage}/history.csv`);
      if (!parsed.ok) throw new GlioflowFailure({ ...parsed.error, stage: ctx.stage });
      histories[model] = parsed.value;
    }
    const outDir = join(ctx.scratchDir, 'experiments');
    const report = await renderReport({ results, histories, outDir, title: String(ctx.params.title), generatedAt: 'by glioflow plot' });
    if (!report.ok) throw new GlioflowFailure({ ...report.error, stage: ctx.stage });
    for (const note of report.value.notes) ctx.log('info', note);
    for await (const file of walk(outDir)) {
      const rel = relative(outDir, file).split('\\').join('/');
      await ctx.writeOutputFile(rel, file, { materialize: `experiments/${rel}` });
    }
    ctx.log('info', `report: experiments/report.html (${report.value.plots.length} plots)`);
  },
});
