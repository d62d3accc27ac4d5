/** One function per EC2 action: validate, mutate state, return the response members (by xmlName). */
import { createHash } from 'node:crypto';
import { Ec2Error, defaultMessage } from './errors.js';
import { QueryParams, matchesAny, readFilters, readTagSpecifications, readTags, tagsFor } from './query.js';
import type { QueryFilter } from './query.js';
import type { HandlerContext } from './server.js';
import { STATE_CODES } from './state.js';
import type { Ec2Instance, Ec2KeyPair, Ec2SecurityGroup, Ec2SecurityGroupRule, Ec2SpotPrice, RunInstancesRecord } from './state.js';
import type { XmlObject, XmlValue } from './xml.js';

const DEFAULT_VPC = 'vpc-0default';

export type Handler = (params: QueryParams, ctx: HandlerContext) => XmlObject;

// ---------------------------------------------------------------- shared shapes

function tagSet(tags: Record<string, string>): XmlValue[] | undefined {
  const entries = Object.entries(tags);
  if (entries.length === 0) return undefined;
  return entries.map(([key, value]) => ({ key, value }));
}

function stateXml(name: Ec2Instance['state']): XmlObject {
  return { code: STATE_CODES[name], name };
}

function instanceXml(instance: Ec2Instance, ctx: HandlerContext): XmlObject {
  const request = instance.request;
  const booted = instance.state !== 'pending';
  const metadata = request.metadataOptions;
  return {
    instanceId: instance.instanceId,
    imageId: instance.imageId,
    instanceState: stateXml(instance.state),
    privateDnsName: `ip-${instance.privateIpAddress.replace(/\./g, '-')}.ec2.internal`,
    dnsName: instance.publicIpAddress ? `ec2-${instance.publicIpAddress.replace(/\./g, '-')}.compute-1.amazonaws.com` : '',
    reason: instance.stateTransitionReason,
    keyName: instance.keyName,
    amiLaunchIndex: instance.amiLaunchIndex,
    productCodes: [],
    instanceType: instance.instanceType,
    launchTime: instance.launchTime,
    placement: {
      availabilityZone: instance.availabilityZone,
      groupName: request.placement['GroupName'] ?? '',
      tenancy: request.placement['Tenancy'] ?? 'default',
    },
    monitoring: { state: 'disabled' },
    subnetId: instance.subnetId,
    vpcId: instance.vpcId,
    privateIpAddress: instance.privateIpAddress,
    ipAddress: instance.publicIpAddress,
    sourceDestCheck: true,
    groupSet: instance.securityGroups.map((group) => ({ groupId: group.groupId, groupName: group.groupName })),
    stateReason: instance.stateReason,
    architecture: ctx.state.images.get(instance.imageId)?.architecture ?? 'x86_64',
    rootDeviceType: 'ebs',
    rootDeviceName: '/dev/sda1',
    blockDeviceMapping: booted
      ? request.blockDeviceMappings.map((mapping, index) => ({
          deviceName: mapping.deviceName ?? '/dev/sda1',
          ebs: {
            volumeId: `vol-${instance.instanceId.slice(2, 15)}${String(index).padStart(4, '0')}`,
            status: instance.state === 'terminated' ? 'detached' : 'attached',
            attachTime: instance.launchTime,
            deleteOnTermination: mapping.ebs?.deleteOnTermination ?? true,
          },
        }))
      : undefined,
    instanceLifecycle: instance.lifecycle === 'spot' ? 'spot' : undefined,
    spotInstanceRequestId: instance.spotInstanceRequestId,
    clientToken: request.clientToken ?? '',
    tagSet: tagSet(instance.tags),
    hypervisor: 'xen',
    iamInstanceProfile: request.iamInstanceProfile
      ? {
          arn: request.iamInstanceProfile.arn ?? `arn:aws:iam::${ctx.accountId}:instance-profile/${request.iamInstanceProfile.name ?? ''}`,
          id: 'AIPA0000000000EXAMPLE',
        }
      : undefined,
    ebsOptimized: false,
    enaSupport: true,
    metadataOptions: {
      state: booted ? 'applied' : 'pending',
      httpTokens: metadata['HttpTokens'] ?? 'required',
      httpPutResponseHopLimit: Number(metadata['HttpPutResponseHopLimit'] ?? 2),
      httpEndpoint: metadata['HttpEndpoint'] ?? 'enabled',
      httpProtocolIpv6: metadata['HttpProtocolIpv6'] ?? 'disabled',
      instanceMetadataTags: metadata['InstanceMetadataTags'] ?? 'disabled',
    },
    virtualizationType: 'hvm',
    bootMode: 'uefi-preferred',
    platformDetails: 'Linux/UNIX',
    usageOperation: 'RunInstances',
    maintenanceOptions: { autoRecovery: 'default' },
  };
}

function reservationXml(instances: Ec2Instance[], ctx: HandlerContext): XmlObject {
  const first = instances[0];
  return {
    reservationId: first?.reservationId,
    ownerId: ctx.accountId,
    groupSet: [],
    instancesSet: instances.map((instance) => instanceXml(instance, ctx)),
  };
}

