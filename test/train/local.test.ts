/** The local executor: the same upload/start/follow/download path as SSH, with processes on this machine. */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { LogLines, parseEnvLines, runTraining } from '../../src/train/job.js';
import type { TrainSpec } from '../../src/train/job.js';
import { ConnectionLost, localNodes } from '../../src/train/session.js';
import type { ExecOptions, ExecResult, TrainNode } from '../../src/train/session.js';
import { tempDir, userError, writeFile } from '../support/files.js';

function spec(overrides: Partial<TrainSpec> & { lines: string[] }): TrainSpec {
  const { lines, ...rest } = overrides;
  return {
    command: 'true',
    workingDirectory: 'refit/work',
    runKey: 'test-1',
    env: {},
    artifacts: [],
    artifactsDir: tempDir('refit-artifacts-'),
    masterPort: 29500,
    reconnectTimeoutMs: 5_000,
    log: () => undefined,
    output: (line) => lines.push(line),
    ...rest,
  };
}

describe('runTraining on local nodes', () => {
  it('uploads the workspace without .git and .refitignore matches, runs the command there, returns its exit code and downloads the artifacts', async () => {
    const workspace = tempDir('refit-ws-');
    writeFile(workspace, 'train.sh', 'echo "training on $(cat data.txt)"\nmkdir -p out/sub\necho weights > out/model.bin\necho m > out/sub/metrics.json\necho skip > out/notes.txt\nexit 3\n');
    writeFile(workspace, 'data.txt', 'rows');
    writeFile(workspace, '.git/HEAD', 'ref');
    writeFile(workspace, 'big/cache.bin', 'x');
    writeFile(workspace, '.refitignore', 'big\n');
    const lines: string[] = [];
    const root = tempDir('refit-local-');
    const artifactsDir = tempDir('refit-dl-');
    const outcome = await runTraining(localNodes(root, 1), spec({ lines, command: 'bash train.sh', uploadPath: workspace, artifacts: ['out/**/*.bin', 'out/sub'], artifactsDir }));
    expect(lines).toEqual(['training on rows']);
    expect(outcome.exitCode).toBe(3);
    expect(outcome.failedRank).toBe(0);
    expect(outcome.artifacts).toEqual(['out/model.bin', 'out/sub/metrics.json']);
    expect(readFileSync(join(artifactsDir, 'out/model.bin'), 'utf8')).toBe('weights\n');
    expect(existsSync(join(artifactsDir, 'out/notes.txt'))).toBe(false);
    const work = join(root, 'node-0', 'refit/work');
    expect(existsSync(join(work, 'train.sh'))).toBe(true);
    expect(existsSync(join(work, '.git'))).toBe(false);
    expect(existsSync(join(work, 'big'))).toBe(false);
  });

  it('gives each node its rank variables and prefixes lines by node', async () => {
    const lines: string[] = [];
    const outcome = await runTraining(localNodes(tempDir('refit-local-'), 2), spec({ lines, command: 'echo "rank=$NODE_RANK of $NNODES at $MASTER_ADDR:$MASTER_PORT secret=${#TOKEN}"', env: { TOKEN: "it's a secret" }, masterPort: 1234 }));
    expect(outcome.exitCode).toBe(0);
    expect(lines.sort()).toEqual(['[node 0] rank=0 of 2 at 127.0.0.1:1234 secret=13', '[node 1] rank=1 of 2 at 127.0.0.1:1234 secret=13']);
  });

  it('runs the command under bash -eo pipefail, like a run: step', async () => {
    const lines: string[] = [];
    const outcome = await runTraining(localNodes(tempDir('refit-local-'), 1), spec({ lines, command: 'false | cat\necho unreachable' }));
    expect(outcome.exitCode).toBe(1);
    expect(lines).toEqual([]);
  });
});

