/**
 * The launch inputs shared by the `gpu-runner` and `train` actions, read once into a typed settings
 * object, and the workflow-run context Refit tags its instances with. Each action's action.yml
 * declares these inputs (the metadata test checks both actions against `LAUNCH_INPUT_NAMES`).
 */
import type { Market } from '../compute/launch.js';
import { parseList, parseNumber } from '../config/refit-config.js';
import { UserError } from '../errors.js';

export const LAUNCH_INPUT_NAMES = [
  'image-id',
  'instance-types',
  'subnet-ids',
  'market',
  'security-group-ids',
  'iam-instance-profile',
  'volume-size',
  'key',
  'ssh-user',
  'region',
  'tags',
  'max-runtime-minutes',
] as const;

export type LaunchInputName = (typeof LAUNCH_INPUT_NAMES)[number];

/** AWS's public SSM parameter for the Deep Learning Base OSS Nvidia Driver GPU AMI (Ubuntu 22.04, x86_64). */
export const DEFAULT_IMAGE_ID = 'resolve:ssm:/aws/service/deeplearning/ami/x86_64/base-oss-nvidia-driver-gpu-ubuntu-22.04/latest/ami-id';
export const DEFAULT_INSTANCE_TYPES = ['g5.xlarge', 'g6.xlarge', 'g4dn.xlarge'];

export interface LaunchSettings {
  imageId: string;
  instanceTypes: string[];
  subnetIds: string[];
  market: Market;
  securityGroupIds: string[];
  iamInstanceProfile: string | undefined;
  volumeSizeGb: number;
  /** An existing EC2 key pair (for people debugging the instance); Refit's own SSH uses an ephemeral key. */
  keyName: string | undefined;
  sshUser: string;
  region: string | undefined;
  extraTags: Record<string, string>;
  maxRuntimeMinutes: number;
}

const MARKETS: readonly Market[] = ['spot', 'on-demand', 'spot-then-on-demand'];

/** Read the launch inputs through the action's own reader (empty string = not given). */
export function readLaunchInputs(read: (name: LaunchInputName) => string): LaunchSettings {
  const text = (name: LaunchInputName): string | undefined => {
    const value = read(name).trim();
    return value === '' ? undefined : value;
  };
  const market = text('market') ?? 'on-demand';
  if (!MARKETS.includes(market as Market)) throw new UserError(`input market: "${market}" is not one of ${MARKETS.join(', ')}.`);
  const subnetIds = parseList(text('subnet-ids') ?? '', 'input subnet-ids');
  if (subnetIds.length === 0) {
    throw new UserError('input subnet-ids: required; give one or more subnet ids (one per Availability Zone lets Refit fall back when a zone has no capacity).');
  }
  const instanceTypes = text('instance-types') === undefined ? DEFAULT_INSTANCE_TYPES : parseList(text('instance-types'), 'input instance-types');
  return {
    imageId: text('image-id') ?? DEFAULT_IMAGE_ID,
    instanceTypes,
    subnetIds,
    market: market as Market,
    securityGroupIds: parseList(text('security-group-ids') ?? '', 'input security-group-ids'),
    iamInstanceProfile: text('iam-instance-profile'),
    volumeSizeGb: parseNumber(text('volume-size') ?? '100', 'input volume-size', { min: 1, max: 16384, integer: true }),
    keyName: text('key'),
    sshUser: text('ssh-user') ?? 'ubuntu',
    region: text('region'),
    extraTags: parseTags(text('tags') ?? ''),
    maxRuntimeMinutes: parseNumber(text('max-runtime-minutes') ?? '60', 'input max-runtime-minutes', { min: 1, max: 7 * 24 * 60, integer: true }),
  };
}

/** `key=value` pairs, one per line or comma-separated. */
export function parseTags(value: string): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const item of value.split(/[,\n]/).map((s) => s.trim()).filter(Boolean)) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UserError(`input tags: "${item}" is not key=value; write one tag per line, e.g. team=ml.`);
    tags[item.slice(0, eq).trim()] = item.slice(eq + 1).trim();
  }
  return tags;
}

/** Where this step runs, from the runner's environment: what Refit tags and names instances with. */
export interface RunContext {
  /** owner/name */
  repository: string;
  owner: string;
  repo: string;
  runId: string;
  runAttempt: string;
  /** The job id (GITHUB_JOB). */
  job: string;
  serverUrl: string;
  apiUrl: string;
}

export function runContext(env: NodeJS.ProcessEnv = process.env): RunContext {
  const repository = env.GITHUB_REPOSITORY ?? '';
  const [owner, repo] = repository.split('/');
  if (!owner || !repo || !env.GITHUB_RUN_ID) {
    throw new UserError('GITHUB_REPOSITORY and GITHUB_RUN_ID are not set: this action runs inside a GitHub Actions workflow run.');
  }
  return {
    repository,
    owner,
    repo,
    runId: env.GITHUB_RUN_ID,
    runAttempt: env.GITHUB_RUN_ATTEMPT ?? '1',
    job: env.GITHUB_JOB ?? 'job',
    serverUrl: env.GITHUB_SERVER_URL ?? 'https://github.com',
    apiUrl: env.GITHUB_API_URL ?? 'https://api.github.com',
  };
}