/** Page through items with MaxResults/NextToken (the token is an opaque offset). */
function paginate<T>(items: T[], params: QueryParams, bounds: { min: number; max: number }): { page: T[]; nextToken: string | undefined } {
  const maxResults = params.int('MaxResults');
  const token = params.get('NextToken');
  let start = 0;
  if (token) {
    const decoded = /^emu:(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
    if (!decoded) throw new Ec2Error('InvalidParameterValue', `The token '${token}' is invalid`);
    start = Number(decoded[1]);
  }
  if (maxResults === undefined) return { page: items.slice(start), nextToken: undefined };
  if (maxResults < bounds.min || maxResults > bounds.max) {
    throw new Ec2Error('InvalidParameterValue', `Value ( ${maxResults} ) for parameter maxResults is invalid. Expecting a value between ${bounds.min} and ${bounds.max}.`);
  }
  const end = start + maxResults;
  return { page: items.slice(start, end), nextToken: end < items.length ? Buffer.from(`emu:${end}`).toString('base64url') : undefined };
}

function matchTags(filter: QueryFilter, tags: Record<string, string>): boolean | undefined {
  if (filter.name.startsWith('tag:')) return matchesAny(filter.values, tags[filter.name.slice(4)]);
  if (filter.name === 'tag-key') return Object.keys(tags).some((key) => matchesAny(filter.values, key));
  if (filter.name === 'tag-value') return Object.values(tags).some((value) => matchesAny(filter.values, value));
  return undefined;
}

/** Apply EC2 filters: AND across filters, OR across one filter's values. */
function applyFilters<T>(items: T[], filters: QueryFilter[], fields: Record<string, (item: T) => string | string[] | undefined>, tags: (item: T) => Record<string, string>): T[] {
  for (const filter of filters) {
    if (!filter.name.startsWith('tag:') && !['tag-key', 'tag-value'].includes(filter.name) && !(filter.name in fields)) {
      throw new Ec2Error('InvalidParameterValue', `The filter '${filter.name}' is invalid`);
    }
  }
  return items.filter((item) =>
    filters.every((filter) => {
      const byTag = matchTags(filter, tags(item));
      if (byTag !== undefined) return byTag;
      const read = fields[filter.name];
      const value = read ? read(item) : undefined;
      const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
      return values.some((v) => matchesAny(filter.values, v));
    }),
  );
}

function notFoundIds(code: string, kind: string, ids: string[]): Ec2Error {
  return ids.length === 1 ? new Ec2Error(code, `The ${kind} ID '${ids[0]}' does not exist`) : new Ec2Error(code, `The ${kind} IDs '${ids.join(', ')}' do not exist`);
}

// ---------------------------------------------------------------- instances

function readRunRequest(params: QueryParams): RunInstancesRecord {
  const userData = params.get('UserData');
  let decoded: string | undefined;
  if (userData !== undefined) {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(userData) || userData.length % 4 !== 0) throw new Ec2Error('InvalidParameterValue', 'Invalid BASE64 encoding of user data.');
    decoded = Buffer.from(userData, 'base64').toString('utf8');
  }
  const market = params.get('InstanceMarketOptions.MarketType');
  const profile = params.sub('IamInstanceProfile');
  return {
    imageId: params.get('ImageId') ?? '',
    instanceType: params.get('InstanceType') ?? 'm1.small',
    minCount: params.int('MinCount') ?? 0,
    maxCount: params.int('MaxCount') ?? 0,
    subnetId: params.get('SubnetId'),
    securityGroupIds: params.list('SecurityGroupId'),
    securityGroupNames: params.list('SecurityGroup'),
    keyName: params.get('KeyName'),
    userData: decoded,
    tags: tagsFor(params, 'instance'),
    tagSpecifications: readTagSpecifications(params),
    metadataOptions: params.sub('MetadataOptions').toRecord(),
    blockDeviceMappings: params.structs('BlockDeviceMapping').map((mapping) => {
      const ebs = mapping.sub('Ebs');
      return {
        deviceName: mapping.get('DeviceName'),
        ebs: ebs.empty
          ? undefined
          : {
              volumeSize: ebs.int('VolumeSize'),
              volumeType: ebs.get('VolumeType'),
              encrypted: ebs.bool('Encrypted'),
              deleteOnTermination: ebs.bool('DeleteOnTermination'),
              kmsKeyId: ebs.get('KmsKeyId'),
              iops: ebs.int('Iops'),
              throughput: ebs.int('Throughput'),
            },
      };
    }),
    marketType: market === 'spot' ? 'spot' : 'on-demand',
    spotOptions: params.sub('InstanceMarketOptions.SpotOptions').toRecord(),
    shutdownBehavior: params.get('InstanceInitiatedShutdownBehavior'),
    iamInstanceProfile: profile.empty ? undefined : { name: profile.get('Name'), arn: profile.get('Arn') },
    placement: params.sub('Placement').toRecord(),
    clientToken: params.get('ClientToken'),
    params: params.toRecord(),
  };
}

function currentSpotPrice(ctx: HandlerContext, instanceType: string, availabilityZone: string): Ec2SpotPrice | undefined {
  return ctx.state.spotPrices
    .filter((price) => price.instanceType === instanceType && price.availabilityZone === availabilityZone && price.productDescription.startsWith('Linux/UNIX'))
    .sort((a, b) => b.timestamp.getTime() - a.timestamp.getTime())[0];
}

/** How many more instances the capacity map allows, or Infinity. */
function capacityLeft(ctx: HandlerContext, request: RunInstancesRecord, subnetId: string, availabilityZone: string): number {
  const type = request.instanceType;
  const keys = [`${type}@${subnetId}`, `${type}@${availabilityZone}`, type];
  const candidates = request.marketType === 'spot' ? [...keys.map((key) => `spot:${key}`), ...keys] : keys;
  for (const key of candidates) {
    const limit = ctx.capacity[key];
    if (limit === undefined) continue;
    const spotOnly = key.startsWith('spot:');
    const alive = ctx.state.alive().filter((instance) => {
      if (instance.instanceType !== type) return false;
      if (spotOnly && instance.lifecycle !== 'spot') return false;
      if (key.includes(`@${subnetId}`)) return instance.subnetId === subnetId;
      if (key.includes(`@${availabilityZone}`)) return instance.availabilityZone === availabilityZone;
      return true;
    }).length;
    return Math.max(0, limit - alive);
  }
  return Infinity;
}

