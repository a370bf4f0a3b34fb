// Plots and reports. `renderReport({ results, histories, outDir })` writes, under outDir, `<Model>/plots/
// {convergence,roc}.{vl.json,svg,png}`, `comparison/auroc-by-model.*` with `comparison/results.csv` (every model's
// metrics and CIs), and a self-contained `report.html`.
// `formatResultsTable(results, { json })` is the `glioflow show` table. `ModelResult` is results.json.
export { renderReport, modelPlotDir, safeName, type ReportFiles, type ReportInput, type WrittenPlot } from './report.js';
export { reportHtml, resultsTableHtml, escapeHtml, type ReportPlot, type ReportHtmlOptions } from './html.js';
export { formatResultsTable, resultsCsv, summarise, type ResultsSummary, type SummaryLabelRow, type SummaryValue } from './table.js';
export { renderSpec, writePlot, BASE_CONFIG, type RenderedPlot, type RenderOptions, type VlSpec } from './render.js';
export { convergenceSpec, rocSpec, aurocComparisonSpec } from './specs.js';
export { fontFiles, FONT_FAMILY } from './fonts.js';
export { MODEL_RESULT_SCHEMA, type ModelResult, type HistoryRow } from './types.js';
export { parseHistoryCsv, checkModelResult } from './history.js';
