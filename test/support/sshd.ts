/**
 * Real OpenSSH servers on loopback addresses (127.0.0.x), standing in for instances in SSH tests.
 * Each has its own host key (ssh-keygen), its own authorized_keys file (empty until `authorize`) and
 * its own home directory: logins (as the current OS user) get `HOME` set to it through an
 * `environment=` option of the authorized key, so two servers behave as two machines.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export const SSHD = '/usr/sbin/sshd';
/** Skip reason when sshd is missing (CI installs openssh-server). */
export const SSHD_MISSING = existsSync(SSHD) ? undefined : `${SSHD} is not installed (apt-get install openssh-server)`;
export const SSH_USER = userInfo().username;

export interface Sshd {
  address: string;
  port: number;
  /** The server's host public key line (`ssh-ed25519 AAAA… comment`). */
  hostPublicKey: string;
  /** The login's HOME. */
  home: string;
  /** Replace the authorized keys with this public key line. */
  authorize(publicKey: string): void;
  /** sshd's log (stderr). */
  log(): string;
  stop(): Promise<void>;
}

function keygen(path: string): string {
  const r = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'refit-test-host', '-f', path], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ssh-keygen failed: ${r.stderr}`);
  return readFileSync(`${path}.pub`, 'utf8').trim();
}

/** A new ed25519 public key line that no server holds (for host key mismatch tests). */
export function strangerKey(): string {
  const dir = mkdtempSync(join(tmpdir(), 'refit-key-'));
  try {
    return keygen(join(dir, 'key'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function launch(address: string, port: number): Promise<Sshd> {
  const dir = mkdtempSync(join(tmpdir(), 'refit-sshd-'));
  const home = join(dir, 'home');
  mkdirSync(home);
  const hostPublicKey = keygen(join(dir, 'host_key'));
  const authorizedKeys = join(dir, 'authorized_keys');
  writeFileSync(authorizedKeys, '');
  writeFileSync(
    join(dir, 'sshd_config'),
    [
      `ListenAddress ${address}:${port}`,
      `HostKey ${join(dir, 'host_key')}`,
      `AuthorizedKeysFile ${authorizedKeys}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      'StrictModes no',
      'UsePAM no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      'PermitUserEnvironment HOME',
      'LogLevel VERBOSE',
      '',
    ].join('\n'),
  );
  // As root, sshd wants its privilege separation directory (the openssh-server package's tmpfiles rule makes it at boot).
  if (process.getuid?.() === 0 && !existsSync('/run/sshd')) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const child: ChildProcess = spawn(SSHD, ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (d: Buffer) => (log += d.toString('utf8')));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sshd on ${address}:${port} did not start: ${log}`)), 10_000);
    const check = () => {
      if (log.includes('Server listening')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stderr!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
      reject(Object.assign(new Error(`sshd on ${address}:${port} exited (${String(code)}): ${log}`), { portInUse: /Address already in use|Cannot bind/i.test(log) }));
    });
  });
  return {
    address,
    port,
    hostPublicKey,
    home,
    authorize: (publicKey) => writeFileSync(authorizedKeys, `environment="HOME=${home}" ${publicKey}\n`),
    log: () => log,
    stop: async () => {
      // Commands started detached under this "machine" outlive sshd: end them by their recorded process groups.
      const runs = join(home, '.refit');
      for (const run of existsSync(runs) ? readdirSync(runs) : []) {
        const pid = Number(existsSync(join(runs, run, 'pid')) ? readFileSync(join(runs, run, 'pid'), 'utf8') : NaN);
        if (Number.isInteger(pid) && pid > 1) {
          try {
            process.kill(-pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }
      }
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Start one sshd per address, all on the same (free) high port, as instances would all listen on 22. */
export async function startSshds(addresses: string[]): Promise<Sshd[]> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 40_000);
    const started: Sshd[] = [];
    try {
      for (const address of addresses) started.push(await launch(address, port));
      return started;
    } catch (error) {
      await Promise.all(started.map((s) => s.stop()));
      if (!(error as { portInUse?: boolean }).portInUse) throw error;
    }
  }
  throw new Error('no free port for sshd after 20 attempts');
}

/** A TCP proxy on loopback (e.g. in front of an sshd) whose connections a test can cut. */
export interface CuttableProxy {
  address: string;
  port: number;
  /** Connections accepted so far. */
  connections: number;
  /** Destroy every open connection (both sides), as a network drop would. */
  cut(): number;
  close(): Promise<void>;
}

export async function startProxy(listen: { address: string; port: number }, target: { address: string; port: number }): Promise<CuttableProxy> {
  const open = new Set<Socket>();
  let connections = 0;
  const server: Server = createServer((client) => {
    connections++;
    const upstream = connect({ host: target.address, port: target.port });
    open.add(client);
    open.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.address, () => resolve());
  });
  return {
    address: listen.address,
    port: listen.port,
    get connections() {
      return connections;
    },
    cut() {
      const n = open.size;
      for (const socket of open) socket.destroy();
      open.clear();
      return n;
    },
    async close() {
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
