/**
 * Run a training command on one or more nodes: upload the workspace, start the command detached on
 * each node with the torchrun rendezvous variables, stream every node's log into one log (prefixed
 * `[node N]` when there are several), reconnect and resume from the byte offset after a dropped
 * connection, collect the exit codes, and download the artifacts from rank 0.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { isAbsolute, join, posix } from 'node:path';
import { Transform } from 'node:stream';
import { globToRegExp, hasGlobChars, splitGlobBase } from '../data/glob.js';
import { UserError } from '../errors.js';
import { ALREADY_STARTED, EXIT_CODE_TAG, FOLLOW, followScript, listFilesScript, receiveWorkspaceScript, sendFilesScript, STARTED, startScript } from './scripts.js';
import type { RemotePaths } from './scripts.js';
import { ConnectionLost } from './session.js';
import type { ExecResult, Session, TrainNode } from './session.js';
import { ENV_NAME } from './shell.js';

export interface TrainSpec {
  /** Bash, run with `bash -eo pipefail` as a GitHub `run:` step is. */
  command: string;
  /** Local directory to upload into the working directory; undefined uploads nothing. */
  uploadPath?: string;
  /** The working directory on each node: absolute, or relative to the SSH user's home. */
  workingDirectory: string;
  /** Names this run's control directory (`~/.refit/<runKey>`). */
  runKey: string;
  dockerImage?: string;
  /** Extra environment for the command (values are never logged). */
  env: Record<string, string>;
  /** Globs relative to the working directory, downloaded from rank 0. */
  artifacts: string[];
  /** Local directory the artifacts land in (relative paths kept). */
  artifactsDir: string;
  masterPort: number;
  /** How long to keep reconnecting after a dropped connection (ms). */
  reconnectTimeoutMs: number;
  /** A line of the job log. */
  log: (line: string) => void;
  /** The command's output, one line at a time (default: `log`). */
  output?: (line: string) => void;
  /** Called when every node's command has started / ended (for timings). */
  onStarted?: (at: Date) => void;
  onEnded?: (at: Date) => void;
  sleep?: (ms: number) => Promise<void>;
}

export interface NodeOutcome {
  rank: number;
  id: string;
  /** Null when the command ended without an exit status (killed, machine shut down). */
  exitCode: number | null;
}

export interface TrainOutcome {
  nodes: NodeOutcome[];
  /** The first non-zero (or missing) exit code in rank order, else 0. */
  exitCode: number | null;
  /** The node that decided `exitCode`. */
  failedRank: number | undefined;
  /** Downloaded files, relative to `artifactsDir`. */
  artifacts: string[];
  startedAt: Date;
  endedAt: Date;
}

/** Names Refit sets for the command; `env` may not set them. */
export const RENDEZVOUS_NAMES = ['NODE_RANK', 'NNODES', 'MASTER_ADDR', 'MASTER_PORT'] as const;

const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** `KEY=VALUE` lines (blank lines and `#` comments skipped). */
export function parseEnvLines(text: string, where = 'input env'): Record<string, string> {
  const env: Record<string, string> = {};
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const eq = line.indexOf('=');
    const name = eq < 0 ? line : line.slice(0, eq).trim();
    if (eq <= 0 || !ENV_NAME.test(name)) throw new UserError(`${where}, line ${index + 1}: expected NAME=value with NAME of letters, digits and _ (got "${name.slice(0, 40)}").`);
    if ((RENDEZVOUS_NAMES as readonly string[]).includes(name)) throw new UserError(`${where}, line ${index + 1}: ${name} is set by Refit on each node; remove it (use master-port for MASTER_PORT).`);
    env[name] = raw.slice(raw.indexOf('=') + 1);
  });
  return env;
}

