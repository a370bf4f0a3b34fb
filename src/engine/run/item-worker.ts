// Runs on a piscina worker thread: imports the stage's item module (once per thread, thanks to
// the module cache) and calls the named export on each input of a chunk. Items are sent in
// chunks because one message round trip costs about as much as a small item's work.
export interface ItemTask {
  module: string;
  fn: string;
  inputs: unknown[];
  params: unknown;
}

export type ItemTaskResult = { ok: true; value: unknown } | { ok: false; error: string };

type ItemFunction = (input: unknown, params: unknown) => unknown;

export default async function runItems(task: ItemTask): Promise<ItemTaskResult[]> {
  const loaded = (await import(task.module)) as Record<string, unknown>;
  const fn = loaded[task.fn];
  if (typeof fn !== 'function') throw new Error(`${task.module} has no exported function "${task.fn}"`);
  const out: ItemTaskResult[] = [];
  for (const input of task.inputs) {
    try {
      out.push({ ok: true, value: await (fn as ItemFunction)(input, task.params) });
    } catch (error) {
      out.push({ ok: false, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return out;
}
