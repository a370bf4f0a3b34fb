// How a step is cut into pieces (src/train/step-plan.ts): a pure function of (model, size, batch), from the estimate
// of one thread's wasm heap, and at the original's settings (224×224, batch 32) every piece within the budget.
import { describe, expect, it } from 'vitest';
import { MODEL_NAMES } from '../../src/train/models.js';
import { HEAP_BUDGET_BYTES, planStep, processBytes, stepMemory } from '../../src/train/step-plan.js';

const GiB = 2 ** 30;

describe('planStep', () => {
  it('at 64×64 splits only where it pays: AlexNet2D whole, SENet in two synchronised halves on two threads, whole on one', () => {
    expect(planStep('AlexNet2D', 64, 32).microBatch).toBe(0);
    expect(planStep('SENet', 64, 32, 0, 2)).toMatchObject({ microBatch: 16, pieces: 2, batchNorm: 'batch' });
    expect(planStep('SENet', 64, 32, 0, 1)).toMatchObject({ microBatch: 0, pieces: 1, batchNorm: 'batch' });
    expect(planStep('ConvNeXtV2_2D', 64, 32).microBatch).toBe(16);
    expect(planStep('VisionLSTM', 64, 31).microBatch).toBe(16);
    expect(planStep('ConvNeXtV2_2D', 64, 1).microBatch).toBe(0);
    expect(planStep('ConvNeXtV2_2D', 64, 32).batchNorm).toBeNull();
  });

  it.each(MODEL_NAMES)('%s at 224×224, batch 32: pieces whose estimated heap fits the budget, equal where 32 allows', (model) => {
    for (const threads of [1, 2, 4]) {
      const plan = planStep(model, 224, 32, 0, threads);
      const rows = plan.microBatch === 0 ? 32 : plan.microBatch;
      const mem = stepMemory(model, 224);
      expect(mem.fixedBytes + rows * mem.perRowBytes).toBeLessThanOrEqual(HEAP_BUDGET_BYTES);
      expect(plan.heapBytes).toBeLessThanOrEqual(HEAP_BUDGET_BYTES);
      expect(32 % rows).toBe(0);
      // a laptop with 16 GB: two threads' heaps, Adam's moments and the shared slots stay under 8 GB
      expect(processBytes(model, plan, Math.min(2, plan.pieces))).toBeLessThan(8 * GiB);
    }
  });

  it('SENet at 224 cannot hold a whole batch on the heaps: its pieces are normalised on their own, whatever the threads', () => {
    for (const threads of [1, 2]) expect(planStep('SENet', 224, 32, 0, threads)).toMatchObject({ microBatch: 4, pieces: 8, batchNorm: 'piece' });
    expect(planStep('SENet', 224, 32, 0, 2).why).toMatch(/heap/);
  });

  it('the estimate was not below what the heap measured (MiB after two steps of one piece, bench/probe-step-memory.ts)', () => {
    // measured points not used to fit the coefficients, and the fitted ones: the estimate must not be an underestimate
    // by more than the budget's margin (4 GiB / 2.5 GiB)
    const measured: [Parameters<typeof stepMemory>[0], number, number, number][] = [
      ['SENet', 64, 16, 808],
      ['ConvNeXtV2_2D', 64, 32, 646],
      ['ViT', 64, 16, 1831],
      ['SENet', 224, 6, 2645],
      ['VisionLSTM', 224, 8, 1201],
      ['AlexNet2D', 224, 32, 1464],
    ];
    for (const [model, size, rows, mib] of measured) {
      const m = stepMemory(model, size);
      const estimate = (m.fixedBytes + rows * m.perRowBytes) / 2 ** 20;
      expect(estimate * (4 * 1024) / (HEAP_BUDGET_BYTES / 2 ** 20), `${model} ${size} × ${rows}`).toBeGreaterThan(mib);
      expect(estimate / mib, `${model} ${size} × ${rows}`).toBeGreaterThan(0.85);
    }
  });

  it('a given micro-batch is taken as it is (the train stage\'s micro_batch param), capped at the batch', () => {
    expect(planStep('ViT', 64, 32, 4)).toMatchObject({ microBatch: 4, pieces: 8 });
    expect(planStep('ViT', 64, 32, 64)).toMatchObject({ microBatch: 0, pieces: 1 });
    expect(planStep('ConvNeXtV2_2D', 224, 30, 0).microBatch).toBe(10); // 11 rows fit; 10 divides 30
  });
});
