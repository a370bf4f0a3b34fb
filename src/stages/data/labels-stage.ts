// `labels`: mutation labels (CSV/TSV table or MAF) matched to the indexed MRI patients.
import { defineStage, GlioflowFailure } from '../../engine/stage-api.js';
import { writeCsv } from '../tables.js';
import type { IndexOutput } from '../ingest/types.js';
import type { LabelMatch } from '../../labels/index.js';

export interface LabelsOutput extends LabelMatch {
  source: string;
  genes: readonly string[];
}

export default defineStage({
  name: 'labels',
  description: 'TP53, PTEN, EGFR, IDH per patient from a label table or MAF, matched to the MRI patients',
  version: 1,
  params: {
    patient_column: { type: 'string', default: '', description: 'name of the patient column (detected when empty)' },
    gene_columns: { type: 'object', default: {}, description: 'column name per gene when not detected, e.g. { EGFR: EGFR_mut } (genes: TP53, PTEN, EGFR, IDH, IDH1, IDH2)' },
    format: { type: 'string', default: 'auto', enum: ['auto', 'table', 'maf'], description: 'label file format' },
    variant_classes: { type: 'string[]', default: ['Missense_Mutation', 'Nonsense_Mutation', 'Frame_Shift_Del', 'Frame_Shift_Ins', 'Splice_Site'], description: 'MAF Variant_Classification values that count as mutated' },
  },
  async run(ctx) {
    const { readLabelFile, matchLabels } = await import('../../labels/index.js');
    const file = ctx.deps[0];
    if (!file) throw new Error('the labels stage needs the label file as its first dep');
    const table = await readLabelFile(file, {
      ...(ctx.params.patient_column ? { patientColumn: String(ctx.params.patient_column) } : {}),
      geneColumns: Object.fromEntries(Object.entries((ctx.params.gene_columns ?? {}) as Record<string, unknown>).map(([gene, column]) => [gene, String(column)])),
      ...(ctx.params.format !== 'auto' ? { format: ctx.params.format as 'table' | 'maf' } : {}),
      countedClasses: ctx.params.variant_classes as string[],
    });
    if (!table.ok) throw new GlioflowFailure(table.error);
    const index = await ctx.upstreamOf('index').readJson<IndexOutput>('index.json');
    const match = matchLabels(table.value, index.patients);
    for (const w of [...table.value.warnings, ...match.warnings]) ctx.log('warn', w, { file: ctx.stage });
    ctx.log('info', `${match.counts.labelled} labelled patients, ${match.counts.withMri} with MRI, ${match.counts.matched} matched`);
    ctx.record('counts', match.counts);
    const out: LabelsOutput = { ...match, source: table.value.source, genes: table.value.genes };
    await ctx.writeOutput('labels.json', JSON.stringify(out));
  },
  async export(outputs, dir) {
    const l = await outputs.readJson<LabelsOutput>('labels.json');
    return [
      await writeCsv(dir, 'matched.csv', ['patient', ...l.genes], l.matched.map((r) => [r.patient, ...r.labels])),
      await writeCsv(dir, 'unmatched.csv', ['patient', 'why'], [...l.labelledWithoutMri.map((p) => [p, 'labelled, no MRI']), ...l.mriWithoutLabels.map((p) => [p, 'MRI, no labels'])]),
    ];
  },
});
