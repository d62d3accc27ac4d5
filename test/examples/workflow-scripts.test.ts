/**
 * The shell steps of the example retraining workflows, executed the way a runner executes them
 * (`bash -e`, GitHub's default shell) in a sandbox: a real git repository with the example model
 * and data, its `origin` with the refit-state branch holding the registry, and an `aws` stub that
 * copies s3:// prefixes to and from a local directory. A wrong path, a missing champion or a
 * broken expression fails here instead of on the first real run.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { distDir } from '../actions/run-action.js';
import { tempDir } from '../support/files.js';

const root = join(import.meta.dirname, '..', '..');
const HEAD_SHA = 'c0ffee0000000000000000000000000000000001';
const CHAMPION_URI = 's3://acme-models/taxi-tip/champion-sha/';

interface Step {
  run?: string;
  uses?: string;
  with?: Record<string, string>;
}
interface Job {
  env?: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  env?: Record<string, string>;
  jobs: Record<string, Job>;
}

const workflow = (name: string) => parse(readFileSync(join(root, 'examples', 'workflows', name), 'utf8')) as Workflow;

/** The expressions these steps use, replaced as the runner would for a pull request event. */
function expand(text: string): string {
  return text.replace(/\$\{\{\s*github\.event\.pull_request\.head\.sha\s*\}\}/g, HEAD_SHA).replace(/\$\{\{\s*env\.ARTIFACTS\s*\}\}/g, `s3://acme-models/taxi-tip/${HEAD_SHA}`);
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', '-c', 'commit.gpgsign=false', ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

describe('the shell steps of the example retraining workflows', () => {
  const dir = tempDir();
  const origin = join(dir, 'origin.git');
  const bucket = join(dir, 'bucket');
  const bin = join(dir, 'bin');

  /** A fresh clone, as actions/checkout leaves it (fetch-depth 1, or 0 for every branch). */
  function checkout(name: string, fetchDepth: 0 | 1): string {
    const work = join(dir, name);
    git(dir, 'clone', '--quiet', ...(fetchDepth === 1 ? ['--depth', '1', '--branch', 'main', '--single-branch'] : []), `file://${origin}`, work);
    return work;
  }

  function bash(cwd: string, script: string, env: Record<string, string>) {
    const r = spawnSync('bash', ['--noprofile', '--norc', '-e', '-c', script], { cwd, encoding: 'utf8', env: { ...process.env, ...env, PATH: `${bin}:${process.env.PATH}` } });
    return { code: r.status, output: `${r.stdout}\n${r.stderr}` };
  }

  beforeAll(() => {
    // aws s3 cp --recursive <from> <to>: s3://bucket/key maps to <bucket dir>/bucket/key.
    mkdirSync(bin);
    writeFileSync(
      join(bin, 'aws'),
      `#!/bin/bash
set -e
[ "$1 $2 $3" = "s3 cp --recursive" ] || { echo "aws stub: unexpected $*" >&2; exit 2; }
map() { case "$1" in s3://?*) echo "${bucket}/\${1#s3://}" ;; s3://*) echo "aws stub: bad uri '$1'" >&2; return 1 ;; *) echo "$1" ;; esac; }
from=$(map "$4") || exit 1
to=$(map "$5") || exit 1
[ -d "$from" ] || { echo "fatal error: An error occurred (NoSuchBucket) or no objects under $4" >&2; exit 1; }
mkdir -p "$to" && cp -R "$from"/. "$to"/
`,
    );
    chmodSync(join(bin, 'aws'), 0o755);

    // The user's repository: the example model and data, and the snapshot a retraining pull request commits.
    const seed = join(dir, 'seed');
    mkdirSync(seed);
    git(seed, 'init', '--quiet', '--initial-branch=main');
    cpSync(join(root, 'examples'), join(seed, 'examples'), { recursive: true });
    const snap = spawnSync('node', [join(distDir, 'cli', 'index.js'), 'snapshot', '--model', 'taxi-tip', '--data', 'examples/data/taxis-current.csv', '--out', '.refit/taxi-tip/snapshot.json', '--run-url', '', '--commit', ''], { cwd: seed, encoding: 'utf8' });
    expect(snap.status, snap.stderr).toBe(0);
    git(seed, 'add', '--all');
    git(seed, 'commit', '--quiet', '-m', 'retrain taxi-tip');

    // The champion in the bucket, and the registry on the refit-state branch that points at it.
    const trained = spawnSync('node', ['examples/taxi-tip/train.mjs', '--snapshot', '.refit/taxi-tip/snapshot.json', '--out', join(bucket, CHAMPION_URI.slice(5))], { cwd: seed, encoding: 'utf8' });
    expect(trained.status, trained.stderr).toBe(0);
    git(seed, 'checkout', '--quiet', '--orphan', 'refit-state');
    git(seed, 'rm', '-r', '--quiet', '--cached', '.');
    mkdirSync(join(seed, '.refit', 'taxi-tip'), { recursive: true });
    const at = '2019-03-15T00:00:00.000Z';
    const registry = {
      schema: 'refit.registry/v1',
      model: 'taxi-tip',
      versions: [
        { version: 1, artifact: { uri: 's3://acme-models/taxi-tip/old-sha/', digest: 'sha256:' + '1'.repeat(64), size: 1 }, createdAt: at, trainedAt: at },
        { version: 2, artifact: { uri: CHAMPION_URI, digest: 'sha256:' + '2'.repeat(64), size: 1 }, createdAt: at, trainedAt: at },
      ],
      aliases: { champion: 2, previous: 1 },
      history: [],
    };
    writeFileSync(join(seed, '.refit', 'taxi-tip', 'registry.json'), JSON.stringify(registry, null, 2) + '\n');
    git(seed, 'add', '.refit/taxi-tip/registry.json');
    git(seed, 'commit', '--quiet', '-m', 'registry');
    git(seed, 'checkout', '--quiet', '-f', 'main');
    git(dir, 'clone', '--quiet', '--bare', seed, origin);
  }, 60_000);

  it('retrain-pr.yml: the train job trains, scores the holdout with both models and uploads the challenger', () => {
    const wf = workflow('retrain-pr.yml');
    const steps = wf.jobs.train!.steps.filter((s) => s.run);
    expect(steps).toHaveLength(1);
    const env = Object.fromEntries(Object.entries({ ...wf.env, ...wf.jobs.train!.env }).map(([k, v]) => [k, expand(v)]));
    const work = checkout('jit', 1);
    const r = bash(work, steps[0]!.run!, env);
    expect(r.code, r.output).toBe(0);
    const rows = (file: string) => readFileSync(join(work, file), 'utf8').trimEnd().split('\n');
    const champion = rows('champion.csv');
    const challenger = rows('challenger.csv');
    expect(challenger.length).toBeGreaterThan(100);
    expect(champion.map((l) => l.split(',')[0])).toEqual(challenger.map((l) => l.split(',')[0]));
    expect(champion).not.toEqual(challenger); // two different models
    expect(readFileSync(join(bucket, 'acme-models', 'taxi-tip', HEAD_SHA, 'model.json'), 'utf8')).toBe(readFileSync(join(work, 'model', 'model.json'), 'utf8'));
    // The files the next jobs read are where they read them.
    const upload = wf.jobs.train!.steps.find((s) => s.uses?.startsWith('actions/upload-artifact'))!;
    for (const path of upload.with!.path!.trim().split('\n')) expect(existsSync(join(work, path.trim()))).toBe(true);
  });

  it('retrain-pr-ssh.yml: the champion step and the training command (run in the uploaded checkout) produce what evaluate reads', () => {
    const wf = workflow('retrain-pr-ssh.yml');
    const job = wf.jobs.retrain!;
    const env = Object.fromEntries(Object.entries({ ...wf.env, ...job.env }).map(([k, v]) => [k, expand(v)]));
    const work = checkout('ssh', 0);
    const runs = job.steps.filter((s) => s.run);
    const before = runs.slice(0, job.steps.filter((s) => s.run || s.with?.command).findIndex((s) => s.with?.command));
    for (const step of before) {
      const r = bash(work, step.run!, env);
      expect(r.code, r.output).toBe(0);
    }
    const train = job.steps.find((s) => s.with?.command)!;
    const r = bash(work, train.with!.command!, env);
    expect(r.code, r.output).toBe(0);
    for (const file of ['challenger.csv', 'champion.csv', 'model/model.json']) expect(existsSync(join(work, file)), file).toBe(true);
    const evaluate = job.steps.find((s) => s.uses?.includes('/actions/evaluate@'))!;
    for (const input of ['champion', 'challenger']) expect(existsSync(join(work, evaluate.with![input]!))).toBe(true);
  });
});
