/**
 * The built rollback action against the GitHub emulator: the champion moves back, the history
 * records who and why, the restored version is deployed again and the team is told in one issue
 * per model; an unknown version changes nothing and names the versions that exist.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addVersion, emptyRegistry, promoteVersion, serializeRegistry, type RegistryDocument } from '../../src/registry/document.js';
import { startGitHubEmulator, type GitHubEmulator } from '../support/github/index.js';
import { runAction } from './run-action.js';

const MODEL = 'taxi-tip';
const PATH = `.refit/${MODEL}/registry.json`;
let gh: GitHubEmulator;

beforeEach(async () => {
  gh = await startGitHubEmulator({ owner: 'acme', repo: 'models', defaultBranch: 'main', token: 'test-token' });
});
afterEach(async () => {
  expect(gh.unhandled).toEqual([]);
  expect(gh.rejectedRequests).toEqual([]);
  await gh.close();
});

/** Three promoted versions, each on its own commit of main; v3 is the champion, v2 previous. */
function seedRegistry(): RegistryDocument {
  let doc = emptyRegistry(MODEL);
  for (const n of [1, 2, 3]) {
    const commit = gh.state.commitFiles('main', { 'model.txt': `v${n}\n` }, `release ${n}`).sha;
    const added = addVersion(doc, { artifact: { uri: `s3://models/${n}.bin`, digest: `sha256:${String(n).repeat(64)}` }, commit, pullRequest: n, headSha: commit, runUrl: null, mergedBy: 'alice', createdAt: `2024-0${n}-01T00:00:00Z`, trainedAt: `2024-0${n}-01T00:00:00Z` });
    doc = promoteVersion(added.doc, added.version.version, { at: `2024-0${n}-01T00:00:00Z`, reason: `merge of pull request #${n}` });
  }
  gh.state.commitFiles('refit-state', { [PATH]: serializeRegistry(doc) }, 'seed registry');
  return doc;
}

const registry = () => JSON.parse(gh.state.readFile('refit-state', PATH)!) as RegistryDocument;
const rollbackIssues = () => [...gh.state.issues.values()].filter((i) => i.body?.includes(`<!-- refit:rollback model=${MODEL} -->`));

function rollback(inputs: Record<string, string>) {
  return runAction('rollback', {
    env: { GITHUB_API_URL: gh.url, GITHUB_REPOSITORY: 'acme/models', GITHUB_SERVER_URL: 'https://github.com', GITHUB_RUN_ID: '77', GITHUB_ACTOR: 'oncall-bob' },
    event: { name: 'workflow_dispatch', payload: { inputs } },
    inputs: { model: MODEL, token: 'test-token', ...inputs },
  });
}

describe('rollback', () => {
  it('moves the champion back to previous, records why, redeploys it and opens an issue; a second rollback comments on it', async () => {
    const seeded = seedRegistry();
    const run = await rollback({ reason: 'error rate doubled after v3 (alert #12) <script>' });
    expect(run.status, run.stdout).toBe(0);
    const doc = registry();
    expect(doc.aliases).toEqual({ champion: 2, previous: 3 });
    expect(doc.versions).toHaveLength(3);
    expect(doc.history.slice(seeded.history.length)).toEqual([
      expect.objectContaining({ alias: 'previous', from: 2, to: 3, actor: 'oncall-bob', reason: 'error rate doubled after v3 (alert #12) <script>', runUrl: 'https://github.com/acme/models/actions/runs/77' }),
      expect.objectContaining({ alias: 'champion', from: 3, to: 2, actor: 'oncall-bob' }),
    ]);
    expect(run.outputs).toEqual({ version: '2', 'previous-version': '3', 'deployment-id': expect.stringMatching(/^\d+$/) });
    const deployment = gh.state.deployments.get(Number(run.outputs['deployment-id']))!;
    expect(deployment).toMatchObject({ environment: `model/${MODEL}`, sha: seeded.versions[1]!.commit });
    expect(deployment.statuses.map((s) => s.state)).toEqual(['success']);
    expect(doc.versions[1]!.deployment).toEqual({ id: deployment.id, environment: `model/${MODEL}` });

    expect(rollbackIssues()).toHaveLength(1);
    const issue = rollbackIssues()[0]!;
    expect(issue.title).toBe('Model taxi-tip rolled back to v2');
    // The reason is someone's text: escaped, so it cannot inject markup or link issues.
    expect(issue.body).toContain('error rate doubled after v3 (alert \\#12) &lt;script&gt;');
    expect(issue.body).not.toContain('<script>');

    const back = await rollback({ reason: 'false alarm', 'to-version': 'v3' });
    expect(back.status, back.stdout).toBe(0);
    expect(registry().aliases).toEqual({ champion: 3, previous: 2 });
    expect(rollbackIssues()).toHaveLength(1);
    expect(gh.state.commentsOn(issue.number).map((c) => c.body)).toEqual([expect.stringContaining('rolled back from v2 to v3')]);
  });

  it('rolls back to a version whose commit is not in this repository (registered with refit promote elsewhere) without a deployment', async () => {
    let doc = emptyRegistry(MODEL);
    const elsewhere = 'f'.repeat(40);
    for (const [n, commit] of [[1, elsewhere], [2, gh.state.commitFiles('main', { 'model.txt': 'v2\n' }, 'release 2').sha]] as const) {
      const added = addVersion(doc, { artifact: { uri: `s3://models/${n}.bin`, digest: `sha256:${String(n).repeat(64)}` }, commit, pullRequest: null, headSha: null, runUrl: null, mergedBy: 'alice', createdAt: `2024-0${n}-01T00:00:00Z`, trainedAt: null });
      doc = promoteVersion(added.doc, added.version.version, { at: `2024-0${n}-01T00:00:00Z`, reason: 'promoted with refit promote' });
    }
    gh.state.commitFiles('refit-state', { [PATH]: serializeRegistry(doc) }, 'seed registry');

    const run = await rollback({ reason: 'v2 mislabels night trips' });
    expect(run.status, run.stdout).toBe(0);
    expect(registry().aliases).toEqual({ champion: 1, previous: 2 });
    expect(run.outputs).toEqual({ version: '1', 'previous-version': '2', 'deployment-id': '' });
    expect(run.stdout).toContain(`v1 was registered from commit ${elsewhere}, which is not in acme/models: no deployment is created`);
    expect(gh.state.deployments.size).toBe(0);
    expect(rollbackIssues()[0]!.body).toContain('No deployment was created');
  });

  it('changes nothing for a version that does not exist, and says which exist', async () => {
    seedRegistry();
    const commits = gh.state.history('refit-state').length;
    const run = await rollback({ reason: 'bad', 'to-version': '7' });
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/::error::refit rollback: to-version: model taxi-tip has no version 7; registered versions: v1, v2, v3/);
    expect(gh.state.history('refit-state')).toHaveLength(commits);
    expect(gh.state.deployments.size).toBe(0);
    expect(gh.state.issues.size).toBe(0);
  });

  it('requires a reason, and says when there is no registry', async () => {
    const noReason = await rollback({ reason: '' });
    expect(noReason.stdout).toMatch(/::error::refit rollback: input reason is required/);
    const empty = await rollback({ reason: 'x' });
    expect(empty.status).toBe(1);
    expect(empty.stdout).toMatch(/\.refit\/taxi-tip\/registry\.json on branch refit-state: model taxi-tip has no registered versions/);
  });
});
