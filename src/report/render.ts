// Vega-Lite spec → SVG (Vega's headless 'none' renderer: no browser, no canvas) → PNG (resvg, bundled fonts).
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { err, ok, type GlioflowError, type Result } from '../engine/result.js';
import { FONT_FAMILY, fontFiles } from './fonts.js';
import { readAdvanceTable, textWidth, type AdvanceTable } from './text-width.js';

export type VlSpec = TopLevelSpec;

export interface RenderedPlot {
  /** file stem: `roc` → roc.vl.json, roc.svg, roc.png */
  name: string;
  spec: VlSpec;
  svg: string;
  png: Buffer;
  /** PNG size in pixels (the SVG's size times `scale`) */
  width: number;
  height: number;
  /** Vega-Lite/Vega warnings, collected instead of printed so they don't break the terminal UI */
  warnings: string[];
}

export interface RenderOptions {
  /** PNG pixels per SVG unit; 2 keeps text sharp on high-density screens and in print */
  scale?: number;
}

/** Shared look: one font everywhere (the one resvg is given), white background, room for legends. */
export const BASE_CONFIG = {
  font: FONT_FAMILY,
  background: 'white',
  padding: 12,
  axis: { labelFontSize: 12, titleFontSize: 13, grid: true },
  legend: { labelFontSize: 12, titleFontSize: 13, labelLimit: 400 },
  header: { labelFontSize: 13, titleFontSize: 14 },
  title: { fontSize: 15, subtitleFontSize: 12, anchor: 'start' as const, offset: 10 },
};

/** The part of a Vega text item that decides its width. */
interface TextItem {
  fontSize?: number;
  fontWeight?: string | number;
  fontStyle?: string;
  limit?: number;
}
type WidthFn = (item: TextItem, text?: unknown) => number;

let metricsInstalled = false;

/**
 * Makes Vega lay text out with the widths of the fonts resvg will draw (see text-width.ts). `textMetrics`
 * is Vega's documented hook for this but is missing from its type declarations, hence the cast.
 * Files: regular, bold, oblique, bold-oblique (fonts.ts order).
 */
function useFontMetrics(files: readonly string[]): void {
  if (metricsInstalled) return;
  const tables = files.map((f) => readAdvanceTable(f));
  const [regular, bold, oblique, boldOblique] = tables as [AdvanceTable, AdvanceTable, AdvanceTable, AdvanceTable];
  const width: WidthFn = (item, text) => {
    const s = text === null || text === undefined ? '' : String(text).trim();
    const size = item.fontSize !== undefined && item.fontSize !== null ? Number(item.fontSize) || 0 : 11;
    const w = item.fontWeight;
    const isBold = w === 'bold' || w === 'bolder' || (typeof w === 'number' && w >= 600) || (typeof w === 'string' && Number(w) >= 600);
    const italic = item.fontStyle === 'italic' || item.fontStyle === 'oblique';
    const table = isBold ? (italic ? boldOblique : bold) : italic ? oblique : regular;
    const px = textWidth(table, s, size);
    return item.limit !== undefined && item.limit > 0 ? Math.min(px, item.limit) : px;
  };
  (vega as unknown as { textMetrics: { width: WidthFn } }).textMetrics.width = width;
  metricsInstalled = true;
}

const renderError = (name: string, e: unknown, hint?: string): GlioflowError => ({
  kind: 'report-render',
  message: `could not render plot ${name}: ${e instanceof Error ? e.message : String(e)}`,
  item: name,
  ...(hint ? { hint } : {}),
});

export async function renderSpec(name: string, spec: VlSpec, opts: RenderOptions = {}): Promise<Result<RenderedPlot, GlioflowError>> {
  const fonts = fontFiles();
  if (!fonts.ok) return err(renderError(name, fonts.reason, 'run npm install in the glioflow directory'));
  let svg: string;
  const warnings: string[] = [];
  const logger = vega.logger(vega.Warn, 'warn', (_method, level, args) => {
    warnings.push(`${level} ${args.map((a) => (a instanceof Error ? a.message : String(a))).join(' ')}`.trim());
  });
  try {
    useFontMetrics(fonts.files);
    const vg = compile(spec, { logger }).spec;
    const view = new vega.View(vega.parse(vg), { renderer: 'none', logger });
    try {
      svg = await view.toSVG();
    } finally {
      view.finalize();
    }
  } catch (e) {
    return err(renderError(name, e));
  }
  try {
    const scale = opts.scale ?? 2;
    const resvg = new Resvg(svg, {
      font: { fontFiles: fonts.files, loadSystemFonts: false, defaultFontFamily: FONT_FAMILY, sansSerifFamily: FONT_FAMILY },
      fitTo: { mode: 'zoom', value: scale },
      background: 'white',
    });
    const image = resvg.render();
    return ok({ name, spec, svg, png: image.asPng(), width: image.width, height: image.height, warnings });
  } catch (e) {
    return err(renderError(name, e));
  }
}

/** Writes name.vl.json, name.svg, name.png into dir; returns the three paths. */
export async function writePlot(dir: string, plot: RenderedPlot): Promise<Result<{ vl: string; svg: string; png: string }, GlioflowError>> {
  const paths = { vl: join(dir, `${plot.name}.vl.json`), svg: join(dir, `${plot.name}.svg`), png: join(dir, `${plot.name}.png`) };
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(paths.vl, `${JSON.stringify(plot.spec, null, 1)}\n`);
    await writeFile(paths.svg, plot.svg);
    await writeFile(paths.png, plot.png);
    return ok(paths);
  } catch (e) {
    return err({ kind: 'report-write', message: `could not write plot ${plot.name}: ${e instanceof Error ? e.message : String(e)}`, location: { file: dir } });
  }
}
