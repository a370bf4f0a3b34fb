// Items whose function threw (a file that could not be read, a worker that died) fail their stage. Why: a stage's
// output is cached under its key, which depends only on the inputs' content, so a result missing a file because of a
// transient error (EMFILE, EIO, a permission since fixed) would be served from the cache until some input changed.
// The items that succeeded are in the item cache already: the next run retries only the failed ones.
import { GlioflowFailure, type GlioflowError } from '../engine/result.js';
import type { ItemOutcome } from '../engine/stage-api.js';

const NAMED = 3;

/** Every item's id and value, in order; throws a GlioflowFailure naming the first failed items when any failed. */
export function succeededItems<O>(stage: string, outcomes: readonly ItemOutcome<O>[], unit: string): { id: string; value: O }[] {
  const failed = outcomes.filter((o): o is { id: string; ok: false; error: GlioflowError } => !o.ok);
  if (failed.length === 0) return outcomes.map((o) => ({ id: o.id, value: (o as { value: O }).value }));
  const first = failed[0]!;
  const named = failed.slice(0, NAMED).map((f) => `${f.id}: ${f.error.message}`).join('; ');
  const more = failed.length > NAMED ? `; and ${failed.length - NAMED} more` : '';
  throw new GlioflowFailure({
    kind: 'item-failed',
    stage,
    item: first.id,
    message: `${failed.length} of ${outcomes.length} ${unit} failed: ${named}${more}`,
    hint: `the other ${outcomes.length - failed.length} are kept; fix the cause and run again: only these are retried (one that fails on every run, e.g. a file that crashes its worker: move it out of the input folder)`,
  });
}
