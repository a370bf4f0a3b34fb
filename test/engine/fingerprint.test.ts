// Code fingerprints: local modules and assets a module loads (`new URL('./x', import.meta.url)`) are hashed; only
// scripts are scanned for imports, so an asset's text (a .wat kernel's `(import "env" "memory")`) names no package.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fingerprintModule } from '../../src/engine/fingerprint.js';
import { initHashing } from '../../src/engine/hash.js';

const dirs: string[] = [];
beforeAll(async () => {
  await initHashing();
});
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function project(wat: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'glioflow-fingerprint-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'stage.js'), "import { helper } from './helper.js';\nconst kernel = new URL('./kernel.wat', import.meta.url);\n");
  writeFileSync(join(dir, 'helper.js'), "import { parse } from 'yaml';\nexport const helper = parse;\n");
  writeFileSync(join(dir, 'kernel.wat'), wat);
  return join(dir, 'stage.js');
}

describe('fingerprintModule', () => {
  it('hashes an asset a module loads without reading it for imports', () => {
    const a = fingerprintModule(pathToFileURL(project('(module (import "env" "memory" (memory 1)))')).href);
    expect(a.files.sort()).toEqual(['helper.js', 'kernel.wat', 'stage.js']);
    expect(a.packages.map((p) => p.split('@')[0])).toEqual(['yaml']); // not "env"
    const b = fingerprintModule(pathToFileURL(project('(module (import "env" "memory" (memory 2)))')).href);
    expect(b.hash).not.toBe(a.hash); // the kernel's text is part of the stage's code
    const c = fingerprintModule(pathToFileURL(project('(module (import "env" "memory" (memory 1)))')).href);
    expect(c.hash).toBe(a.hash);
  });
});
