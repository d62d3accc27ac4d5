/**
 * A loopback "cloud" for train tests: the EC2 emulator, whose instances are real sshd processes on
 * 127.0.0.x. When RunInstances arrives, the public key is taken from the decoded user data (the only
 * way it reaches the "instance") into that sshd's authorized_keys, and the instance's console output
 * gets the sshd's real host key between Refit's markers, as the user data prints it on EC2.
 */
import { afterAll, beforeAll } from 'vitest';
import { DEFAULT_IMAGE_ID, Ec2Emulator } from '../support/ec2/index.js';
import type { Ec2Instance } from '../support/ec2/index.js';
import { SSH_USER, startProxy, startSshds } from '../support/sshd.js';
import type { CuttableProxy, Sshd } from '../support/sshd.js';

export interface Host {
  /** Where the action connects (the instance's address). */
  address: string;
  sshd: Sshd;
  proxy?: CuttableProxy;
  /** Host key line printed on this instance's console instead of the real one. */
  consoleKeyOverride?: string;
}

export interface TrainCloud {
  ec2: Ec2Emulator;
  hosts: Host[];
  port(): number;
  /** Public keys seen in user data, in launch order. */
  authorizedKeys: string[];
  /** Environment for the action process. */
  env(extra?: Record<string, string>): Record<string, string>;
  /** The launch inputs every test needs. */
  inputs(extra?: Record<string, string>): Record<string, string>;
}

export function publicKeyIn(userData: string | undefined): string {
  const match = /ssh-ed25519 [A-Za-z0-9+/]+={0,3}/.exec(userData ?? '');
  if (!match) throw new Error('no ssh-ed25519 public key in the user data');
  return match[0];
}

/** `nodes` sshd hosts on 127.0.0.2…; with `proxy`, host 0 is reached through a cuttable proxy on 127.0.0.20. */
export function useTrainCloud(options: { nodes: number; proxy?: boolean; bootDelayMs?: number }): TrainCloud {
  const hosts: Host[] = [];
  const authorizedKeys: string[] = [];
  const onRunInstances = (instances: Ec2Instance[]) => {
    for (const instance of instances) {
      const host = hosts.find((h) => h.address === instance.privateIpAddress);
      if (!host) throw new Error(`no test host at ${instance.privateIpAddress}`);
      const key = publicKeyIn(instance.request.userData);
      authorizedKeys.push(key);
      host.sshd.authorize(key);
      const hostKey = host.consoleKeyOverride ?? host.sshd.hostPublicKey;
      instance.consoleOutput += `[   12.345678] cloud-init[1234]: running user data\r\n-----BEGIN REFIT HOST KEYS-----\r\n${hostKey}\r\n-----END REFIT HOST KEYS-----\r\n`;
    }
  };
  const ec2 = new Ec2Emulator({ ipFor: (index) => hosts[index % hosts.length]!.address, onRunInstances, bootDelayMs: options.bootDelayMs ?? 0 });
  beforeAll(async () => {
    await ec2.start();
    const sshds = await startSshds(Array.from({ length: options.nodes }, (_, i) => `127.0.0.${i + 2}`));
    for (const sshd of sshds) hosts.push({ address: sshd.address, sshd });
    if (options.proxy) {
      const first = hosts[0]!;
      first.proxy = await startProxy({ address: '127.0.0.20', port: first.sshd.port }, { address: first.sshd.address, port: first.sshd.port });
      first.address = first.proxy.address;
    }
  });
  afterAll(async () => {
    await Promise.all(hosts.map(async (h) => {
      await h.proxy?.close();
      await h.sshd.stop();
    }));
    await ec2.close();
  });
  return {
    ec2,
    hosts,
    authorizedKeys,
    port: () => hosts[0]!.sshd.port,
    env: (extra = {}) => ({
      AWS_ENDPOINT_URL_EC2: ec2.url,
      AWS_ACCESS_KEY_ID: 'AKIATEST',
      AWS_SECRET_ACCESS_KEY: 'test-secret-key',
      AWS_REGION: 'us-east-1',
      AWS_EC2_METADATA_DISABLED: 'true',
      GITHUB_REPOSITORY: 'acme/models',
      GITHUB_RUN_ID: '4242',
      GITHUB_RUN_ATTEMPT: '1',
      GITHUB_JOB: 'train',
      ...extra,
    }),
    inputs: (extra = {}) => ({
      'image-id': DEFAULT_IMAGE_ID,
      'instance-types': 'g5.xlarge',
      'subnet-ids': 'subnet-a',
      'ssh-user': SSH_USER,
      'ssh-port': String(hosts[0]!.sshd.port),
      'ssh-timeout-minutes': '1',
      ...extra,
    }),
  };
}
