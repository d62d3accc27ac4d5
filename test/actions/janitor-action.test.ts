/**
 * The built janitor action against the EC2 and GitHub emulators: what it terminates (expired, or the
 * run finished or unknown), what it keeps (live runs, other repositories), which runners it deletes
 * (offline Refit runners of finished runs), and that dry-run changes nothing.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLaunchClient, launchInstances } from '../../src/compute/launch.js';
import { DEFAULT_IMAGE_ID, useEc2Emulator } from '../support/ec2/index.js';
import { startGitHubEmulator, type GitHubEmulator, type GitHubEmulatorOptions } from '../support/github/index.js';
import { actionsState } from '../support/github/runners.js';
import { runAction } from './run-action.js';

const TOKEN = `ghs_${'J'.repeat(36)}`;
const ec2emu = useEc2Emulator();
let gh: GitHubEmulator;

async function github(options: Partial<GitHubEmulatorOptions> = {}): Promise<GitHubEmulator> {
  gh = await startGitHubEmulator({ owner: 'acme', repo: 'models', token: TOKEN, actor: { login: 'refit-janitor[bot]', id: 9002, type: 'Bot' }, ...options });
  return gh;
}

async function launch(repository: string, runId: string, startedMinutesAgo: number, maxRuntimeMinutes = 60): Promise<string> {
  const result = await launchInstances(createLaunchClient({ region: 'us-east-1' }), {
    imageId: DEFAULT_IMAGE_ID,
    instanceTypes: ['g5.xlarge'],
    subnetIds: ['subnet-a'],
    market: 'on-demand',
    securityGroupIds: [],
    volumeSizeGb: 100,
    tags: { repository, runId, job: 'train', name: `refit-${runId}-1-train-000000` },
    maxRuntimeMinutes,
    userData: 'echo train\n',
    now: new Date(Date.now() - startedMinutesAgo * 60_000),
  });
  return result.instances[0]!.instanceId;
}

const env = () => ({
  GITHUB_API_URL: gh.url,
  GITHUB_REPOSITORY: 'acme/models',
  GITHUB_RUN_ID: '5000',
  GITHUB_JOB: 'janitor',
  AWS_ENDPOINT_URL_EC2: ec2emu.url,
  AWS_ACCESS_KEY_ID: 'AKIATEST',
  AWS_SECRET_ACCESS_KEY: 'test-secret-key',
  AWS_REGION: 'us-east-1',
  AWS_EC2_METADATA_DISABLED: 'true',
});

let ids: Record<'finished' | 'expired' | 'live' | 'unknown' | 'foreign', string>;

beforeEach(async () => {
  await github();
  ec2emu.state.requests.length = 0;
  for (const instance of ec2emu.state.alive()) instance.state = 'terminated';
  const actions = actionsState(gh.state);
  actions.setRun(11, { status: 'completed', conclusion: 'success' });
  actions.setRun(12, { status: 'in_progress' });
  ids = {
    finished: await launch('acme/models', '11', 5),
    expired: await launch('acme/models', '12', 180),
    live: await launch('acme/models', '12', 5),
    unknown: await launch('acme/models', '13', 5),
    foreign: await launch('other/repo', '11', 600),
  };
  actions.register({ name: 'refit-11-1-train-aaaaaa', labels: ['refit-11-1-train-aaaaaa'] });
  actions.register({ name: 'refit-12-1-train-bbbbbb', labels: ['refit-12-1-train-bbbbbb'] });
  actions.register({ name: 'refit-11-1-train-cccccc', labels: ['refit-11-1-train-cccccc'], status: 'online', busy: true });
  actions.register({ name: 'my-gpu-box', labels: ['gpu'] });
  actions.register({ name: 'refit-13-1-train-dddddd', labels: ['refit-13-1-train-dddddd'] });
});
afterEach(async () => {
  expect(gh.unhandled).toEqual([]);
  expect(gh.rejectedRequests).toEqual([]);
  await gh.close();
});

const alive = () => ec2emu.state.alive().map((i) => i.instanceId).sort();
const runnerNames = () => [...actionsState(gh.state).runners.values()].map((r) => r.name).sort();

describe('janitor', () => {
  it('dry-run lists what it would terminate and delete, and changes nothing', async () => {
    const before = { alive: alive(), runners: runnerNames() };
    const run = await runAction('janitor', { env: env(), inputs: { token: TOKEN, 'dry-run': 'true' } });
    expect(run.status, run.stdout).toBe(0);
    expect(JSON.parse(run.outputs.terminated!).sort()).toEqual([ids.finished, ids.expired, ids.unknown].sort());
    expect(JSON.parse(run.outputs['runners-deleted']!).sort()).toEqual(['refit-11-1-train-aaaaaa', 'refit-13-1-train-dddddd']);
    expect(JSON.parse(run.outputs.kept!)).toEqual([ids.live]);
    expect(ec2emu.state.requestsFor('TerminateInstances')).toEqual([]);
    expect(gh.requests.filter((r) => r.method !== 'GET')).toEqual([]);
    expect(alive()).toEqual(before.alive);
    expect(runnerNames()).toEqual(before.runners);
    expect(run.summary).toContain('Dry run: nothing was changed');
    expect(run.summary).toContain('would terminate');
  }, 30_000);

  it('terminates expired and finished-run instances, keeps live ones and other repositories, deletes offline Refit runners of finished runs', async () => {
    const run = await runAction('janitor', { env: env(), inputs: { token: TOKEN } });
    expect(run.status, run.stdout).toBe(0);
    expect(alive()).toEqual([ids.live, ids.foreign].sort());
    expect(runnerNames()).toEqual(['my-gpu-box', 'refit-11-1-train-cccccc', 'refit-12-1-train-bbbbbb']);
    expect(run.stdout).toMatch(new RegExp(`${ids.expired} \\(run 12, running\\): terminated — expired at`));
    expect(run.stdout).toContain(`${ids.finished} (run 11, running): terminated — run 11 completed (success)`);
    expect(run.stdout).toContain(`${ids.unknown} (run 13, running): terminated — run 13 not found`);
    // Each run's status is asked once, however many instances and runners it has.
    const runReads = gh.requests.filter((r) => r.operationId === 'actions/get-workflow-run').map((r) => r.path).sort();
    expect(runReads).toEqual(['/repos/acme/models/actions/runs/11', '/repos/acme/models/actions/runs/12', '/repos/acme/models/actions/runs/13']);
    expect(run.summary).toContain('| `refit-11-1-train-aaaaaa` |');

    const again = await runAction('janitor', { env: env(), inputs: { token: TOKEN } });
    expect(again.status, again.stdout).toBe(0);
    expect(JSON.parse(again.outputs.terminated!)).toEqual([]);
    expect(JSON.parse(again.outputs['runners-deleted']!)).toEqual([]);
  }, 30_000);

  it('a token that cannot see the repository (404 everywhere) terminates nothing and names the token', async () => {
    // GitHub answers 404, not 403, to a token without access to the repository (e.g. a fine-grained
    // PAT or an app installation for other repositories): that must not read as "run not found".
    gh.failNext({ pathPattern: /^\/repos\/acme\/models(\/|$)/, status: 404, times: 1000 });
    const before = alive();
    const run = await runAction('janitor', { env: env(), inputs: { token: TOKEN } });
    expect(run.status).toBe(1);
    expect(alive()).toEqual(before);
    expect(ec2emu.state.requestsFor('TerminateInstances')).toEqual([]);
    expect(run.stdout).toContain('cannot see acme/models');
    expect(run.stdout).toContain('actions: read');
  }, 30_000);

  it('with GITHUB_TOKEN still sweeps instances, then fails naming the administration permission runners need', async () => {
    await gh.close();
    await github({ actor: undefined });
    actionsState(gh.state).setRun(11, { status: 'completed', conclusion: 'failure' });
    actionsState(gh.state).setRun(12, { status: 'in_progress' });
    const run = await runAction('janitor', { env: env(), inputs: { token: TOKEN } });
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('instances were swept, but runners were not');
    expect(run.stdout).toContain('administration: write');
    expect(alive()).toEqual([ids.live, ids.foreign].sort());
    expect(JSON.parse(run.outputs.terminated!).sort()).toEqual([ids.finished, ids.expired, ids.unknown].sort());
  }, 30_000);
});
