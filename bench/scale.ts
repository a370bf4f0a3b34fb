// Scale benchmark (issue #19): `glioflow run cluster` (index → ratios → cluster) on synthetic TCGA-shaped cohorts of
// 100,000 and 1,000,000 DICOM files, measured with the built CLI as users run it:
//   synth       `glioflow synth` writing the cohort (small images: the engine's cost is per file)
//   run         each stage's seconds, files/s of index, peak RSS of the whole process (GNU time's maximum RSS)
//   outputs     the size of each stage's outputs (Arrow tables and JSON summaries)
//   no-op       the rerun with nothing changed, against a bare stat walk of the same tree
//               (`find -L DIR -type f -printf '%s %T@ %i\n' > /dev/null`), alternated, median of --repeats
//   status      `glioflow status`, timed the same way
//   +1 patient  a copy of one patient's folder added: how many index items ran (only its files should)
//
//   npx tsx bench/scale.ts [--files 100000,1000000] [--size 16] [--repeats 3] [--dir /tmp] [--keep]
//
// Cohorts go to DIR/glioflow-scale-<files> (reused while their options match) and are deleted at the end unless --keep.
// Needs dist/ (bench/run-all.ts builds it first; standalone, `npm run build`).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? dflt) : dflt;
};
const targets = arg('files', '100000,1000000').split(',').map(Number);
const size = Number(arg('size', '16'));
const repeats = Number(arg('repeats', '3'));
const base = arg('dir', '/tmp');
const keep = process.argv.includes('--keep');
const repo = fileURLToPath(new URL('..', import.meta.url));
const cli = join(repo, 'dist', 'cli.js');
if (!existsSync(cli)) {
  process.stderr.write('dist/ is missing: run `npm run build` (or `npm run bench -- scale`, which builds first)\n');
  process.exit(2);
}
/** files per synthetic patient: 7 series × 24 slices (src/synth/cohort.ts) */
const FILES_PER_PATIENT = 7 * 24;

interface Timed {
  seconds: number;
  rssBytes: number;
  stdout: string;
  code: number | null;
}

