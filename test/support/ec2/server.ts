/**
 * A local EC2 endpoint for tests, speaking the EC2 Query protocol to the real @aws-sdk/client-ec2
 * (point it here with `endpoint` or AWS_ENDPOINT_URL_EC2). Listens on 127.0.0.1 only.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Ec2Error, defaultMessage, statusFor } from './errors.js';
import { handlers } from './handlers.js';
import { QueryParams } from './query.js';
import { Ec2State } from './state.js';
import type { Ec2RequestLog, Ec2Image, Ec2Instance, Ec2SecurityGroupRule, Ec2SpotPrice, Ec2Subnet, InstanceStateName } from './state.js';
import { errorXml, responseXml } from './xml.js';

export interface Ec2FaultRequest {
  action: string;
  /** The flattened query parameters, e.g. `params['InstanceType']`, `params['SubnetId']`. */
  params: Record<string, string>;
  accessKeyId: string | undefined;
}

export interface Ec2FaultSpec {
  /** Action name (`RunInstances`), or omitted for any action. */
  action?: string;
  code: string;
  message?: string;
  /** HTTP status; defaults by code (500 for InsufficientInstanceCapacity, 403 UnauthorizedOperation, else 400…). */
  status?: number;
  /** How many matching requests fail (default 1; `Infinity` for all). SDK retries of 5xx count too. */
  times?: number;
  when?: (request: Ec2FaultRequest) => boolean;
}

export interface Ec2Fault {
  readonly spec: Ec2FaultSpec;
  /** Failures left. */
  remaining: number;
  /** Requests this fault has failed. */
  hits: number;
  cancel(): void;
}

export type Ec2IpAssignment = string | { privateIp: string; publicIp?: string | null };

export interface Ec2EmulatorOptions {
  /** AMIs RunInstances accepts (default: one, DEFAULT_IMAGE_ID). */
  images?: Array<Partial<Ec2Image> & { imageId: string }>;
  /** Subnets (default: subnet-a in us-east-1a and subnet-b in us-east-1b, VPC vpc-default). The first is used when RunInstances names none. */
  subnets?: Array<Partial<Ec2Subnet> & { subnetId: string; availabilityZone: string }>;
  /** Instance types RunInstances accepts, with their vCPUs (default: a list of common CPU and GPU types). */
  instanceTypes?: Record<string, number>;
  /** Seeded spot price history. */
  spotPrices?: Array<Omit<Ec2SpotPrice, 'productDescription' | 'price' | 'timestamp'> & { productDescription?: string; price: string | number; timestamp: Date | string }>;
  /**
   * How many instances may be alive (not terminated) at once per `type@subnet`, `type@az` or `type`;
   * prefix a key with `spot:` to limit spot launches only. Beyond it RunInstances fails with
   * InsufficientInstanceCapacity (HTTP 500). E.g. `{ 'g5.xlarge@subnet-a': 0 }`.
   */
  capacity?: Record<string, number>;
  /** Total vCPUs of alive instances allowed; beyond it VcpuLimitExceeded (default unlimited). */
  vcpuLimit?: number;
  /** Spot instances alive allowed; beyond it MaxSpotInstanceCountExceeded (default unlimited). */
  maxSpotInstances?: number;
  /** IP for the Nth launched instance (0-based, across the emulator's life). A string sets both private and public IP. */
  ipFor?: (instanceIndex: number, instance: { instanceType: string; subnetId: string }) => Ec2IpAssignment;
  /** Milliseconds from pending to running (default 0: running right after RunInstances answers); 'manual' waits for `setInstanceState`. */
  bootDelayMs?: number | 'manual';
  /** Milliseconds from shutting-down to terminated (default 0); 'manual' waits for `setInstanceState`. */
  terminateDelayMs?: number | 'manual';
  /** Initial console output for an instance (default: a short boot log). */
  consoleOutput?: (instance: Ec2Instance) => string;
  /**
   * Called after RunInstances created its instances (before the response), e.g. to act on the
   * decoded user data (`instance.request.userData`) or append console output, as an instance booting would.
   */
  onRunInstances?: (instances: Ec2Instance[]) => void;
  /** IAM instance profile names RunInstances accepts (default: any). */
  instanceProfiles?: string[];
  /** Require a SigV4 Authorization header (default true): requests without one get AuthFailure. */
  requireAuth?: boolean;
  region?: string;
  accountId?: string;
}

