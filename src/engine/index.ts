// The engine's public face: what the CLI and tests use. Nothing in here knows about MRI.
export { openProject, type Project, type ProjectOptions } from './project.js';
export { runPipeline, selectStages, type RunOptions, type RunResult } from './run/run-pipeline.js';
export { currentRecord, pipelineStatus, type StageStatus } from './run/status.js';
export { describeReason } from './describe-reason.js';
export { createRegistry, type StageRegistry } from './registry.js';
export { upstreamView } from './run/stage-context.js';
export type * from './events.js';
export type * from './stage-api.js';
export { defineStage } from './stage-api.js';
export * from './result.js';
