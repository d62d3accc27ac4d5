/**
 * Launch ephemeral GPU runners with RunInstances, falling back across markets, instance types and
 * subnets (in that nesting: for each market, for each type, for each subnet) on capacity errors, and
 * failing at once on quota, permission and input errors.
 *
 * Retries: EC2 answers InsufficientInstanceCapacity with HTTP 500, which the SDK's standard retry
 * strategy retries on the same type and subnet (3 attempts by default, with backoff). Capacity is not
 * going to appear in a second, so the client passed for RunInstances should be made with
 * `maxAttempts: 1` — `createLaunchClient()` does that. The DescribeImages lookup goes through
 * `options.describeClient` when given (keep the SDK's retries there, and for find/terminate/cost). A
 * default client still works, only slower per capacity failure. Throttling (RequestLimitExceeded) is
 * retried here on the same attempt, with backoff.
 */
import { DescribeImagesCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import type { EC2ClientConfig, Instance, RunInstancesCommandInput } from '@aws-sdk/client-ec2';
import { createHash } from 'node:crypto';
import { UserError } from '../errors.js';
import { awsError, deniedAction, unauthorizedAdvice } from './errors.js';
import { expiresAt, refitTags, toEc2Tags } from './tags.js';
import { buildUserData, encodeUserData } from './user-data.js';

export type Market = 'spot' | 'on-demand' | 'spot-then-on-demand';

export interface LaunchRequest {
  /** AMI id, or `resolve:ssm:<parameter>` (EC2 resolves it; the root device then defaults to /dev/sda1). */
  imageId: string;
  /** Ordered fallback list. */
  instanceTypes: string[];
  /** Ordered fallback list (one per AZ, typically). */
  subnetIds: string[];
  market: Market;
  securityGroupIds: string[];
  /** Instance profile name or ARN. */
  iamInstanceProfile?: string;
  volumeSizeGb: number;
  keyName?: string;
  /** Instances per launch, all or nothing (MinCount = MaxCount). Default 1. */
  count?: number;
  placementGroup?: string;
  tags: { repository: string; runId: string; job: string; name: string; extra?: Record<string, string> };
  maxRuntimeMinutes: number;
  /** The caller's script; wrapped by `buildUserData` (watchdog, no tracing). */
  userData: string;
  /** Power off when the user-data script ends (default true); false keeps the instance up until the watchdog or a terminate. */
  poweroffOnExit?: boolean;
  /** IMDS hop limit 2 so containers on the instance reach IMDS (docker jobs); default 1. */
  docker?: boolean;
  /** Root device name; default: the AMI's (DescribeImages), or /dev/sda1 for `resolve:ssm:` images. */
  rootDeviceName?: string;
  /** Distinguishes launches of the same run/job (e.g. GITHUB_RUN_ATTEMPT) in the idempotency token. */
  runAttempt?: string | number;
  now?: Date;
}

export interface LaunchAttempt {
  market: 'spot' | 'on-demand';
  instanceType: string;
  subnetId: string;
  outcome: 'launched' | 'capacity';
  /** EC2's error code for a capacity failure. */
  code?: string;
  message?: string;
}

export interface LaunchedInstance {
  instanceId: string;
  instanceType: string;
  subnetId: string | undefined;
  availabilityZone: string | undefined;
  privateIpAddress: string | undefined;
  publicIpAddress: string | undefined;
  launchTime: Date | undefined;
}

export interface LaunchResult {
  instances: LaunchedInstance[];
  market: 'spot' | 'on-demand';
  instanceType: string;
  subnetId: string;
  availabilityZone: string | undefined;
  /** Every attempt in order, the last one `launched`. */
  attempts: LaunchAttempt[];
  tags: Record<string, string>;
  expiresAt: Date;
}

export interface LaunchOptions {
  /** Client for DescribeImages (default: the launch client). */
  describeClient?: EC2Client;
  /** Backoff for throttling, in ms (tests pass 0). Default 1000, doubled per retry. */
  throttleDelayMs?: number;
}

/** EC2 client for RunInstances: no SDK retries, so a capacity error moves on to the next type/subnet at once. */
export function createLaunchClient(config: EC2ClientConfig = {}): EC2Client {
  return new EC2Client({ ...config, maxAttempts: 1 });
}

/** Codes that mean "not here, not now": try the next subnet, type or market. */
export const CAPACITY_CODES = new Set([
  'InsufficientInstanceCapacity',
  'InsufficientCapacity',
  'InsufficientHostCapacity',
  'SpotMaxPriceTooLow',
  'MaxSpotInstanceCountExceeded',
  'Unsupported',
  'InsufficientFreeAddressesInSubnet',
]);

const THROTTLING_CODES = new Set(['RequestLimitExceeded', 'Throttling', 'ThrottlingException']);

export function marketsFor(market: Market): Array<'spot' | 'on-demand'> {
  return market === 'spot-then-on-demand' ? ['spot', 'on-demand'] : [market];
}

function validate(request: LaunchRequest): number {
  const count = request.count ?? 1;
  if (request.imageId.trim() === '') throw new UserError('image-id: empty; give an AMI id (ami-…) or resolve:ssm:<parameter>.');
  if (request.instanceTypes.length === 0) throw new UserError('instance-types: empty; give at least one instance type, e.g. g5.xlarge.');
  if (request.subnetIds.length === 0) throw new UserError('subnet-ids: empty; give at least one subnet id (one per Availability Zone for fallback).');
  if (!['spot', 'on-demand', 'spot-then-on-demand'].includes(request.market)) {
    throw new UserError(`market: "${String(request.market)}" is not one of spot, on-demand, spot-then-on-demand.`);
  }
  if (!Number.isInteger(count) || count < 1 || count > 100) throw new UserError(`count: ${String(count)} must be a whole number from 1 to 100.`);
  if (!Number.isInteger(request.volumeSizeGb) || request.volumeSizeGb < 1 || request.volumeSizeGb > 16384) {
    throw new UserError(`volume-size: ${String(request.volumeSizeGb)} must be a whole number of GiB from 1 to 16384.`);
  }
  return count;
}

async function rootDevice(client: EC2Client, request: LaunchRequest): Promise<string> {
  if (request.rootDeviceName) return request.rootDeviceName;
  if (request.imageId.startsWith('resolve:ssm:')) return '/dev/sda1';
  try {
    const answer = await client.send(new DescribeImagesCommand({ ImageIds: [request.imageId] }));
    return answer.Images?.[0]?.RootDeviceName ?? '/dev/sda1';
  } catch (error) {
    const info = awsError(error);
    if (info?.code.startsWith('InvalidAMIID')) {
      throw new UserError(`image-id: EC2 cannot find AMI "${request.imageId}" (${info.code}) in this region; check the id and the region.`, { cause: error });
    }
    if (info?.code === 'UnauthorizedOperation') throw new UserError(unauthorizedAdvice(deniedAction(info.message, 'ec2:DescribeImages'), 'DescribeImages'), { cause: error });
    throw error;
  }
}

/**
 * A ClientToken (≤ 64 ASCII) per attempt: retries of the same attempt are idempotent, different attempts are distinct launches.
 * The Name and extra tags are part of it: launches that share run, attempt and job (matrix legs, a reusable workflow called
 * from a matrix) differ there, and EC2 refuses a token it has seen with other parameters (IdempotentParameterMismatch).
 */
export function clientToken(request: LaunchRequest, attempt: { market: string; instanceType: string; subnetId: string; index: number }): string {
  const extra = Object.entries(request.tags.extra ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const seed = [
    request.tags.repository,
    request.tags.runId,
    String(request.runAttempt ?? ''),
    request.tags.job,
    request.tags.name,
    JSON.stringify(extra),
    attempt.index,
    attempt.market,
    attempt.instanceType,
    attempt.subnetId,
  ].join('\u0000');
  return `refit-${createHash('sha256').update(seed).digest('hex').slice(0, 48)}`;
}

function fatal(code: string, message: string, attempt: LaunchAttempt, request: LaunchRequest, cause: unknown): UserError {
  const where = `${attempt.instanceType}@${attempt.subnetId} ${attempt.market}`;
  if (code === 'UnauthorizedOperation') {
    return new UserError(unauthorizedAdvice(deniedAction(message, 'ec2:RunInstances'), `RunInstances (${where})`), { cause });
  }
  if (code === 'VcpuLimitExceeded') {
    return new UserError(
      `instance-types: launching ${request.count ?? 1} × ${attempt.instanceType} (${attempt.market}) exceeds the account's vCPU quota (VcpuLimitExceeded): ${message} ` +
        `Request an increase in Service Quotas (EC2 "Running On-Demand G and VT instances" / "All G and VT Spot Instance Requests", or the family's P quota), or pick a smaller type.`,
      { cause },
    );
  }
  if (code.endsWith('LimitExceeded')) {
    return new UserError(`RunInstances (${where}) hit an EC2 limit (${code}): ${message} Raise the limit in Service Quotas or lower \`count\`.`, { cause });
  }
  if (code.startsWith('InvalidAMIID')) {
    return new UserError(`image-id: EC2 rejected AMI "${request.imageId}" (${code}): ${message} Check the id and that it exists in this region.`, { cause });
  }
  if (code.startsWith('InvalidSubnetID')) {
    return new UserError(`subnet-ids: EC2 rejected subnet "${attempt.subnetId}" (${code}): ${message} Check the id and the region.`, { cause });
  }
  if (code.startsWith('InvalidGroup')) {
    return new UserError(`security-group-ids: EC2 rejected ${request.securityGroupIds.join(', ') || 'the security groups'} (${code}): ${message} The groups must exist in the subnet's VPC.`, { cause });
  }
  if (code.startsWith('InvalidKeyPair')) return new UserError(`key: EC2 rejected key pair "${request.keyName ?? ''}" (${code}): ${message}`, { cause });
  if (code === 'InvalidParameterValue' || code === 'InvalidParameter' || code === 'InvalidParameterCombination') {
    const input = /iamInstanceProfile/i.test(message)
      ? 'iam-instance-profile'
      : /instance type/i.test(message)
        ? 'instance-types'
        : /placement|group/i.test(message)
          ? 'placement-group / security-group-ids'
          : 'the launch inputs';
    return new UserError(`${input}: EC2 rejected RunInstances (${where}) with ${code}: ${message}`, { cause });
  }
  return new UserError(`RunInstances (${where}) failed with ${code}: ${message}`, { cause });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function summarize(instance: Instance): LaunchedInstance {
  return {
    instanceId: instance.InstanceId ?? '',
    instanceType: instance.InstanceType ?? '',
    subnetId: instance.SubnetId,
    availabilityZone: instance.Placement?.AvailabilityZone,
    privateIpAddress: instance.PrivateIpAddress,
    publicIpAddress: instance.PublicIpAddress,
    launchTime: instance.LaunchTime,
  };
}

export async function launchInstances(client: EC2Client, request: LaunchRequest, options: LaunchOptions = {}): Promise<LaunchResult> {
  const count = validate(request);
  const now = request.now ?? new Date();
  const expires = expiresAt(now, request.maxRuntimeMinutes);
  const tags = refitTags(request.tags, expires);
  const userData = encodeUserData(buildUserData({ script: request.userData, maxRuntimeMinutes: request.maxRuntimeMinutes, poweroffOnExit: request.poweroffOnExit }));
  const deviceName = await rootDevice(options.describeClient ?? client, request);
  const profile = request.iamInstanceProfile;
  const base: Omit<RunInstancesCommandInput, 'InstanceType' | 'SubnetId'> = {
    ImageId: request.imageId,
    MinCount: count,
    MaxCount: count,
    SecurityGroupIds: request.securityGroupIds.length > 0 ? request.securityGroupIds : undefined,
    KeyName: request.keyName,
    IamInstanceProfile: profile === undefined ? undefined : profile.startsWith('arn:') ? { Arn: profile } : { Name: profile },
    MetadataOptions: { HttpTokens: 'required', HttpEndpoint: 'enabled', HttpPutResponseHopLimit: request.docker ? 2 : 1 },
    BlockDeviceMappings: [{ DeviceName: deviceName, Ebs: { Encrypted: true, VolumeSize: request.volumeSizeGb, VolumeType: 'gp3', DeleteOnTermination: true } }],
    InstanceInitiatedShutdownBehavior: 'terminate',
    TagSpecifications: [
      { ResourceType: 'instance', Tags: toEc2Tags(tags) },
      { ResourceType: 'volume', Tags: toEc2Tags(tags) },
    ],
    UserData: userData,
    Placement: request.placementGroup ? { GroupName: request.placementGroup } : undefined,
  };
  const attempts: LaunchAttempt[] = [];
  const throttleDelay = options.throttleDelayMs ?? 1000;
  for (const market of marketsFor(request.market)) {
    for (const instanceType of request.instanceTypes) {
      for (const subnetId of request.subnetIds) {
        const attempt: LaunchAttempt = { market, instanceType, subnetId, outcome: 'capacity' };
        const input: RunInstancesCommandInput = {
          ...base,
          InstanceType: instanceType as RunInstancesCommandInput['InstanceType'],
          SubnetId: subnetId,
          ClientToken: clientToken(request, { market, instanceType, subnetId, index: attempts.length }),
          InstanceMarketOptions:
            market === 'spot' ? { MarketType: 'spot', SpotOptions: { SpotInstanceType: 'one-time', InstanceInterruptionBehavior: 'terminate' } } : undefined,
        };
        for (let throttled = 0; ; throttled++) {
          try {
            const answer = await client.send(new RunInstancesCommand(input));
            attempt.outcome = 'launched';
            attempts.push(attempt);
            const instances = (answer.Instances ?? []).map(summarize);
            return {
              instances,
              market,
              instanceType,
              subnetId,
              availabilityZone: instances[0]?.availabilityZone,
              attempts,
              tags,
              expiresAt: expires,
            };
          } catch (error) {
            const info = awsError(error);
            if (!info) throw error;
            if (THROTTLING_CODES.has(info.code) && throttled < 3) {
              await sleep(throttleDelay * 2 ** throttled);
              continue;
            }
            if (CAPACITY_CODES.has(info.code)) {
              attempt.code = info.code;
              attempt.message = info.message;
              attempts.push(attempt);
              break;
            }
            throw fatal(info.code, info.message, attempt, request, error);
          }
        }
      }
    }
  }
  const list = attempts.map((a) => `${a.instanceType}@${a.subnetId} ${a.market}: ${a.code ?? ''}`).join('; ');
  throw new UserError(
    `No capacity for any of instance-types × subnet-ids × market (${attempts.length} attempts: ${list}). ` +
      'Add instance types or subnets in other Availability Zones, allow on-demand (market: spot-then-on-demand), or retry later.',
  );
}