const runInstances: Handler = (params, ctx) => {
  const request = readRunRequest(params);
  if (!request.imageId) throw new Ec2Error('MissingParameter', "The request must contain the parameter ImageId");
  if (!params.has('MinCount') || !params.has('MaxCount')) throw new Ec2Error('MissingParameter', 'The request must contain the parameters MinCount and MaxCount');
  if (request.minCount < 1 || request.maxCount < request.minCount) {
    throw new Ec2Error('InvalidParameterValue', `Invalid MinCount/MaxCount: ${request.minCount}/${request.maxCount}`);
  }
  const image = ctx.state.images.get(request.imageId);
  if (!image || image.state !== 'available') throw new Ec2Error('InvalidAMIID.NotFound', `The image id '[${request.imageId}]' does not exist`);
  const vcpus = ctx.instanceTypes[request.instanceType];
  if (vcpus === undefined) throw new Ec2Error('InvalidParameterValue', `The following supplied instance types do not exist: [${request.instanceType}]`);
  const subnet = request.subnetId === undefined ? ctx.state.subnets.values().next().value : ctx.state.subnets.get(request.subnetId);
  if (!subnet) throw new Ec2Error('InvalidSubnetID.NotFound', `The subnet ID '${request.subnetId ?? ''}' does not exist`);
  const groups: Ec2SecurityGroup[] = [];
  for (const groupId of request.securityGroupIds) {
    const group = ctx.state.securityGroups.get(groupId);
    if (!group) throw new Ec2Error('InvalidGroup.NotFound', `The security group '${groupId}' does not exist`);
    if (group.vpcId !== subnet.vpcId) throw new Ec2Error('InvalidParameter', `Security group ${groupId} and subnet ${subnet.subnetId} belong to different networks.`);
    groups.push(group);
  }
  for (const groupName of request.securityGroupNames) {
    const group = [...ctx.state.securityGroups.values()].find((g) => g.groupName === groupName && g.vpcId === subnet.vpcId);
    if (!group) throw new Ec2Error('InvalidGroup.NotFound', `The security group '${groupName}' does not exist in VPC '${subnet.vpcId}'`);
    groups.push(group);
  }
  if (groups.length === 0) {
    const fallback = [...ctx.state.securityGroups.values()].find((g) => g.groupName === 'default' && g.vpcId === subnet.vpcId);
    if (fallback) groups.push(fallback);
  }
  if (request.keyName !== undefined && ![...ctx.state.keyPairs.values()].some((key) => key.keyName === request.keyName)) {
    throw new Ec2Error('InvalidKeyPair.NotFound', `The key pair '${request.keyName}' does not exist`);
  }
  const profileName = request.iamInstanceProfile?.name;
  if (profileName !== undefined && ctx.options.instanceProfiles && !ctx.options.instanceProfiles.includes(profileName)) {
    throw new Ec2Error('InvalidParameterValue', `Value (${profileName}) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name`);
  }
  if (request.shutdownBehavior !== undefined && !['stop', 'terminate'].includes(request.shutdownBehavior)) {
    throw new Ec2Error('InvalidParameterValue', `Value (${request.shutdownBehavior}) for parameter instanceInitiatedShutdownBehavior is invalid.`);
  }
  const spot = request.marketType === 'spot';
  if (spot && request.shutdownBehavior === 'stop' && request.spotOptions['SpotInstanceType'] !== 'persistent') {
    throw new Ec2Error('InvalidParameterCombination', 'The parameter instanceInitiatedShutdownBehavior=stop is not supported for one-time spot instances.');
  }
  if (spot) {
    const maxSpot = ctx.options.maxSpotInstances;
    const aliveSpot = ctx.state.alive().filter((instance) => instance.lifecycle === 'spot').length;
    if (maxSpot !== undefined && aliveSpot + request.minCount > maxSpot) {
      throw new Ec2Error('MaxSpotInstanceCountExceeded', defaultMessage('MaxSpotInstanceCountExceeded', { action: 'RunInstances' }));
    }
    const price = currentSpotPrice(ctx, request.instanceType, subnet.availabilityZone);
    const maxPrice = request.spotOptions['MaxPrice'];
    if (price && maxPrice !== undefined && Number(maxPrice) < Number(price.price)) {
      throw new Ec2Error('SpotMaxPriceTooLow', `Your Spot request price of ${maxPrice} is lower than the minimum required Spot request fulfillment price of ${price.price}.`);
    }
  }
  if (ctx.options.vcpuLimit !== undefined) {
    const used = ctx.state.alive().reduce((sum, instance) => sum + (ctx.instanceTypes[instance.instanceType] ?? 0), 0);
    if (used + vcpus * request.minCount > ctx.options.vcpuLimit) {
      throw new Ec2Error(
        'VcpuLimitExceeded',
        `You have requested more vCPU capacity than your current vCPU limit of ${ctx.options.vcpuLimit} allows for the instance bucket that the specified instance type belongs to. Please visit http://aws.amazon.com/contact-us/ec2-request to request an adjustment to this limit.`,
      );
    }
  }
  const left = capacityLeft(ctx, request, subnet.subnetId, subnet.availabilityZone);
  if (left < request.minCount) {
    ctx.markCapacity();
    throw new Ec2Error(
      'InsufficientInstanceCapacity',
      spot
        ? 'There is no Spot capacity available that matches your request.'
        : defaultMessage('InsufficientInstanceCapacity', { action: 'RunInstances', instanceType: request.instanceType, availabilityZone: subnet.availabilityZone }),
    );
  }
  const count = Math.min(request.maxCount, left);
  const reservationId = ctx.nextId('r');
  const launched: Ec2Instance[] = [];
  for (let launchIndex = 0; launchIndex < count; launchIndex++) {
    const index = ctx.nextInstanceIndex();
    const assigned = ctx.options.ipFor?.(index, { instanceType: request.instanceType, subnetId: subnet.subnetId });
    const defaultPrivate = `10.0.${Math.floor(index / 200)}.${(index % 200) + 10}`;
    const privateIp = assigned === undefined ? defaultPrivate : typeof assigned === 'string' ? assigned : assigned.privateIp;
    const publicIp = assigned === undefined ? undefined : typeof assigned === 'string' ? assigned : assigned.publicIp ?? undefined;
    const instance: Ec2Instance = {
      instanceId: ctx.nextId('i'),
      reservationId,
      imageId: request.imageId,
      instanceType: request.instanceType,
      subnetId: subnet.subnetId,
      vpcId: subnet.vpcId,
      availabilityZone: request.placement['AvailabilityZone'] ?? subnet.availabilityZone,
      privateIpAddress: privateIp,
      publicIpAddress: publicIp,
      state: 'pending',
      stateReason: { code: 'pending', message: 'pending' },
      stateTransitionReason: '',
      launchTime: new Date(),
      amiLaunchIndex: launchIndex,
      index,
      keyName: request.keyName,
      securityGroups: groups.map((group) => ({ groupId: group.groupId, groupName: group.groupName })),
      tags: { ...request.tags },
      lifecycle: request.marketType,
      spotInstanceRequestId: spot ? ctx.nextId('sir') : undefined,
      consoleOutput: '',
      request,
      terminatedAt: undefined,
    };
    instance.consoleOutput = ctx.options.consoleOutput ? ctx.options.consoleOutput(instance) : `[    0.000000] Linux version 6.8.0-aws (emulated ${instance.instanceId})\r\n`;
    ctx.state.instances.push(instance);
    launched.push(instance);
    ctx.scheduleBoot(instance);
  }
  ctx.options.onRunInstances?.(launched);
  return reservationXml(launched, ctx);
};

