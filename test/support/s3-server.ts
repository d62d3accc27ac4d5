/**
 * A real S3-compatible server on loopback for tests: s3rver (the npm package, objects on disk in a
 * temporary directory), reached by the real @aws-sdk/client-s3 through AWS_ENDPOINT_URL_S3.
 *
 * s3rver 3.7.1 predates S3's conditional writes: it ignores `If-Match` and `If-None-Match` on
 * PUT. So this helper puts a small conditional-write layer in front of its router, implementing
 * what AWS documents for PutObject:
 *   - `If-None-Match: *`: 412 PreconditionFailed when the key exists;
 *   - `If-Match: <etag>`: 412 PreconditionFailed when the key is missing or its ETag differs;
 *   - requests on one key are serialized, so a conditional PUT's check and write happen as one
 *     step, and a GET never sees an object half-written (s3rver writes the file in place, where
 *     S3 replaces an object atomically).
 * It also decodes `Content-Encoding: aws-chunked` bodies, as S3 does: the AWS SDK sends a streamed
 * PutObject body framed in chunks with a trailing checksum, which s3rver would store verbatim.
 * Everything else (storage, ETags, GET, HEAD, listing, signatures' access key) is s3rver's own.
 * s3rver knows one key pair (S3RVER); the signature check is relaxed so the shared test
 * credentials of `useAwsEndpoint` work.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { useAwsEndpoint } from './aws-env.js';

const require = createRequire(import.meta.url);
type Middleware = (ctx: KoaContext, next: () => Promise<void>) => Promise<void>;
interface KoaContext {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  req: import('node:http').IncomingMessage;
  res: import('node:http').ServerResponse;
}
interface S3rverInstance {
  middleware: Middleware[];
  store: { getMetadata(bucket: string, key: string): Promise<{ etag: string }> };
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
const S3rver = require('s3rver') as new (options: Record<string, unknown>) => S3rverInstance;
const S3Error = require('s3rver/lib/models/error.js') as new (code: string, message: string, detail?: Record<string, string>) => Error;

export interface S3ServerCounters {
  /** Conditional PUTs refused with 412. */
  preconditionFailed: number;
  /** Conditional PUTs let through. */
  conditionalWrites: number;
}

export class S3Server {
  readonly counters: S3ServerCounters = { preconditionFailed: 0, conditionalWrites: 0 };
  endpoint = '';
  private server: S3rverInstance | null = null;
  private readonly dir = mkdtempSync(join(tmpdir(), 'refit-s3rver-'));
  /** The tail of each key's queue of requests. */
  private readonly locks = new Map<string, Promise<void>>();

  constructor(readonly buckets: string[]) {}

  async start(): Promise<string> {
    const server = new S3rver({
      address: '127.0.0.1',
      port: 0,
      silent: true,
      directory: this.dir,
      allowMismatchedSignatures: true,
      configureBuckets: this.buckets.map((name) => ({ name })),
    });
    // Koa composes its middleware when it starts listening: this runs before s3rver's router.
    server.middleware.unshift((ctx, next) => this.conditional(server, ctx, next));
    const address = await server.run();
    this.server = server;
    this.endpoint = `http://127.0.0.1:${address.port}`;
    return this.endpoint;
  }

