/**
 * Every example workflow a user copies is valid against the actions it calls: each `uses:` of a
 * Refit action passes only inputs that action declares (and every required one), and every
 * `steps.<id>.outputs.<name>` / `needs.<job>.outputs.<name>` it reads is declared.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = join(import.meta.dirname, '..', '..');
const dir = join(root, 'examples', 'workflows');
const files = readdirSync(dir).filter((f) => f.endsWith('.yml'));

interface ActionMeta {
  inputs?: Record<string, { required?: boolean; default?: string }>;
  outputs?: Record<string, unknown>;
}
interface Step {
  id?: string;
  uses?: string;
  with?: Record<string, unknown>;
}
interface Job {
  steps?: Step[];
  outputs?: Record<string, string>;
  permissions?: unknown;
}
interface Workflow {
  on?: unknown;
  permissions?: unknown;
  jobs: Record<string, Job>;
}

const actions = new Map<string, ActionMeta>(
  readdirSync(join(root, 'actions')).map((name) => [name, parse(readFileSync(join(root, 'actions', name, 'action.yml'), 'utf8')) as ActionMeta]),
);

/** `<owner>/<repo>/actions/<name>@<ref>` or `./actions/<name>`: the Refit action it names, if any. */
function refitAction(uses: string | undefined): string | undefined {
  const m = /^(?:[^/\s]+\/[^/\s]+|\.)\/actions\/([a-z0-9-]+)(?:@.+)?$/.exec(uses ?? '');
  return m && actions.has(m[1]!) ? m[1] : undefined;
}

/** What is wrong with a workflow's use of Refit actions (empty: nothing), and how many Refit steps it has. */
function check(text: string): { problems: string[]; refitSteps: number } {
  const workflow = parse(text) as Workflow;
  const problems: string[] = [];
  let refitSteps = 0;
  if (workflow.on === undefined) problems.push('no "on:" trigger');
  if (!workflow.permissions && !Object.values(workflow.jobs).every((j) => j.permissions)) problems.push('no permissions block');
  for (const [jobName, job] of Object.entries(workflow.jobs)) {
    const stepAction = new Map<string, string | undefined>();
    for (const step of job.steps ?? []) {
      const name = refitAction(step.uses);
      if (step.id) stepAction.set(step.id, name);
      if (!name) continue;
      refitSteps++;
      const declared = actions.get(name)!.inputs ?? {};
      for (const key of Object.keys(step.with ?? {})) if (!(key in declared)) problems.push(`${jobName}: ${name} has no input "${key}"`);
      for (const [key, input] of Object.entries(declared)) {
        if (input.required && input.default === undefined && !(key in (step.with ?? {}))) problems.push(`${jobName}: ${name} needs input "${key}"`);
      }
    }
    for (const m of JSON.stringify(job).matchAll(/steps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)/g)) {
      if (!stepAction.has(m[1]!)) problems.push(`${jobName}: steps.${m[1]} is not a step with an id in this job`);
      const action = stepAction.get(m[1]!);
      if (action && !(m[2]! in (actions.get(action)!.outputs ?? {}))) problems.push(`${jobName}: ${action} has no output "${m[2]}"`);
    }
  }
  for (const m of text.matchAll(/needs\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)/g)) {
    const job = workflow.jobs[m[1]!];
    if (!job) problems.push(`needs.${m[1]}: no such job`);
    else if (!(m[2]! in (job.outputs ?? {}))) problems.push(`job ${m[1]} has no output "${m[2]}"`);
  }
  return { problems, refitSteps };
}

it('there are the example workflows a user copies', () => {
  expect(files.sort()).toEqual(expect.arrayContaining(['drift-schedule.yml', 'janitor.yml', 'promote.yml', 'retrain-pr.yml', 'rollback.yml']));
});

it('the check catches undeclared inputs and outputs, missing required inputs and unknown jobs', () => {
  const bad = `
on: push
permissions: { contents: read }
jobs:
  a:
    outputs: { x: '\${{ steps.d.outputs.nope }}' }
    steps:
      - id: d
        uses: acme/refit/actions/drift@v1
        with: { model: m, colour: red }
      - uses: acme/refit/actions/evaluate@v1
        with: { champion: a }
      - run: echo \${{ needs.b.outputs.y }} \${{ steps.missing.outputs.z }}
`;
  expect(check(bad).problems.sort()).toEqual(
    [
      'a: drift has no input "colour"',
      'a: evaluate needs input "challenger"',
      'a: drift has no output "nope"',
      'a: steps.missing is not a step with an id in this job',
      'needs.b: no such job',
    ].sort(),
  );
});

describe.each(files)('examples/workflows/%s', (file) => {
  it('calls Refit actions with declared inputs and reads declared outputs only', () => {
    const { problems, refitSteps } = check(readFileSync(join(dir, file), 'utf8'));
    expect(problems).toEqual([]);
    expect(refitSteps).toBeGreaterThan(0);
  });
});
