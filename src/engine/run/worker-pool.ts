// The engine's one piscina pool for CPU-heavy item work, sized to the cores Node may use.
// Created on first use: a run whose items are all cached never starts a thread.
import { availableParallelism } from 'node:os';
import type { Piscina as PiscinaPool } from 'piscina';
import type { ItemTask, ItemTaskResult } from './item-worker.js';

export class WorkerPool {
  private pool: PiscinaPool | undefined;
  private creating: Promise<PiscinaPool> | undefined;
  private busy = 0;
  readonly size: number;

  constructor(
    private readonly onBusy: (busy: number, size: number) => void,
    size = availableParallelism(),
  ) {
    this.size = Math.max(1, size);
  }

  private async get(): Promise<PiscinaPool> {
    if (this.pool) return this.pool;
    this.creating ??= (async () => {
      const { Piscina } = await import('piscina');
      // From source (tests), the worker is TypeScript and needs tsx's loader.
      const fromSource = import.meta.url.endsWith('.ts');
      this.pool = new Piscina({
        filename: new URL(fromSource ? './item-worker.ts' : './item-worker.js', import.meta.url).href,
        maxThreads: this.size,
        minThreads: 0,
        idleTimeout: 2_000,
        execArgv: fromSource ? ['--import', 'tsx'] : [],
      });
      return this.pool;
    })();
    return this.creating;
  }

  async run(task: ItemTask, signal: AbortSignal): Promise<ItemTaskResult[]> {
    const pool = await this.get();
    this.busy++;
    this.onBusy(Math.min(this.busy, this.size), this.size);
    try {
      return (await pool.run(task, { signal })) as ItemTaskResult[];
    } finally {
      this.busy--;
      this.onBusy(Math.min(this.busy, this.size), this.size);
    }
  }

  async close(): Promise<void> {
    const pool = this.pool ?? (this.creating ? await this.creating : undefined);
    this.pool = undefined;
    this.creating = undefined;
    if (pool) await pool.destroy();
  }
}
