/**
 * The bash scripts Refit runs on a training machine (over SSH, or locally). Paths are absolute and
 * quoted; nothing the user wrote is ever interpolated unquoted.
 *
 * Layout on the machine: the workspace is uploaded into `work` (where the command runs); Refit's own
 * files for the run live in the control directory `ctl` (mode 700): `env` (the command's
 * environment, mode 600), `command.sh`, `run.sh` (the wrapper), `started/` (the start guard),
 * `pid`, `log` (the command's combined output) and `exit-code`.
 */
import { exportLines, heredoc, shellQuote } from './shell.js';

export interface RemotePaths {
  home: string;
  work: string;
  ctl: string;
}

/** Exit statuses of the follow script. */
export const FOLLOW = { done: 0, notStarted: 3, killed: 4, again: 6 } as const;
export const EXIT_CODE_TAG = 'refit-exit-code:';
export const STARTED = 'refit:started';
export const ALREADY_STARTED = 'refit:already-started';

function vars(paths: RemotePaths): string {
  return `ctl=${shellQuote(paths.ctl)}\nwork=${shellQuote(paths.work)}\n`;
}

/** Receives a tar stream on standard input into the workspace. */
export function receiveWorkspaceScript(paths: RemotePaths): string {
  return `set -e\n${vars(paths)}mkdir -p "$work"\ntar -x --no-same-owner -f - -C "$work"\n`;
}

/** The wrapper that runs the command (directly or in a container) and always records its status. */
export function wrapperScript(paths: RemotePaths, options: { dockerImage?: string; envNames: string[] }): string {
  const runner = options.dockerImage
    ? [
        'docker run --rm --gpus all --network host --ipc host',
        '-v "$work:$work" -v "$ctl:$ctl:ro" -w "$work"',
        ...options.envNames.map((name) => `-e ${name}`),
        shellQuote(options.dockerImage),
        'bash -eo pipefail "$ctl/command.sh"',
      ].join(' ')
    : 'bash -eo pipefail "$ctl/command.sh"';
  return [
    '#!/bin/bash',
    vars(paths).trimEnd(),
    'status=0',
    '{',
    '  set -a',
    '  . "$ctl/env"',
    '  set +a',
    `  cd "$work" && ${runner}`,
    '} || status=$?',
    'printf \'%s\\n\' "$status" > "$ctl/exit-code.tmp" && mv -f "$ctl/exit-code.tmp" "$ctl/exit-code"',
    '',
  ].join('\n');
}

/**
 * Start the command detached from the SSH session (setsid nohup), at most once: the files are staged
 * first, then one compound command takes the `mkdir started` guard and launches. The script is sent
 * on standard input (`bash -s`), so the environment never shows in a process list; a script cut off
 * in transit never reaches the guard.
 */
export function startScript(paths: RemotePaths, options: { command: string; env: Record<string, string>; dockerImage?: string }): string {
  const wrapper = wrapperScript(paths, { dockerImage: options.dockerImage, envNames: Object.keys(options.env) });
  return [
    'set -eu',
    'umask 077',
    vars(paths).trimEnd(),
    'mkdir -p "$ctl" "$work"',
    'staging="$ctl/staging.$$"',
    'mkdir -p "$staging"',
    heredoc('"$staging/env"', exportLines(options.env)),
    heredoc('"$staging/command.sh"', options.command),
    heredoc('"$staging/run.sh"', wrapper),
    'if mkdir "$ctl/started" 2>/dev/null; then',
    '  mv -f "$staging/env" "$staging/command.sh" "$staging/run.sh" "$ctl/"',
    '  rmdir "$staging"',
    '  cd "$work"',
    '  setsid nohup bash "$ctl/run.sh" > "$ctl/log" 2>&1 < /dev/null &',
    '  printf \'%s\\n\' "$!" > "$ctl/pid.tmp"',
    '  mv -f "$ctl/pid.tmp" "$ctl/pid"',
    `  echo ${STARTED}`,
    'else',
    '  rm -rf "$staging"',
    `  echo ${ALREADY_STARTED}`,
    'fi',
    '',
  ].join('\n');
}

/**
 * Print the log from byte `offset` on. While the command runs, follow it (`tail -f`, stopped once the
 * exit status exists: that is polled every 0.1 s rather than waiting on the process, which a busy
 * init may leave unreaped for a while); once it has ended, print the rest and its status on
 * standard error.
 */
export function followScript(paths: RemotePaths, offset: number): string {
  const from = `+${offset + 1}`;
  return [
    vars(paths).trimEnd(),
    'if [ -f "$ctl/exit-code" ]; then',
    `  tail -c ${from} "$ctl/log"`,
    `  printf '${EXIT_CODE_TAG}%s\\n' "$(cat "$ctl/exit-code")" >&2`,
    `  exit ${FOLLOW.done}`,
    'fi',
    `[ -s "$ctl/pid" ] || exit ${FOLLOW.notStarted}`,
    'pid="$(cat "$ctl/pid")"',
    'if ! kill -0 "$pid" 2>/dev/null; then',
    `  [ -f "$ctl/exit-code" ] && exit ${FOLLOW.again}`,
    `  tail -c ${from} "$ctl/log"`,
    `  exit ${FOLLOW.killed}`,
    'fi',
    `tail -c ${from} -f "$ctl/log" &`,
    'follower=$!',
    'trap \'kill "$follower" 2>/dev/null\' EXIT HUP TERM',
    'while [ ! -f "$ctl/exit-code" ] && kill -0 "$pid" 2>/dev/null; do sleep 0.1; done',
    // The rest of the log comes from the `done` branch of the next run, from the offset received.
    `exit ${FOLLOW.again}`,
    '',
  ].join('\n');
}

/** List the files under the given bases (relative to the workspace), NUL-separated. */
export function listFilesScript(paths: RemotePaths, bases: string[]): string {
  return `${vars(paths)}cd "$work" || exit 1\nfind -L ${bases.map(shellQuote).join(' ')} -type f -print0 2>/dev/null\nexit 0\n`;
}

/** A tar stream (symlinks followed) of the NUL-separated relative paths on standard input. */
export function sendFilesScript(paths: RemotePaths): string {
  return `set -e\n${vars(paths)}cd "$work"\ntar -c -h --null -T - -f -\n`;
}
