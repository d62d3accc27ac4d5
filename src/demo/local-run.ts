/**
 * The demo's training runs: the train action's own code path (upload, detached start, live log,
 * exit code, artifacts back), with the local executor standing in for EC2 + SSH.
 */
import { runLocally } from '../train/local.js';

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
}

export async function runLocal(options: LocalRunOptions): Promise<LocalRunResult> {
  const started = performance.now();
  const outcome = await runLocally(1, {
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
  return { exitCode: outcome.exitCode, seconds: (performance.now() - started) / 1000, artifacts: outcome.artifacts };
}
