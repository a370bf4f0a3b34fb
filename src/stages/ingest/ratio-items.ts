// Item function of the ratios stage (worker pool): one series → each slice's black-pixel ratio.
import { decodeFrames, parseDicom, storedFrames } from '../../dicom/index.js';
import { blackPixelRatio, blackPixelRatioOfStored, type BlackPixelRatio } from '../../preprocess/ratios.js'; // not the index: it loads ml-kmeans
import { readFileBytes, type FileBytes } from './file-bytes.js';
import type { SliceRatio } from './types.js';

export interface RatioInput {
  root: string;
  slices: { file: string; frame: number }[];
}

export async function seriesRatios(input: RatioInput): Promise<SliceRatio[]> {
  const out: SliceRatio[] = [];
  // Each frame's ratio, or why there is none. Uncompressed 8/16-bit files are read as stored integers (the rescale is
  // applied to the two order statistics, in float64 as numpy does); the others are decoded to modality values.
  let current: { file: string; frames: (() => BlackPixelRatio)[] | string } | undefined;
  // the current file's bytes: its stored frames are views of them, so they are released only when the next file is read
  let held: FileBytes | undefined;
  try {
    for (const slice of input.slices) {
      if (current?.file !== slice.file) {
        held?.release();
        held = readFileBytes(`${input.root}/${slice.file}`); // worker thread: blocking is fine
        const bytes = held.bytes;
        const parsed = parseDicom(bytes, slice.file);
        if (!parsed.ok) current = { file: slice.file, frames: `${parsed.error.reason}: ${parsed.error.message}` };
        else {
          const stored = storedFrames(parsed.value);
          const frames = stored ?? (await decodeFrames(parsed.value));
          current = !frames.ok
            ? { file: slice.file, frames: `${frames.error.reason}: ${frames.error.message}` }
            : { file: slice.file, frames: frames.value.map((f) => (f instanceof Float32Array ? () => blackPixelRatio(f) : () => blackPixelRatioOfStored(f.samples, f.slope, f.intercept))) };
        }
      }
      const frames = current.frames;
      const ratioOf = typeof frames === 'string' ? undefined : frames[slice.frame];
      if (!ratioOf) {
        out.push({ file: slice.file, frame: slice.frame, ratio: null, threshold: null, error: typeof frames === 'string' ? frames : `frame ${slice.frame} missing` });
        continue;
      }
      const { ratio, threshold } = ratioOf();
      out.push({ file: slice.file, frame: slice.frame, ratio, threshold });
    }
  } finally {
    held?.release();
  }
  return out;
}
