// One-pass ingest of a batch of files for bench/ingest.ts: read, parse the header, decode every frame,
// black-pixel ratio — once per file, where the index + ratios stages read and parse each file twice.
// Called in process for (a1) and, one batch per series folder, on a piscina pool through the
// engine's item worker for (b1). Plain JavaScript because Node 20 worker threads cannot take tsx's
// loader from execArgv (nodejs/node#47747); it runs the built modules (dist/), as `glioflow run` does.
// @ts-check
import { readFile } from 'node:fs/promises';

const dist = new URL('../dist/', import.meta.url);
const { parseDicom, decodeFrames } = await import(new URL('dicom/index.js', dist).href);
// ratios.js directly: the preprocess barrel also loads ml-kmeans (~0.3 s per thread).
const { blackPixelRatio } = await import(new URL('preprocess/ratios.js', dist).href);

/**
 * @param {{ files: { path: string; relative: string }[] }} input
 * @returns {Promise<{ slices: [string, number, number | null][]; rejected: number }>} one
 *   [relative, frame, ratio (null: not decoded)] per slice; rejected = files whose header was unusable
 */
export async function ingestFiles(input) {
  /** @type {[string, number, number | null][]} */
  const slices = [];
  let rejected = 0;
  for (const f of input.files) {
    const bytes = await readFile(f.path);
    const parsed = parseDicom(bytes, f.relative);
    if (!parsed.ok) {
      rejected++;
      continue;
    }
    const frames = await decodeFrames(parsed.value);
    if (!frames.ok) {
      for (let i = 0; i < parsed.value.header.frames; i++) slices.push([f.relative, i, null]);
      continue;
    }
    frames.value.forEach((/** @type {Float32Array} */ px, /** @type {number} */ i) => slices.push([f.relative, i, blackPixelRatio(px).ratio]));
  }
  return { slices, rejected };
}
