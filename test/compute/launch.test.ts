import { EC2Client } from '@aws-sdk/client-ec2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { clientToken, createLaunchClient, launchInstances } from '../../src/compute/launch.js';
import type { LaunchRequest } from '../../src/compute/launch.js';
import { DEFAULT_IMAGE_ID, startEc2Emulator, useEc2Emulator } from '../support/ec2/index.js';
import type { Ec2Emulator } from '../support/ec2/index.js';

const ec2emu = useEc2Emulator();

function request(overrides: Partial<LaunchRequest> = {}): LaunchRequest {
  return {
    imageId: DEFAULT_IMAGE_ID,
    instanceTypes: ['g5.xlarge', 'g6.xlarge'],
    subnetIds: ['subnet-a', 'subnet-b'],
    market: 'on-demand',
    securityGroupIds: ['sg-0default'],
    volumeSizeGb: 200,
    tags: { repository: 'acme/models', runId: '1001', job: 'train', name: 'refit-train-1001' },
    maxRuntimeMinutes: 90,
    userData: './run.sh --register "$RUNNER_TOKEN"\n',
    now: new Date('2026-03-01T12:00:00Z'),
    ...overrides,
  };
}

let client: EC2Client;
beforeEach(() => {
  client = createLaunchClient({ region: 'us-east-1' });
  ec2emu.capacity = {};
  ec2emu.state.requests.length = 0;
});
afterEach(() => {
  for (const instance of ec2emu.state.alive()) instance.state = 'terminated';
});

const runRequests = () => ec2emu.state.requestsFor('RunInstances');

