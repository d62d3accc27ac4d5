/**
 * A model artifact's identity: one digest for a file, a directory or an S3 object, so the version
 * that was evaluated and the version that gets promoted can be proven the same bytes.
 *  - a file: `sha256:<hex>` of its bytes;
 *  - a directory: `sha256:<hex>` of the lines `<sha256 of file>  <relative/path>\n`, sorted by path
 *    (the format of `sha256sum`: `cd dir && find . -type f -printf '%P\n' | LC_ALL=C sort | xargs sha256sum | sha256sum`
 *    reproduces it);
 *  - `s3://bucket/key`: the object's bytes, streamed (a prefix ending in `/` is hashed like a directory).
 */
import { createHash } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { UserError } from './errors.js';
import { parseS3Uri, S3Access } from './data/s3.js';
import { hashFile, hashS3Object, mapLimit } from './snapshot/hash.js';

export interface ArtifactDigest {
  /** As given (a path or an s3:// URI). */
  uri: string;
  /** `sha256:<hex>`. */
  digest: string;
  /** Total bytes. */
  size: number;
  /** Number of files hashed (1 for a file or object). */
  files: number;
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** True for a well-formed `sha256:<64 hex>` digest. */
export function isDigest(value: string): boolean {
  return DIGEST.test(value);
}

/** Hash an artifact. `what` names the setting in errors (e.g. "artifact"). */
export async function artifactDigest(uri: string, what = 'artifact'): Promise<ArtifactDigest> {
  if (uri.trim() === '') throw new UserError(`${what}: empty; give the path or s3:// URI of the trained model.`);
  if (uri.startsWith('s3://')) return s3Digest(uri, what);
  let info;
  try {
    info = await stat(uri);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError(`${what}: ${uri} ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${code})`}; give the path of the trained model file or directory.`);
  }
  if (info.isFile()) {
    const { sha256, size } = await hashFile(uri);
    return { uri, digest: `sha256:${sha256}`, size, files: 1 };
  }
  if (!info.isDirectory()) throw new UserError(`${what}: ${uri} is neither a file nor a directory.`);
  const paths = await listFiles(uri);
  if (paths.length === 0) throw new UserError(`${what}: the directory ${uri} holds no files.`);
  const hashed = await mapLimit(paths, 4, async (path) => ({ path, ...(await hashFile(join(uri, path))) }));
  return { uri, ...directoryDigest(hashed.map((h) => ({ path: h.path, sha256: h.sha256, size: h.size }))) };
}

/** Digest of a set of files: sha256 of sorted `sha256sum`-style lines. */
export function directoryDigest(files: { path: string; sha256: string; size: number }[]): { digest: string; size: number; files: number } {
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const hash = createHash('sha256');
  let size = 0;
  for (const f of sorted) {
    hash.update(`${f.sha256}  ${f.path}\n`);
    size += f.size;
  }
  return { digest: `sha256:${hash.digest('hex')}`, size, files: sorted.length };
}

/** The files below a directory, relative to it with `/` separators. */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join('/'));
}

async function s3Digest(uri: string, what: string): Promise<ArtifactDigest> {
  const location = parseS3Uri(uri);
  const s3 = new S3Access();
  try {
    if (location.key === '' || location.key.endsWith('/')) {
      const keys = await s3.list(location.bucket, location.key);
      if (keys.length === 0) throw new UserError(`${what}: no objects under ${uri}.`);
      const hashed = await mapLimit(keys, 4, async (key) => ({ key, ...(await hashS3Object(s3, { bucket: location.bucket, key }, `s3://${location.bucket}/${key}`)) }));
      return { uri, ...directoryDigest(hashed.map((h) => ({ path: h.key.slice(location.key.length), sha256: h.sha256, size: h.size }))) };
    }
    const { sha256, size } = await hashS3Object(s3, location, uri);
    return { uri, digest: `sha256:${sha256}`, size, files: 1 };
  } finally {
    await s3.close();
  }
}
