/**
 * The registry as an S3 object, `s3://bucket/prefix/<model>/registry.json`, written with S3's
 * conditional requests: the first write with `If-None-Match: *` (fails if anyone created it
 * meanwhile), every later one with `If-Match: <ETag read>` (fails if anyone changed it). A 412
 * (or a 409 for a concurrent conditional write) means another writer won: the store reads again
 * and re-applies the change. `AWS_ENDPOINT_URL_S3` points it at an S3-compatible store, which
 * must implement conditional writes (AWS S3 has since August 2024 for If-None-Match and November
 * 2024 for If-Match; MinIO does).
 *
 * Promotion also copies the evaluated artifact into `prefix/<model>/artifacts/`, content-addressed
 * (`artifact-copy.ts`), so every version points at bytes the registry keeps.
 *
 * Needs s3:GetObject and s3:PutObject on `prefix/<model>/*` (the registry key and the artifact
 * copies), and s3:ListBucket on the bucket (to hash a copied directory's prefix).
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { UserError } from '../errors.js';
import { parseS3Uri, s3ClientConfig, type S3Location } from '../data/s3.js';
import type { RegistryDocument } from './document.js';
import { serializeRegistry } from './document.js';
import { copyArtifact, statusOf, type ArtifactCopy } from './artifact-copy.js';
import { ConditionalRegistryStore, type Versioned } from './store.js';

type Sdk = typeof import('@aws-sdk/client-s3');


export class S3RegistryStore extends ConditionalRegistryStore {
  readonly location: string;
  private readonly object: S3Location;
  /** Where the model's artifact copies go: `s3://bucket/prefix/<model>/artifacts/`. */
  readonly artifacts: S3Location;
  private client: Promise<{ sdk: Sdk; client: S3Client }> | null = null;

  /** `registry` is `s3://bucket` or `s3://bucket/prefix`. */
  constructor(registry: string, model: string) {
    super(model);
    const { bucket, key } = parseS3Uri(registry);
    const prefix = key.replace(/\/+$/, '');
    this.object = { bucket, key: `${prefix ? `${prefix}/` : ''}${model}/registry.json` };
    this.location = `s3://${bucket}/${this.object.key}`;
    this.artifacts = { bucket, key: `${prefix ? `${prefix}/` : ''}${model}/artifacts/` };
  }

  /** Copy the evaluated artifact into the registry's bucket (see artifact-copy.ts). */
  async keepArtifact(artifact: string, digest: string, log?: (message: string) => void): Promise<ArtifactCopy> {
    return copyArtifact({ artifact, digest, into: this.artifacts, s3: await this.connect(), ...(log ? { log } : {}) });
  }

  private connect(): Promise<{ sdk: Sdk; client: S3Client }> {
    this.client ??= (async () => {
      const sdk = await import('@aws-sdk/client-s3');
      const config = s3ClientConfig();
      // Without a configured region any will do for a first request (redirects are followed).
      const region = process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION;
      return { sdk, client: new sdk.S3Client({ ...config, ...(region ? {} : { region: 'us-east-1' }) }) };
    })();
    return this.client;
  }

  async close(): Promise<void> {
    const opened = await this.client?.catch(() => null);
    opened?.client.destroy();
    this.client = null;
  }

  protected async readVersioned(): Promise<Versioned> {
    const { sdk, client } = await this.connect();
    let response;
    try {
      response = await client.send(new sdk.GetObjectCommand({ Bucket: this.object.bucket, Key: this.object.key }));
    } catch (error) {
      const name = (error as { name?: string } | null)?.name;
      if (name === 'NoSuchKey' || (statusOf(error) === 404 && name !== 'NoSuchBucket')) return { doc: null, token: null };
      throw this.explain(error, 'read', 's3:GetObject');
    }
    const text = (await response.Body?.transformToString('utf8')) ?? '';
    if (!response.ETag) throw new UserError(`${this.location}: the store returned no ETag, so updates cannot be made safely; use a store with ETags and conditional writes`);
    return { doc: this.parse(text), token: response.ETag };
  }

  protected async writeIf(doc: RegistryDocument, token: string | null): Promise<boolean> {
    const { sdk, client } = await this.connect();
    try {
      await client.send(
        new sdk.PutObjectCommand({
          Bucket: this.object.bucket,
          Key: this.object.key,
          Body: serializeRegistry(doc),
          ContentType: 'application/json',
          ...(token === null ? { IfNoneMatch: '*' } : { IfMatch: token }),
        }),
      );
      return true;
    } catch (error) {
      const status = statusOf(error);
      if (status === 412 || status === 409) return false;
      throw this.explain(error, 'write', 's3:PutObject');
    }
  }

  private explain(error: unknown, action: 'read' | 'write', permission: string): UserError {
    const status = statusOf(error);
    const name = (error as { name?: string } | null)?.name ?? '';
    const message = error instanceof Error ? error.message : String(error);
    if (name === 'NoSuchBucket') return new UserError(`${this.location}: the bucket ${this.object.bucket} does not exist; create it or fix the registry input`, { cause: error });
    if (name === 'AccessDenied' || status === 403) return new UserError(`${this.location}: access denied; the credentials need ${permission} on the registry key`, { cause: error });
    if (name === 'CredentialsProviderError') return new UserError(`${this.location}: no AWS credentials found; configure them (e.g. aws-actions/configure-aws-credentials with OIDC)`, { cause: error });
    return new UserError(`${this.location}: could not ${action} the model registry: ${message}`, { cause: error });
  }
}