const INSTANCE_FILTERS: Record<string, (instance: Ec2Instance) => string | string[] | undefined> = {
  'instance-state-name': (i) => i.state,
  'instance-state-code': (i) => String(STATE_CODES[i.state]),
  'instance-id': (i) => i.instanceId,
  'instance-type': (i) => i.instanceType,
  'image-id': (i) => i.imageId,
  'subnet-id': (i) => i.subnetId,
  'vpc-id': (i) => i.vpcId,
  'availability-zone': (i) => i.availabilityZone,
  'key-name': (i) => i.keyName,
  'instance-lifecycle': (i) => (i.lifecycle === 'spot' ? 'spot' : undefined),
  'reservation-id': (i) => i.reservationId,
  'private-ip-address': (i) => i.privateIpAddress,
  'ip-address': (i) => i.publicIpAddress,
  'placement-group-name': (i) => i.request.placement['GroupName'],
  'instance.group-id': (i) => i.securityGroups.map((g) => g.groupId),
  'instance.group-name': (i) => i.securityGroups.map((g) => g.groupName),
  'launch-time': (i) => i.launchTime.toISOString(),
};

const describeInstances: Handler = (params, ctx) => {
  const ids = params.list('InstanceId');
  if (ids.length > 0 && params.has('MaxResults')) {
    throw new Ec2Error('InvalidParameterCombination', 'The parameter instancesSet cannot be used with the parameter maxResults');
  }
  let instances = ctx.state.instances;
  if (ids.length > 0) {
    const missing = ids.filter((id) => !ctx.state.instance(id));
    if (missing.length > 0) throw notFoundIds('InvalidInstanceID.NotFound', 'instance', missing);
    instances = instances.filter((instance) => ids.includes(instance.instanceId));
  }
  instances = applyFilters(instances, readFilters(params), INSTANCE_FILTERS, (i) => i.tags);
  const { page, nextToken } = paginate(instances, params, { min: 5, max: 1000 });
  const reservations = new Map<string, Ec2Instance[]>();
  for (const instance of page) reservations.set(instance.reservationId, [...(reservations.get(instance.reservationId) ?? []), instance]);
  return {
    reservationSet: [...reservations.values()].map((group) => reservationXml(group, ctx)),
    nextToken,
  };
};

const terminateInstances: Handler = (params, ctx) => {
  const ids = params.list('InstanceId');
  if (ids.length === 0) throw new Ec2Error('MissingParameter', 'The request must contain the parameter InstanceId');
  const missing = ids.filter((id) => !ctx.state.instance(id));
  if (missing.length > 0) throw notFoundIds('InvalidInstanceID.NotFound', 'instance', missing);
  const items = ids.map((id) => {
    const instance = ctx.state.instance(id) as Ec2Instance;
    const previous = instance.state;
    if (previous !== 'terminated' && previous !== 'shutting-down') {
      instance.state = 'shutting-down';
      instance.stateReason = { code: 'Client.UserInitiatedShutdown', message: 'Client.UserInitiatedShutdown: User initiated shutdown' };
      instance.stateTransitionReason = `User initiated (${new Date().toISOString().replace(/\.\d+Z$/, ' GMT')})`;
      ctx.scheduleTermination(instance);
    }
    return { instanceId: id, currentState: stateXml(instance.state), previousState: stateXml(previous) };
  });
  return { instancesSet: items };
};

