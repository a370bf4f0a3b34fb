// Runs on a piscina worker thread: imports the stage's item module (once per thread, thanks to
// the module cache) and calls the named export.
export interface ItemTask {
  module: string;
  fn: string;
  input: unknown;
  params: unknown;
}

type ItemFunction = (input: unknown, params: unknown) => unknown;

export default async function runItem(task: ItemTask): Promise<unknown> {
  const loaded = (await import(task.module)) as Record<string, unknown>;
  const fn = loaded[task.fn];
  if (typeof fn !== 'function') throw new Error(`${task.module} has no exported function "${task.fn}"`);
  return (fn as ItemFunction)(task.input, task.params);
}
