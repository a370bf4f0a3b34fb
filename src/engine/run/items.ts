// Item-level reuse: each item (a file, a series) has its own key and cached result, so a stage
// whose inputs changed recomputes only the items that did. Results live in checksummed records in
// pack files, found through an index per item family (store/item-results.ts).
import { canonicalJson } from '../hash.js';
import { toGlioflowError } from '../result.js';
import type { Item, ItemOutcome, ItemWork, JsonValue, MapItemsOptions } from '../stage-api.js';
import type { CacheLayout } from '../store/cache-layout.js';
import type { ItemKeyLog } from '../store/item-key-list.js';
import { ItemFamilyStore } from '../store/item-results.js';
import { itemFamily, itemKey } from './key.js';
import type { WorkerPool } from './worker-pool.js';

export interface ItemRunner {
  layout: CacheLayout;
  pool: WorkerPool;
  stage: string;
  signal: AbortSignal;
  /** code fingerprint for `local` work (the stage's own) and for a worker module */
  stageCode: string;
  moduleCode(module: string): string;
  /** item id → item key, filled for the manifest */
  itemKeys: ItemKeyLog;
  counts: { total: number; ran: number; cached: number; failed: number };
  progress(update: { unit: string; done: number; total: number; cached: number }): void;
}

export async function mapItems<I, O>(
  runner: ItemRunner,
  items: readonly Item<I>[],
  work: ItemWork<I, O>,
  options: MapItemsOptions,
): Promise<ItemOutcome<O>[]> {
  const code = work.kind === 'worker' ? `${runner.moduleCode(work.module)}:${work.fn}` : `${runner.stageCode}:${work.name}`;
  const paramsJson = canonicalJson(work.params as JsonValue);
  const store = new ItemFamilyStore(runner.layout, itemFamily(code, paramsJson));
  try {
    return await mapWithStore(runner, items, work, options, code, paramsJson, store, { base: 0, total: items.length, cachedBefore: 0 });
  } finally {
    store.close(); // writes the results not yet in a pack, also when the stage fails or is interrupted
  }
}

/**
 * Items a window at a time. Why: a million files as one array of items and one array of outcomes (headers) cost a
 * few kB each for the whole stage; a window keeps memory flat in the item count, and the chunks of one window still
 * keep every thread busy (only the window's last chunks leave a thread idle).
 */
export const ITEM_WINDOW = 4_096;

export async function forEachItem<I, O>(
  runner: ItemRunner,
  items: Iterable<Item<I>> | AsyncIterable<Item<I>>,
  work: ItemWork<I, O>,
  options: MapItemsOptions,
  each: (outcome: ItemOutcome<O>) => void | Promise<void>,
): Promise<{ total: number; failed: number }> {
  const code = work.kind === 'worker' ? `${runner.moduleCode(work.module)}:${work.fn}` : `${runner.stageCode}:${work.name}`;
  const paramsJson = canonicalJson(work.params as JsonValue);
  const store = new ItemFamilyStore(runner.layout, itemFamily(code, paramsJson));
  let seen = 0;
  let failed = 0;
  const total = options.total ?? 0;
  let window: Item<I>[] = [];
  const cachedBefore = runner.counts.cached;
  const drain = async (): Promise<void> => {
    const outcomes = await mapWithStore(runner, window, work, options, code, paramsJson, store, { base: seen, total: Math.max(total, seen + window.length), cachedBefore: runner.counts.cached - cachedBefore });
    seen += window.length;
    window = [];
    for (const o of outcomes) {
      if (!o.ok) failed++;
      await each(o);
    }
  };
  try {
    for await (const item of items) {
      window.push(item);
      if (window.length >= ITEM_WINDOW) await drain();
    }
    if (window.length > 0 || seen === 0) await drain();
  } finally {
    store.close(); // writes the results not yet in a pack, also when the stage fails or is interrupted
  }
  return { total: seen, failed };
}

