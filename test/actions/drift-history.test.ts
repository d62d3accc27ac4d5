/**
 * Persistence and cooldown through the built action, with the check history kept on the
 * refit-state branch of a repository served by the GitHub emulator.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { startGitHubEmulator, type GitHubEmulator } from '../support/github/index.js';
import { root, runAction } from './run-action.js';

const data = {
  reference: join(root, 'examples/data/taxis-reference.csv'),
  current: join(root, 'examples/data/taxis-current.csv'),
  config: join(root, 'examples/refit.yml'),
};
const HISTORY = '.refit/taxi-tip/drift-history.json';

let gh: GitHubEmulator;
beforeEach(async () => {
  gh = await startGitHubEmulator({ owner: 'acme', repo: 'models', defaultBranch: 'main', token: 'test-token' });
});
afterEach(async () => {
  expect(gh.unhandled).toEqual([]);
  expect(gh.rejectedRequests).toEqual([]);
  await gh.close();
});

function check(inputs: Record<string, string>) {
  return runAction('drift', {
    inputs: { ...data, model: 'taxi-tip', token: 'test-token', ...inputs },
    env: { GITHUB_API_URL: gh.url, GITHUB_REPOSITORY: 'acme/models', GITHUB_SERVER_URL: 'https://github.com', GITHUB_RUN_ID: '42' },
    event: { name: 'schedule', payload: { schedule: '17 6 * * *' } },
  });
}

function history(): { checks: { drift: boolean; retrain: boolean; runUrl?: string }[] } {
  return JSON.parse(gh.state.readFile('refit-state', HISTORY)!);
}

describe('consecutive', () => {
  it('three scheduled drifted runs with consecutive 2 fire only from the second', async () => {
    const runs = [];
    for (let i = 0; i < 3; i++) runs.push(await check({ 'drift-share': '0.1', consecutive: '2' }));
    expect(runs.map((r) => r.status)).toEqual([0, 0, 0]);
    expect(runs.map((r) => r.outputs['drift-detected'])).toEqual(['true', 'true', 'true']);
    expect(runs.map((r) => r.outputs.retrain)).toEqual(['false', 'true', 'true']);
    expect(runs[0]!.summary).toMatch(/^## ⏳ No retraining yet: data drift must persist/);
    expect(history().checks.map((c) => [c.drift, c.retrain])).toEqual([
      [true, false],
      [true, true],
      [true, true],
    ]);
    expect(history().checks[0]!.runUrl).toBe('https://github.com/acme/models/actions/runs/42');
    // The state branch holds only the history, one commit per check, apart from main.
    expect(Object.keys(gh.state.files('refit-state'))).toEqual([HISTORY]);
    expect(gh.state.readFile('main', HISTORY)).toBeUndefined();
    expect(runs[2]!.summary).toContain('### Trend');
  });

  it('a check without drift breaks the streak', async () => {
    await check({ 'drift-share': '0.1', consecutive: '2' });
    const quiet = await check({ consecutive: '2' });
    expect(quiet.outputs.retrain).toBe('false');
    const again = await check({ 'drift-share': '0.1', consecutive: '2' });
    expect(again.outputs.retrain).toBe('false');
  });
});

describe('cooldown', () => {
  it('suppresses a retrain too soon after the last one, and says until when', async () => {
    const first = await check({ 'drift-share': '0.1', cooldown: '3d' });
    expect(first.outputs.retrain).toBe('true');
    const second = await check({ 'drift-share': '0.1', cooldown: '3d' });
    expect(second.outputs.retrain).toBe('false');
    expect(second.outputs['drift-detected']).toBe('true');
    expect(second.summary).toMatch(/^## ⏸️ No retraining now: held back by the cooldown/);
    expect(second.summary).toMatch(/cooldown ends at \d{4}-\d{2}-\d{2}T/);
  });
});

describe('permissions', () => {
  it('without contents: write the check runs and warns, unless consecutive needs the history', async () => {
    gh.permissions.contents = 'read';
    const plain = await check({ 'drift-share': '0.1' });
    expect(plain.status).toBe(0);
    expect(plain.outputs.retrain).toBe('true');
    expect(plain.stdout).toMatch(/::warning::check history not saved/);
    const strict = await check({ 'drift-share': '0.1', consecutive: '2' });
    expect(strict.status).toBe(1);
    expect(strict.stdout).toMatch(/::error::refit drift: writing .* to branch refit-state: GitHub refused \(403 .*\); the token needs "contents: write"/);
  });
});

describe('model age from the registry the promote action keeps', () => {
  it('reads the champion on the refit-state branch when the checkout has no registry file', async () => {
    const registry = (trainedDaysAgo: number) => ({
      schema: 'refit.registry/v1',
      model: 'taxi-tip',
      versions: [
        {
          version: 1,
          artifact: { uri: 's3://models/taxi-tip/1', digest: `sha256:${'a'.repeat(64)}` },
          commit: null,
          pullRequest: null,
          headSha: null,
          runUrl: null,
          mergedBy: null,
          createdAt: new Date().toISOString(),
          trainedAt: new Date(Date.now() - trainedDaysAgo * 86_400_000).toISOString(),
        },
      ],
      aliases: { champion: 1, previous: null },
      history: [],
    });
    gh.state.createBranch('refit-state');
    gh.state.commitFiles('refit-state', { '.refit/taxi-tip/registry.json': JSON.stringify(registry(40)) }, 'promote v1');
    const old = await check({ 'max-model-age': '30d' });
    expect(old.status, old.stdout).toBe(0);
    expect(old.outputs.retrain).toBe('true');
    expect(JSON.parse(old.outputs.reasons!)[0].trigger).toBe('model-age');
    gh.state.commitFiles('refit-state', { '.refit/taxi-tip/registry.json': JSON.stringify(registry(5)) }, 'promote v2');
    const young = await check({ 'max-model-age': '30d' });
    expect(young.outputs.retrain).toBe('false');
  });
});
