/** Find Refit's instances by tag, and terminate them idempotently. */
import { TerminateInstancesCommand, paginateDescribeInstances } from '@aws-sdk/client-ec2';
import type { EC2Client, Filter } from '@aws-sdk/client-ec2';
import { UserError } from '../errors.js';
import { awsError, deniedAction, unauthorizedAdvice } from './errors.js';
import { TAG_REPOSITORY, TAG_RUN_ID, parseRefitTags } from './tags.js';
import type { RefitTags } from './tags.js';

export type InstanceState = 'pending' | 'running' | 'shutting-down' | 'terminated' | 'stopping' | 'stopped';

/** Every state but terminated. */
export const LIVE_STATES: InstanceState[] = ['pending', 'running', 'shutting-down', 'stopping', 'stopped'];

export interface FindQuery {
  repository: string;
  runId?: string;
  /** Default: LIVE_STATES. */
  states?: InstanceState[];
  /** DescribeInstances page size (5 to 1000; default 100). */
  pageSize?: number;
}

export interface RefitInstance {
  instanceId: string;
  instanceType: string;
  state: string;
  market: 'spot' | 'on-demand';
  availabilityZone: string | undefined;
  subnetId: string | undefined;
  launchTime: Date | undefined;
  privateIpAddress: string | undefined;
  publicIpAddress: string | undefined;
  /** EC2's StateTransitionReason, e.g. `User initiated (2024-01-01 12:00:00 GMT)` once stopped or terminated. */
  stateTransitionReason: string | undefined;
  refit: RefitTags;
  tags: Record<string, string>;
}

export async function findRefitInstances(client: EC2Client, query: FindQuery): Promise<RefitInstance[]> {
  const filters: Filter[] = [
    { Name: `tag:${TAG_REPOSITORY}`, Values: [query.repository] },
    { Name: 'instance-state-name', Values: query.states ?? LIVE_STATES },
  ];
  if (query.runId !== undefined) filters.push({ Name: `tag:${TAG_RUN_ID}`, Values: [query.runId] });
  const found: RefitInstance[] = [];
  try {
    for await (const page of paginateDescribeInstances({ client, pageSize: query.pageSize ?? 100 }, { Filters: filters })) {
      for (const reservation of page.Reservations ?? []) {
        for (const instance of reservation.Instances ?? []) {
          const refit = parseRefitTags(instance.Tags);
          if (!refit || !instance.InstanceId) continue;
          const tags: Record<string, string> = {};
          for (const tag of instance.Tags ?? []) if (tag.Key !== undefined) tags[tag.Key] = tag.Value ?? '';
          found.push({
            instanceId: instance.InstanceId,
            instanceType: instance.InstanceType ?? '',
            state: instance.State?.Name ?? 'unknown',
            market: instance.InstanceLifecycle === 'spot' ? 'spot' : 'on-demand',
            availabilityZone: instance.Placement?.AvailabilityZone,
            subnetId: instance.SubnetId,
            launchTime: instance.LaunchTime,
            privateIpAddress: instance.PrivateIpAddress,
            publicIpAddress: instance.PublicIpAddress,
            stateTransitionReason: instance.StateTransitionReason || undefined,
            refit,
            tags,
          });
        }
      }
    }
  } catch (error) {
    const info = awsError(error);
    if (info?.code === 'UnauthorizedOperation') throw new UserError(unauthorizedAdvice(deniedAction(info.message, 'ec2:DescribeInstances'), 'DescribeInstances'), { cause: error });
    throw error;
  }
  return found;
}

export interface TerminateResult {
  /** Instances EC2 answered for, with the state before and after. */
  terminated: Array<{ instanceId: string; previousState: string | undefined; currentState: string | undefined }>;
  /** Ids EC2 no longer knows (terminated long ago): nothing to do. */
  missing: string[];
}

/**
 * Terminate instances. Idempotent: already shutting-down or terminated instances are fine, and ids EC2
 * has forgotten (InvalidInstanceID.NotFound) are reported as `missing`, not as errors.
 */
export async function terminateInstances(client: EC2Client, ids: string[]): Promise<TerminateResult> {
  const result: TerminateResult = { terminated: [], missing: [] };
  const unique = [...new Set(ids)];
  for (let start = 0; start < unique.length; start += 1000) {
    await terminateBatch(client, unique.slice(start, start + 1000), result);
  }
  return result;
}

async function terminateBatch(client: EC2Client, ids: string[], result: TerminateResult): Promise<void> {
  if (ids.length === 0) return;
  try {
    const answer = await client.send(new TerminateInstancesCommand({ InstanceIds: ids }));
    for (const change of answer.TerminatingInstances ?? []) {
      result.terminated.push({ instanceId: change.InstanceId ?? '', previousState: change.PreviousState?.Name, currentState: change.CurrentState?.Name });
    }
  } catch (error) {
    const info = awsError(error);
    if (info?.code === 'UnauthorizedOperation') throw new UserError(unauthorizedAdvice(deniedAction(info.message, 'ec2:TerminateInstances'), 'TerminateInstances'), { cause: error });
    if (info?.code !== 'InvalidInstanceID.NotFound') throw error;
    const missing = ids.filter((id) => info.message.includes(id));
    if (missing.length === 0 || ids.length === 1) {
      // Cannot tell which: the ids EC2 named are gone; if it named none, the single id is.
      result.missing.push(...(missing.length === 0 ? ids : missing));
      return;
    }
    result.missing.push(...missing);
    await terminateBatch(client, ids.filter((id) => !missing.includes(id)), result);
  }
}