/** Runs a command under GNU time: wall seconds and the maximum RSS of the process (and its children). */
function timed(command: string, args: readonly string[], cwd: string): Timed {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', command, ...args], { cwd, encoding: 'utf8', maxBuffer: 1 << 28 });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const kb = Number(/(\d+)\s*$/.exec(r.stderr.trim())?.[1] ?? 'NaN');
  if (r.status !== 0) process.stderr.write(`${command} ${args.join(' ')} exited ${r.status}:\n${r.stderr.slice(-3000)}\n`);
  return { seconds, rssBytes: kb * 1024, stdout: r.stdout, code: r.status };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MB`;
const s = (x: number): string => `${x.toFixed(2)} s`;

interface Row {
  files: number;
  synth: string;
  stages: Record<string, number>;
  indexRate: number;
  rss: number;
  outputs: Record<string, number>;
  noop: number;
  walk: number;
  status: number;
  noopRss: number;
  added: { files: number; ran: number; cached: number } | null;
}

const rows: Row[] = [];
for (const target of targets) {
  const patients = Math.max(2, Math.round(target / FILES_PER_PATIENT));
  const dir = join(base, `glioflow-scale-${target}`);
  const cohort = join(dir, 'cohort');
  process.stderr.write(`▶ ${target} files: ${patients} patients into ${cohort}\n`);
  const synth = timed(process.execPath, [cli, 'synth', cohort, '--patients', String(patients), '--size', String(size)], repo);
  const marker = JSON.parse(readFileSync(join(cohort, 'cohort.json'), 'utf8')) as { files: number };
  const synthText = synth.seconds < 2 ? 'reused' : `${s(synth.seconds)} (${Math.round(marker.files / synth.seconds)} files/s)`;

  const project = join(dir, 'project');
  rmSync(project, { recursive: true, force: true });
  mkdirSync(project, { recursive: true });
  symlinkSync(join(cohort, 'mri'), join(project, 'raw'));
  writeFileSync(join(project, 'pipeline.yaml'), 'stages:\n  index: { uses: index, deps: [raw] }\n  ratios: { uses: ratios, needs: [index] }\n  cluster: { uses: cluster, needs: [index, ratios] }\n');

  const cold = timed(process.execPath, [cli, 'run', 'cluster', '--no-ui', '--json'], project);
  const summary = JSON.parse(cold.stdout.trim().split('\n').pop() ?? '{}') as { ok: boolean; stages: { name: string; seconds: number; items: { total: number; ran: number; cached: number } }[] };
  if (!summary.ok) throw new Error(`run cluster failed on ${target} files`);
  const stages = Object.fromEntries(summary.stages.map((st) => [st.name, st.seconds]));
  const lock = JSON.parse(readFileSync(join(project, 'pipeline.lock'), 'utf8')) as { stages: Record<string, { outputs: Record<string, { size: number }> }> };
  const outputs: Record<string, number> = {};
  for (const st of Object.values(lock.stages)) for (const [name, ref] of Object.entries(st.outputs)) outputs[name] = ref.size;

  const noops: number[] = [];
  const walks: number[] = [];
  const statuses: number[] = [];
  let noopRss = 0;
  for (let i = 0; i < repeats; i++) {
    const walk = timed('/bin/sh', ['-c', `find -L raw -type f -printf '%s %T@ %i\\n' > /dev/null`], project);
    walks.push(walk.seconds);
    const noop = timed(process.execPath, [cli, 'run', 'cluster', '--no-ui', '--json'], project);
    noops.push(noop.seconds);
    noopRss = Math.max(noopRss, noop.rssBytes);
    statuses.push(timed(process.execPath, [cli, 'status', 'cluster'], project).seconds);
  }

  // one patient more: a copy of the first patient's folder under a new name (new paths: new index items)
  let added: Row['added'] = null;
  const first = join(cohort, 'mri', 'TCGA-S1-0001');
  const extra = join(cohort, 'mri', 'TCGA-S1-ADDED');
  if (existsSync(first)) {
    cpSync(first, extra, { recursive: true });
    try {
      const r = timed(process.execPath, [cli, 'run', 'cluster', '--no-ui', '--json'], project);
      const sum = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as typeof summary;
      const index = sum.stages.find((st) => st.name === 'index');
      added = { files: FILES_PER_PATIENT, ran: index?.items.ran ?? -1, cached: index?.items.cached ?? -1 };
    } finally {
      rmSync(extra, { recursive: true, force: true });
    }
  }
  rows.push({ files: marker.files, synth: synthText, stages, indexRate: marker.files / (stages['index'] ?? NaN), rss: cold.rssBytes, outputs, noop: median(noops), walk: median(walks), status: median(statuses), noopRss, added });
  rmSync(project, { recursive: true, force: true });
  if (!keep) rmSync(dir, { recursive: true, force: true });
}

const cols = rows.map((r) => r.files.toLocaleString('en-US'));
const line = (name: string, cells: string[]): string => `| ${name} | ${cells.join(' | ')} |`;
const out = [
  line('files', cols),
  line('---', cols.map(() => '---:')),
  line('`glioflow synth`', rows.map((r) => r.synth)),
  line('run cluster: index', rows.map((r) => `${s(r.stages['index'] ?? NaN)} (${Math.round(r.indexRate)} files/s)`)),
  line('run cluster: ratios', rows.map((r) => s(r.stages['ratios'] ?? NaN))),
  line('run cluster: cluster', rows.map((r) => s(r.stages['cluster'] ?? NaN))),
  line('**peak RSS** of run cluster', rows.map((r) => `**${mb(r.rss)}**`)),
  line('peak RSS vs the first column', rows.map((r) => `${(r.rss / (rows[0]?.rss ?? NaN)).toFixed(2)}×`)),
  line('largest output', rows.map((r) => Object.entries(r.outputs).sort((a, b) => b[1] - a[1]).slice(0, 1).map(([n, b]) => `${n} ${mb(b)}`).join(''))),
  line('all outputs', rows.map((r) => mb(Object.values(r.outputs).reduce((a, b) => a + b, 0)))),
  line(`no-op rerun (median of ${repeats})`, rows.map((r) => `${s(r.noop)} (RSS ${mb(r.noopRss)})`)),
  line('stat walk (`find -L … -printf`)', rows.map((r) => s(r.walk))),
  line('**no-op / stat walk**', rows.map((r) => `**${(r.noop / r.walk).toFixed(2)}×**`)),
  line('`status cluster`', rows.map((r) => s(r.status))),
  line('+1 patient: index items ran / cached', rows.map((r) => (r.added ? `${r.added.ran} / ${r.added.cached} (its files: ${r.added.files})` : 'n/a'))),
];
process.stdout.write(`${out.join('\n')}\n\nImages ${size}×${size}, 7 series × 24 slices per patient; peak RSS is GNU time's maximum resident set size of the whole \`glioflow\` process (worker threads included).\n`);
