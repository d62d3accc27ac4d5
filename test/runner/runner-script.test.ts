/**
 * The runner boot script, executed: system commands are stubs on PATH and the absolute paths it
 * writes (/opt, /etc/sudoers.d, /var/lib/refit) are moved under a temporary root, so the script's
 * own steps run for real: download, checksum check, JIT config file, the runner started with it as
 * the runner user, the config removed afterwards, the runner's exit status passed on.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildUserData } from '../../src/compute/user-data.js';
import { runnerScript } from '../../src/runner/index.js';
import { tempDir } from '../support/files.js';

const CONFIG = Buffer.from(JSON.stringify({ '.runner': 'jit' })).toString('base64');

function stub(bin: string, name: string, body: string): void {
  writeFileSync(join(bin, name), `#!/bin/bash\n${body}\n`);
  chmodSync(join(bin, name), 0o755);
}

/** A sandbox with a fake actions/runner tarball whose run.sh records its arguments and exits with `exit`. */
function sandbox(exit: number) {
  const root = tempDir('refit-runner-script-');
  const bin = join(root, 'bin');
  mkdirSync(bin);
  mkdirSync(join(root, 'etc', 'sudoers.d'), { recursive: true });
  const payload = join(root, 'payload');
  mkdirSync(payload);
  writeFileSync(join(payload, 'run.sh'), `#!/bin/bash\necho "$@" > "${root}/run.args"\nwhoami > "${root}/run.user" 2>/dev/null || true\numask > "${root}/run.umask"\nexit ${exit}\n`);
  chmodSync(join(payload, 'run.sh'), 0o755);
  const tarball = join(root, 'runner.tar.gz');
  spawnSync('tar', ['czf', tarball, '-C', payload, 'run.sh']);
  const sha = createHash('sha256').update(readFileSync(tarball)).digest('hex');
  // curl: serve the tarball for the release URL it is asked for, and record the URL.
  stub(bin, 'curl', `out=""; url=""; while [ $# -gt 0 ]; do case "$1" in -o) out="$2"; shift 2;; -*) shift;; *) url="$1"; shift;; esac; done\necho "$url" > "${root}/curl.url"\ncp "${tarball}" "$out"`);
  for (const noop of ['useradd', 'usermod', 'chown', 'ldconfig', 'sleep', 'systemd-run']) stub(bin, noop, 'exit 0');
  stub(bin, 'shutdown', `echo "$@" >> "${root}/shutdown.calls"`);
  stub(bin, 'id', 'exit 0');
  stub(bin, 'getent', 'exit 1');
  // install: the real one, without the owner and group (there is no "runner" user here).
  stub(bin, 'install', 'args=(); while [ $# -gt 0 ]; do case "$1" in -o|-g) shift 2;; *) args+=("$1"); shift;; esac; done\nexec /usr/bin/install "${args[@]}"');
  // sudo -u runner -H bash -c '…': record the user, run the command.
  stub(bin, 'sudo', `echo "$2" > "${root}/sudo.user"; shift 3; exec "$@"`);
  return { root, bin, sha };
}

function run(script: string, box: ReturnType<typeof sandbox>) {
  const relocated = script
    .replaceAll('/opt/actions-runner', join(box.root, 'opt', 'actions-runner'))
    .replaceAll('/etc/sudoers.d', join(box.root, 'etc', 'sudoers.d'))
    .replaceAll('/var/lib/refit', join(box.root, 'var', 'lib', 'refit'))
    .replaceAll('/dev/console', '/dev/null');
  expect(relocated).not.toMatch(/ \/(opt|etc|var)\//);
  return spawnSync('bash', ['-c', relocated], { env: { PATH: `${box.bin}:/usr/bin:/bin`, HOME: box.root }, encoding: 'utf8', timeout: 30_000 });
}

describe('runner boot script, executed', () => {
  it('downloads the pinned release, checks it, runs it with the JIT config as the runner user, then removes the config', () => {
    const box = sandbox(0);
    const r = run(runnerScript({ encodedJitConfig: CONFIG, idleTimeoutMinutes: 5, runnerVersion: '2.329.0', runnerSha256: box.sha }), box);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(readFileSync(join(box.root, 'curl.url'), 'utf8').trim()).toMatch(/^https:\/\/github\.com\/actions\/runner\/releases\/download\/v2\.329\.0\/actions-runner-linux-(x64|arm64)-2\.329\.0\.tar\.gz$/);
    expect(readFileSync(join(box.root, 'run.args'), 'utf8').trim()).toBe(`--jitconfig ${CONFIG}`);
    expect(readFileSync(join(box.root, 'sudo.user'), 'utf8').trim()).toBe('runner');
    expect(existsSync(join(box.root, 'var', 'lib', 'refit', 'jitconfig'))).toBe(false);
    expect(statSync(join(box.root, 'etc', 'sudoers.d', '90-refit-runner')).mode & 0o777).toBe(0o440);
    expect(r.stdout).toContain('refit: runner exited with status 0');
  });

  it('passes on the runner\'s exit status', () => {
    const box = sandbox(3);
    const r = run(runnerScript({ encodedJitConfig: CONFIG, idleTimeoutMinutes: 5, runnerVersion: '2.329.0', runnerSha256: box.sha }), box);
    expect(r.status).toBe(3);
    expect(r.stdout).toContain('refit: runner exited with status 3');
    expect(existsSync(join(box.root, 'var', 'lib', 'refit', 'jitconfig'))).toBe(false);
  });

  it('as the instance\'s user data (inside the bootstrap): the runner starts with the usual umask 022, then the machine powers off', () => {
    // The bootstrap sets umask 077 for its own files; sudo keeps the union of the caller's umask and
    // its own 022, so without a reset every file the job creates (checkout, caches, outputs) would be
    // private to the runner user, unlike on GitHub's hosted runners.
    const box = sandbox(0);
    const userData = buildUserData({ script: runnerScript({ encodedJitConfig: CONFIG, idleTimeoutMinutes: 5, runnerVersion: '2.329.0', runnerSha256: box.sha }), maxRuntimeMinutes: 60 });
    const r = run(userData, box);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(readFileSync(join(box.root, 'run.args'), 'utf8').trim()).toBe(`--jitconfig ${CONFIG}`);
    expect(readFileSync(join(box.root, 'run.umask'), 'utf8').trim()).toBe('0022');
    expect(statSync(join(box.root, 'var', 'lib', 'refit', 'job.sh')).mode & 0o777).toBe(0o700);
    expect(existsSync(join(box.root, 'var', 'lib', 'refit', 'jitconfig'))).toBe(false);
    expect(r.stdout).toContain('refit: runner script exited with status 0');
    // The bootstrap's power-off (the idle timer's may come too: `sleep` is a no-op here).
    expect(readFileSync(join(box.root, 'shutdown.calls'), 'utf8').trim().split('\n')).toContain('-h now');
  });

  it('refuses a tarball whose checksum differs, before running anything', () => {
    const box = sandbox(0);
    const r = run(runnerScript({ encodedJitConfig: CONFIG, idleTimeoutMinutes: 5, runnerVersion: '2.329.0', runnerSha256: 'f'.repeat(64) }), box);
    expect(r.status).not.toBe(0);
    expect(existsSync(join(box.root, 'run.args'))).toBe(false);
  });
});
