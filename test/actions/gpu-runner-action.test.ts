/**
 * The built gpu-runner action against the GitHub emulator (runner endpoints) and the EC2 emulator,
 * driven through the real Octokit and @aws-sdk/client-ec2. A simulated instance marks its runner
 * online when it sees the just-in-time config in the user data.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_IMAGE_ID, useEc2Emulator } from '../support/ec2/index.js';
import { startGitHubEmulator, type GitHubEmulator, type GitHubEmulatorOptions } from '../support/github/index.js';
import { jitConfigIn } from '../../src/runner/index.js';
import { actionsState } from '../support/github/runners.js';
import { simulateInstances, type Simulation } from '../runner/simulate.js';
import { distDir, runAction, type ActionRun } from './run-action.js';

/** Shaped like a GitHub App installation token, so the user-data secret check would catch it. */
const TOKEN = `ghs_${'R'.repeat(36)}`;
const APP_BOT = { login: 'refit-runners[bot]', id: 9001, type: 'Bot' as const };

const ec2emu = useEc2Emulator();
let gh: GitHubEmulator;
let sim: Simulation | undefined;

async function github(options: Partial<GitHubEmulatorOptions> = {}): Promise<GitHubEmulator> {
  gh = await startGitHubEmulator({ owner: 'acme', repo: 'models', token: TOKEN, actor: APP_BOT, ...options });
  return gh;
}

beforeEach(() => {
  ec2emu.clearFaults();
  ec2emu.capacity = {};
  ec2emu.state.requests.length = 0;
});
afterEach(async () => {
  sim?.stop();
  sim = undefined;
  for (const instance of ec2emu.state.alive()) instance.state = 'terminated';
  expect(gh.unhandled).toEqual([]);
  expect(gh.rejectedRequests).toEqual([]);
  await gh.close();
});

const env = (runId = '1001') => ({
  GITHUB_API_URL: gh.url,
  GITHUB_REPOSITORY: 'acme/models',
  GITHUB_RUN_ID: runId,
  GITHUB_RUN_ATTEMPT: '1',
  GITHUB_JOB: 'start-runner',
  AWS_ENDPOINT_URL_EC2: ec2emu.url,
  AWS_ACCESS_KEY_ID: 'AKIATEST',
  AWS_SECRET_ACCESS_KEY: 'test-secret-key',
  AWS_REGION: 'us-east-1',
  AWS_EC2_METADATA_DISABLED: 'true',
});

const startInputs = (extra: Record<string, string> = {}) => ({
  mode: 'start',
  token: TOKEN,
  'image-id': DEFAULT_IMAGE_ID,
  'instance-types': 'g5.xlarge',
  'subnet-ids': 'subnet-a',
  labels: 'gpu',
  'online-timeout-seconds': '20',
  ...extra,
});

const start = (extra: Record<string, string> = {}, runId = '1001'): Promise<ActionRun> => runAction('gpu-runner', { env: env(runId), inputs: startInputs(extra) });
const stop = (extra: Record<string, string> = {}, runId = '1001'): Promise<ActionRun> => runAction('gpu-runner', { env: env(runId), inputs: { mode: 'stop', token: TOKEN, ...extra } });
const runners = () => [...actionsState(gh.state).runners.values()];
const runnerListCalls = () => gh.requests.filter((r) => r.method === 'GET' && r.operationId === 'actions/list-self-hosted-runners-for-repo');

