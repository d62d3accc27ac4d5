/**
 * Host key verification without trust on first use. The instance's user data prints its SSH host
 * public keys between HOST_KEYS_BEGIN and HOST_KEYS_END to the serial console; Refit reads them with
 * EC2 GetConsoleOutput (an authenticated AWS API call, not the network path SSH uses) and the SSH
 * client then accepts exactly those keys. A different key, or none, ends the connection.
 */
import { createHash } from 'node:crypto';
import { UserError } from '../errors.js';

export const HOST_KEYS_BEGIN = '-----BEGIN REFIT HOST KEYS-----';
export const HOST_KEYS_END = '-----END REFIT HOST KEYS-----';

const KEY_LINE = /\b((?:ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(?:256|384|521)|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com))\s+([A-Za-z0-9+/]+={0,3})/;

export interface HostKey {
  type: string;
  /** The key blob, as the SSH server presents it. */
  blob: Buffer;
}

/** `SHA256:…`, as `ssh-keygen -l` prints it. */
export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** The bash lines (run as root by the user data) that print the host keys to the console. */
export function hostKeyScript(): string {
  return [
    '# SSH host keys to the serial console, where Refit reads them with GetConsoleOutput to verify the host.',
    'ls /etc/ssh/ssh_host_*_key.pub >/dev/null 2>&1 || ssh-keygen -A >/dev/null',
    `keys="$(printf '%s\\n' '${HOST_KEYS_BEGIN}'; cat /etc/ssh/ssh_host_*_key.pub; printf '%s\\n' '${HOST_KEYS_END}')"`,
    'for tty in /dev/console /dev/ttyS0; do if [ -w "$tty" ]; then printf \'%s\\n\' "$keys" > "$tty" 2>/dev/null || true; fi; done',
  ].join('\n');
}

/**
 * The host keys in the last complete marker block of a console output, or undefined while there is
 * none. Console lines may carry `\r` and kernel messages around them; only key lines count.
 */
export function parseHostKeys(consoleOutput: string): HostKey[] | undefined {
  const end = consoleOutput.lastIndexOf(HOST_KEYS_END);
  if (end < 0) return undefined;
  const begin = consoleOutput.lastIndexOf(HOST_KEYS_BEGIN, end);
  if (begin < 0) return undefined;
  const keys: HostKey[] = [];
  for (const line of consoleOutput.slice(begin + HOST_KEYS_BEGIN.length, end).split(/\r?\n|\r/)) {
    const match = KEY_LINE.exec(line);
    if (!match) continue;
    const blob = Buffer.from(match[2]!, 'base64');
    // The blob starts with its own type name: a line mangled on the console does not pass.
    const nameLength = blob.length >= 4 ? blob.readUInt32BE(0) : -1;
    if (nameLength <= 0 || blob.subarray(4, 4 + nameLength).toString('latin1') !== match[1]) continue;
    keys.push({ type: match[1]!, blob });
  }
  return keys;
}

/**
 * A host verifier for ssh2 that accepts only `expected` and remembers what the server offered, so a
 * refusal can say which key it was.
 */
export function hostVerifier(expected: HostKey[]): { verify: (key: Buffer) => boolean; offered: () => Buffer | undefined } {
  let offered: Buffer | undefined;
  return {
    verify: (key: Buffer) => {
      offered = Buffer.from(key);
      return expected.some((k) => k.blob.equals(key));
    },
    offered: () => offered,
  };
}

export function hostKeyMismatch(where: string, offered: Buffer, expected: HostKey[]): UserError {
  return new UserError(
    `SSH host key verification failed for ${where}: the server offered ${fingerprint(offered)}, but the instance's console ` +
      `listed ${expected.map((k) => `${k.type} ${fingerprint(k.blob)}`).join(', ') || 'no keys'}. Refit refused to connect: ` +
      'something other than the launched instance answered at that address (or the address was reused). Check the subnet routing and security groups, then re-run.',
  );
}
