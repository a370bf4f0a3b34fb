import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** True when `path` is a file or a folder holding at least one (non-dot) file, at any depth. */
export function hasFiles(path: string): boolean {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) return false;
  if (st.isFile()) return true;
  return readdirSync(path).some((name) => !name.startsWith('.') && hasFiles(join(path, name)));
}
