/** Runs a built action (dist/<name>/index.js) the way the runner does, and reads back what it wrote. */
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const root = join(import.meta.dirname, '..', '..');
/** The bundles under test: dist/, or REFIT_TEST_DIST (e.g. `node scripts/build.mjs --out .tmp/dist-x`). */
export const distDir = process.env.REFIT_TEST_DIST ? resolve(root, process.env.REFIT_TEST_DIST) : join(root, 'dist');

export interface ActionRun {
  status: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  /** What the step saved with core.saveState (GITHUB_STATE), for its post step. */
  state: Record<string, string>;
  summary: string;
}

export interface ActionOptions {
  inputs?: Record<string, string>;
  env?: Record<string, string>;
  /** GITHUB_EVENT_NAME and a payload written to GITHUB_EVENT_PATH. */
  event?: { name: string; payload: unknown };
  cwd?: string;
  /** `main` (dist/<name>/index.js, default) or `post` (dist/<name>/post.js). */
  step?: 'main' | 'post';
  /** State saved by the main step, given to the post step as STATE_<name>, as the runner does. */
  state?: Record<string, string>;
}

/** GITHUB_OUTPUT holds `name<<delimiter\nvalue\ndelimiter` blocks. */
export function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/^(.+?)<<(.+)\n([\s\S]*?)\n\2$/gm)) out[m[1]!] = m[3]!;
  return out;
}

/** Asynchronous, so an emulator served from this process can answer the action. */
export async function runAction(name: string, options: ActionOptions = {}): Promise<ActionRun> {
  return startAction(name, options).done;
}

/** A started action: its process (e.g. to SIGKILL it mid-step), its output so far, and its end. */
export interface StartedAction {
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** What the step saved with core.saveState so far (readable after a kill). */
  state(): Record<string, string>;
  /** Resolves when the process has exited (also after a kill). */
  done: Promise<ActionRun>;
}

export function startAction(name: string, options: ActionOptions = {}): StartedAction {
  const dir = mkdtempSync(join(tmpdir(), `refit-${name}-`));
  const output = join(dir, 'output');
  const summary = join(dir, 'summary');
  writeFileSync(output, '');
  writeFileSync(summary, '');
  const state = join(dir, 'state');
  writeFileSync(state, '');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    GITHUB_OUTPUT: output,
    GITHUB_STEP_SUMMARY: summary,
    GITHUB_STATE: state,
    RUNNER_TEMP: dir,
    ...options.env,
  };
  for (const [k, v] of Object.entries(options.state ?? {})) env[`STATE_${k}`] = v;
  for (const [k, v] of Object.entries(options.inputs ?? {})) env[`INPUT_${k.replace(/ /g, '_').toUpperCase()}`] = v;
  if (options.event) {
    const path = join(dir, 'event.json');
    writeFileSync(path, JSON.stringify(options.event.payload));
    env.GITHUB_EVENT_NAME = options.event.name;
    env.GITHUB_EVENT_PATH = path;
  }
  const child = spawn(process.execPath, [join(distDir, name, options.step === 'post' ? 'post.js' : 'index.js')], { cwd: options.cwd ?? root, env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  const done = new Promise<number | null>((resolve) => child.on('close', resolve)).then((status) => ({
    status,
    stdout,
    stderr,
    outputs: parseOutputs(readFileSync(output, 'utf8')),
    state: parseOutputs(readFileSync(state, 'utf8')),
    summary: readFileSync(summary, 'utf8'),
  }));
  return { child, stdout: () => stdout, stderr: () => stderr, state: () => parseOutputs(readFileSync(state, 'utf8')), done };
}