export const DEFAULT_IMAGE_ID = 'ami-0123456789abcdef0';
export const DEFAULT_VPC_ID = 'vpc-0default';

const DEFAULT_INSTANCE_TYPES: Record<string, number> = {
  't3.micro': 2,
  't3.small': 2,
  't3.medium': 2,
  't3.large': 2,
  'm5.large': 2,
  'm5.xlarge': 4,
  'c5.xlarge': 4,
  'c5.2xlarge': 8,
  'g4dn.xlarge': 4,
  'g4dn.2xlarge': 8,
  'g4dn.12xlarge': 48,
  'g5.xlarge': 4,
  'g5.2xlarge': 8,
  'g5.4xlarge': 16,
  'g5.12xlarge': 48,
  'g5.48xlarge': 192,
  'g6.xlarge': 4,
  'g6.2xlarge': 8,
  'g6e.xlarge': 4,
  'g6e.2xlarge': 8,
  'p3.2xlarge': 8,
  'p4d.24xlarge': 96,
  'p5.48xlarge': 192,
};

export interface Ec2EmulatorContext {
  readonly state: Ec2State;
  readonly options: Ec2EmulatorOptions;
  readonly instanceTypes: Record<string, number>;
  readonly region: string;
  readonly accountId: string;
  nextId(prefix: string): string;
  nextInstanceIndex(): number;
  scheduleBoot(instance: Ec2Instance): void;
  scheduleTermination(instance: Ec2Instance): void;
}

export interface HandlerContext extends Ec2EmulatorContext {
  /** The live capacity map (see `Ec2EmulatorOptions.capacity`). */
  readonly capacity: Record<string, number>;
  /** Record that the response is the capacity map's doing. */
  markCapacity(): void;
}

export class Ec2Emulator {
  readonly state = new Ec2State();
  readonly options: Ec2EmulatorOptions;
  /** `http://127.0.0.1:<port>` once started. */
  url = '';
  capacity: Record<string, number>;
  private readonly faults: Array<Ec2Fault> = [];
  private server: Server | null = null;
  private counter = 0;
  private instanceIndex = 0;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly context: Ec2EmulatorContext;

  constructor(options: Ec2EmulatorOptions = {}) {
    this.options = options;
    this.capacity = { ...(options.capacity ?? {}) };
    const region = options.region ?? 'us-east-1';
    for (const image of options.images ?? [{ imageId: DEFAULT_IMAGE_ID, name: 'refit-gpu-test-image' }]) this.addImage(image);
    const subnets = options.subnets ?? [
      { subnetId: 'subnet-a', availabilityZone: `${region}a`, cidrBlock: '10.0.0.0/24' },
      { subnetId: 'subnet-b', availabilityZone: `${region}b`, cidrBlock: '10.0.1.0/24' },
    ];
    for (const subnet of subnets) this.addSubnet(subnet);
    const vpcs = new Set([...this.state.subnets.values()].map((subnet) => subnet.vpcId));
    for (const vpcId of vpcs) {
      const groupId = vpcId === DEFAULT_VPC_ID ? 'sg-0default' : `sg-default-${vpcId}`;
      this.state.securityGroups.set(groupId, {
        groupId,
        groupName: 'default',
        description: 'default VPC security group',
        vpcId,
        ingress: [],
        egress: [allowAllEgress('sgr-0default-egress')],
        tags: {},
      });
    }
    for (const price of options.spotPrices ?? []) this.addSpotPrice(price);
    const self = this;
    this.context = {
      state: this.state,
      options,
      instanceTypes: options.instanceTypes ?? DEFAULT_INSTANCE_TYPES,
      region,
      accountId: options.accountId ?? '123456789012',
      nextId: (prefix) => self.nextId(prefix),
      nextInstanceIndex: () => self.instanceIndex++,
      scheduleBoot: (instance) => self.schedule(instance, options.bootDelayMs ?? 0, 'pending', 'running'),
      scheduleTermination: (instance) => self.schedule(instance, options.terminateDelayMs ?? 0, 'shutting-down', 'terminated'),
    };
  }

