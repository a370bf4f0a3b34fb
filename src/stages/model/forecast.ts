// What a training run will cost, said once, early: images per second measured over the first steps (the very first
// includes assembling kernels and is left out where there are more), and the time the whole stage will take at that
// rate. Beyond a day it is a warning in plain words, with the numbers, and what to change.
import type { BatchProgress } from '../../train/trainer.js';

export interface ForecastInput {
  model: string;
  backend: string;
  epochs: number;
  /** training batches per epoch */
  batches: number;
  batchSize: number;
  trainRows: number;
  valRows: number;
}

/** A validation image costs about a third of a training one (a forward pass, no gradients). */
const VALIDATION_SHARE = 1 / 3;
const DAY = 86_400;

export function formatDuration(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  if (seconds < 2 * DAY) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / DAY).toFixed(1)} days`;
}

/** Made right before training starts; `after` is called after each batch. */
export function trainingForecast(input: ForecastInput, now: () => number = () => performance.now()) {
  const at = Math.min(3, input.batches);
  const started = now(); // made just before training starts
  let firstDone: number | null = null;
  let firstRows = 0;
  return {
    /** After each batch: null, or once (after the `at`-th batch of the first epoch it sees) what to tell the user. */
    after(b: Pick<BatchProgress, 'batch'>): { level: 'info' | 'warn'; message: string; imagesPerSecond: number; seconds: number } | null {
      const t = now();
      if (b.batch === 1) {
        firstDone = t;
        firstRows = input.batchSize;
      }
      if (b.batch !== at || firstDone === null) return null;
      // rate over the steps after the first; with one step only, that step (warm-up included)
      const rate = at > 1 ? ((at - 1) * input.batchSize) / Math.max((t - firstDone) / 1000, 1e-9) : firstRows / Math.max((t - started) / 1000, 1e-9);
      const work = input.epochs * (input.trainRows + input.valRows * VALIDATION_SHARE);
      const seconds = work / rate;
      const steps = at > 2 ? `${at - 1} steps after the first` : at === 2 ? 'the step after the first' : 'the first step';
      const base = `${input.model} on ${input.backend}: ${rate.toFixed(rate < 10 ? 2 : 1)} images/s over ${steps}; ${input.epochs} epoch${input.epochs === 1 ? '' : 's'} of ${input.trainRows} training images${input.valRows > 0 ? ` (+${input.valRows} validation)` : ''} ≈ ${formatDuration(seconds)} for this stage`;
      if (seconds < DAY) return { level: 'info', message: base, imagesPerSecond: rate, seconds };
      return {
        level: 'warn',
        message: `${base}. That is ${formatDuration(seconds)} of computing on this machine: train on a GPU (tfjs-node-gpu, README "GPU training"), or lower epochs, max_batches or the image size to try things first.`,
        imagesPerSecond: rate,
        seconds,
      };
    },
  };
}
