/**
 * Training machines on EC2: launch N instances with the training user data (ephemeral key, host keys
 * to the console), wait until they run, read each one's host keys from its console, and hand the
 * training code one node per instance whose sessions are verified SSH connections. Teardown finds
 * what a run launched by its tags, so it works without the launching process.
 */
import { DescribeInstancesCommand, GetConsoleOutputCommand } from '@aws-sdk/client-ec2';
import type { EC2Client } from '@aws-sdk/client-ec2';
import { UserError } from '../errors.js';
import { awsError, deniedAction, unauthorizedAdvice } from '../compute/errors.js';
import { estimateCost } from '../compute/cost.js';
import { findRefitInstances, terminateInstances } from '../compute/find.js';
import type { InstanceState } from '../compute/find.js';
import { launchInstances } from '../compute/launch.js';
import type { LaunchResult } from '../compute/launch.js';
import type { LaunchSettings, RunContext } from '../actions/launch-inputs.js';
import { parseHostKeys } from './host-keys.js';
import type { HostKey } from './host-keys.js';
import { EphemeralKey } from './keys.js';
import type { TrainNode } from './session.js';
import { connectWithRetry } from './ssh.js';
import { trainUserData } from './user-data.js';

/** Extra tag naming one launch, so teardown touches only what this step launched. */
export const LAUNCH_ID_TAG = 'refit-launch-id';

export interface ClusterRequest {
  launch: LaunchSettings;
  context: RunContext;
  count: number;
  placementGroup?: string;
  docker: boolean;
  sshPort: number;
  /** From launch to a working SSH connection, per instance (ms). */
  bootTimeoutMs: number;
  /** After a dropped connection (ms). */
  reconnectTimeoutMs: number;
  launchId: string;
  log: (line: string) => void;
  /** Called as soon as RunInstances answered (save the ids for teardown here). */
  onLaunched: (result: LaunchResult) => void;
  sleep?: (ms: number) => Promise<void>;
}

export interface ClusterInstance {
  instanceId: string;
  instanceType: string;
  availabilityZone: string;
  privateIp: string;
  /** Where SSH connects: the public address, else the private one. */
  sshHost: string;
  launchTime: Date;
}

export interface Cluster {
  launch: LaunchResult;
  instances: ClusterInstance[];
  nodes: TrainNode[];
  /** When every instance was seen running. */
  runningAt: Date;
}

const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function denied(error: unknown, action: string, what: string): never {
  const info = awsError(error);
  if (info?.code === 'UnauthorizedOperation') throw new UserError(unauthorizedAdvice(deniedAction(info.message, `ec2:${action}`), what), { cause: error });
  throw error;
}

/** Poll DescribeInstances until every instance is running; a spot interruption or early stop fails at once. */
export async function waitForRunning(client: EC2Client, ids: string[], options: { timeoutMs: number; sleep?: (ms: number) => Promise<void> }): Promise<Map<string, ClusterInstance>> {
  const deadline = Date.now() + options.timeoutMs;
  let delay = 200;
  for (;;) {
    let answer;
    try {
      answer = await client.send(new DescribeInstancesCommand({ InstanceIds: ids }));
    } catch (error) {
      // Right after RunInstances, EC2 may not know the ids yet (eventual consistency).
      if (awsError(error)?.code !== 'InvalidInstanceID.NotFound') denied(error, 'DescribeInstances', 'DescribeInstances');
      answer = undefined;
    }
    const found = new Map<string, ClusterInstance>();
    for (const reservation of answer?.Reservations ?? []) {
      for (const instance of reservation.Instances ?? []) {
        const state = instance.State?.Name as InstanceState | undefined;
        if (state && state !== 'pending' && state !== 'running') {
          const reason = instance.StateReason?.Message ?? instance.StateTransitionReason ?? '';
          throw new UserError(`instance ${instance.InstanceId ?? '?'} went ${state} before training started${reason ? ` (${reason})` : ''}; a spot interruption or a failing image? Re-run, or use market: on-demand.`);
        }
        if (state === 'running' && instance.InstanceId && instance.PrivateIpAddress) {
          found.set(instance.InstanceId, {
            instanceId: instance.InstanceId,
            instanceType: instance.InstanceType ?? '',
            availabilityZone: instance.Placement?.AvailabilityZone ?? '',
            privateIp: instance.PrivateIpAddress,
            sshHost: instance.PublicIpAddress || instance.PrivateIpAddress,
            launchTime: instance.LaunchTime ?? new Date(),
          });
        }
      }
    }
    if (ids.every((id) => found.has(id))) return found;
    if (Date.now() + delay > deadline) {
      throw new UserError(`instances ${ids.filter((id) => !found.has(id)).join(', ')} were not running within ${Math.round(options.timeoutMs / 1000)} s of launch; raise ssh-timeout-minutes or check the instances in the EC2 console.`);
    }
    await (options.sleep ?? wait)(delay);
    delay = Math.min(delay * 2, 5_000);
  }
}

