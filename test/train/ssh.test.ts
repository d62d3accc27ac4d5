/** The SSH connect loop against servers that misbehave the way a booting or overloaded instance does. */
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseHostKeys } from '../../src/train/host-keys.js';
import { EphemeralKey } from '../../src/train/keys.js';
import { connectWithRetry, SshSession } from '../../src/train/ssh.js';
import { userError } from '../support/files.js';
import { SSHD_MISSING, strangerKey } from '../support/sshd.js';

describe.skipIf(SSHD_MISSING)('SSH to a server that closes the connection during the handshake', () => {
  // Sent its version line, then closed: an sshd restarted or a machine going down mid-handshake, a dropped network path.
  let server: Server;
  let port = 0;
  let accepted = 0;
  const sockets = new Set<Socket>();
  beforeAll(async () => {
    server = createServer((socket) => {
      accepted++;
      sockets.add(socket);
      socket.on('error', () => undefined).on('close', () => sockets.delete(socket));
      socket.write('SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.10\r\n');
      setTimeout(() => socket.end(), 20);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.31', () => resolve()));
    port = (server.address() as { port: number }).port;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const target = () => ({
    host: '127.0.0.31',
    port,
    username: 'ubuntu',
    key: EphemeralKey.generate('refit-test'),
    hostKeys: parseHostKeys(`-----BEGIN REFIT HOST KEYS-----\n${strangerKey()}\n-----END REFIT HOST KEYS-----`)!,
    label: 'node 0 (i-0123)',
  });

  it('fails the attempt instead of waiting forever', async () => {
    const attempt = SshSession.connect({ ...target(), readyTimeoutMs: 60_000 });
    const outcome = await Promise.race([attempt.then(() => 'connected', (error: Error) => error.message), new Promise((resolve) => setTimeout(() => resolve('still waiting'), 3_000))]);
    expect(outcome).toMatch(/closed during the SSH handshake/);
  });

  it('keeps retrying until the timeout, then names the target and the last failure', async () => {
    const before = accepted;
    const started = Date.now();
    const message = await userError(connectWithRetry(target(), { timeoutMs: 1_500, initialDelayMs: 50 }));
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(accepted - before).toBeGreaterThan(1);
    expect(message).toMatch(/SSH to node 0 \(i-0123\) \(ubuntu@127\.0\.0\.31:\d+\) did not succeed within 2 s \(\d+ attempts; last: connection closed during the SSH handshake/);
  }, 10_000);
});
