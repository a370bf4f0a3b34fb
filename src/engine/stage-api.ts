// The contract between the engine and stage implementations. The engine knows nothing of what a
// stage computes; a stage knows nothing of how it is scheduled, cached or shown. Stage modules
// import from here only (not the engine's index), which keeps loading them cheap.
import type { GlioflowError } from './result.js';

export { GlioflowFailure } from './result.js';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type Params = { [key: string]: JsonValue };

export type ParamType = 'number' | 'integer' | 'string' | 'boolean' | 'string[]' | 'number[]' | 'object' | 'json';

export interface ParamSpec {
  type: ParamType;
  default: JsonValue;
  /** allowed values for a string, or for each element of a string[] */
  enum?: readonly string[];
  min?: number;
  max?: number;
  description: string;
}

/** An upstream stage's outputs, as this stage sees them. */
export interface UpstreamOutputs {
  stage: string;
  uses: string;
  /** foreach element this stage was made for (`ViT` for `train@ViT`), if any */
  element?: JsonValue;
  key: string;
  outputs: Record<string, OutputRef>;
  /** absolute path of an output's object in the cache (read-only!) */
  path(output: string): string;
  read(output: string): Promise<Buffer>;
  readJson<T>(output: string): Promise<T>;
}

export interface OutputRef {
  hash: string;
  size: number;
  /** where a copy is kept for people to read, relative to the project root */
  materialized?: string;
}

/** A file under one of the stage's deps, with its content hash. */
export interface DepFile {
  /** absolute path */
  path: string;
  /** path relative to the dep it was found under */
  relative: string;
  dep: string;
  hash: string;
  size: number;
}

/** One unit of item-level work: its id names it in logs, its hash decides whether it is reused. */
export interface Item<I> {
  id: string;
  /** content hash of everything the item reads (e.g. the hashes of a series' files) */
  hash: string;
  input: I;
}

/**
 * How to compute an item. `worker` runs on the engine's piscina pool: `module` is a file URL of an
 * ES module exporting `fn(input, params)`; its code fingerprint (module and local imports) is part
 * of every item key. `local` runs on the main thread and keys on the stage's own fingerprint.
 */
export type ItemWork<I, O> =
  | { kind: 'worker'; module: string; fn: string; params: JsonValue }
  | { kind: 'local'; name: string; fn: (input: I, params: JsonValue) => O | Promise<O>; params: JsonValue };

export type ItemOutcome<O> =
  | { id: string; ok: true; value: O; cached: boolean }
  | { id: string; ok: false; error: GlioflowError };

export interface MapItemsOptions {
  /** what one item is, for progress lines: `files`, `series` … */
  unit: string;
  /** no progress events: the stage reports its own (e.g. when it maps items in several calls) */
  quiet?: boolean;
  /** forEachItem: how many items the iterable will give, when the stage knows (for progress) */
  total?: number;
}

export interface StageContext<P extends Params = Params> {
  /** instance name, e.g. `train@ViT` */
  readonly stage: string;
  readonly params: P;
  /** the foreach element this instance was made for, if any */
  readonly element: JsonValue | undefined;
  /** project root (absolute) */
  readonly root: string;
  /** deps as absolute paths, in pipeline.yaml order */
  readonly deps: readonly string[];
  readonly signal: AbortSignal;
  /** the stage's key for this run */
  readonly key: string;
  /** every file under the deps, sorted, with content hashes (from the stat cache when unchanged) */
  depFiles(): Promise<DepFile[]>;
  /** depFiles() one at a time, read from the deps' listings a batch at a time (deps of very many files) */
  eachDepFile(): AsyncIterable<DepFile>;
  /** how many files eachDepFile() gives */
  readonly depFileCount: number;
  /** the outputs of each needed stage, in `needs` order */
  readonly upstream: readonly UpstreamOutputs[];
  /** the single needed stage whose `uses` is `uses`; fails with a clear error when none or several */
  upstreamOf(uses: string): UpstreamOutputs;
  /** every needed stage whose `uses` is `uses` (e.g. all `evaluate@*` for `plot`) */
  upstreamAll(uses: string): UpstreamOutputs[];
  /** computes items, reusing cached results by item key; never throws for a failing item */
  mapItems<I, O>(items: readonly Item<I>[], work: ItemWork<I, O>, options: MapItemsOptions): Promise<ItemOutcome<O>[]>;
  /**
   * mapItems for many items, in memory that does not grow with their number: takes the items from an iterable a
   * window at a time and hands each outcome to `each`, in the items' order, keeping none. Never throws for a failing
   * item (`each` sees it); returns how many items there were and how many failed.
   */
  forEachItem<I, O>(
    items: Iterable<Item<I>> | AsyncIterable<Item<I>>,
    work: ItemWork<I, O>,
    options: MapItemsOptions,
    each: (outcome: ItemOutcome<O>) => void | Promise<void>,
  ): Promise<{ total: number; failed: number }>;
  /** stores an output in the cache; `materialize` also copies it to a path under the root for people */
  writeOutput(name: string, data: Uint8Array | string, options?: { materialize?: string }): Promise<OutputRef>;
  /** moves a file the stage wrote (e.g. in `scratchDir`) into the cache as an output */
  writeOutputFile(name: string, file: string, options?: { materialize?: string }): Promise<OutputRef>;
  /** a private directory, removed after the run */
  readonly scratchDir: string;
  /** a directory kept across interrupted runs of the same key (checkpoints); removed once the stage finishes */
  readonly stateDir: string;
  /** records something that decided the result (seed, backend, versions) in the manifest */
  record(name: string, value: JsonValue): void;
  progress(update: { unit: string; done: number; total: number; cached?: number; phase?: string }): void;
  metrics(reason: 'step' | 'epoch', step: { epoch: number; epochs: number; batch?: number; batches?: number }, values: Record<string, number>): void;
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string, context?: { item?: string; file?: string }): void;
}

export interface StageDefinition<P extends Params = Params> {
  /** the name pipeline.yaml's `uses:` refers to */
  name: string;
  description: string;
  /**
   * Bump when results change for a reason the code fingerprint cannot see. The fingerprint
   * already covers the stage's module, its local imports and the versions of the packages they import.
   */
  version: number;
  params: Record<string, ParamSpec>;
  /**
   * Named resources the stage holds while it runs; two stages holding the same one never run at
   * the same time (e.g. `tfjs`: its engine and backend are process-wide singletons).
   */
  resources?: readonly string[];
  /**
   * Facts about the machine that decide the result (e.g. the training backend). Part of the key;
   * must be cheap, as `status` calls it too.
   */
  environment?(params: P): Promise<Record<string, string>>;
  run(ctx: StageContext<P>): Promise<void>;
  /**
   * `glioflow export STAGE DIR`: writes the stage's outputs for people (tables as CSV) or for other
   * tools (Arrow). Returns the files written. Without it, outputs are copied as they are.
   */
  export?(outputs: UpstreamOutputs, dir: string, format: 'csv' | 'arrow'): Promise<string[]>;
}

/** Helps a stage module declare itself with its params type checked. */
export function defineStage<P extends Params>(definition: StageDefinition<P>): StageDefinition<P> {
  return definition;
}
