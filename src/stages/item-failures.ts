// Items whose function threw (a file that could not be read, a worker that died) fail their stage. Why: a stage's
// output is cached under its key, which depends only on the inputs' content, so a result missing a file because of a
// transient error (EMFILE, EIO, a permission since fixed) would be served from the cache until some input changed.
// The items that succeeded are in the item cache already: the next run retries only the failed ones.
import { GlioflowFailure, type GlioflowError } from '../engine/result.js';
import type { ItemOutcome } from '../engine/stage-api.js';

const NAMED = 3;

type Failed = { id: string; ok: false; error: GlioflowError };

/** Every item's id and value, in order; throws a GlioflowFailure naming the first failed items when any failed. */
export function succeededItems<O>(stage: string, outcomes: readonly ItemOutcome<O>[], unit: string): { id: string; value: O }[] {
  const tally = new FailureTally(stage, unit);
  for (const o of outcomes) tally.add(o);
  tally.throwIfAny();
  return outcomes.map((o) => ({ id: o.id, value: (o as { value: O }).value }));
}

/**
 * succeededItems for outcomes that stream by (ctx.forEachItem): counts them and keeps the first few failures only;
 * throwIfAny() at the end throws the same failure succeededItems would.
 */
export class FailureTally {
  private readonly named: Failed[] = [];
  failed = 0;
  total = 0;
  constructor(
    private readonly stage: string,
    private readonly unit: string,
  ) {}

  /** Counts an outcome; true when it succeeded. */
  add<O>(o: ItemOutcome<O>): o is { id: string; ok: true; value: O; cached: boolean } {
    this.total++;
    if (o.ok) return true;
    this.failed++;
    if (this.named.length < NAMED + 1) this.named.push(o);
    return false;
  }

  throwIfAny(): void {
    if (this.failed === 0) return;
    const first = this.named[0]!;
    const named = this.named.slice(0, NAMED).map((f) => `${f.id}: ${f.error.message}`).join('; ');
    const more = this.failed > NAMED ? `; and ${this.failed - NAMED} more` : '';
    throw new GlioflowFailure({
      kind: 'item-failed',
      stage: this.stage,
      item: first.id,
      message: `${this.failed} of ${this.total} ${this.unit} failed: ${named}${more}`,
      hint: `the other ${this.total - this.failed} are kept; fix the cause and run again: only these are retried (one that fails on every run, e.g. a file that crashes its worker: move it out of the input folder)`,
    });
  }
}
