/** Runner names, the runner boot script, and the runner endpoints of the GitHub emulator through the library. */
import { spawnSync } from 'node:child_process';
import { Octokit } from '@octokit/rest';
import { afterAll, describe, expect, it } from 'vitest';
import { buildUserData, MAX_USER_DATA_BYTES } from '../../src/compute/user-data.js';
import { createGitHubClient } from '../../src/github/client.js';
import {
  deleteRunner,
  getRunner,
  jitConfigIn,
  listRunners,
  MAX_RUNNER_NAME,
  nameBelongsTo,
  parseRunnerName,
  registerJitRunner,
  runnerName,
  runnerScript,
  RUNNER_SHA256,
  transitionTime,
  waitForRunnerOnline,
} from '../../src/runner/index.js';
import { startGitHubEmulator, type GitHubEmulator, type GitHubEmulatorOptions } from '../support/github/index.js';
import { actionsState } from '../support/github/runners.js';
import { userError } from '../support/files.js';

const TOKEN = `ghs_${'U'.repeat(36)}`;
const started: GitHubEmulator[] = [];
async function emulator(options: Partial<GitHubEmulatorOptions> = {}) {
  const gh = await startGitHubEmulator({ owner: 'acme', repo: 'models', token: TOKEN, actor: { login: 'refit-runners[bot]', id: 9001, type: 'Bot' }, ...options });
  started.push(gh);
  return { gh, client: createGitHubClient({ token: TOKEN, baseUrl: gh.url, throttle: false, retries: 0 }) };
}
afterAll(async () => {
  for (const gh of started) {
    expect(gh.unhandled).toEqual([]);
    expect(gh.rejectedRequests).toEqual([]);
  }
  await Promise.all(started.map((gh) => gh.close()));
});
const repo = { owner: 'acme', repo: 'models' };

describe('runner names', () => {
  it('encode the run, attempt and job, fit in 64 characters, and parse back', () => {
    const name = runnerName({ runId: '123456789012', runAttempt: '2', job: 'train' }, 'abc123');
    expect(name).toBe('refit-123456789012-2-train-abc123');
    expect(parseRunnerName(name)).toEqual({ runId: '123456789012', runAttempt: '2', job: 'train' });
    const long = runnerName({ runId: '123456789012', runAttempt: '1', job: `gpu.job ${'x'.repeat(80)}` }, 'ffffff');
    expect(long.length).toBe(MAX_RUNNER_NAME);
    expect(long).toMatch(/^refit-123456789012-1-gpu-job-x+-ffffff$/);
    expect(nameBelongsTo(long, '123456789012', `gpu.job ${'x'.repeat(80)}`)).toBe(true);
    expect(nameBelongsTo(long, '123456789012', 'other')).toBe(false);
    expect(nameBelongsTo(name, '123456789013')).toBe(false);
    expect(parseRunnerName('my-gpu-box')).toBeUndefined();
    expect(parseRunnerName('refit-12-1-train-ABCDEF')).toBeUndefined();
  });

  it('reads the time out of EC2\'s state transition reason', () => {
    expect(transitionTime('User initiated (2024-05-01 10:20:30 GMT)')?.toISOString()).toBe('2024-05-01T10:20:30.000Z');
    expect(transitionTime('')).toBeUndefined();
  });
});

