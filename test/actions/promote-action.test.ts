/**
 * The built promote action end to end against the GitHub emulator: a merged retraining pull
 * request whose head passed the evaluation check is registered, becomes the champion and is
 * deployed; a re-run changes nothing; a failing verify command rolls back; missing evaluation,
 * another artifact and a fork are refused with nothing changed; on the s3 backend (a real
 * S3-compatible server on loopback) the registry keeps a content-addressed copy of the artifact, a
 * copy that is not the evaluated bytes records nothing, and two promotions racing both land.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { artifactDigest } from '../../src/artifact.js';
import { startGitHubEmulator, type GitHubEmulator } from '../support/github/index.js';
import { tempDir, writeFile } from '../support/files.js';
import { useS3Server } from '../support/s3-server.js';
import { runAction } from './run-action.js';

const MODEL = 'taxi-tip';
const CHECK = `refit / evaluation ${MODEL}`;
const dir = tempDir('refit-promote-');
const s3 = useS3Server(['models']);
let gh: GitHubEmulator;

beforeEach(async () => {
  gh = await startGitHubEmulator({ owner: 'acme', repo: 'models', defaultBranch: 'main', token: 'test-token', users: ['alice'] });
});
afterEach(async () => {
  expect(gh.unhandled).toEqual([]);
  expect(gh.rejectedRequests).toEqual([]);
  await gh.close();
});

interface Retrain {
  number: number;
  headSha: string;
  mergeSha: string;
  artifact: string;
  digest: string;
}

/**
 * A retraining pull request from refit/<model> with a trained artifact; `evaluation` is the
 * conclusion of the evaluation check run on its head (recorded as the evaluate action does), or
 * null for none; merged unless told otherwise.
 */
async function retrainPull(name: string, options: { evaluation?: 'success' | 'failure' | null; merge?: boolean } = {}): Promise<Retrain> {
  const artifact = writeFile(dir, `${name}/model.bin`, `weights of ${name}\n`);
  const { digest } = await artifactDigest(artifact);
  gh.state.commitFiles(`refit/${MODEL}`, { [`.refit/${MODEL}/snapshot.json`]: JSON.stringify({ digest: `sha256:${'d'.repeat(63)}${name.length % 10}`, name }) + '\n' }, `pin data for ${name}`);
  const pr = gh.state.createPull({ head: `refit/${MODEL}`, title: `Retrain ${MODEL} (${name})` });
  const evaluation = options.evaluation === undefined ? 'success' : options.evaluation;
  if (evaluation !== null) {
    gh.state.createCheckRun({
      name: CHECK,
      headSha: pr.headSha,
      conclusion: evaluation,
      externalId: digest,
      output: { title: 'Evaluation', summary: 'metrics', text: `<!-- refit:artifact ${JSON.stringify({ uri: artifact, digest })} -->` },
    });
  }
  const merged = options.merge === false ? null : gh.state.mergePull(pr);
  return { number: pr.number, headSha: pr.headSha, mergeSha: merged?.sha ?? '', artifact, digest };
}

function promote(pr: number, inputs: Record<string, string> = {}, env: Record<string, string> = {}) {
  return runAction('promote', {
    env: { GITHUB_API_URL: gh.url, GITHUB_REPOSITORY: 'acme/models', GITHUB_SERVER_URL: 'https://github.com', GITHUB_RUN_ID: '42', GITHUB_ACTOR: 'alice', ...env },
    event: { name: 'pull_request', payload: gh.pullRequestEvent(pr, 'closed') },
    inputs: { model: MODEL, token: 'test-token', ...inputs },
  });
}

interface Registry {
  model: string;
  versions: { version: number; artifact: { uri: string; digest: string; source?: string; size?: number }; pullRequest: number; headSha: string; commit: string; snapshot?: { path: string; digest: string }; deployment?: { id: number } }[];
  aliases: { champion: number | null; previous: number | null };
  history: { alias: string; from: number | null; to: number | null; reason: string }[];
}

