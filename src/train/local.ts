/**
 * The train action's code path with the local executor: each node is a scratch directory on this
 * machine standing for an instance's home (`refit train`, the demo).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTraining, type TrainOutcome, type TrainSpec } from './job.js';
import { localNodes } from './session.js';

/**
 * Run on `count` local nodes under a fresh scratch directory, removed afterwards; with `keep`, it is
 * kept and told to `keep` (also when the run fails).
 */
export async function runLocally(count: number, spec: TrainSpec, options: { keep?: (root: string) => void } = {}): Promise<TrainOutcome> {
  const root = await mkdtemp(join(tmpdir(), 'refit-train-'));
  try {
    return await runTraining(localNodes(root, count), spec);
  } finally {
    if (options.keep) options.keep(root);
    else await rm(root, { recursive: true, force: true });
  }
}