  async start(): Promise<string> {
    if (this.server) return this.url;
    const server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(error));
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this.url;
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Fail the next matching request(s) with an EC2 error. */
  failNext(spec: Ec2FaultSpec): Ec2Fault {
    const faults = this.faults;
    const fault: Ec2Fault = {
      spec,
      remaining: spec.times ?? 1,
      hits: 0,
      cancel() {
        const index = faults.indexOf(fault);
        if (index >= 0) faults.splice(index, 1);
      },
    };
    faults.push(fault);
    return fault;
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  setCapacity(key: string, count: number | undefined): void {
    if (count === undefined) delete this.capacity[key];
    else this.capacity[key] = count;
  }

  addImage(image: Partial<Ec2Image> & { imageId: string }): Ec2Image {
    const full: Ec2Image = {
      name: image.imageId,
      ownerId: '123456789012',
      architecture: 'x86_64',
      state: 'available',
      creationDate: '2024-01-01T00:00:00.000Z',
      tags: {},
      ...image,
    };
    this.state.images.set(full.imageId, full);
    return full;
  }

  addSubnet(subnet: Partial<Ec2Subnet> & { subnetId: string; availabilityZone: string }): Ec2Subnet {
    const full: Ec2Subnet = {
      vpcId: DEFAULT_VPC_ID,
      cidrBlock: `10.0.${this.state.subnets.size}.0/24`,
      defaultForAz: true,
      mapPublicIpOnLaunch: true,
      tags: {},
      ...subnet,
    };
    this.state.subnets.set(full.subnetId, full);
    return full;
  }

  addSpotPrice(price: { instanceType: string; availabilityZone: string; productDescription?: string; price: string | number; timestamp: Date | string }): void {
    this.state.spotPrices.push({
      instanceType: price.instanceType,
      availabilityZone: price.availabilityZone,
      productDescription: price.productDescription ?? 'Linux/UNIX',
      price: typeof price.price === 'number' ? price.price.toFixed(6) : price.price,
      timestamp: new Date(price.timestamp),
    });
  }

  /** Append to an instance's console output (GetConsoleOutput returns it base64-encoded). */
  appendConsoleOutput(instanceId: string, text: string): void {
    const instance = this.requireInstance(instanceId);
    instance.consoleOutput += text;
  }

  /** Move an instance to a state now (e.g. with bootDelayMs 'manual', or to simulate a spot interruption). */
  setInstanceState(instanceId: string, state: InstanceStateName, reason?: { code: string; message: string }): Ec2Instance {
    const instance = this.requireInstance(instanceId);
    instance.state = state;
    if (reason) {
      instance.stateReason = reason;
      instance.stateTransitionReason = reason.message;
    }
    if (state === 'terminated') instance.terminatedAt ??= new Date();
    return instance;
  }

  private requireInstance(instanceId: string): Ec2Instance {
    const instance = this.state.instance(instanceId);
    if (!instance) throw new Error(`EC2 emulator: no instance ${instanceId}`);
    return instance;
  }

  private nextId(prefix: string): string {
    this.counter++;
    return `${prefix}-${this.counter.toString(16).padStart(17, '0')}`;
  }

  private schedule(instance: Ec2Instance, delay: number | 'manual', from: InstanceStateName, to: InstanceStateName): void {
    if (delay === 'manual') return;
    const apply = (): void => {
      if (instance.state !== from) return;
      instance.state = to;
      if (to === 'terminated') instance.terminatedAt = new Date();
      if (to === 'running') instance.stateReason = undefined;
    };
    if (delay <= 0) {
      // After the response is written: RunInstances/TerminateInstances still report the first state.
      setImmediate(apply);
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      apply();
    }, delay);
    timer.unref();
    this.timers.add(timer);
  }

