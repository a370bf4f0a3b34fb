// Item function of the ratios stage (worker pool): one series → each slice's black-pixel ratio.
import { readFileSync } from 'node:fs';
import { decodeFrames, parseHeader } from '../../dicom/index.js';
import { blackPixelRatio } from '../../preprocess/ratios.js'; // not the index: it loads ml-kmeans
import type { SliceRatio } from './types.js';

export interface RatioInput {
  root: string;
  slices: { file: string; frame: number }[];
}

export async function seriesRatios(input: RatioInput): Promise<SliceRatio[]> {
  const out: SliceRatio[] = [];
  let current: { file: string; frames: Float32Array[] | string } | undefined;
  for (const slice of input.slices) {
    if (current?.file !== slice.file) {
      const bytes = readFileSync(`${input.root}/${slice.file}`); // worker thread: blocking is fine
      const header = parseHeader(bytes, slice.file);
      if (!header.ok) current = { file: slice.file, frames: `${header.error.reason}: ${header.error.message}` };
      else {
        const frames = await decodeFrames(bytes, header.value);
        current = { file: slice.file, frames: frames.ok ? frames.value : `${frames.error.reason}: ${frames.error.message}` };
      }
    }
    const frames = current.frames;
    const pixels = typeof frames === 'string' ? undefined : frames[slice.frame];
    if (!pixels) {
      out.push({ file: slice.file, frame: slice.frame, ratio: null, threshold: null, error: typeof frames === 'string' ? frames : `frame ${slice.frame} missing` });
      continue;
    }
    const { ratio, threshold } = blackPixelRatio(pixels);
    out.push({ file: slice.file, frame: slice.frame, ratio, threshold });
  }
  return out;
}
