// Item function of the tensorize stage (worker pool): one series' kept slices → z-scored (per
// slice, as the original) and bilinearly resized to size × size, as one Float32Array.
import { readFileSync } from 'node:fs';
import { decodeFrames, parseDicom } from '../../dicom/index.js';
import { resizeBilinear, zscore } from '../../tensors/index.js';

export interface TensorInput {
  root: string;
  rows: number;
  columns: number;
  slices: { file: string; frame: number }[];
}

export interface TensorResult {
  /** slices × size × size, in the order of the input's slices */
  pixels: Float32Array;
}

export async function tensorizeSeries(input: TensorInput, params: { size: number }): Promise<TensorResult> {
  const { size } = params;
  const pixels = new Float32Array(input.slices.length * size * size);
  const decoded = new Map<string, Float32Array[]>();
  for (let i = 0; i < input.slices.length; i++) {
    const slice = input.slices[i] as TensorInput['slices'][number];
    let frames = decoded.get(slice.file);
    if (!frames) {
      const bytes = readFileSync(`${input.root}/${slice.file}`); // worker thread: blocking is fine
      const parsed = parseDicom(bytes, slice.file);
      if (!parsed.ok) throw new Error(`${slice.file}: ${parsed.error.reason}: ${parsed.error.message}`);
      const result = await decodeFrames(parsed.value);
      if (!result.ok) throw new Error(`${slice.file}: ${result.error.reason}: ${result.error.message}`);
      frames = result.value;
      decoded.clear(); // one file at a time: multi-frame files are the only reuse
      decoded.set(slice.file, frames);
    }
    const frame = frames[slice.frame];
    if (!frame) throw new Error(`${slice.file}: frame ${slice.frame} missing`);
    pixels.set(resizeBilinear(zscore(frame), input.rows, input.columns, size), i * size * size);
  }
  return { pixels };
}