const getConsoleOutput: Handler = (params, ctx) => {
  const id = params.get('InstanceId') ?? '';
  const instance = ctx.state.instance(id);
  if (!instance) throw notFoundIds('InvalidInstanceID.NotFound', 'instance', [id]);
  return {
    instanceId: id,
    timestamp: new Date(),
    output: instance.consoleOutput === '' ? undefined : Buffer.from(instance.consoleOutput, 'utf8').toString('base64'),
  };
};

// ---------------------------------------------------------------- tags

function taggable(ctx: HandlerContext, id: string): { tags: Record<string, string> } {
  const found = id.startsWith('i-')
    ? ctx.state.instance(id)
    : id.startsWith('sg-')
      ? ctx.state.securityGroups.get(id)
      : id.startsWith('subnet-')
        ? ctx.state.subnets.get(id)
        : id.startsWith('ami-')
          ? ctx.state.images.get(id)
          : id.startsWith('key-')
            ? [...ctx.state.keyPairs.values()].find((key) => key.keyPairId === id)
            : undefined;
  if (found) return found;
  if (id.startsWith('i-')) throw notFoundIds('InvalidInstanceID.NotFound', 'instance', [id]);
  if (id.startsWith('sg-')) throw new Ec2Error('InvalidGroup.NotFound', `The security group '${id}' does not exist`);
  throw new Ec2Error('InvalidID', `The ID '${id}' is not valid`);
}

const createTags: Handler = (params, ctx) => {
  const resources = params.list('ResourceId');
  const tags = readTags(params);
  if (resources.length === 0) throw new Ec2Error('MissingParameter', 'The request must contain the parameter resourceIdSet');
  const targets = resources.map((id) => taggable(ctx, id));
  for (const target of targets) for (const tag of tags) target.tags[tag.key] = tag.value ?? '';
  return { return: true };
};

const deleteTags: Handler = (params, ctx) => {
  const tags = readTags(params);
  for (const id of params.list('ResourceId')) {
    const target = taggable(ctx, id);
    for (const tag of tags) if (tag.value === undefined || target.tags[tag.key] === tag.value) delete target.tags[tag.key];
  }
  return { return: true };
};

// ---------------------------------------------------------------- spot prices

const describeSpotPriceHistory: Handler = (params, ctx) => {
  const types = params.list('InstanceType');
  const products = params.list('ProductDescription');
  const az = params.get('AvailabilityZone');
  const start = params.get('StartTime') ? new Date(params.get('StartTime') ?? '') : undefined;
  const end = params.get('EndTime') ? new Date(params.get('EndTime') ?? '') : new Date(8.64e15);
  let prices = ctx.state.spotPrices.filter(
    (price) =>
      (types.length === 0 || types.includes(price.instanceType)) &&
      (products.length === 0 || products.includes(price.productDescription)) &&
      (az === undefined || price.availabilityZone === az) &&
      price.timestamp <= end,
  );
  prices = applyFilters(
    prices,
    readFilters(params),
    {
      'availability-zone': (p) => p.availabilityZone,
      'instance-type': (p) => p.instanceType,
      'product-description': (p) => p.productDescription,
      'spot-price': (p) => p.price,
      timestamp: (p) => p.timestamp.toISOString(),
    },
    () => ({}),
  );
  // Like EC2: entries inside [StartTime, EndTime] plus, per series, the price in effect at StartTime.
  if (start) {
    const series = new Map<string, Ec2SpotPrice[]>();
    for (const price of prices) {
      const key = `${price.instanceType}|${price.availabilityZone}|${price.productDescription}`;
      series.set(key, [...(series.get(key) ?? []), price]);
    }
    prices = [];
    for (const entries of series.values()) {
      const inRange = entries.filter((p) => p.timestamp >= start);
      const before = entries.filter((p) => p.timestamp < start).sort((a, b) => b.timestamp.getTime() - a.timestamp.getTime())[0];
      prices.push(...inRange, ...(before ? [before] : []));
    }
  }
  prices.sort((a, b) => b.timestamp.getTime() - a.timestamp.getTime());
  const { page, nextToken } = paginate(prices, params, { min: 1, max: 1000 });
  return {
    spotPriceHistorySet: page.map((price) => ({
      instanceType: price.instanceType,
      productDescription: price.productDescription,
      spotPrice: price.price,
      timestamp: price.timestamp,
      availabilityZone: price.availabilityZone,
    })),
    nextToken: nextToken ?? '',
  };
};

// ---------------------------------------------------------------- key pairs

function parsePublicKey(material: string): { keyType: 'rsa' | 'ed25519'; fingerprint: string } {
  const [kind, blob] = material.trim().split(/\s+/);
  const bytes = blob && /^[A-Za-z0-9+/]+=*$/.test(blob) ? Buffer.from(blob, 'base64') : undefined;
  if (!bytes || bytes.length < 16 || (kind !== 'ssh-ed25519' && kind !== 'ssh-rsa')) {
    throw new Ec2Error('InvalidKey.Format', 'Key is not in valid OpenSSH public key format');
  }
  if (kind === 'ssh-ed25519') return { keyType: 'ed25519', fingerprint: createHash('sha256').update(bytes).digest('base64') };
  // EC2 uses the MD5 of the DER public key for imported RSA keys; the MD5 of the SSH blob has the same shape.
  const md5 = createHash('md5').update(bytes).digest('hex');
  return { keyType: 'rsa', fingerprint: md5.match(/../g)?.join(':') ?? md5 };
}

