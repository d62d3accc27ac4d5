/**
 * `refit train`: the train action's command path (upload, detached start, live log, exit code,
 * artifacts) with local processes instead of EC2 instances, for trying a training command without a
 * cloud account. Each node is a directory under a temporary root standing for its home.
 */
import { resolve } from 'node:path';
import { parseNumber } from '../config/refit-config.js';
import { UserError } from '../errors.js';
import { parseEnvLines } from '../train/job.js';
import { runLocally } from '../train/local.js';
import { parseFlags } from './drift.js';

export const TRAIN_USAGE = `Usage: refit train --command <cmd> [options]

Run a training command as the train action does on EC2, but on this machine: the directory is
copied into a scratch "instance" home, the command runs detached there (bash -eo pipefail) with
NODE_RANK, NNODES, MASTER_ADDR=127.0.0.1 and MASTER_PORT set, its output is streamed, and the
artifacts are copied back. Exit status: the command's.

  --command <cmd>      the training command (required)
  --path <dir>         directory to upload (.), skipping .git and .refitignore patterns
  --artifacts <glob>   files to bring back, relative to the working directory (repeatable)
  --out <dir>          where artifacts land (.)
  --nodes <n>          local nodes to run (1)
  --master-port <n>    MASTER_PORT (29500)
  --env NAME=value     environment for the command (repeatable)
  --keep               keep the scratch directory (printed)`;

export async function trainCommand(argv: string[], io: { stdout: (s: string) => void; stderr: (s: string) => void }): Promise<number> {
  const values = parseFlags(argv, {
    command: { type: 'string' },
    path: { type: 'string', default: '.' },
    artifacts: { type: 'string', multiple: true },
    out: { type: 'string', default: '.' },
    nodes: { type: 'string', default: '1' },
    'master-port': { type: 'string', default: '29500' },
    env: { type: 'string', multiple: true },
    keep: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout(TRAIN_USAGE + '\n');
    return 0;
  }
  const command = values.command as string | undefined;
  if (!command) throw new UserError('refit train needs --command <cmd>; see refit train --help');
  const outcome = await runLocally(
    parseNumber(values.nodes, '--nodes', { min: 1, max: 16, integer: true }),
    {
      command,
      uploadPath: resolve(values.path as string),
      workingDirectory: 'work',
      runKey: 'local',
      env: parseEnvLines(((values.env as string[] | undefined) ?? []).join('\n'), '--env'),
      artifacts: (values.artifacts as string[] | undefined) ?? [],
      artifactsDir: resolve(values.out as string),
      masterPort: parseNumber(values['master-port'], '--master-port', { min: 1, max: 65535, integer: true }),
      reconnectTimeoutMs: 0,
      log: (line) => io.stderr(`refit: ${line}\n`),
      output: (line) => io.stdout(`${line}\n`),
    },
    values.keep ? { keep: (root) => io.stderr(`refit: scratch directory kept: ${root}\n`) } : {},
  );
  for (const file of outcome.artifacts) io.stderr(`refit: artifact ${file}\n`);
  if (outcome.exitCode === null) {
    io.stderr(`refit train: the command on node ${outcome.failedRank} ended without an exit status\n`);
    return 1;
  }
  return outcome.exitCode;
}
