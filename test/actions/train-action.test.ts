/**
 * The train action end to end: the built bundle against the EC2 emulator, with real sshd processes
 * on 127.0.0.x as the instances (test/train/cloud.ts).
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SSHD_MISSING, strangerKey } from '../support/sshd.js';
import { tempDir, writeFile } from '../support/files.js';
import { useTrainCloud } from '../train/cloud.js';
import type { TrainCloud } from '../train/cloud.js';
import { runAction, startAction } from './run-action.js';
import type { ActionRun } from './run-action.js';

/** g5.xlarge on-demand in us-east-1, from AWS's price list (the action's table must agree). */
const G5_XLARGE_USD_PER_HOUR = 1.006;

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name)) : [join(dir, e.name)]));
}

function everything(run: ActionRun): string {
  return [run.stdout, run.stderr, JSON.stringify(run.outputs), JSON.stringify(run.state), run.summary].join('\n');
}

const alive = (cloud: TrainCloud) => cloud.ec2.state.alive().filter((i) => i.state !== 'shutting-down');
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

async function waitFor(what: string, check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe.skipIf(SSHD_MISSING)('train action on one instance', () => {
  const cloud = useTrainCloud({ nodes: 1 });

  it('uploads the workspace, streams the output, propagates the exit code, brings the artifacts back and terminates', async () => {
    const workspace = tempDir('refit-train-ws-');
    writeFile(workspace, 'train.py.sh', 'echo "epoch 1 loss=0.9 data=$(cat data/rows.txt)"\nmkdir -p out/ckpt\nprintf weights > out/model.bin\necho 0.91 > out/ckpt/metrics.json\necho "token length ${#API_TOKEN}"\nexit 7\n');
    writeFile(workspace, 'data/rows.txt', '1000');
    writeFile(workspace, '.git/config', '[core]');
    const secret = 'sk-live-0123456789abcdef';
    const run = await runAction('train', {
      cwd: workspace,
      env: cloud.env({ GITHUB_WORKSPACE: workspace }),
      inputs: cloud.inputs({ command: 'bash train.py.sh', artifacts: 'out/*.bin\nout/ckpt/**', env: `API_TOKEN=${secret}\nEPOCHS=1` }),
    });

    expect(run.status, run.stdout + run.stderr).toBe(1);
    expect(run.stdout).toContain('epoch 1 loss=0.9 data=1000');
    expect(run.stdout).toContain(`token length ${secret.length}`);
    expect(run.stdout).toMatch(/::error::refit train: the command exited with code 7/);
    expect(run.outputs['exit-code']).toBe('7');
    expect(run.outputs['artifacts']?.split('\n')).toEqual(['out/ckpt/metrics.json', 'out/model.bin']);
    expect(readFileSync(join(workspace, 'out/model.bin'), 'utf8')).toBe('weights');
    expect(readFileSync(join(workspace, 'out/ckpt/metrics.json'), 'utf8')).toBe('0.91\n');

    // The upload skipped .git; the instance's copy is in ~/refit/<repository name>.
    const remote = join(cloud.hosts[0]!.sshd.home, 'refit', 'models');
    expect(existsSync(join(remote, 'data/rows.txt'))).toBe(true);
    expect(existsSync(join(remote, '.git'))).toBe(false);

    // Launched one hardened instance, and terminated it.
    const [instance] = cloud.ec2.state.instances.slice(-1);
    expect(run.outputs['instance-ids']).toBe(instance!.instanceId);
    expect(instance!.request.shutdownBehavior).toBe('terminate');
    expect(instance!.request.metadataOptions['HttpTokens']).toBe('required');
    expect(instance!.tags).toMatchObject({ 'refit:repository': 'acme/models', 'refit:run-id': '4242', 'refit:job': 'train' });
    // The user data authorizes the run's key and keeps the machine up for SSH (the watchdog still ends it).
    expect(instance!.request.userData).toContain(cloud.authorizedKeys.at(-1));
    expect(instance!.request.userData).toMatch(/--on-active=60m \/sbin\/poweroff/);
    expect(instance!.request.userData).not.toMatch(/^shutdown -h now/m);
    await settle();
    expect(instance!.state).toBe('terminated');

    // Cost: per-second billing with a 60 s minimum, times the on-demand price.
    const billed = Math.max(60, Math.ceil((instance!.terminatedAt!.getTime() - instance!.launchTime.getTime()) / 1000));
    expect(Number(run.outputs['billed-seconds'])).toBeGreaterThanOrEqual(60);
    expect(Math.abs(Number(run.outputs['billed-seconds']) - billed)).toBeLessThanOrEqual(1);
    expect(Number(run.outputs['cost-usd'])).toBeCloseTo((G5_XLARGE_USD_PER_HOUR * Number(run.outputs['billed-seconds'])) / 3600, 6);

    // No private key and no env value anywhere the job shows.
    expect(everything(run)).not.toMatch(/PRIVATE KEY/);
    // base64 of "openssh-key-v1": how every OpenSSH private key body starts, wherever it is cut.
    expect(everything(run)).not.toMatch(/b3BlbnNzaC1rZXktdjE|BlbnNzaC1rZXktdj|vcGVuc3NoLWtleS12M/);
    for (const file of listFiles(workspace)) expect(readFileSync(file, 'latin1'), file).not.toMatch(/PRIVATE KEY|b3BlbnNzaC1rZXktdjE/);
    expect(everything(run)).not.toContain(secret);
    expect(run.summary).toContain('## Refit train');
    // The key that logged in is the one from the user data, and only that one is authorized.
    expect(cloud.authorizedKeys.at(-1)).toMatch(/^ssh-ed25519 /);
    expect(cloud.hosts[0]!.sshd.log()).toMatch(/Accepted publickey for/);
  });

  it('succeeds with exit code 0 and reports the timings', async () => {
    const workspace = tempDir('refit-train-ws-');
    writeFile(workspace, 'README', 'x');
    const run = await runAction('train', { cwd: workspace, env: cloud.env({ GITHUB_WORKSPACE: workspace, GITHUB_RUN_ID: '4243' }), inputs: cloud.inputs({ command: 'echo "::set-output name=exit-code::99"' }) });
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.outputs['exit-code']).toBe('0');
    expect(run.stdout).toMatch(/timing: instances running -> command started \d+\.\d+ s/);
    expect(run.stdout).toMatch(/timing: command ended -> terminate requested \d+\.\d+ s/);
    // The instance's output cannot issue workflow commands: it is wrapped in stop-commands.
    const stop = /^::stop-commands::([0-9a-f]{32})$/m.exec(run.stdout);
    expect(stop).not.toBeNull();
    const between = run.stdout.slice(run.stdout.indexOf(stop![0]), run.stdout.indexOf(`::${stop![1]}::`));
    expect(between).toContain('::set-output name=exit-code::99');
    expect(run.outputs['exit-code']).toBe('0');
    await settle();
    expect(alive(cloud)).toEqual([]);
  });

  it('refuses a host whose key differs from the one on the instance console, and still terminates', async () => {
    const workspace = tempDir('refit-train-ws-');
    cloud.hosts[0]!.consoleKeyOverride = strangerKey();
    try {
      const run = await runAction('train', { cwd: workspace, env: cloud.env({ GITHUB_WORKSPACE: workspace, GITHUB_RUN_ID: '4244' }), inputs: cloud.inputs({ command: 'echo should-not-run' }) });
      expect(run.status).toBe(1);
      expect(run.stdout).toMatch(/::error::refit train: SSH host key verification failed for node 0 \(i-[0-9a-f]+\) \(127\.0\.0\.2:\d+\): the server offered SHA256:/);
      expect(run.stdout).not.toContain('should-not-run');
      await settle();
      expect(alive(cloud)).toEqual([]);
    } finally {
      delete cloud.hosts[0]!.consoleKeyOverride;
    }
  });

  it('killed mid-training (SIGKILL), leaves nothing running after its post step; the post step also works with no state at all', async () => {
    const workspace = tempDir('refit-train-ws-');
    const env = cloud.env({ GITHUB_WORKSPACE: workspace, GITHUB_RUN_ID: '4245' });
    const inputs = cloud.inputs({ command: 'echo training-begins; sleep 60' });
    const started = startAction('train', { cwd: workspace, env, inputs });
    await waitFor('the command to start', () => started.stdout().includes('training-begins'));
    started.child.kill('SIGKILL');
    const killed = await started.done;
    expect(killed.status).toBe(null);
    const mine = () => cloud.ec2.state.instances.filter((i) => i.tags['refit:run-id'] === '4245');
    expect(mine().map((i) => i.state)).toEqual(['running']);

    const post = await runAction('train', { step: 'post', cwd: workspace, env, inputs, state: killed.state });
    expect(post.status, post.stdout).toBe(0);
    expect(post.stdout).toContain(`terminate requested for ${mine()[0]!.instanceId}`);
    await settle();
    expect(mine().map((i) => i.state)).toEqual(['terminated']);
    expect(cloud.ec2.state.running()).toEqual([]);

    // A second launch killed, then a post step without any saved state: found by the run's tags.
    const again = startAction('train', { cwd: workspace, env: { ...env, GITHUB_RUN_ID: '4246' }, inputs });
    await waitFor('the command to start', () => again.stdout().includes('training-begins'));
    again.child.kill('SIGKILL');
    await again.done;
    const bare = await runAction('train', { step: 'post', cwd: workspace, env: { ...env, GITHUB_RUN_ID: '4246' }, inputs: {} });
    expect(bare.status, bare.stdout).toBe(0);
    expect(bare.stdout).toMatch(/terminate requested for i-/);
    await settle();
    expect(cloud.ec2.state.running()).toEqual([]);
    // Nothing else to do: the post step says so and does not fail.
    const idle = await runAction('train', { step: 'post', cwd: workspace, env: { ...env, GITHUB_RUN_ID: '4246' }, inputs: {} });
    expect(idle.status).toBe(0);
    expect(idle.stdout).toContain('nothing left running');
  });

  it('names the input on bad values and launches nothing', async () => {
    const workspace = tempDir('refit-train-ws-');
    const before = cloud.ec2.state.instances.length;
    const run = await runAction('train', { cwd: workspace, env: cloud.env({ GITHUB_WORKSPACE: workspace }), inputs: cloud.inputs({ command: 'true', 'instance-count': 'two' }) });
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/::error::refit train: input instance-count/);
    const env = await runAction('train', { cwd: workspace, env: cloud.env({ GITHUB_WORKSPACE: workspace }), inputs: cloud.inputs({ command: 'true', env: 'MASTER_ADDR=x' }) });
    expect(env.stdout).toMatch(/::error::refit train: input env, line 1: MASTER_ADDR is set by Refit/);
    expect(cloud.ec2.state.instances.length).toBe(before);
  });
});