describe('runner script', () => {
  const config = Buffer.from(JSON.stringify({ '.runner': 'x'.repeat(3000) })).toString('base64');

  it('is valid bash, checks the pinned checksum, runs the JIT config as a non-root user, and passes the user-data checks', () => {
    const script = runnerScript({ encodedJitConfig: config, idleTimeoutMinutes: 7 });
    expect(script).toContain(`RUNNER_SHA256=${RUNNER_SHA256['2.329.0']!.x64}`);
    expect(script).toContain(`RUNNER_SHA256=${RUNNER_SHA256['2.329.0']!.arm64}`);
    expect(script).toContain('sha256sum --check');
    expect(script).toContain('sudo -u runner');
    expect(script).toContain('sleep $((7*60))');
    expect(jitConfigIn(script)).toBe(config);
    const full = buildUserData({ script, maxRuntimeMinutes: 30 });
    expect(Buffer.byteLength(full)).toBeLessThan(MAX_USER_DATA_BYTES);
    expect(jitConfigIn(full)).toBe(config);
    for (const text of [script, full]) {
      const check = spawnSync('bash', ['-n'], { input: text, encoding: 'utf8' });
      expect(check.stderr).toBe('');
      expect(check.status).toBe(0);
    }
    // The JIT config never goes to the console: no line echoes or prints it.
    expect(script.split('\n').filter((l) => l.includes(config))).toEqual([config]);
  });

  it('asks for a checksum for other versions and names the inputs on bad values', () => {
    expect(() => runnerScript({ encodedJitConfig: config, idleTimeoutMinutes: 5, runnerVersion: '2.330.0' })).toThrow(/input runner-version: Refit has no checksum for actions\/runner 2\.330\.0; give runner-sha256/);
    const sha = 'a'.repeat(64);
    expect(runnerScript({ encodedJitConfig: config, idleTimeoutMinutes: 5, runnerVersion: '2.330.0', runnerSha256: sha })).toContain(`RUNNER_SHA256=${sha}`);
    expect(() => runnerScript({ encodedJitConfig: config, idleTimeoutMinutes: 5, runnerSha256: 'xyz' })).toThrow(/^input runner-sha256/);
    expect(() => runnerScript({ encodedJitConfig: config, idleTimeoutMinutes: 0 })).toThrow(/^input idle-timeout-minutes/);
    expect(() => runnerScript({ encodedJitConfig: config, idleTimeoutMinutes: 5, runnerVersion: 'latest' })).toThrow(/^input runner-version/);
  });
});

