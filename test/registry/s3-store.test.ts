/**
 * The s3 registry backend against a real S3-compatible server on loopback (s3rver behind the
 * conditional-write layer of test/support/s3-server.ts): conditional writes refuse stale updates,
 * and many writers racing never lose a version.
 */
import { S3Client, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { addVersion, promoteVersion, type NewVersion } from '../../src/registry/document.js';
import { S3RegistryStore } from '../../src/registry/s3-store.js';
import { useS3Server } from '../support/s3-server.js';
import { userError } from '../support/files.js';

const s3 = useS3Server(['models']);

function entry(pr: number): NewVersion {
  return {
    artifact: { uri: `s3://models/artifacts/${pr}.bin`, digest: `sha256:${pr.toString(16).padStart(64, '0')}` },
    commit: `merge-${pr}`,
    pullRequest: pr,
    headSha: `head-${pr}`,
    runUrl: null,
    mergedBy: 'alice',
    createdAt: '2024-05-01T00:00:00Z',
    trainedAt: '2024-04-30T00:00:00Z',
  };
}

function register(store: S3RegistryStore, pr: number) {
  return store.update((doc) => {
    const added = addVersion(doc, entry(pr));
    return added.added ? promoteVersion(added.doc, added.version.version, { at: '2024-05-01T00:00:00Z', reason: `merge of #${pr}` }) : doc;
  }, `register #${pr}`);
}

describe('S3 conditional writes (the test server)', () => {
  it('refuses If-None-Match: * on an existing key and a stale If-Match with 412', async () => {
    const client = new S3Client({ forcePathStyle: true });
    try {
      const first = await client.send(new PutObjectCommand({ Bucket: 'models', Key: 'probe.txt', Body: 'one', IfNoneMatch: '*' }));
      const again = await client.send(new PutObjectCommand({ Bucket: 'models', Key: 'probe.txt', Body: 'two', IfNoneMatch: '*' })).catch((e: { $metadata?: { httpStatusCode?: number }; name?: string }) => e);
      expect((again as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode).toBe(412);
      expect((again as { name: string }).name).toBe('PreconditionFailed');
      const second = await client.send(new PutObjectCommand({ Bucket: 'models', Key: 'probe.txt', Body: 'three', IfMatch: first.ETag }));
      const stale = await client.send(new PutObjectCommand({ Bucket: 'models', Key: 'probe.txt', Body: 'four', IfMatch: first.ETag })).catch((e: { $metadata?: { httpStatusCode?: number } }) => e);
      expect((stale as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode).toBe(412);
      const body = await (await client.send(new GetObjectCommand({ Bucket: 'models', Key: 'probe.txt' }))).Body!.transformToString();
      expect(body).toBe('three');
      expect(second.ETag).not.toBe(first.ETag);
    } finally {
      client.destroy();
    }
  });
});

describe('S3RegistryStore', () => {
  it('keeps the registry under the prefix and model, and reads back what it wrote', async () => {
    const store = new S3RegistryStore('s3://models/registry/', 'taxi');
    try {
      expect(store.location).toBe('s3://models/registry/taxi/registry.json');
      expect(await store.read()).toBeNull();
      const written = await register(store, 1);
      expect(written.aliases.champion).toBe(1);
      expect(await store.read()).toEqual(written);
      // The same merge again: nothing is written, no second version.
      const writesBefore = s3.counters.conditionalWrites;
      const again = await register(store, 1);
      expect(again.versions).toHaveLength(1);
      expect(s3.counters.conditionalWrites).toBe(writesBefore);
    } finally {
      await store.close();
    }
  });

  it('never loses a version when eight writers race (each from its own client)', async () => {
    const stores = Array.from({ length: 8 }, () => new S3RegistryStore('s3://models/race', 'churn'));
    const refusedBefore = s3.counters.preconditionFailed;
    try {
      await Promise.all(stores.map((store, i) => register(store, 100 + i)));
      const doc = (await stores[0]!.read())!;
      expect(doc.versions.map((v) => v.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      expect(new Set(doc.versions.map((v) => v.pullRequest))).toEqual(new Set([100, 101, 102, 103, 104, 105, 106, 107]));
      // Every version was champion once: 8 champion moves and 7 previous moves, in order.
      const championMoves = doc.history.filter((h) => h.alias === 'champion');
      expect(championMoves.map((m) => m.to)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      expect(championMoves.map((m) => m.from)).toEqual([null, 1, 2, 3, 4, 5, 6, 7]);
      expect(doc.aliases).toEqual({ champion: 8, previous: 7 });
      // The race was real: some writes were refused and re-applied.
      expect(s3.counters.preconditionFailed).toBeGreaterThan(refusedBefore);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it('names the bucket when it does not exist, and refuses a registry of another model', async () => {
    const missing = new S3RegistryStore('s3://no-such-bucket/x', 'taxi');
    try {
      expect(await userError(missing.read())).toMatch(/s3:\/\/no-such-bucket\/x\/taxi\/registry\.json: .*(bucket|NoSuchBucket)/);
    } finally {
      await missing.close();
    }
    const client = new S3Client({ forcePathStyle: true });
    await client.send(new PutObjectCommand({ Bucket: 'models', Key: 'other/taxi/registry.json', Body: JSON.stringify({ schema: 'refit.registry/v1', model: 'churn', versions: [], aliases: { champion: null, previous: null }, history: [] }) }));
    client.destroy();
    const store = new S3RegistryStore('s3://models/other', 'taxi');
    try {
      expect(await userError(store.read())).toMatch(/registry of model "churn", not "taxi"/);
    } finally {
      await store.close();
    }
  });
});
