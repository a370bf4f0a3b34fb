// `glioflow run`: takes the run lock, runs, reports, and sets the exit code (0 only when every
// requested stage succeeded; 130 when interrupted).
import { missingDeps } from '../engine/config/missing-deps.js';
import { acquireRunLock } from '../engine/run/run-lock.js';
import { readLock } from '../engine/lockfile.js';
// Straight from the engine's modules, not its index: a no-op run loads only what it uses.
import type { Project } from '../engine/project.js';
import { runPipeline, selectStages, type RunResult } from '../engine/run/run-pipeline.js';
import { open, printErrors, type GlobalOptions } from './common.js';
import { createReporter } from './reporter.js';

export interface RunFlags {
  force?: boolean;
  json?: boolean;
  ui?: boolean;
  wait?: boolean;
  workers?: number;
}

export async function runCommand(globals: GlobalOptions, stages: string[], flags: RunFlags): Promise<number> {
  const project = await open(globals);
  if (!project) return 2;
  return runOpenedProject(project, stages, flags);
}

export async function runOpenedProject(project: Project, stages: string[], flags: RunFlags): Promise<number> {
  const { selected, unknown } = selectStages(project, stages);
  if (unknown.length > 0) {
    printErrors(unknown.map((name) => ({ kind: 'unknown-stage', message: `no stage named "${name}"`, location: { file: project.spec.file }, hint: `stages: ${project.spec.stages.map((s) => s.name).join(', ')}` })));
    return 2;
  }
  // only the stages this run would run, and what they need: a missing dep elsewhere blocks nothing
  const missing = missingDeps(project.root, selected);
  if (missing.length > 0) {
    printErrors(missing);
    return 2;
  }
  const controller = new AbortController();
  const reporter = await createReporter({ noUi: flags.ui === false, json: flags.json === true, title: `glioflow run (${project.spec.profile.name} profile)` });
  reporter.onInterrupt((presses) => {
    if (presses > 1) process.exit(130); // a second Ctrl-C: the user insists
    controller.abort(new Error('interrupted'));
  });
  // `kill` (SIGTERM) stops as cleanly as Ctrl-C: finished work is kept, the lock released.
  process.once('SIGTERM', () => controller.abort(new Error('terminated')));
  if (project.spec.profile.name !== 'default') {
    reporter.listener({ type: 'log', level: 'info', message: `profile "${project.spec.profile.name}": ${project.spec.profile.why}` });
  }
  const lock = await acquireRunLock(project.layout.runLock, {
    wait: flags.wait !== false,
    signal: controller.signal,
    onWait: (owner) => reporter.listener({ type: 'log', level: 'warn', message: `waiting for another glioflow run (pid ${owner.pid}, since ${owner.since}) to finish with this cache…` }),
  });
  if (!lock.ok) {
    await reporter.stop();
    printErrors([lock.error]);
    return lock.error.kind === 'interrupted' ? 130 : 75;
  }
  // A run we waited for has rewritten pipeline.lock: start from what it recorded.
  project.lock = readLock(project.layout.pipelineLock);
  let result: RunResult;
  try {
    result = await runPipeline(project, {
      stages,
      force: flags.force === true,
      signal: controller.signal,
      listener: reporter.listener,
      ...(flags.workers ? { workers: flags.workers } : {}),
    });
  } finally {
    lock.value.release();
    await reporter.stop();
  }
  if (flags.json) process.stdout.write(`${JSON.stringify({ ok: result.ok, stages: result.stages })}\n`);
  if (result.interrupted) return 130;
  return result.ok ? 0 : 1;
}
