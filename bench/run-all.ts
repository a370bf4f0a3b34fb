// `npm run bench [-- NAME…]`: runs the benchmarks side by side with their references and writes
// BENCHMARKS.md (each section with the exact command that produced it). Names: engine, ingest,
// reader-memory, train-speed, wasm-threads.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const repo = fileURLToPath(new URL('..', import.meta.url));
const BENCHES: Record<string, { title: string; script: string; args: string[] }> = {
  engine: { title: 'Engine: no-op rerun vs Snakemake', script: 'bench/engine-noop.ts', args: [] },
  ingest: { title: 'Ingest: DICOM parse + black-pixel ratio vs pydicom + numpy', script: 'bench/ingest.ts', args: [] },
  'reader-memory': { title: 'Streaming shard reader: peak memory, small vs 4× cohort', script: 'bench/reader-memory.ts', args: [] },
  scale: { title: 'Scale: run cluster on 100,000 and 1,000,000 synthetic DICOM files', script: 'bench/scale.ts', args: [] },
  'train-speed': { title: 'Training speed: images/s per model vs PyTorch CPU', script: 'bench/train-speed.ts', args: [] },
  'batch-norm-pieces': { title: "SENet's batch norm: pieces of 4 rows (as at 224×224) vs the whole batch", script: 'bench/batch-norm-pieces.ts', args: [] },
  'wasm-threads': { title: 'Experiment: wasm kernels, threaded-SIMD build vs SIMD build', script: 'bench/wasm-threads.ts', args: [] },
};

// `npm run bench -- NAME… [--flag value…]`: names first; flags after them go to each named benchmark's script (e.g.
// `train-speed --size 224`), and a --size other than the script's default gets its own section.
const argv = process.argv.slice(2);
const firstFlag = argv.findIndex((a) => a.startsWith('-'));
const wanted = firstFlag < 0 ? argv : argv.slice(0, firstFlag);
const extra = firstFlag < 0 ? [] : argv.slice(firstFlag);
const names = wanted.length > 0 ? wanted : Object.keys(BENCHES);
const sizeArg = extra.indexOf('--size');
const sized = sizeArg >= 0 ? Number(extra[sizeArg + 1]) : null;
const build = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { cwd: repo, stdio: 'inherit' });
if (build.status !== 0) process.exit(1);

const file = join(repo, 'BENCHMARKS.md');
const existing = existsSync(file) ? readFileSync(file, 'utf8') : '';
const sections = new Map<string, string>();
for (const m of existing.matchAll(/^## (.+)\n([\s\S]*?)(?=^## |(?![\s\S]))/gm)) sections.set(m[1] as string, m[0] as string);

let failed = false;
for (const name of names) {
  const bench = BENCHES[name];
  if (!bench) {
    process.stderr.write(`unknown benchmark ${name}; known: ${Object.keys(BENCHES).join(', ')}\n`);
    process.exit(2);
  }
  if (!existsSync(join(repo, bench.script))) {
    process.stderr.write(`${name}: ${bench.script} is missing (unfinished)\n`);
    failed = true;
    continue;
  }
  const args = [...bench.args, ...extra];
  const command = `npx tsx ${bench.script}${args.length ? ` ${args.join(' ')}` : ''}`;
  const title = sized !== null && sized !== 64 ? `${bench.title} at ${sized}×${sized}` : bench.title;
  process.stderr.write(`▶ ${name}: ${command}\n`);
  const started = new Date();
  const load = loadavg()[0]?.toFixed(2);
  const r = spawnSync(process.execPath, ['--import', 'tsx', bench.script, ...args], { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  process.stdout.write(r.stdout);
  if (r.status !== 0) failed = true;
  const body = [
    `## ${title}`,
    '',
    `Command: \`npm run bench -- ${[name, ...extra].join(' ')}\` (runs \`${command}\`), ${started.toISOString()}, ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, load average ${load} at start, exit ${r.status}.`,
    '',
    // plain-text reports (no markdown table) keep their columns in a code block
    /^\|.*\|\s*$/m.test(r.stdout) ? r.stdout.trim() : `\`\`\`\n${r.stdout.trim()}\n\`\`\``,
    '',
    '',
  ].join('\n');
  sections.set(title, body);
}
const header = '# Benchmarks\n\nWritten by `npm run bench` (bench/run-all.ts). Ratios are measured side by side in one run; these machines are noisy, so compare ratios, not absolute times.\n\n';
writeFileSync(file, header + [...sections.values()].join(''));
process.exitCode = failed ? 1 : 0;
