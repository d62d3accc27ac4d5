import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fingerprint, hostKeyMismatch, hostVerifier, parseHostKeys } from '../../src/train/host-keys.js';
import { EphemeralKey } from '../../src/train/keys.js';
import { trainUserData } from '../../src/train/user-data.js';
import { SSHD_MISSING, strangerKey } from '../support/sshd.js';

/** base64 of "openssh-key-v1\0": the first bytes of every OpenSSH private key body. */
const OPENSSH_KEY_MAGIC = 'b3BlbnNzaC1rZXktdjE';

describe.skipIf(SSHD_MISSING)('host keys from the console', () => {
  const ed25519 = strangerKey();
  const other = strangerKey();

  it('reads the last complete block of a noisy console, ignores lines outside it and mangled keys', () => {
    const [type, blob] = ed25519.split(' ');
    const mangled = `ssh-rsa ${blob}`; // an ed25519 blob under another type name
    const console =
      `[    0.000] Linux\r\n-----BEGIN REFIT HOST KEYS-----\r\n${other}\r\n-----END REFIT HOST KEYS-----\r\n` +
      `${other}\r\n[   12.3] cloud-init: ok\r\n-----BEGIN REFIT HOST KEYS-----\r\n${ed25519}\r\n[   12.4] random: crng init done\r\n${mangled}\r\n-----END REFIT HOST KEYS-----\r\n`;
    const keys = parseHostKeys(console)!;
    expect(keys.map((k) => k.type)).toEqual([type]);
    expect(keys[0]!.blob.equals(Buffer.from(blob!, 'base64'))).toBe(true);
    expect(parseHostKeys('-----BEGIN REFIT HOST KEYS-----\nssh-ed25519 AAAA')).toBeUndefined();
    expect(parseHostKeys('nothing yet')).toBeUndefined();
  });

  it('fingerprints as ssh-keygen -l does, and the verifier accepts only the listed keys', () => {
    const dir = mkdtempSync(join(tmpdir(), 'refit-fp-'));
    try {
      writeFileSync(join(dir, 'k.pub'), `${ed25519}\n`);
      const r = spawnSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', join(dir, 'k.pub')], { encoding: 'utf8' });
      const expected = r.stdout.split(' ')[1];
      const keys = parseHostKeys(`-----BEGIN REFIT HOST KEYS-----\n${ed25519}\n-----END REFIT HOST KEYS-----`)!;
      expect(fingerprint(keys[0]!.blob)).toBe(expected);
      const verifier = hostVerifier(keys);
      expect(verifier.verify(keys[0]!.blob)).toBe(true);
      const wrong = Buffer.from(other.split(' ')[1]!, 'base64');
      expect(verifier.verify(wrong)).toBe(false);
      expect(hostKeyMismatch('node 0 (i-1)', wrong, keys).message).toContain(`listed ssh-ed25519 ${expected}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the ephemeral key and the user data', () => {
  it('never shows the private key when stringified, and puts only the public key in the user data', () => {
    const key = EphemeralKey.generate('refit-test');
    expect(key.privateKey()).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----/);
    expect(`${key} ${JSON.stringify({ key })}`).not.toMatch(/PRIVATE|AAAA/);
    expect(key.privateKey()).toContain(OPENSSH_KEY_MAGIC);
    const script = trainUserData({ sshUser: 'ubuntu', publicKey: key.publicKey });
    expect(script).toContain(`'${key.publicKey}'`);
    expect(script).not.toContain('PRIVATE KEY');
    expect(script).toContain('-----BEGIN REFIT HOST KEYS-----');
    expect(() => trainUserData({ sshUser: 'root; rm -rf /', publicKey: key.publicKey })).toThrow(/input ssh-user/);
  });
});