describe.skipIf(SSHD_MISSING)('train action on two instances', () => {
  const cloud = useTrainCloud({ nodes: 2 });

  it('runs the command on each node with its rank, the node count and rank 0 as master', async () => {
    const workspace = tempDir('refit-train-ws-');
    writeFile(workspace, 'train.sh', 'echo "rank=$NODE_RANK nnodes=$NNODES master=$MASTER_ADDR:$MASTER_PORT home=$HOME"\n');
    const run = await runAction('train', {
      cwd: workspace,
      env: cloud.env({ GITHUB_WORKSPACE: workspace }),
      inputs: cloud.inputs({ command: 'bash train.sh', 'instance-count': '2', 'master-port': '29555', 'placement-group': 'refit-cluster' }),
    });
    expect(run.status, run.stdout + run.stderr).toBe(0);
    const [first, second] = cloud.hosts;
    const lines = run.stdout.split('\n').filter((l) => l.includes('rank='));
    expect(lines.sort()).toEqual([
      `[node 0] rank=0 nnodes=2 master=127.0.0.2:29555 home=${first!.sshd.home}`,
      `[node 1] rank=1 nnodes=2 master=127.0.0.2:29555 home=${second!.sshd.home}`,
    ]);
    const launched = cloud.ec2.state.instances;
    expect(launched).toHaveLength(2);
    expect(launched.map((i) => i.request.placement['GroupName'])).toEqual(['refit-cluster', 'refit-cluster']);
    expect(run.outputs['instance-ids']?.split('\n')).toEqual(launched.map((i) => i.instanceId));
    await settle();
    expect(cloud.ec2.state.alive()).toEqual([]);
    expect(Number(run.outputs['billed-seconds'])).toBeGreaterThanOrEqual(120);
  });
});