  async stop(): Promise<void> {
    await this.server?.close();
    this.server = null;
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Variables that point a child process's AWS SDK at this server. */
  env(): Record<string, string> {
    return { AWS_ENDPOINT_URL_S3: this.endpoint, AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1', AWS_EC2_METADATA_DISABLED: 'true' };
  }

  private async conditional(server: S3rverInstance, ctx: KoaContext, next: () => Promise<void>): Promise<void> {
    const [, bucket, ...rest] = ctx.path.split('/');
    const key = decodeURIComponent(rest.join('/'));
    if (!['PUT', 'GET', 'HEAD'].includes(ctx.method) || !bucket || key === '' || ctx.headers['x-amz-copy-source'] !== undefined) return next();
    const ifMatch = ctx.headers['if-match'];
    const ifNoneMatch = ctx.headers['if-none-match'];
    const id = `${bucket}/${key}`;
    const before = this.locks.get(id) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = before.then(() => mine);
    this.locks.set(id, tail);
    // Held until the response is sent: Koa streams a GET's body after the middleware returns.
    ctx.res.once('close', () => {
      release();
      if (this.locks.get(id) === tail) this.locks.delete(id);
    });
    await before;
    if (ctx.method === 'PUT' && (ifMatch !== undefined || ifNoneMatch !== undefined)) {
      const current = await server.store.getMetadata(bucket, key).then(
        (m) => m.etag,
        () => null,
      );
      const failed = ifNoneMatch === '*' ? current !== null : current === null || (ifMatch !== undefined && normalize(String(ifMatch)) !== normalize(current));
      if (failed) {
        this.counters.preconditionFailed++;
        throw new S3Error('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', { Condition: ifNoneMatch !== undefined ? 'If-None-Match' : 'If-Match' });
      }
      this.counters.conditionalWrites++;
    }
    if (ctx.method === 'PUT') decodeAwsChunked(ctx);
    await next();
  }
}

/**
 * Replace an `aws-chunked` request body (`<hex size>[;extensions]\r\n<bytes>\r\n`..., a `0` chunk,
 * then trailer lines such as the checksum and an empty line) by its payload, and its headers by
 * the payload's, as S3 stores it.
 */
function decodeAwsChunked(ctx: KoaContext): void {
  const encodings = String(ctx.headers['content-encoding'] ?? '').split(',').map((e) => e.trim()).filter(Boolean);
  if (!encodings.includes('aws-chunked')) return;
  const rest = encodings.filter((e) => e !== 'aws-chunked');
  if (rest.length > 0) ctx.headers['content-encoding'] = rest.join(',');
  else delete ctx.headers['content-encoding'];
  ctx.headers['content-length'] = String(ctx.headers['x-amz-decoded-content-length']);
  delete ctx.headers['x-amz-trailer'];
  const source = ctx.req;
  async function* payload(): AsyncGenerator<Buffer> {
    let buffer: Buffer = Buffer.alloc(0);
    let state: 'size' | 'data' | 'end-of-data' | 'trailer' = 'size';
    let remaining = 0;
    for await (const chunk of source as AsyncIterable<Buffer>) {
      buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
      for (;;) {
        if (state === 'data') {
          if (buffer.length === 0) break;
          const piece = buffer.subarray(0, remaining);
          buffer = buffer.subarray(piece.length);
          remaining -= piece.length;
          if (remaining === 0) state = 'end-of-data';
          yield piece;
          continue;
        }
        const eol = buffer.indexOf('\r\n');
        if (eol < 0) break;
        const line = buffer.subarray(0, eol).toString('latin1');
        buffer = buffer.subarray(eol + 2);
        if (state === 'size') {
          remaining = Number.parseInt(line.split(';')[0]!, 16);
          if (Number.isNaN(remaining)) throw new S3Error('IncompleteBody', `invalid aws-chunked size line ${JSON.stringify(line)}`);
          state = remaining === 0 ? 'trailer' : 'data';
        } else if (state === 'end-of-data') {
          state = 'size';
        }
        // In the trailer, lines (the checksum) are read and dropped until the body ends.
      }
    }
  }
  const decoded = Readable.from(payload(), { objectMode: false });
  Object.assign(decoded, { headers: source.headers });
  ctx.req = decoded as unknown as typeof ctx.req;
}

const normalize = (etag: string) => etag.trim().replace(/^W\//, '').replace(/^"(.*)"$/, '$1');

/** Start an S3Server for the test file's tests, with the SDK of this process pointed at it. */
export function useS3Server(buckets: string[]): S3Server {
  const server = new S3Server(buckets);
  useAwsEndpoint('AWS_ENDPOINT_URL_S3', () => server.start(), () => server.stop(), 'S3RVER');
  return server;
}