describe('gpu-runner start', () => {
  it('refuses a GITHUB_TOKEN-like token before anything is launched, and says which token will do', async () => {
    await github({ actor: undefined }); // the default actor: github-actions[bot], i.e. GITHUB_TOKEN
    const run = await start();
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/::error::refit gpu-runner: registering runner refit-1001-1-start-runner-[0-9a-f]{6} .*GitHub answered 403/);
    expect(run.stdout).toContain('administration: write');
    expect(run.stdout).toContain("GITHUB_TOKEN cannot do it");
    expect(ec2emu.state.requests).toEqual([]);
    expect(runners()).toEqual([]);
  }, 30_000);

  it('registers a JIT runner, launches it with only the JIT config, waits polling that one runner, then stop tears down and reports the cost', async () => {
    await github();
    sim = simulateInstances(ec2emu, gh, { online: true, onlineAfterMs: 1500 });
    const run = await start();
    expect(run.status, run.stdout).toBe(0);
    const { label, 'runner-name': name, 'runner-id': id, 'instance-id': instanceId } = run.outputs;
    expect(name).toMatch(/^refit-1001-1-start-runner-[0-9a-f]{6}$/);
    expect(label).toBe(name);
    expect(run.outputs).toMatchObject({ 'instance-type': 'g5.xlarge', market: 'on-demand', 'availability-zone': 'us-east-1a' });

    const runner = actionsState(gh.state).runner(Number(id))!;
    expect(runner).toMatchObject({ name, status: 'online', labels: [name, 'gpu'], runnerGroupId: 1, workFolder: '_work', ephemeral: true });
    const instance = ec2emu.state.instance(instanceId!)!;
    expect(instance.tags).toMatchObject({ 'refit:repository': 'acme/models', 'refit:run-id': '1001', 'refit:job': 'start-runner', Name: name });
    expect(instance.request.shutdownBehavior).toBe('terminate');
    // The instance got the single-use JIT config of exactly this runner, and never the token.
    const seen = sim.instances.find((i) => i.instanceId === instanceId)!;
    expect(seen.runnerId).toBe(Number(id));
    expect(seen.userData).toContain('./run.sh --jitconfig');
    expect(seen.userData).not.toContain(TOKEN);
    expect(seen.userData).not.toContain('AKIATEST');
    expect(seen.userData).not.toContain('test-secret-key');
    // Waiting polled GET .../runners/{id}, never the runner list.
    const polls = gh.requests.filter((r) => r.method === 'GET' && r.path === `/repos/acme/models/actions/runners/${id}`);
    // Offline at the first polls (after 0 s and 1 s), online by the third (3 s): backoff, not a busy loop.
    expect(polls.length).toBeGreaterThanOrEqual(2);
    expect(polls.length).toBeLessThanOrEqual(4);
    expect(runnerListCalls()).toEqual([]);
    expect(gh.requests[0]).toMatchObject({ method: 'POST', operationId: 'actions/generate-runner-jitconfig-for-repo' });
    expect(run.summary).toContain('is online on');
    // The token shows only in the runner's masking command, which hides it from the log.
    expect(run.stdout.split(`::add-mask::${TOKEN}`).join('')).not.toContain(TOKEN);
    // So is the JIT config: masked as soon as it exists, and printed nowhere else.
    const jit = jitConfigIn(seen.userData)!;
    expect(jit.length).toBeGreaterThan(20);
    expect(run.stdout).toContain(`::add-mask::${jit}`);
    expect(run.stdout.split(`::add-mask::${jit}`).join('')).not.toContain(jit);

    actionsState(gh.state).setRunnerStatus(Number(id), 'offline');
    const down = await stop({ 'runner-id': id!, 'instance-id': instanceId!, 'runner-name': name! });
    expect(down.status, down.stdout).toBe(0);
    expect(JSON.parse(down.outputs.terminated!)).toEqual([instanceId]);
    expect(JSON.parse(down.outputs['runners-deleted']!)).toEqual([name]);
    expect(ec2emu.state.alive()).toEqual([]);
    expect(runners()).toEqual([]);
    const billed = Number(down.outputs['billed-seconds']);
    const expectedBilled = Math.max(60, Math.ceil((Date.now() - instance.launchTime.getTime()) / 1000));
    expect(billed).toBeGreaterThanOrEqual(60);
    expect(billed).toBeLessThanOrEqual(expectedBilled);
    // g5.xlarge on-demand in us-east-1 lists at $1.006 per hour, billed per second.
    expect(Number(down.outputs['cost-usd'])).toBeCloseTo((1.006 * billed) / 3600, 4);

    const again = await stop({ 'runner-id': id!, 'instance-id': instanceId! });
    expect(again.status, again.stdout).toBe(0);
    expect(JSON.parse(again.outputs.terminated!)).toEqual([]);
  }, 60_000);

  it('times out with the console tail, terminating the instance and removing the registration', async () => {
    await github();
    sim = simulateInstances(ec2emu, gh, { online: false, console: 'cloud-init[812]: curl: (6) Could not resolve host: github.com\r\n' });
    const run = await start({ 'online-timeout-seconds': '2' });
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/did not come online within 2 s/);
    expect(run.stdout).toContain('Console output (last lines)');
    expect(run.stdout).toContain('Could not resolve host: github.com');
    expect(ec2emu.state.alive()).toEqual([]);
    expect(runners()).toEqual([]);
    expect(runnerListCalls()).toEqual([]);
  }, 30_000);

  it('falls back across spot types and subnets, then on-demand (spot-then-on-demand)', async () => {
    await github();
    sim = simulateInstances(ec2emu, gh, { online: true });
    ec2emu.capacity = { 'spot:g5.xlarge': 0, 'spot:g6.xlarge': 0, 'g5.xlarge@subnet-a': 0 };
    const run = await start({ market: 'spot-then-on-demand', 'instance-types': 'g5.xlarge, g6.xlarge', 'subnet-ids': 'subnet-a, subnet-b' });
    expect(run.status, run.stdout).toBe(0);
    const tried = ec2emu.state.requestsFor('RunInstances').map((r) => `${r.params['InstanceType']}@${r.params['SubnetId']} ${r.params['InstanceMarketOptions.MarketType'] ?? 'on-demand'} ${r.status}`);
    expect(tried).toEqual([
      'g5.xlarge@subnet-a spot 500',
      'g5.xlarge@subnet-b spot 500',
      'g6.xlarge@subnet-a spot 500',
      'g6.xlarge@subnet-b spot 500',
      'g5.xlarge@subnet-a on-demand 500',
      'g5.xlarge@subnet-b on-demand 200',
    ]);
    expect(run.outputs).toMatchObject({ market: 'on-demand', 'instance-type': 'g5.xlarge', 'availability-zone': 'us-east-1b' });
    expect(run.summary).toContain('InsufficientInstanceCapacity');
  }, 30_000);

  it('names the quota (VcpuLimitExceeded) and the missing IAM action (UnauthorizedOperation), and removes the registration', async () => {
    await github();
    ec2emu.failNext({ action: 'RunInstances', code: 'VcpuLimitExceeded', message: 'You have requested more vCPU capacity than your current vCPU limit of 0 allows.', times: Infinity });
    const quota = await start();
    expect(quota.status).toBe(1);
    expect(quota.stdout).toContain('VcpuLimitExceeded');
    expect(quota.stdout).toContain('Service Quotas');
    expect(runners()).toEqual([]);
    expect(ec2emu.state.requestsFor('RunInstances')).toHaveLength(1);

    ec2emu.clearFaults();
    ec2emu.failNext({
      action: 'RunInstances',
      code: 'UnauthorizedOperation',
      message: 'You are not authorized to perform this operation. User: arn:aws:sts::123456789012:assumed-role/refit/gh is not authorized to perform: ec2:RunInstances on resource: arn:aws:ec2:us-east-1:123456789012:instance/*',
      times: Infinity,
    });
    const denied = await start();
    expect(denied.status).toBe(1);
    expect(denied.stdout).toContain('UnauthorizedOperation');
    expect(denied.stdout).toContain('missing the IAM action ec2:RunInstances');
    expect(runners()).toEqual([]);
    expect(ec2emu.state.alive()).toEqual([]);
  }, 30_000);
});