/** Check artifact globs: relative, no `..`. */
export function checkArtifactPatterns(patterns: string[], where = 'input artifacts'): string[] {
  return patterns.map((pattern) => {
    const p = pattern.replace(/^\.\//, '');
    if (p === '' || isAbsolute(p) || p.split('/').includes('..') || /[\0\n]/.test(p)) {
      throw new UserError(`${where}: "${pattern}" must be a path or glob relative to the working directory, without "..".`);
    }
    return p;
  });
}

/** Splits a byte stream into lines without losing a line cut across chunks or connections. */
export class LogLines {
  /** Bytes of the log consumed so far. */
  offset = 0;
  private partial = Buffer.alloc(0);
  constructor(private readonly emit: (line: string) => void, private readonly maxLine = 64 * 1024) {}

  push(chunk: Buffer): void {
    this.offset += chunk.length;
    let data = this.partial.length > 0 ? Buffer.concat([this.partial, chunk]) : chunk;
    for (let nl = data.indexOf(10); nl >= 0; nl = data.indexOf(10)) {
      this.emit(data.subarray(0, nl).toString('utf8').replace(/\r$/, ''));
      data = data.subarray(nl + 1);
    }
    if (data.length > this.maxLine) {
      this.emit(data.toString('utf8'));
      data = Buffer.alloc(0);
    }
    this.partial = Buffer.from(data);
  }

  flush(): void {
    if (this.partial.length > 0) this.emit(this.partial.toString('utf8'));
    this.partial = Buffer.alloc(0);
  }
}

/** One node's session, reopened when the connection drops. */
class NodeLink {
  private session: Session | undefined;
  private connectedAt = 0;
  constructor(readonly node: TrainNode, private readonly spec: TrainSpec) {}

  async run<T>(what: string, op: (session: Session) => Promise<T>): Promise<T> {
    let deadline: number | undefined;
    let delay = 250;
    for (;;) {
      try {
        if (!this.session) {
          this.session = await this.node.connect();
          this.connectedAt = Date.now();
        }
        return await op(this.session);
      } catch (error) {
        if (!(error instanceof ConnectionLost)) throw error;
        // The window is per outage: a connection that came back and held for a while ended the last one
        // (one that drops again at once is still the same outage).
        if (this.session && Date.now() - this.connectedAt >= Math.min(5_000, this.spec.reconnectTimeoutMs)) {
          deadline = undefined;
          delay = 250;
        }
        this.close();
        deadline ??= Date.now() + this.spec.reconnectTimeoutMs;
        if (Date.now() + delay > deadline) {
          throw new UserError(`node ${this.node.rank} (${this.node.id}): the connection dropped while ${what} and did not come back within ${Math.round(this.spec.reconnectTimeoutMs / 1000)} s (${error.message}).`);
        }
        this.spec.log(`node ${this.node.rank} (${this.node.id}): ${error.message} while ${what}; reconnecting`);
        await (this.spec.sleep ?? wait)(delay);
        delay = Math.min(delay * 2, 5_000);
      }
    }
  }

  close(): void {
    this.session?.close();
    this.session = undefined;
  }
}

function pathsFor(home: string, spec: TrainSpec): RemotePaths {
  const work = posix.isAbsolute(spec.workingDirectory) ? spec.workingDirectory : posix.join(home, spec.workingDirectory);
  return { home, work, ctl: posix.join(home, '.refit', spec.runKey) };
}

/** Run `tar` here; resolves when it exits 0. */
function localTar(args: string[], io: { stdin?: 'pipe'; stdout?: 'pipe' }): { child: ReturnType<typeof spawn>; done: Promise<void> } {
  const child = spawn('tar', args, { stdio: [io.stdin ?? 'ignore', io.stdout ?? 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new UserError(`tar ${args.slice(0, 2).join(' ')} failed (exit ${String(code)}): ${stderr.trim()}`))));
  });
  return { child, done };
}

/**
 * The remote script and the local tar feeding it (or fed by it). When the script fails (the connection
 * dropped), nothing reads or writes the local tar's pipe any more: it is killed, or it would block
 * forever and keep this process from exiting.
 */