function keyPairXml(key: Ec2KeyPair, includePublicKey: boolean): XmlObject {
  return {
    keyPairId: key.keyPairId,
    keyName: key.keyName,
    keyFingerprint: key.fingerprint,
    keyType: key.keyType,
    tagSet: tagSet(key.tags),
    publicKey: includePublicKey ? key.publicKey : undefined,
    createTime: key.createTime,
  };
}

const importKeyPair: Handler = (params, ctx) => {
  const keyName = params.get('KeyName');
  const material = params.get('PublicKeyMaterial');
  if (!keyName) throw new Ec2Error('MissingParameter', 'The request must contain the parameter KeyName');
  if (!material) throw new Ec2Error('MissingParameter', 'The request must contain the parameter PublicKeyMaterial');
  if ([...ctx.state.keyPairs.values()].some((key) => key.keyName === keyName)) {
    throw new Ec2Error('InvalidKeyPair.Duplicate', `The keypair '${keyName}' already exists.`);
  }
  // The SDK base64-encodes the blob (the key text) on the wire.
  const publicKey = Buffer.from(material, 'base64').toString('utf8').trim();
  const { keyType, fingerprint } = parsePublicKey(publicKey);
  const key: Ec2KeyPair = {
    keyPairId: ctx.nextId('key'),
    keyName,
    keyType,
    publicKey,
    fingerprint,
    createTime: new Date(),
    tags: tagsFor(params, 'key-pair'),
  };
  ctx.state.keyPairs.set(key.keyPairId, key);
  return { keyFingerprint: key.fingerprint, keyName, keyPairId: key.keyPairId, tagSet: tagSet(key.tags) };
};

const deleteKeyPair: Handler = (params, ctx) => {
  const name = params.get('KeyName');
  const id = params.get('KeyPairId');
  if (name === undefined && id === undefined) throw new Ec2Error('MissingParameter', 'The request must contain the parameter KeyName or KeyPairId');
  // Idempotent, as on EC2: deleting a missing key pair still returns true.
  const key = [...ctx.state.keyPairs.values()].find((k) => (id !== undefined ? k.keyPairId === id : k.keyName === name));
  if (key) ctx.state.keyPairs.delete(key.keyPairId);
  return { return: true, keyPairId: key?.keyPairId };
};

const describeKeyPairs: Handler = (params, ctx) => {
  const names = params.list('KeyName');
  const ids = params.list('KeyPairId');
  let keys = [...ctx.state.keyPairs.values()];
  for (const name of names) if (!keys.some((k) => k.keyName === name)) throw new Ec2Error('InvalidKeyPair.NotFound', `The key pair '${name}' does not exist`);
  for (const id of ids) if (!keys.some((k) => k.keyPairId === id)) throw new Ec2Error('InvalidKeyPair.NotFound', `The key pair ID '${id}' does not exist`);
  if (names.length > 0) keys = keys.filter((k) => names.includes(k.keyName));
  if (ids.length > 0) keys = keys.filter((k) => ids.includes(k.keyPairId));
  keys = applyFilters(
    keys,
    readFilters(params),
    { 'key-name': (k) => k.keyName, 'key-pair-id': (k) => k.keyPairId, fingerprint: (k) => k.fingerprint, 'key-type': (k) => k.keyType },
    (k) => k.tags,
  );
  return { keySet: keys.map((key) => keyPairXml(key, params.bool('IncludePublicKey') === true)) };
};

// ---------------------------------------------------------------- security groups

function readPermissions(params: QueryParams, ctx: HandlerContext): Ec2SecurityGroupRule[] {
  const permissions = params.structs('IpPermissions').map((permission) => ({
    ipProtocol: permission.get('IpProtocol') ?? '-1',
    fromPort: permission.int('FromPort'),
    toPort: permission.int('ToPort'),
    cidrIpv4: permission.structs('IpRanges').map((range) => range.get('CidrIp') ?? ''),
    cidrIpv6: permission.structs('Ipv6Ranges').map((range) => range.get('CidrIpv6') ?? ''),
    groupIds: permission.structs('Groups').map((pair) => pair.get('GroupId') ?? ''),
    description: permission.structs('IpRanges')[0]?.get('Description'),
  }));
  if (params.has('CidrIp') || params.has('IpProtocol')) {
    permissions.push({
      ipProtocol: params.get('IpProtocol') ?? '-1',
      fromPort: params.int('FromPort'),
      toPort: params.int('ToPort'),
      cidrIpv4: params.has('CidrIp') ? [params.get('CidrIp') ?? ''] : [],
      cidrIpv6: [],
      groupIds: [],
      description: undefined,
    });
  }
  if (permissions.length === 0) throw new Ec2Error('MissingParameter', 'The request must contain the parameter ipPermissions');
  return permissions.map((permission) => ({ ruleId: ctx.nextId('sgr'), ...permission }));
}

function findGroup(params: QueryParams, ctx: HandlerContext): Ec2SecurityGroup {
  const id = params.get('GroupId');
  const name = params.get('GroupName');
  const group = id !== undefined ? ctx.state.securityGroups.get(id) : [...ctx.state.securityGroups.values()].find((g) => g.groupName === name);
  if (!group) throw new Ec2Error('InvalidGroup.NotFound', `The security group '${id ?? name ?? ''}' does not exist`);
  return group;
}

