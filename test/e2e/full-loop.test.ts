/**
 * The whole loop, as the runner would run it: the built dist/ actions in sequence (INPUT_*
 * variables, event payload files, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY) against the GitHub emulator,
 * the local EC2 endpoint and a real sshd on 127.0.0.2 standing for the GPU instance:
 *
 *   schedule → drift → retrain-pr → train (EC2 + SSH) → evaluate (comment + check run) → merge →
 *   promote → verify-command fails → automatic rollback
 *
 * then the final state: one pull request, one evaluation comment, the registry's history,
 * the deployments, and zero running instances.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactDigest } from '../../src/artifact.js';
import { DEMO_CONFIG, GATES, HOLDOUT_FROM, simulatedLiveWindow } from '../../src/demo/index.js';
import { addVersion, emptyRegistry, promoteVersion, serializeRegistry } from '../../src/registry/document.js';
import { root, runAction, type ActionRun } from '../actions/run-action.js';
import { startGitHubEmulator, type GitHubEmulator } from '../support/github/index.js';
import { tempDir } from '../support/files.js';
import { SSHD_MISSING } from '../support/sshd.js';
import { useTrainCloud } from '../train/cloud.js';

const MODEL = 'taxi-tip';
const MARKER = `<!-- refit:evaluation model=${MODEL} -->`;

describe.skipIf(SSHD_MISSING)('the whole loop', () => {
  const cloud = useTrainCloud({ nodes: 1 });
  const workspace = tempDir('refit-loop-ws-');
  const store = tempDir('refit-loop-models-');
  let gh: GitHubEmulator;
  const runs: Record<string, ActionRun> = {};

  const github = (extra: Record<string, string> = {}) => ({
    GITHUB_API_URL: gh.url,
    GITHUB_REPOSITORY: 'acme/models',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_RUN_ID: '900',
    GITHUB_ACTOR: 'alice',
    GITHUB_WORKSPACE: workspace,
    ...extra,
  });
  const node = (...args: string[]) => execFileSync(process.execPath, args, { cwd: workspace, encoding: 'utf8' });

  beforeAll(async () => {
    gh = await startGitHubEmulator({ owner: 'acme', repo: 'models', defaultBranch: 'main', token: 'test-token', users: ['alice'] });
    // The repository's checkout: data, the example model, Refit settings.
    mkdirSync(join(workspace, 'data'));
    for (const f of ['taxis-reference.csv', 'taxis-current.csv']) cpSync(join(root, 'examples/data', f), join(workspace, 'data', f));
    cpSync(join(root, 'examples/taxi-tip'), join(workspace, 'taxi-tip'), { recursive: true });
    writeFileSync(join(workspace, 'refit.yml'), DEMO_CONFIG);
    writeFileSync(join(workspace, 'live-trips.csv'), await simulatedLiveWindow(join(workspace, 'data/taxis-current.csv')));

    // Champion v1, trained on the reference window, stored where promotions keep artifacts, and
    // registered on the refit-state branch as an earlier promotion would have left it.
    const snap = join(store, 'v1-snapshot.json');
    node(join(root, 'dist/cli/index.js'), 'snapshot', '--model', MODEL, '--data', 'data/taxis-reference.csv', '--out', snap, '--run-url', '', '--commit', '');
    node('taxi-tip/train.mjs', '--snapshot', snap, '--out', join(store, 'v1'));
    const v1 = await artifactDigest(join(store, 'v1'));
    const added = addVersion(emptyRegistry(MODEL), {
      artifact: { uri: v1.uri, digest: v1.digest, size: v1.size },
      commit: null,
      pullRequest: null,
      headSha: null,
      runUrl: null,
      mergedBy: 'alice',
      createdAt: '2019-03-16T00:00:00.000Z',
      trainedAt: '2019-03-16T00:00:00.000Z',
    });
    const registry = promoteVersion(added.doc, added.version.version, { at: '2019-03-16T00:00:00.000Z', reason: 'first version', actor: 'alice' });
    gh.state.createBranch('refit-state');
    gh.state.commitFiles('refit-state', { [`.refit/${MODEL}/registry.json`]: serializeRegistry(registry) }, 'register v1');
  }, 60_000);

  afterAll(async () => {
    expect(gh.unhandled).toEqual([]);
    expect(gh.rejectedRequests).toEqual([]);
    await gh.close();
  });

  it('schedule → drift: retraining is due (two zone columns drifted)', async () => {
    runs.drift = await runAction('drift', {
      cwd: workspace,
      env: github(),
      event: { name: 'schedule', payload: { schedule: '17 6 * * *' } },
      inputs: { model: MODEL, reference: 'data/taxis-reference.csv', current: 'data/taxis-current.csv', config: 'refit.yml', token: 'test-token' },
    });
    expect(runs.drift.status, runs.drift.stdout).toBe(0);
    expect(runs.drift.outputs.retrain).toBe('true');
    expect(runs.drift.summary).toContain('pickup_zone');
  }, 60_000);

  it('retrain-pr: one pull request on refit/taxi-tip with the snapshot manifest', async () => {
    runs.pr = await runAction('retrain-pr', {
      cwd: workspace,
      env: github(),
      inputs: {
        model: MODEL,
        data: 'data/taxis-current.csv',
        reference: 'data/taxis-reference.csv',
        'report-json': runs.drift!.outputs['report-json']!,
        'report-markdown': runs.drift!.outputs['report-markdown']!,
        token: 'test-token',
      },
    });
    expect(runs.pr.status, runs.pr.stdout).toBe(0);
    expect(runs.pr.outputs.operation).toBe('created');
    // The training job checks out the pull request's head: the manifest it pins comes with it.
    const manifest = gh.state.readFile(`refit/${MODEL}`, `.refit/${MODEL}/snapshot.json`)!;
    mkdirSync(join(workspace, '.refit', MODEL), { recursive: true });
    writeFileSync(join(workspace, '.refit', MODEL, 'snapshot.json'), manifest);
    // …and so does the champion, fetched from the registry's artifact (as the workflow's S3 copy does).
    cpSync(join(store, 'v1'), join(workspace, 'champion-model'), { recursive: true });
  }, 60_000);

  it('train: the example model trains on an EC2 instance (sshd on loopback), artifacts come back', async () => {
    runs.train = await runAction('train', {
      cwd: workspace,
      env: cloud.env(github({ GITHUB_JOB: 'retrain' })),
      inputs: cloud.inputs({
        command: [
          `node taxi-tip/train.mjs --snapshot .refit/${MODEL}/snapshot.json --out model --holdout-from ${HOLDOUT_FROM}`,
          `node taxi-tip/predict.mjs --model model/model.json --data data/taxis-current.csv --from ${HOLDOUT_FROM} --out challenger.csv`,
          `node taxi-tip/predict.mjs --model champion-model/model.json --data data/taxis-current.csv --from ${HOLDOUT_FROM} --out champion.csv`,
        ].join('\n'),
        artifacts: 'model/**\nchallenger.csv\nchampion.csv',
      }),
    });
    expect(runs.train.status, runs.train.stdout + runs.train.stderr).toBe(0);
    expect(runs.train.outputs['exit-code']).toBe('0');
    expect(runs.train.outputs.artifacts!.split('\n').sort()).toEqual(['challenger.csv', 'champion.csv', 'model/metrics.json', 'model/model.json']);
    expect(runs.train.stdout).toContain('wrote 1048 predictions to challenger.csv');
  }, 120_000);

  it('evaluate: a comment and a passed check run on the pull request head, with the artifact digest', async () => {
    const number = Number(runs.pr!.outputs['pull-request-number']);
    runs.evaluate = await runAction('evaluate', {
      cwd: workspace,
      env: github(),
      event: { name: 'pull_request', payload: gh.pullRequestEvent(number) },
      inputs: {
        model: MODEL,
        champion: 'champion.csv',
        challenger: 'challenger.csv',
        slices: 'payment, pickup_borough',
        gates: GATES,
        bootstrap: '500',
        seed: '7',
        artifact: join(workspace, 'model'),
        'cost-usd': runs.train!.outputs['cost-usd']!,
        'billed-seconds': runs.train!.outputs['billed-seconds']!,
        token: 'test-token',
      },
    });
    expect(runs.evaluate.status, runs.evaluate.stdout).toBe(0);
    expect(runs.evaluate.outputs.passed).toBe('true');
    expect(runs.evaluate.outputs['artifact-digest']).toBe((await artifactDigest(join(workspace, 'model'))).digest);
  }, 60_000);

  it('merge → promote: v2 becomes champion, the canary fails, v1 is restored automatically', async () => {
    const number = Number(runs.pr!.outputs['pull-request-number']);
    gh.state.mergePull(gh.state.pulls.find((p) => p.number === number)!);
    runs.promote = await runAction('promote', {
      cwd: workspace,
      env: github({ GITHUB_RUN_ID: '901' }),
      event: { name: 'pull_request', payload: gh.pullRequestEvent(number, 'closed') },
      inputs: {
        model: MODEL,
        token: 'test-token',
        'verify-command': 'node taxi-tip/canary.mjs --model "$REFIT_ARTIFACT_URI/model.json" --data live-trips.csv --min-accuracy 0.85',
      },
    });
    expect(runs.promote.status).toBe(1);
    expect(runs.promote.outputs).toMatchObject({ version: '2', 'rolled-back': 'true' });
    expect(runs.promote.stdout).toContain('canary: accuracy 0.3559 is below the floor 0.85');
  }, 60_000);

  it('leaves one pull request, one evaluation comment, the registry history, failed deployment, zero instances', async () => {
    expect(gh.state.pulls).toHaveLength(1);
    const pr = gh.state.pulls[0]!;
    expect(pr.head).toBe(`refit/${MODEL}`);
    expect(pr.merged).toBe(true);
    const evaluations = gh.state.commentsOn(pr.number).filter((c) => c.body.includes(MARKER));
    expect(evaluations).toHaveLength(1);
    expect(evaluations[0]!.body).toContain(runs.evaluate!.outputs['artifact-digest']!.slice(0, 19));
    const checks = [...gh.state.checkRuns.values()].filter((c) => c.name === `refit / evaluation ${MODEL}`);
    expect(checks.map((c) => [c.headSha, c.conclusion, c.externalId])).toEqual([[pr.headSha, 'success', runs.evaluate!.outputs['artifact-digest']]]);

    const registry = JSON.parse(gh.state.readFile('refit-state', `.refit/${MODEL}/registry.json`)!) as {
      aliases: { champion: number; previous: number };
      versions: { version: number; artifact: { digest: string }; pullRequest: number | null }[];
      history: { alias: string; from: number | null; to: number | null; reason: string }[];
    };
    expect(registry.aliases).toEqual({ champion: 1, previous: 2 });
    expect(registry.versions.map((v) => [v.version, v.pullRequest])).toEqual([
      [1, null],
      [2, pr.number],
    ]);
    expect(registry.versions[1]!.artifact.digest).toBe(runs.evaluate!.outputs['artifact-digest']);
    expect(registry.history.filter((h) => h.alias === 'champion').map((h) => [h.from, h.to])).toEqual([
      [null, 1],
      [1, 2],
      [2, 1],
    ]);
    expect(registry.history.at(-1)!.reason).toMatch(/verify/i);

    const deployments = [...gh.state.deployments.values()];
    expect(deployments.length).toBeGreaterThanOrEqual(1);
    expect(deployments[0]!.environment).toBe(`model/${MODEL}`);
    expect(deployments[0]!.statuses.map((s) => s.state)).toContain('failure');
    // The drift check's history went to the state branch too, never to main.
    expect(gh.state.readFile('refit-state', `.refit/${MODEL}/drift-history.json`)).toBeDefined();
    expect(gh.state.readFile('main', `.refit/${MODEL}/registry.json`)).toBeUndefined();

    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(cloud.ec2.state.alive().filter((i) => i.state !== 'shutting-down' && i.state !== 'terminated')).toEqual([]);
    expect(cloud.ec2.state.instances.length).toBe(1);
  });
});