async function untilBoth(remote: Promise<ExecResult>, tar: ReturnType<typeof localTar>): Promise<[ExecResult, void]> {
  try {
    return await Promise.all([remote, tar.done]);
  } catch (error) {
    if (tar.child.exitCode === null && tar.child.signalCode === null) tar.child.kill('SIGKILL');
    throw error;
  }
}

async function upload(session: Session, paths: RemotePaths, localPath: string): Promise<number> {
  const args = ['-c', '-f', '-', '-C', localPath, '--exclude=.git'];
  if (existsSync(join(localPath, '.refitignore'))) args.push(`--exclude-from=${join(localPath, '.refitignore')}`);
  args.push('.');
  const tar = localTar(args, { stdout: 'pipe' });
  let bytes = 0;
  // Counted on the way through (a 'data' listener here would start the flow before the session pipes it).
  const counted = tar.child.stdout!.pipe(
    new Transform({
      transform(chunk: Buffer, _encoding, done) {
        bytes += chunk.length;
        done(null, chunk);
      },
    }),
  );
  const [result] = await untilBoth(session.exec(receiveWorkspaceScript(paths), { stdin: counted }), tar);
  if (result.code !== 0) throw new UserError(`unpacking the workspace on the instance failed (exit ${String(result.code)}): ${result.stderr.trim()}`);
  return bytes;
}

async function follow(link: NodeLink, paths: RemotePaths, lines: LogLines, spec: TrainSpec): Promise<number | null> {
  let waitedForPid = 0;
  for (;;) {
    const result = await link.run('following the log', (s) => s.exec(followScript(paths, lines.offset), { onStdout: (chunk) => lines.push(chunk) }));
    switch (result.code) {
      case FOLLOW.done: {
        lines.flush();
        const tagged = result.stderr.split('\n').find((l) => l.startsWith(EXIT_CODE_TAG));
        const code = Number(tagged?.slice(EXIT_CODE_TAG.length));
        if (!tagged || !Number.isInteger(code)) throw new Error(`node ${link.node.rank}: unreadable exit status ${JSON.stringify(result.stderr.slice(0, 200))}`);
        return code;
      }
      case FOLLOW.killed:
        lines.flush();
        return null;
      case FOLLOW.again:
        continue;
      case FOLLOW.notStarted:
        // The start script was cut between taking its guard and writing the pid: give it a moment.
        if (waitedForPid > 30_000) throw new UserError(`node ${link.node.rank} (${link.node.id}): the command did not record a process id within 30 s of starting.`);
        waitedForPid += 200;
        await (spec.sleep ?? wait)(200);
        continue;
      default:
        throw new Error(`node ${link.node.rank}: following the log failed (exit ${String(result.code)}): ${result.stderr.trim()}`);
    }
  }
}