function permissionsXml(rules: Ec2SecurityGroupRule[]): XmlValue[] {
  return rules.map((rule) => ({
    ipProtocol: rule.ipProtocol,
    fromPort: rule.fromPort,
    toPort: rule.toPort,
    groups: rule.groupIds.map((groupId) => ({ groupId })),
    ipRanges: rule.cidrIpv4.map((cidrIp) => ({ cidrIp, description: rule.description })),
    ipv6Ranges: rule.cidrIpv6.map((cidrIpv6) => ({ cidrIpv6 })),
    prefixListIds: [],
  }));
}

function sameRule(a: Ec2SecurityGroupRule, b: Ec2SecurityGroupRule): boolean {
  return (
    a.ipProtocol === b.ipProtocol &&
    a.fromPort === b.fromPort &&
    a.toPort === b.toPort &&
    a.cidrIpv4.some((cidr) => b.cidrIpv4.includes(cidr))
  );
}

const createSecurityGroup: Handler = (params, ctx) => {
  const groupName = params.get('GroupName');
  const description = params.get('GroupDescription');
  if (!groupName) throw new Ec2Error('MissingParameter', 'The request must contain the parameter groupName');
  if (!description) throw new Ec2Error('MissingParameter', 'The request must contain the parameter groupDescription');
  const vpcId = params.get('VpcId') ?? ctx.state.subnets.values().next().value?.vpcId ?? 'vpc-0default';
  if (![...ctx.state.subnets.values()].some((subnet) => subnet.vpcId === vpcId)) throw new Ec2Error('InvalidVpcID.NotFound', `The vpc ID '${vpcId}' does not exist`);
  if ([...ctx.state.securityGroups.values()].some((g) => g.groupName === groupName && g.vpcId === vpcId)) {
    throw new Ec2Error('InvalidGroup.Duplicate', `The security group '${groupName}' already exists for VPC '${vpcId}'`);
  }
  const groupId = ctx.nextId('sg');
  const group: Ec2SecurityGroup = {
    groupId,
    groupName,
    description,
    vpcId,
    ingress: [],
    egress: [{ ruleId: ctx.nextId('sgr'), ipProtocol: '-1', fromPort: undefined, toPort: undefined, cidrIpv4: ['0.0.0.0/0'], cidrIpv6: [], groupIds: [], description: undefined }],
    tags: tagsFor(params, 'security-group'),
  };
  ctx.state.securityGroups.set(groupId, group);
  return { groupId, tagSet: tagSet(group.tags), securityGroupArn: `arn:aws:ec2:${ctx.region}:${ctx.accountId}:security-group/${groupId}` };
};

const authorizeSecurityGroupIngress: Handler = (params, ctx) => {
  const group = findGroup(params, ctx);
  const rules = readPermissions(params, ctx);
  for (const rule of rules) {
    if (group.ingress.some((existing) => sameRule(existing, rule))) {
      throw new Ec2Error('InvalidPermission.Duplicate', `the specified rule "peer: ${rule.cidrIpv4.join(',')}, ${rule.ipProtocol.toUpperCase()}, from port: ${rule.fromPort ?? ''}, to port: ${rule.toPort ?? ''}, ALLOW" already exists`);
    }
  }
  group.ingress.push(...rules);
  return {
    return: true,
    securityGroupRuleSet: rules.flatMap((rule) =>
      (rule.cidrIpv4.length > 0 ? rule.cidrIpv4 : [undefined]).map((cidr) => ({
        securityGroupRuleId: rule.ruleId,
        groupId: group.groupId,
        groupOwnerId: ctx.accountId,
        isEgress: false,
        ipProtocol: rule.ipProtocol,
        fromPort: rule.fromPort,
        toPort: rule.toPort,
        cidrIpv4: cidr,
        description: rule.description,
      })),
    ),
  };
};

const revokeSecurityGroupIngress: Handler = (params, ctx) => {
  const group = findGroup(params, ctx);
  const rules = readPermissions(params, ctx);
  group.ingress = group.ingress.filter((existing) => !rules.some((rule) => sameRule(existing, rule)));
  return { return: true };
};

const deleteSecurityGroup: Handler = (params, ctx) => {
  const group = findGroup(params, ctx);
  if (group.groupName === 'default') throw new Ec2Error('CannotDelete', `the specified group: "${group.groupId}" name: "default" cannot be deleted by a user`);
  const users = ctx.state.alive().filter((instance) => instance.securityGroups.some((g) => g.groupId === group.groupId));
  if (users.length > 0) throw new Ec2Error('DependencyViolation', `resource ${group.groupId} has a dependent object`);
  ctx.state.securityGroups.delete(group.groupId);
  return { return: true, groupId: group.groupId };
};

