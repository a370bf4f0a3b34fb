// Text widths for Vega's layout, measured from the same TrueType files resvg draws with.
//
// Why: without a canvas, Vega estimates every string as 0.8 em per character, far wider than DejaVu Sans
// (~0.6 em), so titles and facet headers reserve big empty margins. Vega supports replacing
// `textMetrics.width` (vl-convert does the same); we read advance widths from the fonts' `hmtx` table via
// `cmap`, which is all that horizontal layout needs (kerning changes widths by well under 1%).
import { readFileSync } from 'node:fs';

export interface AdvanceTable {
  unitsPerEm: number;
  /** advance width (font units) of a BMP code point, or the missing-glyph width */
  advance(codePoint: number): number;
}

/** Parses the few TrueType tables needed for advance widths. Throws on a font it cannot read. */
export function readAdvanceTable(file: string): AdvanceTable {
  const buf = readFileSync(file);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const numTables = view.getUint16(4);
  const tables = new Map<string, number>();
  for (let i = 0; i < numTables; i++) {
    const rec = 12 + 16 * i;
    tables.set(buf.toString('latin1', rec, rec + 4), view.getUint32(rec + 8));
  }
  const at = (tag: string): number => {
    const off = tables.get(tag);
    if (off === undefined) throw new Error(`${file}: no '${tag}' table`);
    return off;
  };
  const unitsPerEm = view.getUint16(at('head') + 18);
  const numberOfHMetrics = view.getUint16(at('hhea') + 34);
  const hmtx = at('hmtx');
  const glyphAdvance = (g: number): number => view.getUint16(hmtx + 4 * Math.min(g, numberOfHMetrics - 1));

  // cmap: the Unicode BMP subtable in format 4 (platform 3 encoding 1, or platform 0).
  const cmap = at('cmap');
  const nSub = view.getUint16(cmap + 2);
  let sub = -1;
  for (let i = 0; i < nSub; i++) {
    const platform = view.getUint16(cmap + 4 + 8 * i);
    const encoding = view.getUint16(cmap + 6 + 8 * i);
    const off = cmap + view.getUint32(cmap + 8 + 8 * i);
    if (view.getUint16(off) === 4 && ((platform === 3 && encoding === 1) || platform === 0)) {
      sub = off;
      break;
    }
  }
  if (sub < 0) throw new Error(`${file}: no Unicode format-4 cmap`);
  const segX2 = view.getUint16(sub + 6);
  const ends = sub + 14;
  const starts = ends + segX2 + 2;
  const deltas = starts + segX2;
  const rangeOffsets = deltas + segX2;
  const glyphOf = (c: number): number => {
    for (let s = 0; s < segX2; s += 2) {
      if (c > view.getUint16(ends + s)) continue;
      const start = view.getUint16(starts + s);
      if (c < start) return 0;
      const delta = view.getInt16(deltas + s);
      const ro = view.getUint16(rangeOffsets + s);
      if (ro === 0) return (c + delta) & 0xffff;
      const g = view.getUint16(rangeOffsets + s + ro + 2 * (c - start));
      return g === 0 ? 0 : (g + delta) & 0xffff;
    }
    return 0;
  };
  const cache = new Map<number, number>();
  return {
    unitsPerEm,
    advance(c: number): number {
      let w = cache.get(c);
      if (w === undefined) {
        w = glyphAdvance(glyphOf(c));
        cache.set(c, w);
      }
      return w;
    },
  };
}

/** Width in pixels of `text` at `fontSize` px. */
export function textWidth(table: AdvanceTable, text: string, fontSize: number): number {
  let units = 0;
  for (const ch of text) units += table.advance(ch.codePointAt(0) ?? 0);
  return (units / table.unitsPerEm) * fontSize;
}