describe('runner registration (emulated GitHub)', () => {
  it('registers, reads, lists (paged), refuses a duplicate name, keeps a busy runner, deletes idempotently', async () => {
    const { gh, client } = await emulator();
    const jit = await registerJitRunner(client, { ...repo, name: 'refit-1-1-train-aaaaaa', labels: ['refit-1-1-train-aaaaaa', 'gpu'], runnerGroupId: 1 });
    expect(jit.runner).toMatchObject({ name: 'refit-1-1-train-aaaaaa', status: 'offline', busy: false, labels: ['self-hosted', 'Linux', 'X64', 'refit-1-1-train-aaaaaa', 'gpu'] });
    expect(actionsState(gh.state).runnerForJitConfig(jit.encodedJitConfig)?.id).toBe(jit.runner.id);
    const duplicate = await registerJitRunner(client, { ...repo, name: 'refit-1-1-train-aaaaaa', labels: ['x'], runnerGroupId: 1 }).then(() => ({ status: 201 }), (e: unknown) => e as { status: number });
    expect(duplicate.status).toBe(409);
    const group = await userError(registerJitRunner(client, { ...repo, name: 'refit-1-1-train-bbbbbb', labels: ['x'], runnerGroupId: 7 }));
    expect(group).toContain('runner-group-id 7 does not exist');

    for (let i = 0; i < 120; i++) actionsState(gh.state).register({ name: `other-${i}`, labels: ['x'] });
    const all = await listRunners(client, repo);
    expect(all).toHaveLength(121);
    expect(gh.requests.filter((r) => r.operationId === 'actions/list-self-hosted-runners-for-repo')).toHaveLength(2);
    const byName = await new Octokit({ auth: TOKEN, baseUrl: gh.url }).rest.actions.listSelfHostedRunnersForRepo({ ...repo, name: 'other-7' });
    expect(byName.data.runners.map((r) => r.name)).toEqual(['other-7']);

    actionsState(gh.state).setRunnerStatus(jit.runner.id, 'online', { busy: true });
    expect(await getRunner(client, repo, jit.runner.id)).toMatchObject({ status: 'online', busy: true });
    expect(await deleteRunner(client, repo, jit.runner.id)).toBe('busy');
    actionsState(gh.state).setRunnerStatus(jit.runner.id, 'offline');
    expect(await deleteRunner(client, repo, jit.runner.id)).toBe('deleted');
    expect(await deleteRunner(client, repo, jit.runner.id)).toBe('gone');
    expect(await getRunner(client, repo, jit.runner.id)).toBeUndefined();
  });

  it('refuses GITHUB_TOKEN and tokens without administration, explaining which token will do', async () => {
    const { client: githubToken } = await emulator({ actor: undefined });
    const message = await userError(registerJitRunner(githubToken, { ...repo, name: 'refit-1-1-train-aaaaaa', labels: ['x'], runnerGroupId: 1 }));
    expect(message).toContain('GitHub answered 403 (Resource not accessible by integration');
    expect(message).toContain('administration: write');
    expect(message).toContain('actions/create-github-app-token');
    const { client: readOnly } = await emulator({ permissions: { administration: 'read' } });
    expect(await userError(registerJitRunner(readOnly, { ...repo, name: 'refit-1-1-train-aaaaaa', labels: ['x'], runnerGroupId: 1 }))).toContain('administration: write');
    expect(await getRunner(readOnly, repo, 1)).toBeUndefined();
    expect(await userError(listRunners(githubToken, repo))).toContain('listing the runners of acme/models');
  });

  it('waits with backoff on that one runner, and reports a timeout with the polls made', async () => {
    const { gh, client } = await emulator();
    const runner = actionsState(gh.state).register({ name: 'refit-1-1-train-cccccc', labels: ['x'] });
    const timeout = await waitForRunnerOnline(client, repo, runner.id, { timeoutMs: 700, initialDelayMs: 100, maxDelayMs: 400 });
    // Polls at about 0, 100, 300 and 700 ms (delays 100, 200, 400): 4, not one per millisecond.
    expect(timeout).toMatchObject({ kind: 'timeout', lastStatus: 'offline' });
    expect(timeout.polls).toBeGreaterThanOrEqual(3);
    expect(timeout.polls).toBeLessThanOrEqual(5);
    setTimeout(() => actionsState(gh.state).setRunnerStatus(runner.id, 'online'), 150);
    const online = await waitForRunnerOnline(client, repo, runner.id, { timeoutMs: 5000, initialDelayMs: 100 });
    expect(online.kind).toBe('online');
    const gone = await waitForRunnerOnline(client, repo, runner.id, { timeoutMs: 5000, initialDelayMs: 100, instanceState: async () => 'terminated' });
    expect(gone.kind).toBe('online');
    actionsState(gh.state).setRunnerStatus(runner.id, 'offline');
    expect((await waitForRunnerOnline(client, repo, runner.id, { timeoutMs: 5000, initialDelayMs: 100, instanceState: async () => 'terminated' })).kind).toBe('instance-gone');
    expect(gh.requests.filter((r) => r.operationId === 'actions/list-self-hosted-runners-for-repo')).toEqual([]);
  });

  it('serves workflow runs with their status, 404 for unknown ones', async () => {
    const { gh } = await emulator();
    const octokit = new Octokit({ auth: TOKEN, baseUrl: gh.url, log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} } });
    actionsState(gh.state).setRun(42, { status: 'completed', conclusion: 'cancelled' });
    const { data } = await octokit.rest.actions.getWorkflowRun({ ...repo, run_id: 42 });
    expect(data).toMatchObject({ id: 42, status: 'completed', conclusion: 'cancelled' });
    const missing = await octokit.rest.actions.getWorkflowRun({ ...repo, run_id: 43 }).catch((e: { status: number }) => e.status);
    expect(missing).toBe(404);
    expect(gh.validationErrors).toEqual([]);
  });
});