describe('launchInstances', () => {
  it('sends a hardened RunInstances request: IMDSv2, encrypted gp3 root, terminate on shutdown, tags on instance and volume, watchdog', async () => {
    const result = await launchInstances(client, request({ iamInstanceProfile: 'refit-runner', placementGroup: undefined, tags: { repository: 'acme/models', runId: '1001', job: 'train', name: 'refit-train-1001', extra: { team: 'ml' } } }));
    expect(result.instances).toHaveLength(1);
    expect(result.market).toBe('on-demand');
    expect(result.instanceType).toBe('g5.xlarge');
    expect(result.subnetId).toBe('subnet-a');
    expect(result.availabilityZone).toBe('us-east-1a');
    expect(result.attempts).toEqual([{ market: 'on-demand', instanceType: 'g5.xlarge', subnetId: 'subnet-a', outcome: 'launched' }]);

    const instance = ec2emu.state.instance(result.instances[0]!.instanceId)!;
    const sent = instance.request;
    expect(sent.metadataOptions).toMatchObject({ HttpTokens: 'required', HttpEndpoint: 'enabled', HttpPutResponseHopLimit: '1' });
    expect(sent.blockDeviceMappings).toEqual([
      { deviceName: '/dev/sda1', ebs: { volumeSize: 200, volumeType: 'gp3', encrypted: true, deleteOnTermination: true } },
    ]);
    expect(sent.shutdownBehavior).toBe('terminate');
    expect(sent.marketType).toBe('on-demand');
    expect(sent.minCount).toBe(1);
    expect(sent.maxCount).toBe(1);
    expect(sent.iamInstanceProfile).toEqual({ name: 'refit-runner' });
    expect(sent.clientToken).toMatch(/^refit-[0-9a-f]{48}$/);
    const expected = {
      'refit:repository': 'acme/models',
      'refit:run-id': '1001',
      'refit:job': 'train',
      'refit:expires-at': '2026-03-01T13:45:00.000Z', // 12:00 + 90 min + 15 min grace
      Name: 'refit-train-1001',
      team: 'ml',
    };
    const byType = Object.fromEntries(sent.tagSpecifications.map((spec) => [spec.resourceType, spec.tags]));
    expect(byType['instance']).toEqual(expected);
    expect(byType['volume']).toEqual(expected);
    expect(instance.tags).toEqual(expected);
    expect(sent.userData).toContain('set -euo pipefail');
    expect(sent.userData).toContain('--on-active=90m /sbin/poweroff');
    expect(sent.userData).toContain('( sleep $((90*60)); shutdown -h now )');
    expect(sent.userData).toContain('./run.sh --register "$RUNNER_TOKEN"');
    expect(sent.userData).not.toMatch(/^\s*set\s+(-[a-z]*x|-o\s+xtrace)/m);
    expect(sent.userData).toMatch(/^set \+x$/m);
    // One DescribeImages (root device name) and one RunInstances.
    expect(ec2emu.state.requestsFor('DescribeImages')).toHaveLength(1);
    expect(runRequests()).toHaveLength(1);
  });

  it('uses hop limit 2 for docker jobs, spot options for spot, and MinCount = MaxCount = count', async () => {
    const result = await launchInstances(client, request({ market: 'spot', docker: true, count: 2, placementGroup: undefined }));
    expect(result.instances).toHaveLength(2);
    expect(result.market).toBe('spot');
    const sent = ec2emu.state.instance(result.instances[0]!.instanceId)!.request;
    expect(sent.metadataOptions['HttpPutResponseHopLimit']).toBe('2');
    expect(sent.marketType).toBe('spot');
    expect(sent.spotOptions).toMatchObject({ SpotInstanceType: 'one-time', InstanceInterruptionBehavior: 'terminate' });
    expect(sent.minCount).toBe(2);
    expect(sent.maxCount).toBe(2);
  });

  it('falls back subnet by subnet, then type by type, recording every attempt once (no SDK retries)', async () => {
    ec2emu.capacity = { 'g5.xlarge': 0, 'g6.xlarge@subnet-a': 0 };
    const result = await launchInstances(client, request());
    expect(result.instanceType).toBe('g6.xlarge');
    expect(result.subnetId).toBe('subnet-b');
    expect(result.availabilityZone).toBe('us-east-1b');
    expect(result.attempts.map((a) => [a.instanceType, a.subnetId, a.market, a.outcome, a.code])).toEqual([
      ['g5.xlarge', 'subnet-a', 'on-demand', 'capacity', 'InsufficientInstanceCapacity'],
      ['g5.xlarge', 'subnet-b', 'on-demand', 'capacity', 'InsufficientInstanceCapacity'],
      ['g6.xlarge', 'subnet-a', 'on-demand', 'capacity', 'InsufficientInstanceCapacity'],
      ['g6.xlarge', 'subnet-b', 'on-demand', 'launched', undefined],
    ]);
    expect(runRequests().map((r) => `${r.params['InstanceType']}@${r.params['SubnetId']}`)).toEqual([
      'g5.xlarge@subnet-a',
      'g5.xlarge@subnet-b',
      'g6.xlarge@subnet-a',
      'g6.xlarge@subnet-b',
    ]);
    // Distinct idempotency tokens per attempt.
    expect(new Set(runRequests().map((r) => r.params['ClientToken'])).size).toBe(4);
  });

  it('spot-then-on-demand: every spot attempt first, then on-demand', async () => {
    ec2emu.capacity = { 'spot:g5.xlarge': 0, 'spot:g6.xlarge': 0 };
    const result = await launchInstances(client, request({ market: 'spot-then-on-demand' }));
    expect(result.market).toBe('on-demand');
    expect(result.instanceType).toBe('g5.xlarge');
    expect(result.subnetId).toBe('subnet-a');
    expect(result.attempts.map((a) => `${a.market} ${a.instanceType}@${a.subnetId} ${a.outcome}`)).toEqual([
      'spot g5.xlarge@subnet-a capacity',
      'spot g5.xlarge@subnet-b capacity',
      'spot g6.xlarge@subnet-a capacity',
      'spot g6.xlarge@subnet-b capacity',
      'on-demand g5.xlarge@subnet-a launched',
    ]);
    expect(ec2emu.state.instance(result.instances[0]!.instanceId)!.lifecycle).toBe('on-demand');
  });

  it('treats SpotMaxPriceTooLow, MaxSpotInstanceCountExceeded, Unsupported and InsufficientFreeAddressesInSubnet as capacity', async () => {
    const codes = ['SpotMaxPriceTooLow', 'MaxSpotInstanceCountExceeded', 'Unsupported', 'InsufficientFreeAddressesInSubnet'];
    for (const code of codes) ec2emu.failNext({ action: 'RunInstances', code, times: 1 });
    const result = await launchInstances(client, request({ market: 'spot-then-on-demand' }));
    expect(result.attempts.map((a) => a.code ?? a.outcome)).toEqual([...codes, 'launched']);
    expect(result.market).toBe('on-demand');
    expect(result.instanceType).toBe('g5.xlarge');
    expect(result.subnetId).toBe('subnet-a');
  });

  it('lists every attempt when all are exhausted', async () => {
    ec2emu.capacity = { 'g5.xlarge': 0, 'g6.xlarge': 0 };
    const error = await launchInstances(client, request({ market: 'spot-then-on-demand' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    const message = (error as Error).message;
    expect(message).toContain('8 attempts');
    for (const market of ['spot', 'on-demand']) {
      for (const at of ['g5.xlarge@subnet-a', 'g5.xlarge@subnet-b', 'g6.xlarge@subnet-a', 'g6.xlarge@subnet-b']) {
        expect(message).toContain(`${at} ${market}: InsufficientInstanceCapacity`);
      }
    }
    expect(runRequests()).toHaveLength(8);
  });

  it('UnauthorizedOperation fails at once naming ec2:RunInstances, OIDC role and the decode command', async () => {
    ec2emu.failNext({ action: 'RunInstances', code: 'UnauthorizedOperation' });
    const error = await launchInstances(client, request({ market: 'spot-then-on-demand' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    const message = (error as Error).message;
    expect(message).toContain('ec2:RunInstances');
    expect(message).toContain('OIDC');
    expect(message).toContain('aws sts decode-authorization-message');
    expect(runRequests()).toHaveLength(1);
  });

  it('input errors fail at once naming the input', async () => {
    const bad = await launchInstances(client, request({ subnetIds: ['subnet-nope', 'subnet-a'] })).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(UserError);
    expect((bad as Error).message).toMatch(/^subnet-ids: .*subnet-nope.*InvalidSubnetID\.NotFound/);
    const group = await launchInstances(client, request({ securityGroupIds: ['sg-missing'] })).catch((e: unknown) => e);
    expect((group as Error).message).toMatch(/^security-group-ids: .*sg-missing.*InvalidGroup\.NotFound/);
    const type = await launchInstances(client, request({ instanceTypes: ['g99.huge'] })).catch((e: unknown) => e);
    expect((type as Error).message).toMatch(/^instance-types: .*InvalidParameterValue/);
    const ami = await launchInstances(client, request({ imageId: 'ami-00000000000000000' })).catch((e: unknown) => e);
    expect(ami).toBeInstanceOf(UserError);
    expect((ami as Error).message).toMatch(/^image-id: .*ami-00000000000000000/);
    expect(runRequests()).toHaveLength(3);
    const empty = await launchInstances(client, request({ instanceTypes: [] })).catch((e: unknown) => e);
    expect((empty as Error).message).toMatch(/^instance-types: empty/);
  });

  it('refuses a script that embeds a long-lived credential, before any API call', async () => {
    const error = await launchInstances(client, request({ userData: 'export GH_TOKEN=ghp_0123456789abcdefghijABCDEFGHIJ012345\n' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(/^user-data: .*GitHub token/);
    expect(ec2emu.state.requests).toHaveLength(0);
  });

  it('a resolve:ssm: image skips DescribeImages and uses /dev/sda1', async () => {
    // The emulator does not resolve SSM parameters; the request still shows what is sent.
    const error = await launchInstances(client, request({ imageId: 'resolve:ssm:/aws/service/refit/gpu' })).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/^image-id: /);
    expect(ec2emu.state.requestsFor('DescribeImages')).toHaveLength(0);
    expect(runRequests()[0]?.params['BlockDeviceMapping.1.DeviceName']).toBe('/dev/sda1');
  });
});

describe('clientToken', () => {
  it('is stable for the same run, job and attempt, and differs across attempts, jobs and run attempts', () => {
    const attempt = { market: 'spot', instanceType: 'g5.xlarge', subnetId: 'subnet-a', index: 0 };
    const token = clientToken(request(), attempt);
    expect(token).toHaveLength(54);
    expect(clientToken(request({ now: new Date() }), attempt)).toBe(token);
    expect(clientToken(request(), { ...attempt, index: 1 })).not.toBe(token);
    expect(clientToken(request(), { ...attempt, subnetId: 'subnet-b' })).not.toBe(token);
    expect(clientToken(request({ runAttempt: 2 }), attempt)).not.toBe(token);
    expect(clientToken(request({ tags: { repository: 'acme/models', runId: '1001', job: 'eval', name: 'x' } }), attempt)).not.toBe(token);
  });

  it('differs between separate launches of the same run, attempt and job (matrix legs, reusable workflows), which EC2 would otherwise refuse', async () => {
    // Matrix legs share GITHUB_RUN_ID, GITHUB_RUN_ATTEMPT and GITHUB_JOB. EC2 keeps a client token for
    // at least 24 hours: the same token with other parameters (user data, Name) fails with
    // IdempotentParameterMismatch, the same parameters return the first leg's instance.
    const legs = [
      request({ tags: { repository: 'acme/models', runId: '1001', job: 'train', name: 'refit-1001-1-train-aaaaaa' }, userData: 'echo leg a\n' }),
      request({ tags: { repository: 'acme/models', runId: '1001', job: 'train', name: 'refit-1001-1-train-bbbbbb' }, userData: 'echo leg b\n' }),
      request({ tags: { repository: 'acme/models', runId: '1001', job: 'train', name: 'refit-train-1001', extra: { 'refit-launch-id': 'one' } } }),
      request({ tags: { repository: 'acme/models', runId: '1001', job: 'train', name: 'refit-train-1001', extra: { 'refit-launch-id': 'two' } } }),
    ];
    for (const leg of legs) await launchInstances(client, leg);
    const tokens = runRequests().map((r) => r.params['ClientToken']);
    expect(tokens).toHaveLength(4);
    expect(new Set(tokens).size).toBe(4);
    // Retrying one launch still reuses its token.
    const attempt = { market: 'on-demand', instanceType: 'g5.xlarge', subnetId: 'subnet-a', index: 0 };
    expect(clientToken(legs[0]!, attempt)).toBe(clientToken({ ...legs[0]!, now: new Date() }, attempt));
  });
});

describe('launchInstances against quotas', () => {
  let emulator: Ec2Emulator;
  beforeEach(async () => {
    emulator = await startEc2Emulator({ vcpuLimit: 2 });
  });
  afterEach(async () => {
    await emulator.close();
  });

  it('VcpuLimitExceeded fails at once naming the quota, with no further attempts', async () => {
    const launch = createLaunchClient({ region: 'us-east-1', endpoint: emulator.url, credentials: { accessKeyId: 'AKIATEST', secretAccessKey: 'x' } });
    const error = await launchInstances(launch, request({ market: 'spot-then-on-demand' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    const message = (error as Error).message;
    expect(message).toMatch(/^instance-types: /);
    expect(message).toContain('VcpuLimitExceeded');
    expect(message).toContain('vCPU limit of 2');
    expect(message).toContain('Service Quotas');
    expect(emulator.state.requestsFor('RunInstances')).toHaveLength(1);
  });
});
