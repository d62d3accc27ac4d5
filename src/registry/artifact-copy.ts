/**
 * The s3 registry keeps the artifacts too: promotion copies the evaluated artifact into the
 * registry's bucket, content-addressed, so a registered version never points at bytes that can be
 * overwritten or deleted elsewhere.
 *  - a file → `<model prefix>/artifacts/sha256-<hex>` (one object: its digest is the file's);
 *  - a directory or an s3 prefix → `<model prefix>/artifacts/sha256-<hex>/<relative path>` for each
 *    file (the prefix hashes to the same directory digest, see src/artifact.ts).
 * Every PUT carries `If-None-Match: *`: a 412 means the object is already there, which for a
 * content-addressed key is the same bytes (the copy is re-hashed afterwards to prove it). Bytes are
 * streamed from the source, never held whole in memory.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { artifactDigest, listFiles } from '../artifact.js';
import { UserError } from '../errors.js';
import { parseS3Uri, S3Access, s3Uri, type S3Location } from '../data/s3.js';
import { mapLimit } from '../snapshot/hash.js';

type Sdk = typeof import('@aws-sdk/client-s3');

/** The largest object one PutObject may write (5 GiB). */
export const MAX_SINGLE_PUT = 5 * 1024 ** 3;

export interface ArtifactCopy {
  /** URI of the copy: the object, or the prefix ending in `/` for a directory. */
  uri: string;
  /** `sha256:<hex>` of the copy, re-hashed after copying (equal to the evaluated digest). */
  digest: string;
  size: number;
  files: number;
  /** Objects written by this copy, and objects found already there (412). */
  written: number;
  existing: number;
}

/** One file of the source: where it goes under the copy's key, its size and its bytes. */
interface SourceFile {
  /** Path relative to the artifact ('' for a single file). */
  path: string;
  display: string;
  size: number;
  open: () => Readable;
}

/** The HTTP status of an AWS SDK error, if any. */
export function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
}

/**
 * Copy `artifact` (a local path or an s3:// object or prefix) under `into` (`s3://bucket/<prefix>/<model>/artifacts/`),
 * content-addressed by `digest`, and require the copy to hash to `digest`.
 */
export async function copyArtifact(options: {
  artifact: string;
  digest: string;
  into: S3Location;
  s3: { sdk: Sdk; client: S3Client };
  log?: (message: string) => void;
}): Promise<ArtifactCopy> {
  const { artifact, digest, into } = options;
  const hex = /^sha256:([0-9a-f]{64})$/.exec(digest)?.[1];
  if (!hex) throw new Error(`internal: ${JSON.stringify(digest)} is not a sha256 digest`);
  const base = `${into.key.replace(/\/*$/, '/')}sha256-${hex}`;
  const source = new S3Access();
  try {
    const { directory, files } = await sourceFiles(artifact, source);
    const tooLarge = files.find((f) => f.size > MAX_SINGLE_PUT);
    if (tooLarge) {
      throw new UserError(
        `${tooLarge.display}: ${tooLarge.size} bytes, more than the 5 GiB one S3 PutObject can copy into the registry's bucket; split the artifact into files under 5 GiB, or set copy-artifact: false to register it where it is`,
      );
    }
    const keyOf = (file: SourceFile) => (directory ? `${base}/${file.path}` : base);
    const results = await mapLimit(files, 4, (file) => putIfAbsent(options.s3, { bucket: into.bucket, key: keyOf(file) }, file));
    const written = results.filter(Boolean).length;
    const uri = s3Uri({ bucket: into.bucket, key: directory ? `${base}/` : base });
    options.log?.(`copied ${artifact} to ${uri}: ${files.length} file${files.length === 1 ? '' : 's'}, ${written} written, ${files.length - written} already there`);
    const copy = await artifactDigest(uri, 'artifact copy');
    if (copy.digest !== digest) {
      throw new UserError(
        `the copy of ${artifact} at ${uri} hashes to ${copy.digest}, not the evaluated ${digest}; the registry was not changed. ` +
          `Either the source changed while it was copied (run again) or objects under ${uri} were written by something else (delete them and run again)`,
      );
    }
    return { uri, digest: copy.digest, size: copy.size, files: copy.files, written, existing: files.length - written };
  } finally {
    await source.close();
  }
}

/** PutObject with `If-None-Match: *`; true when written, false when the key already held an object. */
async function putIfAbsent(s3: { sdk: Sdk; client: S3Client }, to: S3Location, file: SourceFile): Promise<boolean> {
  const body = file.open();
  try {
    await s3.client.send(new s3.sdk.PutObjectCommand({ Bucket: to.bucket, Key: to.key, Body: body, ContentLength: file.size, ContentType: 'application/octet-stream', IfNoneMatch: '*' }));
    return true;
  } catch (error) {
    const status = statusOf(error);
    // 412: the content-addressed key is taken, by these bytes (checked by the re-hash); 409: a
    // concurrent conditional write of the same key, which then holds them too.
    if (status === 412 || status === 409) return false;
    if (error instanceof UserError) throw error;
    const name = (error as { name?: string } | null)?.name ?? '';
    const uri = s3Uri(to);
    if (name === 'NoSuchBucket') throw new UserError(`${uri}: the bucket ${to.bucket} does not exist; create it or fix the registry input`, { cause: error });
    if (name === 'AccessDenied' || status === 403) {
      throw new UserError(`${uri}: access denied while copying the artifact; the credentials need s3:PutObject on the model's prefix in the registry bucket (or set copy-artifact: false)`, { cause: error });
    }
    const message = error instanceof Error ? error.message : String(error);
    throw new UserError(`${uri}: could not copy ${file.display} into the registry's bucket: ${message}`, { cause: error });
  } finally {
    // A refused PUT leaves the source unread: release its file or connection.
    body.destroy();
  }
}

/** The files of the artifact: one for a file or object, every file under a directory or prefix. */
async function sourceFiles(artifact: string, s3: S3Access): Promise<{ directory: boolean; files: SourceFile[] }> {
  if (artifact.startsWith('s3://')) {
    const location = parseS3Uri(artifact);
    const prefix = location.key === '' || location.key.endsWith('/');
    const keys = prefix ? await s3.list(location.bucket, location.key) : [location.key];
    if (keys.length === 0) throw new UserError(`artifact: no objects under ${artifact}; it held the evaluated artifact, which must still be there to be copied into the registry`);
    const files = await mapLimit(keys, 4, async (key): Promise<SourceFile> => {
      const object = { bucket: location.bucket, key };
      const display = s3Uri(object);
      const head = await s3.head(object);
      if (!head) throw new UserError(`${display}: no such object any more; the evaluated artifact must still be there to be copied into the registry`);
      return { path: key.slice(location.key.length), display, size: head.size, open: () => Readable.from(s3.stream(object)) };
    });
    return { directory: prefix, files };
  }
  let info;
  try {
    info = await stat(artifact);
  } catch (error) {
    throw new UserError(`artifact: ${artifact} cannot be read (${(error as NodeJS.ErrnoException).code}); the evaluated artifact must still be there to be copied into the registry`);
  }
  const local = (path: string, full: string, size: number): SourceFile => ({ path, display: full, size, open: () => createReadStream(full, { highWaterMark: 1 << 20 }) });
  if (!info.isDirectory()) return { directory: false, files: [local('', artifact, info.size)] };
  const paths = await listFiles(artifact);
  if (paths.length === 0) throw new UserError(`artifact: the directory ${artifact} holds no files.`);
  const files = await mapLimit(paths, 8, async (path) => local(path, join(artifact, path), (await stat(join(artifact, path))).size));
  return { directory: true, files };
}
