/**
 * Where a training command runs: a session executes bash scripts on one machine. The SSH session
 * (ssh.ts) runs them on an EC2 instance; the local session runs them here, in a directory that
 * stands for the machine's home, so the same upload/start/follow/download code serves both.
 */
import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import type { Readable } from 'node:stream';

export interface ExecOptions {
  /** Data for the script's standard input (ended after). */
  stdin?: Readable | Buffer | string;
  /** Receives standard output as it arrives; without it, standard output is collected. */
  onStdout?: (chunk: Buffer) => void;
  /** Standard output is piped here (with backpressure, ended after) instead. */
  stdout?: NodeJS.WritableStream;
}

export interface ExecResult {
  /** Exit status, or null when the script was killed by a signal. */
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

export interface Session {
  /** Run a bash script. Rejects with ConnectionLost when the transport drops. */
  exec(script: string, options?: ExecOptions): Promise<ExecResult>;
  /** The machine's home directory (absolute). */
  home(): Promise<string>;
  close(): void;
}

/** One machine of a training run. */
export interface TrainNode {
  rank: number;
  /** Instance id, or `local-N`. */
  id: string;
  /** The address other nodes reach this one at (MASTER_ADDR for rank 0). */
  privateAddress: string;
  /** Open a session; called again to reconnect after a dropped connection. */
  connect(): Promise<Session>;
}

/** The transport to the machine dropped (not a failure of the script). */
export class ConnectionLost extends Error {
  override readonly name = 'ConnectionLost';
}

const MAX_STDERR = 64 * 1024;

/** Pipe `stdin` into a writable and end it. */
export function feed(stdin: ExecOptions['stdin'], into: NodeJS.WritableStream): void {
  if (stdin === undefined) {
    into.end();
  } else if (typeof stdin === 'string' || Buffer.isBuffer(stdin)) {
    into.end(stdin);
  } else {
    stdin.pipe(into);
  }
}

/**
 * Pipe a script's standard output into `dest`. When `dest` stops early (tar -x may exit without reading
 * an archive's trailing padding), the rest is drained, so the script can still end and report.
 */
export function pipeOutput(source: NodeJS.ReadableStream, dest: NodeJS.WritableStream): void {
  const drain = () => {
    source.unpipe(dest);
    source.resume();
  };
  dest.on('error', drain);
  dest.on('close', drain);
  source.pipe(dest);
}

/** Collects a script's output the same way for both sessions. */
export class OutputCollector {
  private readonly chunks: Buffer[] = [];
  private stderrText = '';
  constructor(private readonly onStdout?: (chunk: Buffer) => void) {}
  stdout(chunk: Buffer): void {
    if (this.onStdout) this.onStdout(chunk);
    else this.chunks.push(chunk);
  }
  stderr(chunk: Buffer): void {
    if (this.stderrText.length < MAX_STDERR) this.stderrText += chunk.toString('utf8');
  }
  result(code: number | null): ExecResult {
    return { code, stdout: Buffer.concat(this.chunks), stderr: this.stderrText.slice(0, MAX_STDERR) };
  }
}

/** Runs scripts on this machine; `root` stands for the home directory. */
export class LocalSession implements Session {
  constructor(private readonly root: string) {}

  exec(script: string, options: ExecOptions = {}): Promise<ExecResult> {
    return new Promise((resolve, reject) => {
      const child = spawn('bash', ['-c', script], { cwd: this.root, stdio: ['pipe', 'pipe', 'pipe'] });
      const out = new OutputCollector(options.onStdout);
      if (options.stdout) pipeOutput(child.stdout, options.stdout);
      else child.stdout.on('data', (chunk: Buffer) => out.stdout(chunk));
      child.stderr.on('data', (chunk: Buffer) => out.stderr(chunk));
      child.stdin.on('error', () => undefined);
      child.on('error', reject);
      child.on('close', (code) => resolve(out.result(code)));
      feed(options.stdin, child.stdin);
    });
  }

  async home(): Promise<string> {
    return this.root;
  }

  close(): void {}
}

/** Nodes on this machine, one directory each (`<root>/node-<rank>`). */
export function localNodes(root: string, count: number): TrainNode[] {
  return Array.from({ length: count }, (_, rank) => ({
    rank,
    id: `local-${rank}`,
    privateAddress: '127.0.0.1',
    connect: async () => {
      const home = `${root}/node-${rank}`;
      await mkdir(home, { recursive: true });
      return new LocalSession(home);
    },
  }));
}
