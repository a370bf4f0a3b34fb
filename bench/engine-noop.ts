// Engine benchmark: the no-op rerun of a pipeline over 5,000 input files in 250 folders with three
// per-folder stages and one summary stage, glioflow against Snakemake 7 (Debian `snakemake`, the
// same shape in bench/engine/Snakefile), timed alternately in one run. Target: ours ≤ 1/10.
//
//   npx tsx bench/engine-noop.ts [--folders 250] [--files 20] [--repeats 10]
//
// Snakemake's outputs are created by running it once (slow: a Python process per job), so its
// first build is done once per work dir and kept in $TMPDIR/glioflow-bench-engine.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const folders = arg('folders', 250);
const files = arg('files', 20);
const repeats = arg('repeats', 10);
const repo = fileURLToPath(new URL('..', import.meta.url));
const cli = join(repo, 'dist/cli.js');
const plugin = join(repo, 'dist/bench/engine-stages.js');
const work = join(tmpdir(), `glioflow-bench-engine-${folders}x${files}`);

function time(cmd: string, args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { cwd: work, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return ms;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

if (!existsSync(join(work, 'input'))) {
  for (let f = 0; f < folders; f++) {
    const dir = join(work, 'input', `f${String(f).padStart(3, '0')}`);
    mkdirSync(dir, { recursive: true });
    for (let i = 0; i < files; i++) writeFileSync(join(dir, `${String(i).padStart(2, '0')}.txt`), `${f}\n${i}\n${f * i}\n`);
  }
}
writeFileSync(
  join(work, 'pipeline.yaml'),
  `plugins: [${JSON.stringify(plugin)}]\nstages:\n  digest: { uses: folder-digest, deps: [input] }\n  double: { uses: folder-transform, needs: [digest], params: { factor: 2 } }\n  shift: { uses: folder-transform, needs: [double], params: { offset: 1 } }\n  summary: { uses: folder-summary, needs: [shift], params: { to: out/glioflow-summary.json } }\n`,
);
// a cold first run: no cache, no lock, no experiments
for (const path of ['cache', 'pipeline.lock', 'out/glioflow-summary.json']) rmSync(join(work, path), { recursive: true, force: true });
const cold = time(process.execPath, [cli, 'run', '--no-ui']);
await new Promise((r) => setTimeout(r, 2_500)); // past the racy-mtime window of the files just written
time(process.execPath, [cli, 'run', '--no-ui']);

const snakemake = spawnSync('snakemake', ['--version'], { encoding: 'utf8' });
const haveSnakemake = snakemake.status === 0;
if (haveSnakemake) {
  copyFileSync(join(repo, 'bench/engine/Snakefile'), join(work, 'Snakefile'));
  if (!existsSync(join(work, 'out/summary.json'))) {
    process.stderr.write('building Snakemake outputs once (a Python process per job; several minutes)…\n');
    time('snakemake', ['--cores', '2', '--quiet']);
  }
  time('snakemake', ['--cores', '2', '--quiet']);
}

const ours: number[] = [];
const theirs: number[] = [];
for (let i = 0; i < repeats; i++) {
  ours.push(time(process.execPath, [cli, 'run', '--no-ui']));
  if (haveSnakemake) theirs.push(time('snakemake', ['--cores', '2', '--quiet']));
}
const fmt = (ms: number): string => `${(ms / 1000).toFixed(3)} s`;
const lines = [
  `${folders * files} input files in ${folders} folders; 3 per-folder stages + 1 summary; ${repeats} alternating no-op runs each (wall clock, includes process start-up).`,
  '',
  '| tool | median | min | max |',
  '| --- | --- | --- | --- |',
  `| glioflow (node dist/cli.js run --no-ui) | ${fmt(median(ours))} | ${fmt(Math.min(...ours))} | ${fmt(Math.max(...ours))} |`,
];
if (haveSnakemake) {
  lines.push(`| Snakemake ${snakemake.stdout.trim()} (--cores 2 --quiet) | ${fmt(median(theirs))} | ${fmt(Math.min(...theirs))} | ${fmt(Math.max(...theirs))} |`);
  const ratio = median(ours) / median(theirs);
  lines.push('', `glioflow / Snakemake (medians): **${ratio.toFixed(3)}** (target ≤ 0.100: ${ratio <= 0.1 ? 'met' : 'NOT met'}). First (cold) glioflow run: ${fmt(cold)}.`);
} else {
  lines.push('', `Snakemake is not installed (apt-get install snakemake): no side-by-side ratio this run. First (cold) glioflow run: ${fmt(cold)}.`);
}
process.stdout.write(`${lines.join('\n')}\n`);
