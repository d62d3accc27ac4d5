/**
 * The user-data script of a training instance (wrapped by `buildUserData`, which adds the watchdog):
 * authorize this run's ephemeral public key for the SSH user, let that user run docker, and print
 * the SSH host keys to the serial console. It keeps the instance up when it ends (the command runs
 * over SSH afterwards); the watchdog or Refit's terminate ends the instance.
 */
import { UserError } from '../errors.js';
import { hostKeyScript } from './host-keys.js';
import { shellQuote } from './shell.js';

const USER_NAME = /^[a-z_][a-z0-9_-]{0,31}$/;

export function trainUserData(options: { sshUser: string; publicKey: string }): string {
  if (!USER_NAME.test(options.sshUser)) throw new UserError(`input ssh-user: "${options.sshUser}" is not a Linux user name (lower-case letters, digits, _ and -).`);
  if (!/^ssh-ed25519 [A-Za-z0-9+/]+={0,3}( [^\n']*)?$/.test(options.publicKey)) throw new Error('trainUserData: not an ed25519 public key line');
  const user = shellQuote(options.sshUser);
  return [
    '#!/bin/bash',
    `user=${user}`,
    'if ! getent passwd "$user" >/dev/null; then useradd --create-home --shell /bin/bash "$user"; fi',
    'home="$(getent passwd "$user" | cut -d: -f6)"',
    'group="$(id -gn "$user")"',
    'install -d -m 700 -o "$user" -g "$group" "$home/.ssh"',
    `printf '%s\\n' ${shellQuote(options.publicKey)} >> "$home/.ssh/authorized_keys"`,
    'chown "$user:$group" "$home/.ssh/authorized_keys"',
    'chmod 600 "$home/.ssh/authorized_keys"',
    'if getent group docker >/dev/null; then usermod -aG docker "$user" || true; fi',
    hostKeyScript(),
    '',
  ].join('\n');
}
