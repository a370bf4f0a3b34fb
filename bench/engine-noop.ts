// Engine benchmark: the no-op rerun of a pipeline over 5,000 input files in 250 folders with three
// per-folder stages and one summary stage, glioflow against Snakemake 7 (Debian `snakemake`, the
// same shape in bench/engine/Snakefile), timed alternately in one run. Target: ours ≤ 1/10.
//
//   npx tsx bench/engine-noop.ts [--folders 250] [--files 20] [--repeats 10]
//
// Snakemake's outputs are created by running it once (slow: a Python process per job), so its
// first build is done once per work dir and kept in $TMPDIR/glioflow-bench-engine.
//
// NODE_EXTRA_CA_CERTS: when it is set (as in our sandbox, for npm's proxy), Node loads those
// certificates, with its own root store, at process start, before any JavaScript runs (Node's
// test-tls-env-extra-ca "ensures that extra certificates are loaded at startup"). Measured here:
// +18 ms with a one-certificate file (Node's own root store), +38 ms with this sandbox's
// 144-certificate bundle — a third of our no-op. It is the environment's cost, not glioflow's,
// and Python never reads it, so when it is set glioflow is timed both ways in the same
// alternation (and bare `node -e 0` too, to show where it goes).
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

function time(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): number {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { cwd: work, env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
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

const extraCaCerts = process.env.NODE_EXTRA_CA_CERTS;
const withoutCaCerts: NodeJS.ProcessEnv = { ...process.env };
delete withoutCaCerts.NODE_EXTRA_CA_CERTS;

interface Series {
  label: string;
  ms: number[];
  run(): number;
}
const series: Series[] = [];
const add = (label: string, run: () => number): Series => {
  const s: Series = { label, ms: [], run };
  series.push(s);
  return s;
};
const ours = add(`glioflow (node dist/cli.js run --no-ui)${extraCaCerts ? ', NODE_EXTRA_CA_CERTS as set' : ''}`, () => time(process.execPath, [cli, 'run', '--no-ui']));
const oursStock = extraCaCerts ? add('glioflow, NODE_EXTRA_CA_CERTS unset', () => time(process.execPath, [cli, 'run', '--no-ui'], withoutCaCerts)) : undefined;
const theirs = haveSnakemake ? add(`Snakemake ${snakemake.stdout.trim()} (--cores 2 --quiet)`, () => time('snakemake', ['--cores', '2', '--quiet'])) : undefined;
const bare = extraCaCerts
  ? {
      set: add(`bare \`node -e 0\`, NODE_EXTRA_CA_CERTS=${extraCaCerts}`, () => time(process.execPath, ['-e', '0'])),
      unset: add('bare `node -e 0`, NODE_EXTRA_CA_CERTS unset', () => time(process.execPath, ['-e', '0'], withoutCaCerts)),
    }
  : undefined;
// Each round starts one command later than the previous, so no command always follows the same other one.
for (let i = 0; i < repeats; i++) {
  for (let j = 0; j < series.length; j++) {
    const s = series[(i + j) % series.length] as Series;
    s.ms.push(s.run());
  }
}

const fmt = (ms: number): string => `${(ms / 1000).toFixed(3)} s`;
const lines = [
  `${folders * files} input files in ${folders} folders; 3 per-folder stages + 1 summary; ${repeats} alternating no-op runs each (wall clock, includes process start-up).`,
  '',
  '| command | median | min | max |',
  '| --- | --- | --- | --- |',
  ...series.map((s) => `| ${s.label} | ${fmt(median(s.ms))} | ${fmt(Math.min(...s.ms))} | ${fmt(Math.max(...s.ms))} |`),
  '',
];
const verdict = (ratio: number): string => `**${ratio.toFixed(3)}** (target ≤ 0.100: ${ratio <= 0.1 ? 'met in this run' : 'NOT met'})`;
if (theirs) {
  lines.push(`glioflow / Snakemake (medians): ${verdict(median(ours.ms) / median(theirs.ms))}${extraCaCerts ? ', in this environment as it is' : ''}.`);
  if (oursStock && bare) {
    lines.push(
      '',
      `With NODE_EXTRA_CA_CERTS unset (a stock Node set-up; glioflow opens no TLS connection): ${verdict(median(oursStock.ms) / median(theirs.ms))}.`,
      `The variable is set here (${extraCaCerts}); Node loads those certificates (and its own root store) at start-up, before running any JavaScript. Medians, set minus unset: bare \`node -e 0\` ${fmt(median(bare.set.ms) - median(bare.unset.ms))}, glioflow ${fmt(median(ours.ms) - median(oursStock.ms))}.`,
    );
  }
} else {
  lines.push('Snakemake is not installed (apt-get install snakemake): no side-by-side ratio this run.');
}
lines.push('', `First (cold) glioflow run: ${fmt(cold)}.`);
process.stdout.write(`${lines.join('\n')}\n`);
