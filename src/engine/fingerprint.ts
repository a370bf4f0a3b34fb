// A stage implementation's code fingerprint: the hash of its module, of every local module it
// imports (statically or with import()), and of the name@version of every package they import.
// Chosen over a hand-declared version because a forgotten bump silently reuses stale results;
// the build strips comments (tsconfig removeComments) so a comment edit does not rerun anything.
// The engine's own modules are left out: stages import its API, and an engine change that alters
// results bumps the key version in run/key.ts instead of silently rerunning every stage.
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hashParts, hashString } from './hash.js';

// static and dynamic imports, and `new URL('./worker.js', import.meta.url)` (modules run on the pool)
const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\bnew\s+URL\(\s*)(['"])([^'"\n]+)\1/g;
const BUILTINS = new Set(builtinModules);
const SCRIPT = /\.[cm]?[jt]sx?$/;
const ENGINE_DIR = dirname(fileURLToPath(import.meta.url));

export interface Fingerprint {
  hash: string;
  /** the files and packages it covers, for `explain` */
  files: string[];
  packages: string[];
}

const packageVersions = new Map<string, string>();

function packageVersion(fromDir: string, name: string): string {
  const cacheKey = `${fromDir}\0${name}`;
  const known = packageVersions.get(cacheKey);
  if (known) return known;
  let dir = fromDir;
  let version = 'unresolved';
  for (;;) {
    const manifest = join(dir, 'node_modules', name, 'package.json');
    if (existsSync(manifest)) {
      version = (JSON.parse(readFileSync(manifest, 'utf8')) as { version?: string }).version ?? 'unknown';
      break;
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  packageVersions.set(cacheKey, version);
  return version;
}

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] as string);
}

/** `./x.js` may be `./x.ts` when running from source (tests). */
function resolveLocal(fromFile: string, specifier: string): string | undefined {
  const base = resolve(dirname(fromFile), specifier);
  for (const candidate of [base, base.replace(/\.js$/, '.ts'), base.replace(/\.js$/, '.tsx'), `${base}.js`, `${base}.ts`]) {
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

export function fingerprintModule(moduleUrl: string): Fingerprint {
  const entry = fileURLToPath(moduleUrl);
  const root = dirname(entry);
  const seen = new Set<string>();
  const parts: string[] = [];
  const packages = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    parts.push(relative(root, file), hashString(text));
    if (!SCRIPT.test(file)) continue; // an asset (a .wat kernel a module loads): hashed, not scanned for imports
    for (const match of text.matchAll(IMPORT)) {
      const specifier = match[2] as string;
      if (specifier.startsWith('.')) {
        const local = resolveLocal(file, specifier);
        if (local && !local.startsWith(ENGINE_DIR)) queue.push(local);
      } else if (!specifier.includes(':') && !BUILTINS.has(specifier)) {
        const name = packageName(specifier);
        packages.add(`${name}@${packageVersion(dirname(file), name)}`);
      }
    }
  }
  const sortedPackages = [...packages].sort();
  const pairs: string[][] = [];
  for (let i = 0; i < parts.length; i += 2) pairs.push([parts[i] as string, parts[i + 1] as string]);
  pairs.sort((a, b) => ((a[0] as string) < (b[0] as string) ? -1 : 1));
  return {
    hash: hashParts([...pairs.flat(), ...sortedPackages]),
    files: pairs.map((p) => p[0] as string),
    packages: sortedPackages,
  };
}
