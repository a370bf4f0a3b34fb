// Runs the built CLI (dist/, built by the global setup) on throw-away projects that use the
// generic per-folder stages of src/bench/engine-stages.ts.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';

export const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
export const PLUGIN = fileURLToPath(new URL('../../dist/bench/engine-stages.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunSummary {
  ok: boolean;
  stages: { name: string; status: 'ran' | 'cached' | 'failed' | 'skipped'; items: { total: number; ran: number; cached: number }; seconds: number; key: string | null }[];
}

// Projects (caches of hundreds of MB for the pipeline tests) are removed when their test file ends;
// GLIOFLOW_KEEP_TEST_DIRS=1 keeps them for a look.
const made: string[] = [];
afterAll(() => {
  if (process.env['GLIOFLOW_KEEP_TEST_DIRS']) return;
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

export class TestProject {
  readonly dir: string;
  readonly itemLog: string;

  constructor(prefix = 'glioflow-engine-', parent = tmpdir()) {
    this.dir = mkdtempSync(join(parent, prefix));
    this.itemLog = join(this.dir, 'items.log');
    made.push(this.dir);
  }

  write(path: string, text: string): void {
    const full = join(this.dir, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, text);
  }

  read(path: string): string {
    return readFileSync(join(this.dir, path), 'utf8');
  }

  /** folders × files of small numeric text files under input/ */
  makeInputs(folders: number, files: number): void {
    for (let f = 0; f < folders; f++) for (let i = 0; i < files; i++) this.write(`input/f${f}/${i}.txt`, `${f}\n${i}\n`);
  }

  cli(args: readonly string[], env: Record<string, string> = {}): CliResult {
    const r = spawnSync(process.execPath, [CLI, ...args], { cwd: this.dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', GLIOFLOW_ITEM_LOG: this.itemLog, ...env } });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  spawnCli(args: readonly string[]): ChildProcess {
    return spawn(process.execPath, [CLI, ...args], { cwd: this.dir, env: { ...process.env, NO_COLOR: '1', GLIOFLOW_ITEM_LOG: this.itemLog }, stdio: ['ignore', 'pipe', 'pipe'] });
  }

  /** `run --json`: the summary object, and which items really ran (from the item log) */
  run(args: readonly string[] = []): { summary: RunSummary; itemsRan: string[]; result: CliResult } {
    writeFileSync(this.itemLog, '');
    const result = this.cli(['run', '--json', ...args]);
    const lines = result.stdout.trim().split('\n');
    let summary: RunSummary;
    try {
      summary = JSON.parse(lines[lines.length - 1] ?? '') as RunSummary;
    } catch {
      throw new Error(`run --json printed no JSON (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
    }
    const itemsRan = readFileSync(this.itemLog, 'utf8').split('\n').filter(Boolean).sort();
    return { summary, itemsRan, result };
  }

  statusJson(): { stages: { name: string; state: 'fresh' | 'stale'; why: string[]; restores: string[] }[] } {
    const r = this.cli(['status', '--json']);
    if (r.code !== 0) throw new Error(`status failed: ${r.stderr}`);
    return JSON.parse(r.stdout) as { stages: { name: string; state: 'fresh' | 'stale'; why: string[]; restores: string[] }[] };
  }
}

/** digest → double → shift → summary: three per-folder stages with item-level work and a summary. */
export function fourStagePipeline(options: { factor?: number; delayMs?: number } = {}): string {
  return `plugins:
  - ${JSON.stringify(PLUGIN)}
stages:
  digest:
    uses: folder-digest
    deps: [input]
    params: { delay_ms: ${options.delayMs ?? 0} }
  double:
    uses: folder-transform
    needs: [digest]
    params: { factor: ${options.factor ?? 2} }
  shift:
    uses: folder-transform
    needs: [double]
    params: { offset: 1 }
  summary:
    uses: folder-summary
    needs: [shift]
    params: { to: experiments/summary.json }
`;
}

export const statusOf = (summary: RunSummary): Record<string, string> => Object.fromEntries(summary.stages.map((s) => [s.name, s.status]));
