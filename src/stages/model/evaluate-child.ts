// The evaluate stage's child process (tfjs-process.ts): one prediction job.
import { serveJob } from './tfjs-child.js';
import { runEvaluateJob, type EvaluateJob, type EvaluateJobResult } from './evaluate-job.js';

serveJob<EvaluateJob, EvaluateJobResult>('evaluate', runEvaluateJob);
