// The whole command line, with commander: every verb, its help and its errors. Each verb's code
// is imported only when that verb runs. Usage errors exit 2 (help and --version 0).
import { readFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import type { GlobalOptions } from './common.js';
import { runFlagsOf, type ParsedRun } from './run-args.js';

export interface ProgramHooks {
  /** what `run` does with its parsed arguments (tests: compare with the fast path); default: runs */
  run?(parsed: ParsedRun): Promise<number>;
}

/** `--set NAME=VALUE`, repeatable: each occurrence takes one value, so `--set size=32 train` leaves `train` a stage. */
const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

/** A whole number ≥ 1 (`--workers`): anything else is a usage error, not silently ignored. */
export function positiveInteger(value: string): number {
  if (!/^[1-9]\d*$/.test(value)) throw new InvalidArgumentError('expected a whole number ≥ 1.');
  return Number.parseInt(value, 10);
}

/** The program; commander throws (CommanderError) instead of exiting. */
export function buildProgram(hooks: ProgramHooks = {}): Command {
  const program = new Command();
  program
    .name('glioflow')
    .description('Content-addressed pipeline for predicting TP53, PTEN, EGFR and IDH mutation status from TCGA-GBM MRI')
    .exitOverride() // before the verbs are added: they inherit it
    .option('-C, --cwd <dir>', 'project folder (holds pipeline.yaml)', '.')
    .option('--pipeline <file>', 'pipeline file, relative to the project folder', 'pipeline.yaml')
    .option('--cache <dir>', 'cache folder, relative to the project folder', 'cache')
    .option('--profile <name>', 'profile of pipeline.yaml to use (default: chosen by its when_empty rule)')
    .option('--set <var=value>', 'override a var of pipeline.yaml (value parsed as JSON when it can be); repeat for more', collect)
    .version((JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version)
    .showHelpAfterError();

  const globals = (): GlobalOptions => program.opts<GlobalOptions>();
  const uiOption = new Option('--no-ui', 'plain log lines instead of the live terminal UI');

  program
    .command('run')
    .description('run the named stages (and what they need), or all; reuse everything cached')
    .argument('[stages...]', 'stage names (foreach base names select all their instances)')
    .option('--force', 'rerun the named stages (all when none named) even when cached')
    .option('--json', 'print exactly one JSON summary object on stdout (logs go to stderr)')
    .addOption(uiOption)
    .option('--no-wait', 'fail at once when another run holds the cache instead of waiting')
    .option('--workers <n>', 'worker threads for item work (default: available cores)', positiveInteger)
    .action(async (stages: string[], opts) => {
      const parsed: ParsedRun = { globals: globals(), stages, flags: runFlagsOf(opts) };
      if (hooks.run) {
        process.exitCode = await hooks.run(parsed);
        return;
      }
      const { runCommand } = await import('./run.js');
      process.exitCode = await runCommand(parsed.globals, parsed.stages, parsed.flags);
    });

  program
    .command('status')
    .description('each stage fresh or stale, and why')
    .argument('[stages...]', 'limit to these stages (and what they need)')
    .option('--json', 'machine-readable output')
    .action(async (stages: string[], opts) => {
      const { statusCommand } = await import('./status.js');
      process.exitCode = await statusCommand(globals(), stages, opts);
    });

  program
    .command('dag')
    .description('the stage graph')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'mermaid', 'dot']).default('text'))
    .action(async (opts) => {
      const { dagCommand } = await import('./dag.js');
      process.exitCode = await dagCommand(globals(), opts);
    });

  program
    .command('export')
    .description("write a stage's outputs to DIR (tables as CSV for people, or Arrow)")
    .argument('<stage>', 'stage name')
    .argument('<dir>', 'destination folder')
    .addOption(new Option('--format <format>', 'table format').choices(['csv', 'arrow']).default('csv'))
    .action(async (stage: string, dir: string, opts) => {
      const { exportCommand } = await import('./export.js');
      process.exitCode = await exportCommand(globals(), stage, dir, opts);
    });

  program
    .command('gc')
    .description('delete cached results no longer needed: keeps what pipeline.lock references and the last N runs of each stage')
    .option('--keep <n>', 'runs of each stage to keep (by last use)', (v) => Number.parseInt(v, 10), 3)
    .option('--dry-run', 'only report what would be freed')
    .action(async (opts) => {
      const { gcCommand } = await import('./gc.js');
      process.exitCode = await gcCommand(globals(), opts);
    });

  program
    .command('verify')
    .description('re-hash every cached object that pipeline.lock and the manifests reference')
    .option('--json', 'machine-readable output')
    .action(async (opts) => {
      const { verifyCommand } = await import('./verify.js');
      process.exitCode = await verifyCommand(globals(), opts);
    });

  program
    .command('explain')
    .description('the provenance of a file under experiments/: stage, key, params, code, inputs, back to the raw data')
    .argument('<path>', 'a materialised output file')
    .option('--json', 'machine-readable output')
    .action(async (path: string, opts) => {
      const { explainCommand } = await import('./explain.js');
      process.exitCode = await explainCommand(globals(), path, opts);
    });

  program
    .command('stages')
    .description('the stage implementations pipeline.yaml can `use`, with their params')
    .action(async () => {
      const { stagesCommand } = await import('./stages.js');
      process.exitCode = await stagesCommand(globals());
    });

  program
    .command('start')
    .description('what `npm start` runs: the whole pipeline on data/mri/raw, or on a synthetic cohort when that is empty')
    .addOption(new Option('--no-ui', 'plain log lines instead of the live terminal UI'))
    .option('--json', 'print exactly one JSON summary object on stdout')
    .action(async (opts) => {
      const { startCommand } = await import('./start.js');
      process.exitCode = await startCommand(globals(), opts);
    });

  program
    .command('synth')
    .description('write a synthetic, TCGA-shaped cohort of DICOM files with a planted, learnable signal')
    .argument('<dir>', 'destination folder (MRI under DIR/mri, labels in DIR/labels.csv)')
    .option('--patients <n>', 'number of patients', (v) => Number.parseInt(v, 10), 24)
    .option('--seed <s>', 'random seed', (v) => Number.parseInt(v, 10), 0)
    .option('--size <px>', 'image size', (v) => Number.parseInt(v, 10), 64)
    .option('--noise-label <gene>', 'make this label pure noise (TP53, PTEN, EGFR or IDH)')
    .action(async (dir: string, opts) => {
      const { synthCommand } = await import('./synth.js');
      process.exitCode = await synthCommand(dir, opts);
    });

  program
    .command('models')
    .description("the five architectures and their parameter counts")
    .option('--size <px>', 'input image size', (v) => Number.parseInt(v, 10), 224)
    .option('--json', 'machine-readable output')
    .action(async (opts) => {
      const { modelsCommand } = await import('./models.js');
      process.exitCode = await modelsCommand(opts);
    });

  program
    .command('show')
    .description('the cross-model results table')
    .option('--json', 'machine-readable output')
    .action(async (opts) => {
      const { showCommand } = await import('./show.js');
      process.exitCode = await showCommand(globals(), opts);
    });

  return program;
}

export async function runProgram(argv: readonly string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    // commander has printed the message (and the help); 0 for --help and --version
    process.exitCode = error.exitCode === 0 ? 0 : 2;
  }
}
