// The stage implementations glioflow ships, by `uses` name. The engine loads a module only when
// a pipeline uses it; each module keeps heavy imports inside `run`.
import { siblingModule } from './module-url.js';

const here = import.meta.url;

export const builtinStages: Readonly<Record<string, string>> = {};
void here;
void siblingModule;
