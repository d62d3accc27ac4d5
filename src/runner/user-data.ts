/**
 * The script that turns a fresh instance into a single-job GitHub Actions runner. It is passed to
 * `buildUserData` (src/compute/user-data.ts), which adds the max-runtime watchdog, refuses long-lived
 * credentials and powers the instance off when the script ends; with
 * InstanceInitiatedShutdownBehavior=terminate that terminates it.
 *
 * What it does, as root, with nothing traced to the console:
 *  1. creates an unprivileged `runner` user (passwordless sudo and the docker group, as on hosted
 *     runners: the machine lives for one job);
 *  2. downloads actions/runner `runner-version` for the machine's architecture from GitHub's release
 *     page and checks its SHA-256 before unpacking (the pinned default's checksums are built in);
 *  3. writes the just-in-time config (short-lived, single use, bound to this runner) to a file only
 *     the runner user can read, and starts `run.sh --jitconfig` as that user: the runner takes one
 *     job and exits;
 *  4. an idle timer powers the machine off when no job has started within `idle-timeout-minutes`
 *     (the runner writes `_diag/Worker_*.log` when a job starts).
 */
import { UserError } from '../errors.js';

/** The pinned runner release, and its published SHA-256 per architecture. */
export const DEFAULT_RUNNER_VERSION = '2.329.0';
export const RUNNER_SHA256: Readonly<Record<string, Readonly<Record<'x64' | 'arm64', string>>>> = {
  '2.329.0': {
    x64: '194f1e1e4bd02f80b7e9633fc546084d8d4e19f3928a324d512ea53430102e1d',
    arm64: '56768348b3d643a6a29d4ad71e9bdae0dc0ef1eb01afe0f7a8ee097b039bfaaf',
  },
};

export interface RunnerScriptOptions {
  /** `encoded_jit_config` from generate-jitconfig. */
  encodedJitConfig: string;
  runnerVersion?: string;
  /** SHA-256 of the runner tarball for the instance's architecture; required for versions without built-in checksums. */
  runnerSha256?: string;
  idleTimeoutMinutes: number;
}

export function runnerScript(options: RunnerScriptOptions): string {
  const version = options.runnerVersion ?? DEFAULT_RUNNER_VERSION;
  if (!/^\d+\.\d+\.\d+$/.test(version)) throw new UserError(`input runner-version: "${version}" is not a release number such as ${DEFAULT_RUNNER_VERSION}.`);
  const known = RUNNER_SHA256[version];
  const custom = options.runnerSha256?.trim().toLowerCase();
  if (custom !== undefined && custom !== '' && !/^[0-9a-f]{64}$/.test(custom)) {
    throw new UserError('input runner-sha256: expected the 64 hex digits of the tarball\'s SHA-256 (from the release notes of actions/runner).');
  }
  if (!known && !custom) {
    throw new UserError(
      `input runner-version: Refit has no checksum for actions/runner ${version}; give runner-sha256 (the SHA-256 of actions-runner-linux-<arch>-${version}.tar.gz from the release notes) or use ${DEFAULT_RUNNER_VERSION}.`,
    );
  }
  const idle = options.idleTimeoutMinutes;
  if (!Number.isInteger(idle) || idle < 1) throw new UserError(`input idle-timeout-minutes: ${String(idle)} is not a positive whole number of minutes.`);
  const config = options.encodedJitConfig;
  if (!/^[A-Za-z0-9+/=]+$/.test(config)) throw new Error('generate-jitconfig returned a config that is not base64');
  const sha = (arch: 'x64' | 'arm64') => custom || known?.[arch] || '';
  return [
    '#!/bin/bash',
    'set -euo pipefail',
    'export DEBIAN_FRONTEND=noninteractive',
    `RUNNER_VERSION=${version}`,
    'case "$(uname -m)" in',
    `  x86_64|amd64) RUNNER_ARCH=x64; RUNNER_SHA256=${sha('x64')} ;;`,
    `  aarch64|arm64) RUNNER_ARCH=arm64; RUNNER_SHA256=${sha('arm64')} ;;`,
    '  *) echo "refit: unsupported architecture $(uname -m)" >&2; exit 1 ;;',
    'esac',
    'id -u runner >/dev/null 2>&1 || useradd --create-home --shell /bin/bash runner',
    'echo "runner ALL=(ALL) NOPASSWD:ALL" > /etc/sudoers.d/90-refit-runner && chmod 440 /etc/sudoers.d/90-refit-runner',
    'if getent group docker >/dev/null; then usermod -aG docker runner; fi',
    'RUNNER_DIR=/opt/actions-runner',
    'mkdir -p "$RUNNER_DIR" && cd "$RUNNER_DIR"',
    'TARBALL="actions-runner-linux-${RUNNER_ARCH}-${RUNNER_VERSION}.tar.gz"',
    'echo "refit: downloading actions/runner ${RUNNER_VERSION} (${RUNNER_ARCH})"',
    'curl -fsSL --retry 5 --retry-delay 2 -o "$TARBALL" "https://github.com/actions/runner/releases/download/v${RUNNER_VERSION}/${TARBALL}"',
    'if [ -z "$RUNNER_SHA256" ]; then echo "refit: no checksum for ${TARBALL}; set runner-sha256" >&2; exit 1; fi',
    'echo "${RUNNER_SHA256}  ${TARBALL}" | sha256sum --check --quiet -',
    'tar xzf "$TARBALL" && rm -f "$TARBALL"',
    'if [ -x ./bin/installdependencies.sh ] && ! ldconfig -p | grep -q libicu; then ./bin/installdependencies.sh >/dev/null || true; fi',
    'chown -R runner:runner "$RUNNER_DIR"',
    '# The just-in-time config: single use, bound to this runner, readable by the runner user only.',
    "install -d -m 755 /var/lib/refit && install -o runner -g runner -m 600 /dev/null /var/lib/refit/jitconfig",
    "cat > /var/lib/refit/jitconfig <<'REFIT_JITCONFIG'",
    config,
    'REFIT_JITCONFIG',
    `# No job within ${idle} minutes: power off (the runner writes _diag/Worker_*.log when a job starts).`,
    `( sleep $((${idle}*60)); if ! ls "$RUNNER_DIR"/_diag/Worker_* >/dev/null 2>&1; then echo "refit: no job within ${idle} minutes; powering off"; shutdown -h now; fi ) >/dev/console 2>&1 &`,
    '# The bootstrap runs with umask 077 for its own files; sudo keeps the union with its 022, so reset it for the job (as on hosted runners).',
    'umask 022',
    'echo "refit: starting the runner"',
    'status=0',
    'sudo -u runner -H bash -c \'cd /opt/actions-runner && exec ./run.sh --jitconfig "$(cat /var/lib/refit/jitconfig)"\' || status=$?',
    'rm -f /var/lib/refit/jitconfig',
    'echo "refit: runner exited with status ${status}"',
    'exit "${status}"',
    '',
  ].join('\n');
}

/** The just-in-time config a runner script carries (tests and diagnostics). */
export function jitConfigIn(script: string): string | undefined {
  return /<<'REFIT_JITCONFIG'\n([A-Za-z0-9+/=]+)\nREFIT_JITCONFIG/.exec(script)?.[1];
}