const registry = (): Registry | null => {
  const text = gh.state.readFile('refit-state', `.refit/${MODEL}/registry.json`);
  return text === undefined ? null : (JSON.parse(text) as Registry);
};
const deployments = () => [...gh.state.deployments.values()];
const promotionComments = (pr: number) => gh.state.commentsOn(pr).filter((c) => c.body.includes(`<!-- refit:promotion model=${MODEL} -->`));

async function withS3<T>(body: (client: S3Client) => Promise<T>): Promise<T> {
  const client = new S3Client({ forcePathStyle: true });
  try {
    return await body(client);
  } finally {
    client.destroy();
  }
}
const s3Bytes = (key: string) => withS3(async (client) => Buffer.from(await (await client.send(new GetObjectCommand({ Bucket: 'models', Key: key }))).Body!.transformToByteArray()));
const s3Registry = async (prefix: string) => JSON.parse((await s3Bytes(`${prefix}/${MODEL}/registry.json`)).toString('utf8')) as Registry;
const s3Keys = (prefix: string) => withS3(async (client) => ((await client.send(new ListObjectsV2Command({ Bucket: 'models', Prefix: prefix }))).Contents ?? []).map((o) => o.Key));

describe('promote', () => {
  it('registers the merge, makes it champion, deploys, tags and comments; a re-run changes nothing', async () => {
    const first = await retrainPull('first');
    const run = await promote(first.number, { release: 'true', metrics: writeFile(dir, 'metrics.json', '{"roc_auc": 0.91}') });
    expect(run.status, run.stdout).toBe(0);
    expect(run.outputs).toEqual({ version: '1', 'previous-version': '', 'deployment-id': String(deployments()[0]!.id), 'rolled-back': 'false' });

    const doc = registry()!;
    expect(doc.aliases).toEqual({ champion: 1, previous: null });
    expect(doc.versions).toHaveLength(1);
    expect(doc.versions[0]).toMatchObject({
      version: 1,
      artifact: { uri: first.artifact, digest: first.digest },
      pullRequest: first.number,
      headSha: first.headSha,
      commit: first.mergeSha,
      mergedBy: gh.state.actor.login,
      metrics: { roc_auc: 0.91 },
      runUrl: 'https://github.com/acme/models/actions/runs/42',
      snapshot: { path: `.refit/${MODEL}/snapshot.json` },
      deployment: { id: deployments()[0]!.id, environment: `model/${MODEL}` },
    });
    expect(doc.history).toEqual([expect.objectContaining({ alias: 'champion', from: null, to: 1, reason: `merge of pull request #${first.number}` })]);
    // The default branch was not written to: the registry lives on the state branch.
    expect(gh.state.readFile('main', `.refit/${MODEL}/registry.json`)).toBeUndefined();

    expect(deployments()).toHaveLength(1);
    expect(deployments()[0]).toMatchObject({ environment: `model/${MODEL}`, sha: first.mergeSha });
    expect(deployments()[0]!.statuses.map((s) => s.state)).toEqual(['in_progress', 'success']);
    expect(gh.state.release(`model/${MODEL}/v1`)).toBeDefined();
    expect(promotionComments(first.number)).toHaveLength(1);
    expect(promotionComments(first.number)[0]!.body).toContain(`taxi-tip v1 is the champion`);
    expect(run.summary).toContain(first.digest);

    const commitsBefore = gh.state.history('refit-state').length;
    const again = await promote(first.number, { release: 'true' });
    expect(again.status, again.stdout).toBe(0);
    expect(again.outputs.version).toBe('1');
    expect(again.outputs['deployment-id']).toBe(run.outputs['deployment-id']);
    expect(again.stdout).toContain('already registered as v1');
    expect(registry()).toEqual(doc);
    expect(gh.state.history('refit-state')).toHaveLength(commitsBefore);
    expect(deployments()).toHaveLength(1);
    expect(promotionComments(first.number)).toHaveLength(1);
  });

  it('rolls back automatically when the verify command fails, and marks the deployment failed', async () => {
    const first = await retrainPull('first');
    expect((await promote(first.number)).status).toBe(0);
    const second = await retrainPull('second');
    const run = await promote(second.number, { 'verify-command': 'echo "canary for v$REFIT_VERSION of $REFIT_MODEL"; echo "p99 latency 900ms > 300ms" >&2; exit 3' });
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/::error::refit promote: the verify command failed \(exit 3\); taxi-tip v2 was rolled back/);
    expect(run.stdout).toContain('canary for v2 of taxi-tip');
    expect(run.outputs['rolled-back']).toBe('true');
    expect(run.outputs.version).toBe('2');
    expect(run.outputs['previous-version']).toBe('1');

    const doc = registry()!;
    expect(doc.versions.map((v) => v.version)).toEqual([1, 2]);
    expect(doc.aliases.champion).toBe(1);
    expect(doc.history.filter((h) => h.alias === 'champion').map((h) => [h.from, h.to])).toEqual([
      [null, 1],
      [1, 2],
      [2, 1],
    ]);
    expect(doc.history.at(-1)!.reason).toMatch(/verify command failed \(exit 3\) after promoting v2/);
    const deployment = deployments().find((d) => String(d.id) === run.outputs['deployment-id'])!;
    expect(deployment.statuses.map((s) => s.state)).toEqual(['in_progress', 'failure']);
    const comment = promotionComments(second.number)[0]!.body;
    expect(comment).toContain('v2 was rolled back: its verify command failed');
    expect(comment).toContain('p99 latency 900ms');
  });

  it('runs the verify command as a run: step would, without the action\'s inputs (the token) or runtime token, so its output on the pull request holds no secret', async () => {
    const first = await retrainPull('first');
    expect((await promote(first.number)).status).toBe(0);
    const second = await retrainPull('second');
    const run = await promote(
      second.number,
      { 'verify-command': 'echo "token=${INPUT_TOKEN:-unset} runtime=${ACTIONS_RUNTIME_TOKEN:-unset} inputs=$(env | grep -c ^INPUT_ || true)"; exit 4' },
      { ACTIONS_RUNTIME_TOKEN: 'runtime-secret' },
    );
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('token=unset runtime=unset inputs=0');
    const comment = promotionComments(second.number)[0]!.body;
    expect(comment).toContain('token=unset runtime=unset inputs=0');
    expect(comment).not.toContain('test-token');
    expect(comment).not.toContain('runtime-secret');
  });

  it('records the snapshot manifest in the lineage when it is over 1 MB (the contents API then sends no content)', async () => {
    const digest = `sha256:${'7'.repeat(64)}`;
    const files = Array.from({ length: 9000 }, (_, i) => ({ uri: `s3://lake/events/part-${String(i).padStart(5, '0')}.parquet`, size: 1_000_000 + i, etag: 'e'.repeat(32) }));
    const manifest = JSON.stringify({ digest, sources: [{ rows: 1, files }] }, null, 2) + '\n';
    expect(manifest.length).toBeGreaterThan(1024 * 1024);
    gh.state.commitFiles(`refit/${MODEL}`, { [`.refit/${MODEL}/snapshot.json`]: manifest }, 'pin a large data set');
    const pr = gh.state.createPull({ head: `refit/${MODEL}`, title: 'Retrain on a large data set' });
    const artifact = writeFile(dir, 'large/model.bin', 'weights of large\n');
    const evaluated = (await artifactDigest(artifact)).digest;
    gh.state.createCheckRun({ name: CHECK, headSha: pr.headSha, conclusion: 'success', externalId: evaluated, output: { title: 'Evaluation', summary: 'metrics', text: `<!-- refit:artifact ${JSON.stringify({ uri: artifact, digest: evaluated })} -->` } });
    gh.state.mergePull(pr);
    const run = await promote(pr.number, { comment: 'false' });
    expect(run.status, run.stdout).toBe(0);
    expect(registry()!.versions[0]!.snapshot).toEqual({ path: `.refit/${MODEL}/snapshot.json`, digest });
  });

  it('refuses a pull request whose head has no passed evaluation, and changes nothing', async () => {
    const failed = await retrainPull('failed', { evaluation: 'failure' });
    const run = await promote(failed.number);
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/::error::refit promote: the "refit \/ evaluation taxi-tip" check run on the head commit \w+ of pull request #\d+ did not pass \(conclusion failure\)/);
    const none = await retrainPull('unevaluated', { evaluation: null });
    const run2 = await promote(none.number);
    expect(run2.status).toBe(1);
    expect(run2.stdout).toMatch(/has no "refit \/ evaluation taxi-tip" check run; run the evaluate action/);
    expect(gh.state.branches()).not.toContain('refit-state');
    expect(deployments()).toHaveLength(0);
    expect(gh.state.comments.size).toBe(0);
    expect(run.outputs).toEqual({});
  });

  it('refuses an artifact that is not the evaluated one', async () => {
    const pr = await retrainPull('tampered');
    const other = writeFile(dir, 'other/model.bin', 'other weights\n');
    const run = await promote(pr.number, { artifact: other });
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/the artifact .*other\/model\.bin has digest sha256:[0-9a-f]{64}, but the evaluation .* passed .* with digest sha256:/);
    expect(gh.state.branches()).not.toContain('refit-state');
    expect(deployments()).toHaveLength(0);
  });

  it('never promotes a pull request from a fork, even from a branch named refit/<model>', async () => {
    const fork = gh.state.createForkPull({ head: `refit/${MODEL}`, files: { 'model.bin': 'evil\n' }, title: 'Retrain' });
    gh.state.createCheckRun({ name: CHECK, headSha: fork.headSha, conclusion: 'success', output: { text: `<!-- refit:artifact {"uri":"x","digest":"sha256:${'0'.repeat(64)}"} -->` } });
    gh.state.mergePull(fork);
    const run = await promote(fork.number);
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/pull request #\d+ comes from a fork \(someone\/models\); a pull request from a fork never promotes a model/);
    expect(gh.state.branches()).not.toContain('refit-state');
    expect(deployments()).toHaveLength(0);
  });

  it('refuses a pull request from another branch and one closed without merging', async () => {
    gh.state.commitFiles('feature', { 'x.txt': 'x\n' }, 'feature');
    const other = gh.state.createPull({ head: 'feature', title: 'Feature' });
    gh.state.mergePull(other);
    const run = await promote(other.number);
    expect(run.stdout).toMatch(/comes from branch feature, not the model's retraining branch refit\/taxi-tip/);
    const open = await retrainPull('unmerged', { merge: false });
    const closed = await promote(open.number);
    expect(closed.stdout).toMatch(/was closed without being merged; nothing to promote/);
    expect(deployments()).toHaveLength(0);
  });

  it('promotes on a push of the merge commit to the default branch', async () => {
    const pr = await retrainPull('pushed');
    const run = await runAction('promote', {
      env: { GITHUB_API_URL: gh.url, GITHUB_REPOSITORY: 'acme/models' },
      event: { name: 'push', payload: { ref: 'refs/heads/main', after: pr.mergeSha } },
      inputs: { model: MODEL, token: 'test-token', comment: 'false' },
    });
    expect(run.status, run.stdout).toBe(0);
    expect(registry()!.versions[0]).toMatchObject({ pullRequest: pr.number, commit: pr.mergeSha });
  });

  it('on the s3 backend keeps a content-addressed copy of the artifact and registers it, keeping the evaluated path as source', async () => {
    const pr = await retrainPull('copied');
    const hex = createHash('sha256').update(readFileSync(pr.artifact)).digest('hex');
    expect(pr.digest).toBe(`sha256:${hex}`);
    const inputs = { registry: 's3://models/kept', comment: 'false', 'verify-command': 'echo "serving $REFIT_ARTIFACT_URI $REFIT_ARTIFACT_DIGEST"' };
    const run = await promote(pr.number, inputs, s3.env());
    expect(run.status, run.stdout).toBe(0);
    const copyUri = `s3://models/kept/${MODEL}/artifacts/sha256-${hex}`;
    expect(run.stdout).toContain(`serving ${copyUri} ${pr.digest}`);

    const doc = await s3Registry('kept');
    expect(doc.versions[0]!.artifact).toEqual({ uri: copyUri, digest: pr.digest, size: readFileSync(pr.artifact).length, source: pr.artifact });
    expect(await s3Bytes(`kept/${MODEL}/artifacts/sha256-${hex}`)).toEqual(readFileSync(pr.artifact));
    expect(deployments()[0]!.payload).toMatchObject({ artifact: { uri: copyUri, digest: pr.digest } });
    expect(run.summary).toContain(pr.artifact);

    // A re-run finds the version registered before copying anything.
    const refused = s3.counters.preconditionFailed;
    const writes = s3.counters.conditionalWrites;
    const again = await promote(pr.number, inputs, s3.env());
    expect(again.status, again.stdout).toBe(0);
    expect(again.stdout).toContain('already registered as v1');
    expect([s3.counters.preconditionFailed, s3.counters.conditionalWrites]).toEqual([refused, writes]);
  });

  it('on the s3 backend records nothing when the copy does not hash to the evaluated bytes', async () => {
    const pr = await retrainPull('squatted');
    const key = `squat/${MODEL}/artifacts/sha256-${pr.digest.slice('sha256:'.length)}`;
    await withS3((client) => client.send(new PutObjectCommand({ Bucket: 'models', Key: key, Body: 'other bytes\n' })));
    const run = await promote(pr.number, { registry: 's3://models/squat', comment: 'false' }, s3.env());
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/::error::refit promote: the copy of .*squatted\/model\.bin at s3:\/\/models\/squat\/taxi-tip\/artifacts\/sha256-[0-9a-f]{64} hashes to sha256:[0-9a-f]{64}, not the evaluated sha256:[0-9a-f]{64}; the registry was not changed/);
    expect(await s3Keys(`squat/${MODEL}/registry.json`)).toEqual([]);
    expect(deployments()).toHaveLength(0);
    expect(run.outputs).toEqual({});
  });

  it('with copy-artifact: false registers the artifact where it was evaluated', async () => {
    const pr = await retrainPull('in-place');
    const run = await promote(pr.number, { registry: 's3://models/in-place', comment: 'false', 'copy-artifact': 'false' }, s3.env());
    expect(run.status, run.stdout).toBe(0);
    expect((await s3Registry('in-place')).versions[0]!.artifact).toEqual({ uri: pr.artifact, digest: pr.digest, size: readFileSync(pr.artifact).length });
    expect(await s3Keys(`in-place/${MODEL}/artifacts/`)).toEqual([]);
  });

  it('two promotions racing on the s3 backend both land, as v1 and v2', async () => {
    const a = await retrainPull('alpha');
    const b = await retrainPull('beta');
    const inputs = { registry: 's3://models/registry', comment: 'false' };
    const [ra, rb] = await Promise.all([promote(a.number, inputs, s3.env()), promote(b.number, inputs, s3.env())]);
    expect(ra.status, ra.stdout).toBe(0);
    expect(rb.status, rb.stdout).toBe(0);
    expect([ra.outputs.version, rb.outputs.version].sort()).toEqual(['1', '2']);
    const doc = await s3Registry('registry');
    expect(doc.versions.map((v) => v.version)).toEqual([1, 2]);
    // Each version points at the registry's copy of its own artifact.
    for (const v of doc.versions) {
      const pr = v.pullRequest === a.number ? a : b;
      expect(v.artifact).toMatchObject({ uri: `s3://models/registry/${MODEL}/artifacts/sha256-${pr.digest.slice(7)}`, digest: pr.digest, source: pr.artifact });
      expect(await s3Bytes(v.artifact.uri.slice('s3://models/'.length))).toEqual(readFileSync(pr.artifact));
    }
    expect(doc.versions.map((v) => v.pullRequest).sort()).toEqual([a.number, b.number].sort());
    const last = doc.versions.find((v) => v.version === 2)!;
    expect(doc.aliases).toEqual({ champion: 2, previous: 1 });
    expect(last.deployment?.id).toBe(Number(ra.outputs.version === '2' ? ra.outputs['deployment-id'] : rb.outputs['deployment-id']));
    // The git registry was not touched.
    expect(gh.state.branches()).not.toContain('refit-state');
  });
});
