/** The demo's training runs: the workspace copied into a run folder, the command run there, artifacts listed. */
import { spawn } from 'node:child_process';
import { cp, mkdir, readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

export interface LocalRunOptions {
  workspace: string;
  runDir: string;
  command: string;
  /** Globs relative to the run folder. */
  artifacts: string[];
  log: (line: string) => void;
}

export interface LocalRunResult {
  exitCode: number;
  seconds: number;
  /** Files matched by `artifacts`, relative to the run folder. */
  artifacts: string[];
  runDir: string;
}

export async function runLocal(options: LocalRunOptions): Promise<LocalRunResult> {
  const started = performance.now();
  await mkdir(options.runDir, { recursive: true });
  for (const entry of await readdir(options.workspace)) {
    if (entry === '.git' || entry === 'runs') continue;
    await cp(join(options.workspace, entry), join(options.runDir, entry), { recursive: true });
  }
  const exitCode = await new Promise<number>((resolve, reject) => {
    const child = spawn('bash', ['-eo', 'pipefail', '-c', options.command], { cwd: options.runDir, stdio: ['ignore', 'pipe', 'pipe'] });
    let pending = '';
    const take = (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) options.log(line);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('error', reject);
    child.on('close', (code) => {
      if (pending) options.log(pending);
      resolve(code ?? 1);
    });
  });
  const all = (await readdir(options.runDir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => relative(options.runDir, join(e.parentPath, e.name)).split(sep).join('/'));
  const artifacts = all.filter((path) => options.artifacts.some((glob) => globMatch(glob, path)));
  return { exitCode, seconds: (performance.now() - started) / 1000, artifacts, runDir: options.runDir };
}

function globMatch(glob: string, path: string): boolean {
  const re = new RegExp('^' + glob.split('**').map((part) => part.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')).join('.*') + '$');
  return re.test(path);
}