describe('gpu-runner stop', () => {
  it('with empty outputs finds this run\'s instance by tags and its runner by name, and leaves other runs alone', async () => {
    await github();
    sim = simulateInstances(ec2emu, gh, { online: true });
    const mine = await start({}, '2001');
    const other = await start({}, '2002');
    expect(mine.status, mine.stdout).toBe(0);
    expect(other.status, other.stdout).toBe(0);
    actionsState(gh.state).setRunnerStatus(Number(mine.outputs['runner-id']), 'offline');

    const down = await stop({}, '2001');
    expect(down.status, down.stdout).toBe(0);
    expect(down.stdout).toContain('no runner-id or instance-id given');
    expect(JSON.parse(down.outputs.terminated!)).toEqual([mine.outputs['instance-id']]);
    expect(JSON.parse(down.outputs['runners-deleted']!)).toEqual([mine.outputs['runner-name']]);
    expect(ec2emu.state.alive().map((i) => i.instanceId)).toEqual([other.outputs['instance-id']]);
    expect(runners().map((r) => r.name)).toEqual([other.outputs['runner-name']]);
  }, 60_000);

  it('after the start process is SIGKILLed mid-launch, stop with empty outputs leaves zero running instances and no runner', async () => {
    await github();
    const dir = mkdtempSync(join(tmpdir(), 'refit-killed-'));
    for (const file of ['output', 'summary', 'state']) writeFileSync(join(dir, file), '');
    const inputs = Object.fromEntries(Object.entries(startInputs()).map(([k, v]) => [`INPUT_${k.replace(/ /g, '_').toUpperCase()}`, v]));
    const child = spawn(process.execPath, [join(distDir, 'gpu-runner', 'index.js')], {
      env: { PATH: process.env.PATH, GITHUB_OUTPUT: join(dir, 'output'), GITHUB_STEP_SUMMARY: join(dir, 'summary'), GITHUB_STATE: join(dir, 'state'), RUNNER_TEMP: dir, ...env('3001'), ...inputs },
      stdio: 'ignore',
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    // Kill it once its instance exists (it is then waiting for the runner, which never comes online).
    for (let i = 0; i < 2000 && ec2emu.state.alive().length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(ec2emu.state.alive()).toHaveLength(1);
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    expect(runners()).toHaveLength(1);

    const down = await stop({}, '3001');
    expect(down.status, down.stdout).toBe(0);
    expect(ec2emu.state.alive()).toEqual([]);
    expect(ec2emu.state.instances.filter((i) => i.state === 'running')).toEqual([]);
    expect(runners()).toEqual([]);
  }, 60_000);

  it('refuses a mode other than start or stop, naming the input', async () => {
    await github();
    const run = await runAction('gpu-runner', { env: env(), inputs: { mode: 'pause', token: TOKEN } });
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('input mode: "pause" is not start or stop');
    expect(ec2emu.state.requests).toEqual([]);
  }, 30_000);
});