describe('docker-image', () => {
  it('runs the command through docker run --gpus all --network host with the working directory mounted at the same path and the variables passed by name', async () => {
    // A stand-in for the docker CLI: records its arguments, then runs what follows the image, as the container would.
    const bin = tempDir('refit-fake-docker-');
    writeFile(bin, 'docker', '#!/bin/bash\nprintf \'%s\\n\' "$@" > "$DOCKER_ARGS"\nwhile [ "$1" != "pytorch/pytorch:2.3" ]; do shift; done\nshift\nexec "$@"\n');
    chmodSync(join(bin, 'docker'), 0o755);
    const args = join(bin, 'args');
    const saved = { PATH: process.env.PATH, DOCKER_ARGS: process.env.DOCKER_ARGS };
    process.env.PATH = `${bin}:${process.env.PATH}`;
    process.env.DOCKER_ARGS = args;
    try {
      const lines: string[] = [];
      const root = tempDir('refit-local-');
      const outcome = await runTraining(localNodes(root, 1), spec({ lines, command: 'echo "in container rank=$NODE_RANK lr=$LR pwd=$PWD"', dockerImage: 'pytorch/pytorch:2.3', env: { LR: '0.01' } }));
      expect(outcome.exitCode).toBe(0);
      const work = join(root, 'node-0', 'refit/work');
      expect(lines).toEqual([`in container rank=0 lr=0.01 pwd=${work}`]);
      const recorded = readFileSync(args, 'utf8').trim().split('\n');
      const ctl = join(root, 'node-0', '.refit', 'test-1');
      expect(recorded.slice(0, 7)).toEqual(['run', '--rm', '--gpus', 'all', '--network', 'host', '--ipc']);
      expect(recorded).toEqual(expect.arrayContaining(['-v', `${work}:${work}`, `${ctl}:${ctl}:ro`, '-w', work]));
      for (const name of ['LR', 'NODE_RANK', 'NNODES', 'MASTER_ADDR', 'MASTER_PORT']) expect(recorded.join(' ')).toContain(`-e ${name} `);
      expect(recorded.join(' ')).not.toContain('0.01');
    } finally {
      process.env.PATH = saved.PATH;
      if (saved.DOCKER_ARGS === undefined) delete process.env.DOCKER_ARGS;
      else process.env.DOCKER_ARGS = saved.DOCKER_ARGS;
    }
  });
});

describe('LogLines', () => {
  it('keeps lines whole across chunks, including multi-byte characters split between chunks', () => {
    const out: string[] = [];
    const lines = new LogLines((l) => out.push(l));
    const bytes = Buffer.from('épo\nch 1\r\nloss=0.5\npartial');
    for (let i = 0; i < bytes.length; i += 3) lines.push(bytes.subarray(i, i + 3));
    expect(out).toEqual(['épo', 'ch 1', 'loss=0.5']);
    expect(lines.offset).toBe(bytes.length);
    lines.flush();
    expect(out.at(-1)).toBe('partial');
  });
});

it('parseEnvLines reads NAME=value lines and refuses the rendezvous names', async () => {
  expect(parseEnvLines('# comment\nA=1\n\nB = x=y \n')).toEqual({ A: '1', B: ' x=y ' });
  expect(() => parseEnvLines('NODE_RANK=3')).toThrow(/line 1: NODE_RANK is set by Refit/);
  expect(() => parseEnvLines('not valid')).toThrow(/input env, line 1: expected NAME=value/);
  expect(await userError(runTraining(localNodes(tempDir(), 1), spec({ lines: [], artifacts: ['../etc/passwd'] })))).toMatch(/input artifacts: "..\/etc\/passwd"/);
});

describe('refit train (local)', () => {
  it('runs the command on local nodes, returns its exit status and copies the artifacts out', async () => {
    const { trainCommand } = await import('../../src/cli/train.js');
    const project = tempDir('refit-cli-train-');
    writeFile(project, 'train.sh', 'echo "rank $NODE_RANK/$NNODES lr=$LR"\nmkdir -p model && echo w > model/w.bin\nexit $NODE_RANK\n');
    const out = tempDir('refit-cli-out-');
    let stdout = '';
    let stderr = '';
    const io = { stdout: (s: string) => void (stdout += s), stderr: (s: string) => void (stderr += s) };
    const code = await trainCommand(['--command', 'bash train.sh', '--path', project, '--nodes', '2', '--env', 'LR=0.1', '--artifacts', 'model/*.bin', '--out', out], io);
    expect(code).toBe(1);
    expect(stdout.split('\n').filter(Boolean).sort()).toEqual(['[node 0] rank 0/2 lr=0.1', '[node 1] rank 1/2 lr=0.1']);
    expect(readFileSync(join(out, 'model/w.bin'), 'utf8')).toBe('w\n');
    expect(stderr).toContain('artifact model/w.bin');
    await expect(trainCommand([], io)).rejects.toThrow(/needs --command/);
  });
});