async function mapWithStore<I, O>(
  runner: ItemRunner,
  items: readonly Item<I>[],
  work: ItemWork<I, O>,
  options: MapItemsOptions,
  code: string,
  paramsJson: string,
  cache: ItemFamilyStore,
  /** progress of this call within a larger one (forEachItem's windows): items before it, and the whole count */
  span: { base: number; total: number; cachedBefore: number },
): Promise<ItemOutcome<O>[]> {
  const outcomes: ItemOutcome<O>[] = new Array(items.length);
  let done = 0;
  let cached = 0;
  const todo: number[] = [];
  const keys: string[] = new Array<string>(items.length);

  items.forEach((item, index) => {
    const key = itemKey(code, paramsJson, item.hash);
    keys[index] = key;
    runner.itemKeys.set(item.id, key);
    // an altered or unreadable result is recomputed rather than trusted
    const hit = cache.get(key);
    if (hit.state === 'ok') {
      outcomes[index] = { id: item.id, ok: true, value: hit.value as O, cached: true };
      done++;
      cached++;
    } else todo.push(index);
  });
  runner.counts.total += items.length;
  runner.counts.cached += cached;
  const progress = (): void => {
    if (!options.quiet) runner.progress({ unit: options.unit, done: span.base + done, total: span.total, cached: span.cachedBefore + cached });
  };
  progress();

  const store = (index: number, value: O): void => {
    const item = items[index] as Item<I>;
    cache.put(keys[index] as string, value);
    outcomes[index] = { id: item.id, ok: true, value, cached: false };
    runner.counts.ran++;
  };
  const fail = (index: number, error: unknown): void => {
    const item = items[index] as Item<I>;
    outcomes[index] = { id: item.id, ok: false, error: toGlioflowError(error, { stage: runner.stage, item: item.id }) };
    runner.counts.failed++;
  };

  if (work.kind === 'local') {
    // main-thread work: one item at a time
    for (const index of todo) {
      if (runner.signal.aborted) throw runner.signal.reason ?? new Error('aborted');
      try {
        store(index, await work.fn((items[index] as Item<I>).input, work.params));
      } catch (error) {
        if (runner.signal.aborted) throw error;
        fail(index, error);
      }
      done++;
      progress();
    }
    return outcomes;
  }

  // Worker items go in chunks (a message round trip costs about a small item's work), small
  // enough that every thread gets several chunks, so progress and load stay even.
  const chunkSize = Math.max(1, Math.min(16, Math.ceil(todo.length / (runner.pool.size * 8))));
  const chunks: number[][] = [];
  for (let i = 0; i < todo.length; i += chunkSize) chunks.push(todo.slice(i, i + chunkSize));
  let next = 0;
  let stopped = false; // a lane failed (abort, or a result that could not be stored): the others take no new chunk
  const lanes = Array.from({ length: Math.min(runner.pool.size * 2, chunks.length) }, async () => {
    while (next < chunks.length && !stopped) {
      if (runner.signal.aborted) throw runner.signal.reason ?? new Error('aborted');
      const chunk = chunks[next++] as number[];
      let results: Awaited<ReturnType<typeof runner.pool.run>>;
      try {
        results = await runner.pool.run({ module: work.module, fn: work.fn, inputs: chunk.map((i) => (items[i] as Item<I>).input), params: work.params }, runner.signal);
      } catch (error) {
        if (runner.signal.aborted) throw error;
        // the worker itself died (a crash in native or wasm code): its chunk fails, the stage goes on
        results = chunk.map(() => ({ ok: false as const, error: `worker failed: ${error instanceof Error ? error.message : String(error)}` }));
      }
      for (let k = 0; k < chunk.length; k++) {
        const index = chunk[k] as number;
        const r = results[k];
        if (r?.ok) store(index, r.value as O);
        else fail(index, new Error(r?.error ?? 'the worker returned no result'));
        done++;
      }
      progress();
    }
  });
  for (const lane of lanes) lane.catch(() => (stopped = true));
  // every lane settled before the store closes: one failing lane must not leave others storing into a closed store
  const settled = await Promise.allSettled(lanes);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return outcomes;
}