  private takeFault(request: Ec2FaultRequest): Ec2Fault | undefined {
    for (const fault of this.faults) {
      if (fault.remaining <= 0) continue;
      if (fault.spec.action !== undefined && fault.spec.action !== request.action) continue;
      if (fault.spec.when && !fault.spec.when(request)) continue;
      fault.remaining--;
      fault.hits++;
      if (fault.remaining <= 0) fault.cancel();
      return fault;
    }
    return undefined;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    // EC2 also accepts the query string (GET); the SDK always POSTs a form body.
    const params = QueryParams.parse(req.method === 'GET' ? url.search.slice(1) : body);
    const action = params.get('Action') ?? '';
    const requestId = randomUUID();
    const credential = parseAuthorization(req.headers['authorization']);
    const log = {
      action,
      params: params.toRecord(),
      status: 200,
      accessKeyId: credential?.accessKeyId,
      region: credential?.region,
      requestId,
    } as Ec2RequestLog;
    this.state.requests.push(log);
    if (credential) this.state.accessKeyIds.push(credential.accessKeyId);

    const send = (status: number, xml: string): void => {
      log.status = status;
      res.writeHead(status, { 'content-type': 'text/xml;charset=UTF-8', 'x-amzn-requestid': requestId });
      res.end(xml);
    };
    const fail = (error: Ec2Error): void => {
      log.code = error.code;
      log.message = error.message;
      send(error.status, errorXml(error.code, error.message, requestId));
    };

    try {
      if (req.method !== 'POST' && req.method !== 'GET') throw new Ec2Error('InvalidAction', `The HTTP method ${req.method ?? ''} is not supported.`);
      if (this.options.requireAuth !== false) {
        if (!credential) throw new Ec2Error('AuthFailure', 'AWS was not able to validate the provided access credentials');
        if (credential.service !== 'ec2') throw new Ec2Error('AuthFailure', `Credential should be scoped to correct service: 'ec2'.`);
      }
      const handler = handlers[action];
      if (!handler) throw new Ec2Error('InvalidAction', `The action ${action || '(none)'} is not valid for this web service.`);
      const fault = this.takeFault({ action, params: log.params, accessKeyId: credential?.accessKeyId });
      if (fault) {
        log.injected = 'failNext';
        const { code } = fault.spec;
        throw new Ec2Error(
          code,
          fault.spec.message ??
            defaultMessage(code, {
              action,
              instanceType: params.get('InstanceType'),
              availabilityZone: this.state.subnets.get(params.get('SubnetId') ?? '')?.availabilityZone,
            }),
          fault.spec.status ?? statusFor(code),
        );
      }
      if (params.bool('DryRun')) {
        throw new Ec2Error('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.');
      }
      const result = handler(params, { ...this.context, capacity: this.capacity, markCapacity: () => (log.injected = 'capacity') });
      send(200, responseXml(action, requestId, result));
    } catch (error) {
      if (error instanceof Ec2Error) fail(error);
      else fail(new Ec2Error('InternalError', `EC2 emulator: ${error instanceof Error ? error.stack ?? error.message : String(error)}`, 500));
    }
  }
}

export function allowAllEgress(ruleId: string): Ec2SecurityGroupRule {
  return { ruleId, ipProtocol: '-1', fromPort: undefined, toPort: undefined, cidrIpv4: ['0.0.0.0/0'], cidrIpv6: [], groupIds: [], description: undefined };
}

/** `AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/ec2/aws4_request, SignedHeaders=…, Signature=…` */
export function parseAuthorization(header: string | undefined): { accessKeyId: string; region: string; service: string } | undefined {
  if (!header) return undefined;
  const match = /^AWS4-HMAC-SHA256\s+Credential=([^/,\s]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request\s*,\s*SignedHeaders=[^,]+,\s*Signature=[0-9a-f]+$/.exec(header.trim());
  if (!match) return undefined;
  return { accessKeyId: match[1] ?? '', region: match[3] ?? '', service: match[4] ?? '' };
}

/** Start an emulator on 127.0.0.1 with an OS-chosen port. */
export async function startEc2Emulator(options: Ec2EmulatorOptions = {}): Promise<Ec2Emulator> {
  const emulator = new Ec2Emulator(options);
  await emulator.start();
  return emulator;
}
