import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** True when `path` is a file or a folder holding at least one (non-dot) file, at any depth. */
export function hasFiles(path: string): boolean {
  if (path.includes('\0')) return false; // not a path any file system holds
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) return false;
  if (st.isFile()) return true;
  return readdirSync(path).some((name) => !name.startsWith('.') && hasFiles(join(path, name)));
}
