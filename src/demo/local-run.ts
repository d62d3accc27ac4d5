/**
 * The demo's training runs: the train action's own code path (`runTraining`: upload, detached start,
 * live log, exit code, artifacts back), with the local executor standing in for EC2 + SSH.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTraining } from '../train/job.js';
import { localNodes } from '../train/session.js';

export interface LocalRunOptions {
  /** Uploaded to the "instance" (.git skipped). */
  workspace: string;
  /** Where the artifacts land. */
  runDir: string;
  command: string;
  /** Globs relative to the working directory on the instance. */
  artifacts: string[];
  log: (line: string) => void;
}

export interface LocalRunResult {
  exitCode: number | null;
  seconds: number;
  /** Files brought back, relative to `runDir`. */
  artifacts: string[];
  runDir: string;
}

export async function runLocal(options: LocalRunOptions): Promise<LocalRunResult> {
  const started = performance.now();
  // The "instance": a scratch home outside the workspace, as a remote machine's would be.
  const instances = await mkdtemp(join(tmpdir(), 'refit-demo-instance-'));
  await mkdir(options.runDir, { recursive: true });
  try {
    const outcome = await runTraining(localNodes(instances, 1), {
      command: options.command,
      uploadPath: options.workspace,
      workingDirectory: 'work',
      runKey: 'demo',
      env: {},
      artifacts: options.artifacts,
      artifactsDir: options.runDir,
      masterPort: 29500,
      reconnectTimeoutMs: 0,
      log: () => undefined,
      output: options.log,
    });
    return { exitCode: outcome.exitCode, seconds: (performance.now() - started) / 1000, artifacts: outcome.artifacts, runDir: options.runDir };
  } finally {
    await rm(instances, { recursive: true, force: true });
  }
}