describe.skipIf(SSHD_MISSING)('train action over a connection that drops', () => {
  const cloud = useTrainCloud({ nodes: 1, proxy: true });

  it('reconnects and resumes the log from where it was, without starting the command twice', async () => {
    const workspace = tempDir('refit-train-ws-');
    const command = 'echo "start $(date +%s%N)" >> "$HOME/starts"\nfor i in $(seq 1 8); do echo "line $i"; sleep 0.25; done\n';
    const started = startAction('train', { cwd: workspace, env: cloud.env({ GITHUB_WORKSPACE: workspace }), inputs: cloud.inputs({ command }) });
    const proxy = cloud.hosts[0]!.proxy!;
    await waitFor('line 2', () => started.stdout().includes('line 2\n'));
    expect(proxy.cut()).toBeGreaterThan(0);
    await waitFor('line 4', () => started.stdout().includes('line 4\n'));
    proxy.cut();
    const run = await started.done;
    expect(run.status, run.stdout + run.stderr).toBe(0);
    const lines = run.stdout.split('\n').filter((l) => /^line \d+$/.test(l));
    expect(lines).toEqual(Array.from({ length: 8 }, (_, i) => `line ${i + 1}`));
    expect(run.stdout).toMatch(/connection to node 0 \(i-[0-9a-f]+\) lost .* reconnecting/);
    expect(proxy.connections).toBeGreaterThanOrEqual(3);
    const starts = readFileSync(join(cloud.hosts[0]!.sshd.home, 'starts'), 'utf8').trim().split('\n');
    expect(starts).toHaveLength(1);
    expect(readdirSync(join(cloud.hosts[0]!.sshd.home, '.refit'))).toHaveLength(1);
  });
});
