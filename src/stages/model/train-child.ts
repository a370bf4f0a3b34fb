// The train stage's child process (tfjs-process.ts): one training job.
import { serveJob } from './tfjs-child.js';
import { runTrainJob, type TrainJob, type TrainJobResult } from './train-job.js';

serveJob<TrainJob, TrainJobResult>('train', runTrainJob);
