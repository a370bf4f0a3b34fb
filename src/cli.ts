#!/usr/bin/env node
// glioflow's command line. A plain `glioflow run` (the command a researcher repeats most, often
// to find that nothing changed) is parsed by util.parseArgs and goes straight to the engine;
// everything else — other verbs, help, --version, errors — goes through commander. Start-up
// time is part of the design: a no-op rerun loads nothing it does not use.
import { parseRunArgs } from './cli/run-args.js';

const fast = parseRunArgs(process.argv.slice(2));
if (fast) {
  const { runCommand } = await import('./cli/run.js');
  process.exitCode = await runCommand(fast.globals, fast.stages, fast.flags);
} else {
  const { runProgram } = await import('./cli/program.js');
  await runProgram(process.argv);
}
