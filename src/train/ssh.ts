/**
 * SSH sessions to training instances (ssh2): public-key authentication with the run's ephemeral key,
 * host key checked against the keys the instance printed to its console, keepalives so a dead
 * connection is noticed, and a connect loop that waits for sshd to come up.
 */
import { Client } from 'ssh2';
import type { ConnectConfig } from 'ssh2';
import { UserError } from '../errors.js';
import type { HostKey } from './host-keys.js';
import { hostKeyMismatch, hostVerifier } from './host-keys.js';
import type { EphemeralKey } from './keys.js';
import { ConnectionLost, feed, OutputCollector, pipeOutput } from './session.js';
import type { ExecOptions, ExecResult, Session } from './session.js';
import { shellQuote } from './shell.js';

export interface SshTarget {
  host: string;
  port: number;
  username: string;
  key: EphemeralKey;
  hostKeys: HostKey[];
  /** For messages: the instance id and rank. */
  label: string;
  /** Handshake timeout per attempt (ms). Default 20000. */
  readyTimeoutMs?: number;
  /** Keepalive interval (ms); the connection counts as lost after 3 unanswered. Default 5000. */
  keepaliveMs?: number;
}

export class SshSession implements Session {
  private closed = false;
  private lost: ConnectionLost | undefined;
  private readonly pending = new Set<(error: Error) => void>();
  private homeDir: string | undefined;

  private constructor(private readonly client: Client, private readonly label: string) {
    const drop = (reason: string) => {
      if (this.lost) return;
      this.lost = new ConnectionLost(`SSH connection to ${label} lost (${reason})`);
      for (const fail of this.pending) fail(this.lost);
      this.pending.clear();
    };
    client.on('error', (error: Error) => drop(error.message));
    client.on('close', () => drop(this.closed ? 'closed' : 'connection closed'));
  }

  /** One connection attempt. Host key refusals are UserErrors; anything else is for the caller to retry. */
  static connect(target: SshTarget): Promise<SshSession> {
    return new Promise((resolve, reject) => {
      const client = new Client();
      const verifier = hostVerifier(target.hostKeys);
      const config: ConnectConfig = {
        host: target.host,
        port: target.port,
        username: target.username,
        privateKey: target.key.privateKey(),
        hostVerifier: verifier.verify,
        readyTimeout: target.readyTimeoutMs ?? 20_000,
        keepaliveInterval: target.keepaliveMs ?? 5_000,
        keepaliveCountMax: 3,
        agent: undefined,
        tryKeyboard: false,
      };
      let settled = false;
      client.once('ready', () => {
        settled = true;
        resolve(new SshSession(client, target.label));
      });
      client.once('error', (error: Error & { level?: string }) => {
        if (settled) return;
        settled = true;
        client.end();
        const offered = verifier.offered();
        if (offered && !target.hostKeys.some((k) => k.blob.equals(offered))) {
          reject(hostKeyMismatch(`${target.label} (${target.host}:${target.port})`, offered, target.hostKeys));
        } else if (error.level === 'client-authentication') {
          reject(new SshAuthError(`SSH login as ${target.username} on ${target.label} was refused (${error.message})`));
        } else {
          reject(error);
        }
      });
      // A server that closes after its version line (sshd restarting, the machine going down) makes ssh2
      // emit only 'close', and clears its ready timeout: without this the attempt would never end.
      client.once('close', () => {
        if (settled) return;
        settled = true;
        reject(new Error('connection closed during the SSH handshake'));
      });
      client.connect(config);
    });
  }

  exec(script: string, options: ExecOptions = {}): Promise<ExecResult> {
    if (this.lost) return Promise.reject(this.lost);
    return new Promise((resolve, reject) => {
      const fail = (error: Error) => reject(error);
      this.pending.add(fail);
      this.client.exec(`bash -c ${shellQuote(script)}`, (error, channel) => {
        if (error) {
          this.pending.delete(fail);
          reject(this.lost ?? new ConnectionLost(`SSH exec on ${this.label} failed: ${error.message}`));
          return;
        }
        const out = new OutputCollector(options.onStdout);
        let code: number | null = null;
        if (options.stdout) pipeOutput(channel, options.stdout);
        else channel.on('data', (chunk: Buffer) => out.stdout(chunk));
        channel.stderr.on('data', (chunk: Buffer) => out.stderr(chunk));
        channel.on('exit', (status: number | null) => {
          code = typeof status === 'number' ? status : null;
        });
        channel.on('close', () => {
          this.pending.delete(fail);
          if (this.lost) reject(this.lost);
          else resolve(out.result(code));
        });
        channel.on('error', () => undefined);
        feed(options.stdin, channel);
      });
    });
  }

  async home(): Promise<string> {
    if (this.homeDir === undefined) {
      const result = await this.exec('printf %s "$HOME"');
      const home = result.stdout.toString('utf8');
      if (result.code !== 0 || !home.startsWith('/')) throw new UserError(`${this.label}: cannot read the SSH user's home directory (${result.stderr.trim() || `HOME=${home}`}).`);
      this.homeDir = home;
    }
    return this.homeDir;
  }

  close(): void {
    this.closed = true;
    this.client.end();
  }
}

/** The server refused the key: during boot, before the user data authorized it, that is expected. */
export class SshAuthError extends Error {
  override readonly name = 'SshAuthError';
}

export interface ConnectLoopOptions {
  /** Give up after this long (ms). */
  timeoutMs: number;
  /** First wait between attempts (ms), doubled up to 5 s. Default 250. */
  initialDelayMs?: number;
  log?: (message: string) => void;
  sleep?: (ms: number) => Promise<void>;
}

const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Connect, retrying while sshd is not up yet (refused, reset, timeouts, key not yet authorized)
 * until `timeoutMs`. A host key mismatch fails at once.
 */
export async function connectWithRetry(target: SshTarget, options: ConnectLoopOptions): Promise<SshSession> {
  const deadline = Date.now() + options.timeoutMs;
  let delay = options.initialDelayMs ?? 250;
  let last = '';
  for (let attempt = 1; ; attempt++) {
    try {
      return await SshSession.connect({ ...target, readyTimeoutMs: Math.max(1000, Math.min(target.readyTimeoutMs ?? 20_000, deadline - Date.now())) });
    } catch (error) {
      if (error instanceof UserError) throw error;
      last = error instanceof Error ? error.message : String(error);
      if (Date.now() + delay > deadline) {
        throw new UserError(
          `SSH to ${target.label} (${target.username}@${target.host}:${target.port}) did not succeed within ${Math.round(options.timeoutMs / 1000)} s ` +
            `(${attempt} attempts; last: ${last}). Check that the security group allows TCP ${target.port} from this runner, that the subnet gives the instance an address the runner can reach, ` +
            'and that ssh-user exists on the image; raise ssh-timeout-minutes for slow-booting images.',
        );
      }
      if (attempt === 1 || attempt % 10 === 0) options.log?.(`waiting for SSH on ${target.label}: ${last}`);
      await (options.sleep ?? wait)(delay);
      delay = Math.min(delay * 2, 5_000);
    }
  }
}
