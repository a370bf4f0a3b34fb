// Item-level reuse: each item (a file, a series) has its own key and cached result, so a stage
// whose inputs changed recomputes only the items that did. Results are stored as objects
// (v8-serialised: typed arrays survive) and found by item key through small ref files.
import { existsSync, readFileSync } from 'node:fs';
import { deserialize, serialize } from 'node:v8';
import { writeFileAtomic } from '../atomic.js';
import { canonicalJson } from '../hash.js';
import { toGlioflowError } from '../result.js';
import type { Item, ItemOutcome, ItemWork, JsonValue, MapItemsOptions } from '../stage-api.js';
import { shardedPath, type CacheLayout } from '../store/cache-layout.js';
import type { ObjectStore } from '../store/object-store.js';
import { itemKey } from './key.js';
import type { WorkerPool } from './worker-pool.js';

export interface ItemRunner {
  layout: CacheLayout;
  store: ObjectStore;
  pool: WorkerPool;
  stage: string;
  signal: AbortSignal;
  /** code fingerprint for `local` work (the stage's own) and for a worker module */
  stageCode: string;
  moduleCode(module: string): string;
  /** item id → item key, filled for the manifest */
  itemKeys: Record<string, string>;
  counts: { total: number; ran: number; cached: number; failed: number };
  progress(update: { unit: string; done: number; total: number; cached: number }): void;
}

function readCached(layout: CacheLayout, store: ObjectStore, key: string): { value: unknown } | undefined {
  const ref = shardedPath(layout.items, key);
  if (!existsSync(ref)) return undefined;
  try {
    const hash = readFileSync(ref, 'utf8').trim();
    if (!store.has(hash)) return undefined;
    return { value: deserialize(readFileSync(store.path(hash))) };
  } catch {
    return undefined; // unreadable ref or object: recompute the item
  }
}

export async function mapItems<I, O>(
  runner: ItemRunner,
  items: readonly Item<I>[],
  work: ItemWork<I, O>,
  options: MapItemsOptions,
): Promise<ItemOutcome<O>[]> {
  const code = work.kind === 'worker' ? `${runner.moduleCode(work.module)}:${work.fn}` : `${runner.stageCode}:${work.name}`;
  const paramsJson = canonicalJson(work.params as JsonValue);
  const outcomes: ItemOutcome<O>[] = new Array(items.length);
  let done = 0;
  let cached = 0;
  const todo: number[] = [];

  items.forEach((item, index) => {
    const key = itemKey(code, paramsJson, item.hash);
    runner.itemKeys[item.id] = key;
    const hit = readCached(runner.layout, runner.store, key);
    if (hit) {
      outcomes[index] = { id: item.id, ok: true, value: hit.value as O, cached: true };
      done++;
      cached++;
    } else todo.push(index);
  });
  runner.counts.total += items.length;
  runner.counts.cached += cached;
  const progress = (): void => {
    if (!options.quiet) runner.progress({ unit: options.unit, done, total: items.length, cached });
  };
  progress();

  const computeOne = async (index: number): Promise<void> => {
    const item = items[index] as Item<I>;
    try {
      const value =
        work.kind === 'worker'
          ? ((await runner.pool.run({ module: work.module, fn: work.fn, input: item.input, params: work.params }, runner.signal)) as O)
          : await work.fn(item.input, work.params);
      const stored = await runner.store.put(serialize(value));
      await writeFileAtomic(shardedPath(runner.layout.items, runner.itemKeys[item.id] as string), stored.hash);
      outcomes[index] = { id: item.id, ok: true, value, cached: false };
      runner.counts.ran++;
    } catch (error) {
      if (runner.signal.aborted) throw error;
      outcomes[index] = { id: item.id, ok: false, error: toGlioflowError(error, { stage: runner.stage, item: item.id }) };
      runner.counts.failed++;
    }
    done++;
    progress();
  };

  // Workers: keep every thread fed plus one queued each; local work runs one at a time.
  const concurrency = work.kind === 'worker' ? runner.pool.size * 2 : 1;
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, todo.length) }, async () => {
    while (next < todo.length) {
      if (runner.signal.aborted) throw runner.signal.reason ?? new Error('aborted');
      const index = todo[next++] as number;
      await computeOne(index);
    }
  });
  await Promise.all(lanes);
  return outcomes;
}