/** The tar processes this test process has started and that are still there. */
const tarChildren = () =>
  spawnSync('ps', ['-o', 'args=', '--ppid', String(process.pid)], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter((line) => line.startsWith('tar '));

describe('reconnecting', () => {
  const lost = () => new ConnectionLost('SSH connection to node 0 lost (connection reset)');

  /**
   * One local node whose sessions hand every exec to `intercept`, which may pass it on (`pass`) or
   * fail it the way a dropped SSH connection does.
   */
  function interceptedNode(intercept: (script: string, options: ExecOptions | undefined, pass: () => Promise<ExecResult>) => Promise<ExecResult>): { nodes: TrainNode[]; connects: () => number } {
    let connects = 0;
    const [inner] = localNodes(tempDir('refit-local-'), 1);
    const node: TrainNode = {
      ...inner!,
      connect: async () => {
        connects++;
        const session = await inner!.connect();
        return { home: () => session.home(), close: () => session.close(), exec: (script, options) => intercept(script, options, () => session.exec(script, options)) };
      },
    };
    return { nodes: [node], connects: () => connects };
  }

  /** The log-following exec drops the connection after the given delays (ms), one per call. */
  function droppingNodes(drops: number[]): { nodes: TrainNode[]; connects: () => number } {
    return interceptedNode(async (script, _options, pass) => {
      if (!script.includes('tail -c') || drops.length === 0) return pass();
      await new Promise((resolve) => setTimeout(resolve, drops.shift()!));
      throw lost();
    });
  }

  it('gives each outage the whole reconnect window: a second drop long after the first one recovers is not fatal', async () => {
    const lines: string[] = [];
    const log: string[] = [];
    const { nodes, connects } = droppingNodes([50, 900]);
    const outcome = await runTraining(nodes, spec({ lines, command: 'echo one; sleep 1.2; echo two', reconnectTimeoutMs: 500, log: (l) => log.push(l) }));
    expect(outcome.exitCode).toBe(0);
    expect(lines).toEqual(['one', 'two']);
    expect(log.filter((l) => l.includes('reconnecting'))).toHaveLength(2);
    expect(connects()).toBe(3);
  });

  it('still gives up on a connection that comes back but drops again at once, after the reconnect window', async () => {
    const { nodes, connects } = droppingNodes(Array.from({ length: 1000 }, () => 0));
    const started = Date.now();
    const message = await userError(runTraining(nodes, spec({ lines: [], command: 'sleep 5', reconnectTimeoutMs: 600 })));
    expect(message).toMatch(/node 0 \(local-0\): the connection dropped while following the log and did not come back within 1 s/);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(connects()).toBeGreaterThan(1);
  });

  it('a drop during the upload retries it and leaves no local tar behind', async () => {
    const workspace = tempDir('refit-ws-');
    writeFile(workspace, 'data.bin', randomBytes(4 * 1024 * 1024).toString('base64'));
    let uploads = 0;
    const { nodes } = interceptedNode(async (script, options, pass) => {
      if (!script.includes('tar -x') || uploads++ > 0) return pass();
      // The connection goes after the first chunk: nothing reads the rest of the stream any more.
      const stdin = options!.stdin as Readable;
      await new Promise((resolve) => stdin.once('data', () => resolve(stdin.pause())));
      throw lost();
    });
    const outcome = await runTraining(nodes, spec({ lines: [], command: 'wc -c < data.bin', uploadPath: workspace, output: () => undefined }));
    expect(outcome.exitCode).toBe(0);
    expect(uploads).toBe(2);
    const deadline = Date.now() + 2_000;
    while (tarChildren().length > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(tarChildren()).toEqual([]);
  });

  it('a drop during the artifact download retries it and leaves no local tar behind', async () => {
    let downloads = 0;
    const { nodes } = interceptedNode(async (script, options, pass) => {
      if (!script.includes('tar -c') || downloads++ > 0) return pass();
      // Half a tar header arrives, then the connection goes: the local tar's input is never ended.
      options!.stdout!.write(Buffer.alloc(256));
      throw lost();
    });
    const artifactsDir = tempDir('refit-dl-');
    const outcome = await runTraining(nodes, spec({ lines: [], command: 'mkdir -p out && echo w > out/model.bin', artifacts: ['out/*.bin'], artifactsDir }));
    expect(outcome.artifacts).toEqual(['out/model.bin']);
    expect(readFileSync(join(artifactsDir, 'out/model.bin'), 'utf8')).toBe('w\n');
    expect(downloads).toBe(2);
    const deadline = Date.now() + 2_000;
    while (tarChildren().length > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(tarChildren()).toEqual([]);
  });
});
