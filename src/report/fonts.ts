// Text in the PNGs is drawn with fonts shipped in node_modules (dejavu-fonts-ttf, Bitstream Vera licence),
// never with the machine's fonts, so the same report renders the same everywhere — including CI images
// without any font installed.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export const FONT_FAMILY = 'DejaVu Sans';
const FILES = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf', 'DejaVuSans-Oblique.ttf', 'DejaVuSans-BoldOblique.ttf'];

let cached: string[] | null = null;

/** Absolute paths of the font files, or the reason they are missing. */
export function fontFiles(): { ok: true; files: string[] } | { ok: false; reason: string } {
  if (cached) return { ok: true, files: cached };
  let dir: string;
  try {
    dir = join(dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf');
  } catch (e) {
    return { ok: false, reason: `npm package dejavu-fonts-ttf not found: ${e instanceof Error ? e.message : String(e)}` };
  }
  const files = FILES.map((f) => join(dir, f));
  const missing = files.filter((f) => !existsSync(f));
  if (missing.length > 0) return { ok: false, reason: `font files missing: ${missing.join(', ')}` };
  cached = files;
  return { ok: true, files };
}