const describeSecurityGroups: Handler = (params, ctx) => {
  const ids = params.list('GroupId');
  const names = params.list('GroupName');
  let groups = [...ctx.state.securityGroups.values()];
  for (const id of ids) if (!ctx.state.securityGroups.has(id)) throw new Ec2Error('InvalidGroup.NotFound', `The security group '${id}' does not exist`);
  for (const name of names) if (!groups.some((g) => g.groupName === name)) throw new Ec2Error('InvalidGroup.NotFound', `The security group '${name}' does not exist in default VPC '${DEFAULT_VPC}'`);
  if (ids.length > 0) groups = groups.filter((g) => ids.includes(g.groupId));
  if (names.length > 0) groups = groups.filter((g) => names.includes(g.groupName));
  groups = applyFilters(
    groups,
    readFilters(params),
    { 'group-id': (g) => g.groupId, 'group-name': (g) => g.groupName, 'vpc-id': (g) => g.vpcId, description: (g) => g.description },
    (g) => g.tags,
  );
  const { page, nextToken } = paginate(groups, params, { min: 5, max: 1000 });
  return {
    securityGroupInfo: page.map((group) => ({
      ownerId: ctx.accountId,
      groupId: group.groupId,
      groupName: group.groupName,
      groupDescription: group.description,
      vpcId: group.vpcId,
      securityGroupArn: `arn:aws:ec2:${ctx.region}:${ctx.accountId}:security-group/${group.groupId}`,
      ipPermissions: permissionsXml(group.ingress),
      ipPermissionsEgress: permissionsXml(group.egress),
      tagSet: tagSet(group.tags),
    })),
    nextToken,
  };
};
// ---------------------------------------------------------------- subnets and images

const describeSubnets: Handler = (params, ctx) => {
  const ids = params.list('SubnetId');
  let subnets = [...ctx.state.subnets.values()];
  const missing = ids.filter((id) => !ctx.state.subnets.has(id));
  if (missing.length > 0) throw notFoundIds('InvalidSubnetID.NotFound', 'subnet', missing);
  if (ids.length > 0) subnets = subnets.filter((s) => ids.includes(s.subnetId));
  subnets = applyFilters(
    subnets,
    readFilters(params),
    {
      'subnet-id': (s) => s.subnetId,
      'vpc-id': (s) => s.vpcId,
      'availability-zone': (s) => s.availabilityZone,
      'default-for-az': (s) => String(s.defaultForAz),
      'cidr-block': (s) => s.cidrBlock,
      state: () => 'available',
    },
    (s) => s.tags,
  );
  const { page, nextToken } = paginate(subnets, params, { min: 5, max: 1000 });
  return {
    subnetSet: page.map((subnet, index) => ({
      subnetId: subnet.subnetId,
      subnetArn: `arn:aws:ec2:${ctx.region}:${ctx.accountId}:subnet/${subnet.subnetId}`,
      state: 'available',
      vpcId: subnet.vpcId,
      ownerId: ctx.accountId,
      cidrBlock: subnet.cidrBlock,
      availableIpAddressCount: 250,
      availabilityZone: subnet.availabilityZone,
      availabilityZoneId: `use1-az${index + 1}`,
      defaultForAz: subnet.defaultForAz,
      mapPublicIpOnLaunch: subnet.mapPublicIpOnLaunch,
      tagSet: tagSet(subnet.tags),
    })),
    nextToken,
  };
};

const describeImages: Handler = (params, ctx) => {
  const ids = params.list('ImageId');
  const owners = params.list('Owner');
  let images = [...ctx.state.images.values()];
  const missing = ids.filter((id) => !ctx.state.images.has(id));
  if (missing.length > 0) {
    throw new Ec2Error('InvalidAMIID.NotFound', missing.length === 1 ? `The image id '[${missing[0]}]' does not exist` : `The image ids '[${missing.join(', ')}]' do not exist`);
  }
  if (ids.length > 0) images = images.filter((image) => ids.includes(image.imageId));
  if (owners.length > 0) images = images.filter((image) => owners.includes(image.ownerId) || (owners.includes('self') && image.ownerId === ctx.accountId));
  images = applyFilters(
    images,
    readFilters(params),
    {
      'image-id': (i) => i.imageId,
      name: (i) => i.name,
      state: (i) => i.state,
      architecture: (i) => i.architecture,
      'owner-id': (i) => i.ownerId,
      description: (i) => i.description,
    },
    (i) => i.tags,
  );
  const { page, nextToken } = paginate(images, params, { min: 5, max: 1000 });
  return {
    imagesSet: page.map((image) => ({
      imageId: image.imageId,
      imageLocation: `${image.ownerId}/${image.name}`,
      imageState: image.state,
      imageOwnerId: image.ownerId,
      creationDate: image.creationDate,
      isPublic: false,
      architecture: image.architecture,
      imageType: 'machine',
      name: image.name,
      description: image.description,
      rootDeviceType: 'ebs',
      rootDeviceName: '/dev/sda1',
      virtualizationType: 'hvm',
      hypervisor: 'xen',
      enaSupport: true,
      platformDetails: 'Linux/UNIX',
      usageOperation: 'RunInstances',
      tagSet: tagSet(image.tags),
    })),
    nextToken,
  };
};

export const handlers: Record<string, Handler> = {
  RunInstances: runInstances,
  DescribeInstances: describeInstances,
  TerminateInstances: terminateInstances,
  GetConsoleOutput: getConsoleOutput,
  CreateTags: createTags,
  DeleteTags: deleteTags,
  DescribeSpotPriceHistory: describeSpotPriceHistory,
  ImportKeyPair: importKeyPair,
  DeleteKeyPair: deleteKeyPair,
  DescribeKeyPairs: describeKeyPairs,
  CreateSecurityGroup: createSecurityGroup,
  AuthorizeSecurityGroupIngress: authorizeSecurityGroupIngress,
  RevokeSecurityGroupIngress: revokeSecurityGroupIngress,
  DeleteSecurityGroup: deleteSecurityGroup,
  DescribeSecurityGroups: describeSecurityGroups,
  DescribeSubnets: describeSubnets,
  DescribeImages: describeImages,
};
