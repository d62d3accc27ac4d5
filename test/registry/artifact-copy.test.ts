/**
 * The s3 registry keeps the artifacts: copies into the registry's bucket on a real S3-compatible
 * server on loopback (s3rver behind the conditional-write layer of test/support/s3-server.ts),
 * content-addressed, re-hashed, and idempotent through `If-None-Match: *`.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { artifactDigest } from '../../src/artifact.js';
import { S3RegistryStore } from '../../src/registry/s3-store.js';
import { useS3Server } from '../support/s3-server.js';
import { tempDir, userError, writeFile } from '../support/files.js';

const s3 = useS3Server(['models', 'training']);
const dir = tempDir('refit-artifact-copy-');
let client: S3Client | null = null;
const sdk = () => (client ??= new S3Client({ forcePathStyle: true }));
afterAll(() => client?.destroy());

async function object(bucket: string, key: string): Promise<Buffer> {
  const response = await sdk().send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await response.Body!.transformToByteArray());
}

async function keys(bucket: string, prefix: string): Promise<string[]> {
  const page = await sdk().send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (page.Contents ?? []).map((o) => o.Key!).sort();
}

/** The directory digest as documented in src/artifact.ts, computed by coreutils. */
function sha256sumOfDirectory(path: string): string {
  const out = execFileSync('bash', ['-c', "find . -type f -printf '%P\\n' | LC_ALL=C sort | xargs sha256sum | sha256sum"], { cwd: path, encoding: 'utf8' });
  return `sha256:${out.split(' ')[0]}`;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function withStore<T>(registry: string, model: string, body: (store: S3RegistryStore) => Promise<T>): Promise<T> {
  const store = new S3RegistryStore(registry, model);
  try {
    return await body(store);
  } finally {
    await store.close();
  }
}

describe('S3RegistryStore.keepArtifact', () => {
  it('copies a local directory under artifacts/sha256-<directory digest>/, with the same digest and bytes', async () => {
    const model = join(dir, 'run-1');
    const big = randomBytes(3 * 1024 * 1024 + 17);
    writeFile(model, 'weights.bin', big);
    writeFile(model, 'config.json', '{"layers": 4}\n');
    writeFile(model, 'tokenizer/vocab.txt', 'a\nb\nc\n');
    const expected = sha256sumOfDirectory(model);
    const evaluated = await artifactDigest(model);
    expect(evaluated.digest).toBe(expected);

    const copy = await withStore('s3://models/registry', 'taxi', (store) => store.keepArtifact(model, expected));
    const hex = expected.slice('sha256:'.length);
    expect(copy.uri).toBe(`s3://models/registry/taxi/artifacts/sha256-${hex}/`);
    expect(copy).toMatchObject({ digest: expected, files: 3, written: 3, existing: 0, size: big.length + 14 + 6 });
    expect((await artifactDigest(copy.uri)).digest).toBe(expected);
    const base = `registry/taxi/artifacts/sha256-${hex}/`;
    expect(await keys('models', base)).toEqual([`${base}config.json`, `${base}tokenizer/vocab.txt`, `${base}weights.bin`]);
    expect((await object('models', `${base}weights.bin`)).equals(big)).toBe(true);
    expect((await object('models', `${base}tokenizer/vocab.txt`)).toString()).toBe('a\nb\nc\n');
    // Nothing else was written: the registry document is the promote step's business.
    expect(await keys('models', 'registry/taxi/registry.json')).toEqual([]);
  });

  it('copies a local file to artifacts/sha256-<file digest>, one object holding its bytes', async () => {
    const bytes = randomBytes(200_000);
    const file = writeFile(dir, 'single/model.onnx', bytes);
    const digest = `sha256:${sha256(bytes)}`;
    const copy = await withStore('s3://models/registry/', 'churn', (store) => store.keepArtifact(file, digest));
    expect(copy.uri).toBe(`s3://models/registry/churn/artifacts/sha256-${sha256(bytes)}`);
    expect(copy).toMatchObject({ digest, files: 1, size: bytes.length, written: 1, existing: 0 });
    expect(await keys('models', 'registry/churn/artifacts/')).toEqual([`registry/churn/artifacts/sha256-${sha256(bytes)}`]);
    expect(sha256(await object('models', `registry/churn/artifacts/sha256-${sha256(bytes)}`))).toBe(sha256(bytes));
  });

  it('copies the same content again as a no-op: every PUT is refused with 412 and nothing is rewritten', async () => {
    const model = join(dir, 'again');
    writeFile(model, 'a.bin', 'first file\n');
    writeFile(model, 'b/c.bin', 'second file\n');
    const { digest } = await artifactDigest(model);
    const first = await withStore('s3://models/idem', 'taxi', (store) => store.keepArtifact(model, digest));
    expect(first).toMatchObject({ written: 2, existing: 0 });
    const refusedBefore = s3.counters.preconditionFailed;
    const writesBefore = s3.counters.conditionalWrites;
    const second = await withStore('s3://models/idem', 'taxi', (store) => store.keepArtifact(model, digest));
    expect(second).toMatchObject({ uri: first.uri, digest, written: 0, existing: 2 });
    expect(s3.counters.preconditionFailed - refusedBefore).toBe(2);
    expect(s3.counters.conditionalWrites).toBe(writesBefore);
  });

  it('copies an s3 prefix and an s3 object from another bucket with the same digests', async () => {
    const weights = randomBytes(70_000);
    await sdk().send(new PutObjectCommand({ Bucket: 'training', Key: 'runs/81/model/weights.bin', Body: weights }));
    await sdk().send(new PutObjectCommand({ Bucket: 'training', Key: 'runs/81/model/meta/info.json', Body: '{"epoch": 3}\n' }));
    const prefix = 's3://training/runs/81/model/';
    const local = join(dir, 'mirror');
    writeFile(local, 'weights.bin', weights);
    writeFile(local, 'meta/info.json', '{"epoch": 3}\n');
    const expected = sha256sumOfDirectory(local);
    expect((await artifactDigest(prefix)).digest).toBe(expected);

    const copy = await withStore('s3://models/from-s3', 'taxi', (store) => store.keepArtifact(prefix, expected));
    expect(copy.uri).toBe(`s3://models/from-s3/taxi/artifacts/sha256-${expected.slice(7)}/`);
    expect(copy).toMatchObject({ digest: expected, files: 2, written: 2 });
    expect((await object('models', `from-s3/taxi/artifacts/sha256-${expected.slice(7)}/weights.bin`)).equals(weights)).toBe(true);

    const single = await withStore('s3://models/from-s3', 'taxi', (store) => store.keepArtifact('s3://training/runs/81/model/weights.bin', `sha256:${sha256(weights)}`));
    expect(single.uri).toBe(`s3://models/from-s3/taxi/artifacts/sha256-${sha256(weights)}`);
    expect(single.digest).toBe(`sha256:${sha256(weights)}`);
  });

  it('fails, writing no registry, when the copy does not hash to the evaluated digest', async () => {
    const file = writeFile(dir, 'changed/model.bin', 'bytes that were not evaluated\n');
    const evaluated = `sha256:${sha256(Buffer.from('the evaluated bytes\n'))}`;
    await withStore('s3://models/bad', 'taxi', async (store) => {
      const message = await userError(store.keepArtifact(file, evaluated));
      expect(message).toContain(`the copy of ${file} at s3://models/bad/taxi/artifacts/sha256-${evaluated.slice(7)} hashes to sha256:${sha256(readFileSync(file))}, not the evaluated ${evaluated}`);
      expect(message).toContain('the registry was not changed');
      expect(await store.read()).toBeNull();
    });
  });

  it('refuses other bytes squatting on a content-addressed key (412, then the re-hash fails)', async () => {
    const bytes = Buffer.from('the real weights\n');
    const file = writeFile(dir, 'squat/model.bin', bytes);
    const key = `squat/taxi/artifacts/sha256-${sha256(bytes)}`;
    await sdk().send(new PutObjectCommand({ Bucket: 'models', Key: key, Body: 'something else\n' }));
    const refusedBefore = s3.counters.preconditionFailed;
    const message = await withStore('s3://models/squat', 'taxi', (store) => userError(store.keepArtifact(file, `sha256:${sha256(bytes)}`)));
    expect(s3.counters.preconditionFailed - refusedBefore).toBe(1);
    expect(message).toMatch(/hashes to sha256:[0-9a-f]{64}, not the evaluated/);
    expect(message).toContain('delete them and run again');
  });

  it('names the missing source and the missing bucket', async () => {
    const gone = join(dir, 'no-such-model');
    expect(await withStore('s3://models/x', 'taxi', (store) => userError(store.keepArtifact(gone, `sha256:${'a'.repeat(64)}`)))).toContain(`artifact: ${gone} cannot be read (ENOENT)`);
    const file = writeFile(dir, 'nobucket/model.bin', 'w\n');
    expect(await withStore('s3://no-such-bucket/x', 'taxi', (store) => userError(store.keepArtifact(file, `sha256:${sha256(Buffer.from('w\n'))}`)))).toMatch(
      /s3:\/\/no-such-bucket\/x\/taxi\/artifacts\/sha256-[0-9a-f]{64}: the bucket no-such-bucket does not exist/,
    );
  });
});
