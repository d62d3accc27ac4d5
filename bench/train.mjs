// Times the train action's own overhead on loopback: from "instances running" to "command started"
// (console host keys, SSH handshake with the ephemeral key, workspace upload, detached start) and
// from "command ended" to "terminate requested" (exit status, artifact download, TerminateInstances),
// as the action itself reports them. The "instance" is a real sshd on 127.0.0.2 behind the EC2
// emulator (test/support).   node bench/train.mjs   (RUNS=7 for more runs; needs /usr/sbin/sshd)
import { build } from 'esbuild';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(fileURLToPath(import.meta.url), '../..');
if (!existsSync('/usr/sbin/sshd')) {
  console.log('bench/train.mjs: skipped, /usr/sbin/sshd is not installed (apt-get install openssh-server)');
  process.exit(0);
}
const runs = Number(process.env.RUNS ?? 5);
const dist = join(root, '.tmp', 'bench-train-dist');
execFileSync(process.execPath, [join(root, 'scripts/build.mjs'), '--out', dist], { cwd: root, stdio: 'inherit' });

const harness = join(root, '.tmp', 'bench-train-harness.mjs');
await build({
  stdin: {
    contents: [
      "export { Ec2Emulator, DEFAULT_IMAGE_ID } from './test/support/ec2/server.ts';",
      "export { startSshds, SSH_USER } from './test/support/sshd.ts';",
    ].join('\n'),
    resolveDir: root,
    loader: 'ts',
  },
  outfile: harness, bundle: true, platform: 'node', format: 'esm', logLevel: 'warning',
});
const { Ec2Emulator, DEFAULT_IMAGE_ID, startSshds, SSH_USER } = await import(pathToFileURL(harness).href);

const [sshd] = await startSshds(['127.0.0.2']);
const ec2 = new Ec2Emulator({
  ipFor: () => sshd.address,
  onRunInstances: (instances) => {
    for (const instance of instances) {
      sshd.authorize(/ssh-ed25519 [A-Za-z0-9+/]+={0,3}/.exec(instance.request.userData ?? '')[0]);
      instance.consoleOutput += `-----BEGIN REFIT HOST KEYS-----\r\n${sshd.hostPublicKey}\r\n-----END REFIT HOST KEYS-----\r\n`;
    }
  },
});
await ec2.start();

function runAction(workspace, runId) {
  const dir = mkdtempSync(join(tmpdir(), 'refit-bench-train-'));
  for (const f of ['output', 'state', 'summary']) writeFileSync(join(dir, f), '');
  const inputs = {
    command: 'python3 -c "print(42)" 2>/dev/null || echo 42; mkdir -p out; head -c 1000000 /dev/urandom > out/model.bin',
    artifacts: 'out/*.bin',
    'image-id': DEFAULT_IMAGE_ID,
    'instance-types': 'g5.xlarge',
    'subnet-ids': 'subnet-a',
    'ssh-user': SSH_USER,
    'ssh-port': String(sshd.port),
  };
  const env = {
    PATH: process.env.PATH,
    GITHUB_OUTPUT: join(dir, 'output'),
    GITHUB_STATE: join(dir, 'state'),
    GITHUB_STEP_SUMMARY: join(dir, 'summary'),
    RUNNER_TEMP: dir,
    GITHUB_WORKSPACE: workspace,
    GITHUB_REPOSITORY: 'acme/models',
    GITHUB_RUN_ID: String(runId),
    GITHUB_JOB: 'train',
    AWS_ENDPOINT_URL_EC2: ec2.url,
    AWS_ACCESS_KEY_ID: 'AKIATEST',
    AWS_SECRET_ACCESS_KEY: 'test-secret-key',
    AWS_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v;
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, [join(dist, 'train', 'index.js')], { cwd: workspace, env });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('close', (status) => {
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
      resolvePromise({ status, out });
    });
  });
}

const workspace = mkdtempSync(join(tmpdir(), 'refit-bench-ws-'));
mkdirSync(join(workspace, 'src'));
writeFileSync(join(workspace, 'src', 'train.py'), 'print("train")\n'.repeat(1000));
writeFileSync(join(workspace, 'data.csv'), 'a,b\n'.repeat(250_000)); // 1 MB to upload
const startup = [];
const teardown = [];
try {
  for (let i = 0; i < runs; i++) {
    const { status, out } = await runAction(workspace, 9000 + i);
    const up = /instances running -> command started ([\d.]+) s/.exec(out);
    const down = /command ended -> terminate requested ([\d.]+) s/.exec(out);
    if (status !== 0 || !up || !down) {
      console.error(out);
      throw new Error(`run ${i + 1} failed (exit ${status})`);
    }
    startup.push(Number(up[1]));
    teardown.push(Number(down[1]));
  }
} finally {
  await sshd.stop();
  await ec2.close();
  rmSync(workspace, { recursive: true, force: true });
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const line = (label, xs, goal) =>
  `${label.padEnd(44)} median ${median(xs).toFixed(2)} s  (min ${Math.min(...xs).toFixed(2)}, max ${Math.max(...xs).toFixed(2)}; goal < ${goal} s: ${median(xs) < goal ? 'met' : 'MISSED'})`;
console.log(`train action on loopback (EC2 emulator + sshd on 127.0.0.2), ${runs} runs, 1 MB upload, 1 MB artifact:`);
console.log(line('instance running -> command started', startup, 2));
console.log(line('command ended -> terminate requested', teardown, 1));
if (median(startup) >= 2 || median(teardown) >= 1) process.exitCode = 1;
