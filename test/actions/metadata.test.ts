/** Every action.yml is complete, runs on node24 from dist/, and declares exactly the inputs its code reads. */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = join(import.meta.dirname, '..', '..');
const actions = readdirSync(join(root, 'actions'));
/** Each action's src/actions/<name>/run.ts exports INPUT_NAMES: the inputs its code reads. */
const inputsReadByCode: Record<string, readonly string[] | undefined> = {};
for (const name of actions) {
  const run = join(root, 'src', 'actions', name, 'run.ts');
  if (existsSync(run)) inputsReadByCode[name] = ((await import(run)) as { INPUT_NAMES?: readonly string[] }).INPUT_NAMES;
}

interface ActionYml {
  name: string;
  description: string;
  inputs?: Record<string, { description?: string; required?: boolean; default?: string }>;
  outputs?: Record<string, { description?: string }>;
  runs: { using: string; main: string; post?: string; 'post-if'?: string };
}

describe.each(actions)('actions/%s/action.yml', (name) => {
  const dir = join(root, 'actions', name);
  const meta = parse(readFileSync(join(dir, 'action.yml'), 'utf8')) as ActionYml;

  it('runs a committed bundle on node24', () => {
    expect(meta.runs.using).toBe('node24');
    const main = resolve(dir, meta.runs.main);
    expect(main).toBe(join(root, 'dist', name, 'index.js'));
    expect(existsSync(main)).toBe(true);
    if (meta.runs.post !== undefined) {
      expect(resolve(dir, meta.runs.post)).toBe(join(root, 'dist', name, 'post.js'));
      expect(existsSync(resolve(dir, meta.runs.post))).toBe(true);
      expect(meta.runs['post-if'], 'a teardown post step runs whatever happened').toBe('always()');
    }
  });

  it('describes every input and output', () => {
    for (const [key, input] of Object.entries(meta.inputs ?? {})) expect(input.description, `input ${key}`).toBeTruthy();
    for (const [key, output] of Object.entries(meta.outputs ?? {})) expect(output.description, `output ${key}`).toBeTruthy();
  });

  it('declares exactly the inputs the code reads', () => {
    expect(inputsReadByCode[name], `no input list registered for ${name}`).toBeDefined();
    expect(Object.keys(meta.inputs ?? {}).sort()).toEqual([...inputsReadByCode[name]!].sort());
  });

  it('reads every declared input somewhere in its code, and only through input()', () => {
    const source = readFileSync(join(root, 'src', 'actions', name, 'run.ts'), 'utf8');
    expect(source, 'inputs are read through input(), never core.getInput directly').not.toMatch(/core\.get(Boolean|Multiline)?Input\((?!name)/);
    const read = new Set([...source.matchAll(/\b(?:input|optional)\('([^']+)'\)/g)].map((m) => m[1]!));
    // The EC2 launch inputs shared by gpu-runner and train are read by readLaunchInputs (src/actions/launch-inputs.ts).
    if (/\breadLaunchInputs\(/.test(source)) {
      const shared = readFileSync(join(root, 'src', 'actions', 'launch-inputs.ts'), 'utf8');
      for (const m of shared.matchAll(/\btext\('([^']+)'\)/g)) read.add(m[1]!);
    }
    expect([...read].sort()).toEqual(Object.keys(meta.inputs ?? {}).sort());
  });
});

it('every action README lists the inputs and outputs of its action.yml (node scripts/action-docs.mjs)', () => {
  const r = spawnSync(process.execPath, [join(root, 'scripts/action-docs.mjs'), '--check'], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
});
