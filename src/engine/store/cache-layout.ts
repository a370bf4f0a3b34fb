// Where everything lives under cache/. One place, so verify, gc and the executor agree.
import { join } from 'node:path';

export interface CacheLayout {
  root: string;
  objects: string;
  /** stage key → record of the run that produced it */
  keys: string;
  /** item results: packs/ (checksummed records) and index/ (per item family: where each key is) */
  items: string;
  manifests: string;
  /** checkpoints of unfinished stage runs, by stage key */
  state: string;
  tmp: string;
  statCache: string;
  outputStatCache: string;
  depIndex: string;
  /** per dep: its files' (size, mtime, inode) → hash, an Arrow table (store/listing.ts) */
  depStats: string;
  parsedPipeline: string;
  runLock: string;
  /** `pipeline.lock` lives at the project root, beside pipeline.yaml */
  pipelineLock: string;
}

export function cacheLayout(projectRoot: string, cacheDir = join(projectRoot, 'cache')): CacheLayout {
  return {
    root: cacheDir,
    objects: join(cacheDir, 'objects'),
    keys: join(cacheDir, 'keys'),
    items: join(cacheDir, 'items'),
    manifests: join(cacheDir, 'manifests'),
    state: join(cacheDir, 'state'),
    tmp: join(cacheDir, 'tmp'),
    statCache: join(cacheDir, 'stat-cache.json'),
    outputStatCache: join(cacheDir, 'output-stat-cache.json'),
    depIndex: join(cacheDir, 'deps.json'),
    depStats: join(cacheDir, 'dep-stats'),
    parsedPipeline: join(cacheDir, 'pipeline.parsed.json'),
    runLock: join(cacheDir, 'run.lock'),
    pipelineLock: join(projectRoot, 'pipeline.lock'),
  };
}

/** Stage names like `train@ViT` as safe file names. */
export function safeName(stage: string): string {
  return stage.replace(/[^A-Za-z0-9._-]/g, '_');
}

export function shardedPath(dir: string, key: string, suffix = ''): string {
  return join(dir, key.slice(0, 2), `${key.slice(2)}${suffix}`);
}
