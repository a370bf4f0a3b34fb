// The stage implementations glioflow ships, by `uses` name. The engine loads a module only when
// a pipeline uses it; each module keeps heavy imports inside `run`.
import { siblingModule } from './module-url.js';

const at = (path: string): string => siblingModule(path, import.meta.url);

export const builtinStages: Readonly<Record<string, string>> = {
  index: at('ingest/index-stage'),
  ratios: at('ingest/ratios-stage'),
  cluster: at('ingest/cluster-stage'),
  labels: at('data/labels-stage'),
  tensorize: at('data/tensorize-stage'),
  train: at('model/train-stage'),
  evaluate: at('model/evaluate-stage'),
  plot: at('model/plot-stage'),
};