/** Poll GetConsoleOutput (latest output) until the host keys block appears. */
export async function readHostKeys(client: EC2Client, instanceId: string, options: { deadline: number; sleep?: (ms: number) => Promise<void> }): Promise<HostKey[]> {
  let delay = 200;
  let latest = true;
  let console = '';
  for (;;) {
    try {
      const answer = await client.send(new GetConsoleOutputCommand({ InstanceId: instanceId, Latest: latest || undefined }));
      console = answer.Output ? Buffer.from(answer.Output, 'base64').toString('utf8') : '';
    } catch (error) {
      const code = awsError(error)?.code;
      // Latest=true needs a Nitro instance; older types only have the buffered output.
      if (latest && (code === 'UnsupportedOperation' || code === 'InvalidParameterValue' || code === 'InvalidParameter')) {
        latest = false;
        continue;
      }
      denied(error, 'GetConsoleOutput', `GetConsoleOutput (${instanceId}, to read its SSH host keys)`);
    }
    const keys = parseHostKeys(console);
    if (keys && keys.length > 0) return keys;
    if (Date.now() + delay > options.deadline) {
      const tail = console.split(/\r?\n/).filter(Boolean).slice(-15).join('\n');
      throw new UserError(
        `instance ${instanceId} did not print its SSH host keys to the console in time, so Refit cannot verify it and will not connect. ` +
          `The image must run user data with cloud-init (Ubuntu, Amazon Linux and the Deep Learning AMIs do); raise ssh-timeout-minutes for slow boots. ` +
          `Last console lines:\n${tail || '(no console output yet)'}`,
      );
    }
    await (options.sleep ?? wait)(delay);
    delay = Math.min(delay * 2, 5_000);
  }
}

/** Launch the instances and describe them as training nodes (rank = launch order). */
export async function launchCluster(clients: { launch: EC2Client; ec2: EC2Client }, request: ClusterRequest): Promise<Cluster> {
  const { context, launch } = request;
  const key = EphemeralKey.generate(`refit-${context.runId}`);
  const result = await launchInstances(
    clients.launch,
    {
      imageId: launch.imageId,
      instanceTypes: launch.instanceTypes,
      subnetIds: launch.subnetIds,
      market: launch.market,
      securityGroupIds: launch.securityGroupIds,
      iamInstanceProfile: launch.iamInstanceProfile,
      volumeSizeGb: launch.volumeSizeGb,
      keyName: launch.keyName,
      count: request.count,
      placementGroup: request.placementGroup,
      tags: { repository: context.repository, runId: context.runId, job: context.job, name: `refit-train-${context.runId}`, extra: { ...launch.extraTags, [LAUNCH_ID_TAG]: request.launchId } },
      maxRuntimeMinutes: launch.maxRuntimeMinutes,
      userData: trainUserData({ sshUser: launch.sshUser, publicKey: key.publicKey }),
      poweroffOnExit: false,
      docker: request.docker,
      runAttempt: context.runAttempt,
    },
    { describeClient: clients.ec2 },
  );
  request.onLaunched(result);
  const ids = result.instances.map((i) => i.instanceId);
  request.log(`launched ${ids.join(', ')} (${result.instanceType}, ${result.market}, ${result.availabilityZone ?? result.subnetId})`);
  const bootDeadline = Date.now() + request.bootTimeoutMs;
  const running = await waitForRunning(clients.ec2, ids, { timeoutMs: request.bootTimeoutMs, sleep: request.sleep });
  const runningAt = new Date();
  const instances = ids.map((id) => running.get(id)!);
  const nodes: TrainNode[] = instances.map((instance, rank) => {
    let hostKeys: HostKey[] | undefined;
    let connected = false;
    const label = `node ${rank} (${instance.instanceId})`;
    return {
      rank,
      id: instance.instanceId,
      privateAddress: instance.privateIp,
      connect: async () => {
        hostKeys ??= await readHostKeys(clients.ec2, instance.instanceId, { deadline: bootDeadline, sleep: request.sleep });
        const timeoutMs = connected ? request.reconnectTimeoutMs : Math.max(1_000, bootDeadline - Date.now());
        const session = await connectWithRetry(
          { host: instance.sshHost, port: request.sshPort, username: launch.sshUser, key, hostKeys, label },
          { timeoutMs, log: request.log, sleep: request.sleep },
        );
        connected = true;
        return session;
      },
    };
  });
  return { launch: result, instances, nodes, runningAt };
}

export interface TeardownQuery {
  repository: string;
  runId: string;
  job: string;
  /** Only instances of this launch (when known). */
  launchId?: string;
  /** Ids known to the caller, terminated even if the tag search misses them. */
  instanceIds?: string[];
}

const NOT_TERMINATING: InstanceState[] = ['pending', 'running', 'stopping', 'stopped'];

/** Terminate what a run launched: the known ids and every live instance with its tags. Returns the ids asked to terminate. */
export async function terminateRun(client: EC2Client, query: TeardownQuery): Promise<string[]> {
  const found = await findRefitInstances(client, { repository: query.repository, runId: query.runId, states: NOT_TERMINATING });
  const tagged = found.filter((i) => i.refit.job === query.job && (query.launchId === undefined || i.tags[LAUNCH_ID_TAG] === query.launchId)).map((i) => i.instanceId);
  const ids = [...new Set([...(query.instanceIds ?? []), ...tagged])];
  if (ids.length > 0) await terminateInstances(client, ids);
  return ids;
}

/** Billed seconds and cost of what a launch started, summed over its instances, up to `endedAt`. */
export async function launchCost(client: EC2Client, launch: LaunchResult, endedAt: Date): Promise<{ billedSeconds: number; costUsd: number | null; notes: string[] }> {
  let billedSeconds = 0;
  let costUsd: number | null = 0;
  const notes: string[] = [];
  for (const instance of launch.instances) {
    const estimate = await estimateCost({
      market: launch.market,
      instanceType: instance.instanceType || launch.instanceType,
      availabilityZone: instance.availabilityZone ?? launch.availabilityZone ?? '',
      launchedAt: instance.launchTime ?? endedAt,
      endedAt,
      client,
    });
    billedSeconds += estimate.billedSeconds;
    costUsd = costUsd === null || estimate.costUsd === null ? null : costUsd + estimate.costUsd;
    if (estimate.note) notes.push(estimate.note);
  }
  return { billedSeconds, costUsd, notes: [...new Set(notes)] };
}