/** The files under the working directory that match the patterns, relative paths, sorted. */
async function matchArtifacts(session: Session, paths: RemotePaths, patterns: string[]): Promise<string[]> {
  const bases = [...new Set(patterns.map((p) => (hasGlobChars(p) ? splitGlobBase(p)[0] || '.' : p)))];
  const listed = await session.exec(listFilesScript(paths, bases));
  const files = listed.stdout
    .toString('utf8')
    .split('\0')
    .filter(Boolean)
    .map((f) => f.replace(/^\.\//, ''));
  const matchers = patterns.map((p) => {
    if (hasGlobChars(p)) {
      const re = globToRegExp(p);
      return (f: string) => re.test(f);
    }
    const dir = p.replace(/\/+$/, '');
    return (f: string) => f === dir || f.startsWith(`${dir}/`);
  });
  const safe = (f: string) => !isAbsolute(f) && !f.split('/').includes('..');
  return [...new Set(files)].filter((f) => safe(f) && matchers.some((m) => m(f))).sort();
}

async function download(session: Session, paths: RemotePaths, files: string[], dest: string): Promise<void> {
  await mkdir(dest, { recursive: true });
  const tar = localTar(['-x', '--no-same-owner', '-f', '-', '-C', dest], { stdin: 'pipe' });
  const [result] = await untilBoth(session.exec(sendFilesScript(paths), { stdin: files.join('\0') + '\0', stdout: tar.child.stdin! }), tar);
  if (result.code !== 0) throw new UserError(`packing the artifacts on the instance failed (exit ${String(result.code)}): ${result.stderr.trim()}`);
}

export async function runTraining(nodes: TrainNode[], spec: TrainSpec): Promise<TrainOutcome> {
  if (nodes.length === 0) throw new Error('runTraining: no nodes');
  const patterns = checkArtifactPatterns(spec.artifacts);
  for (const name of Object.keys(spec.env)) {
    if (!ENV_NAME.test(name)) throw new UserError(`input env: "${name}" is not a valid variable name.`);
  }
  const links = nodes.map((node) => new NodeLink(node, spec));
  const output = spec.output ?? spec.log;
  const prefix = (rank: number) => (nodes.length > 1 ? `[node ${rank}] ` : '');
  const master = nodes.find((n) => n.rank === 0) ?? nodes[0]!;
  try {
    const prepared = await Promise.all(
      links.map(async (link) => {
        const { node } = link;
        const paths = await link.run('preparing', async (s) => pathsFor(await s.home(), spec));
        if (spec.uploadPath !== undefined) {
          const bytes = await link.run('uploading the workspace', (s) => upload(s, paths, spec.uploadPath!));
          spec.log(`node ${node.rank} (${node.id}): uploaded ${spec.uploadPath} (${bytes} bytes as tar) to ${paths.work}`);
        }
        const env = {
          ...spec.env,
          NODE_RANK: String(node.rank),
          NNODES: String(nodes.length),
          MASTER_ADDR: master.privateAddress,
          MASTER_PORT: String(spec.masterPort),
        };
        const started = await link.run('starting the command', (s) => s.exec('exec bash -s', { stdin: startScript(paths, { command: spec.command, env, dockerImage: spec.dockerImage }) }));
        const said = started.stdout.toString('utf8');
        if (started.code !== 0 || !(said.includes(STARTED) || said.includes(ALREADY_STARTED))) {
          throw new UserError(`node ${node.rank} (${node.id}): starting the command failed (exit ${String(started.code)}): ${started.stderr.trim()}`);
        }
        spec.log(`node ${node.rank} (${node.id}): command ${said.includes(STARTED) ? 'started' : 'was already running'} in ${paths.work}${spec.dockerImage ? ` (in ${spec.dockerImage})` : ''}`);
        return paths;
      }),
    );
    const startedAt = new Date();
    spec.onStarted?.(startedAt);
    const codes = await Promise.all(
      links.map((link, i) => follow(link, prepared[i]!, new LogLines((line) => output(prefix(link.node.rank) + line)), spec)),
    );
    const endedAt = new Date();
    spec.onEnded?.(endedAt);
    const outcomes: NodeOutcome[] = nodes.map((node, i) => ({ rank: node.rank, id: node.id, exitCode: codes[i]! }));
    const failed = [...outcomes].sort((a, b) => a.rank - b.rank).find((o) => o.exitCode !== 0);

    let artifacts: string[] = [];
    if (patterns.length > 0) {
      const index = nodes.indexOf(master);
      const link = links[index]!;
      const paths = prepared[index]!;
      artifacts = await link.run('listing the artifacts', (s) => matchArtifacts(s, paths, patterns));
      if (artifacts.length === 0) {
        spec.log(`artifacts: nothing on node ${master.rank} matches ${patterns.join(', ')} in ${paths.work}`);
      } else {
        await link.run('downloading the artifacts', (s) => download(s, paths, artifacts, spec.artifactsDir));
        spec.log(`artifacts: downloaded ${artifacts.length} file(s) from node ${master.rank} into ${spec.artifactsDir}`);
      }
    }
    return { nodes: outcomes, exitCode: failed ? failed.exitCode : 0, failedRank: failed?.rank, artifacts, startedAt, endedAt };
  } finally {
    for (const link of links) link.close();
  }
}
