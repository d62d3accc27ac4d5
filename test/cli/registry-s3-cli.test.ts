/** refit promote on an s3 registry keeps a content-addressed copy of the artifact, as the promote action does. */
import { describe, expect, it } from 'vitest';
import { artifactDigest } from '../../src/artifact.js';
import { S3RegistryStore } from '../../src/registry/s3-store.js';
import { cli } from '../support/cli.js';
import { tempDir, writeFile } from '../support/files.js';
import { useS3Server } from '../support/s3-server.js';

useS3Server(['models']);

describe('refit promote --registry s3://', () => {
  it('copies the artifact into the bucket and registers the copy, keeping the source', async () => {
    const dir = tempDir('refit-registry-s3-cli-');
    writeFile(dir, 'model/weights.bin', 'W'.repeat(1000));
    writeFile(dir, 'model/config.json', '{"layers": 2}');
    const local = await artifactDigest(`${dir}/model`);
    const run = await cli('promote', '--model', 'taxi', '--registry', 's3://models/registry', '--artifact', `${dir}/model`, '--commit', 'c1');
    expect(run.code, run.stderr).toBe(0);
    const store = new S3RegistryStore('s3://models/registry', 'taxi');
    try {
      const doc = (await store.read())!;
      const artifact = doc.versions[0]!.artifact;
      expect(artifact.uri).toBe(`s3://models/registry/taxi/artifacts/sha256-${local.digest.slice(7)}/`);
      expect(artifact.source).toBe(`${dir}/model`);
      expect(artifact.digest).toBe(local.digest);
      expect((await artifactDigest(artifact.uri)).digest).toBe(local.digest);
      expect(doc.aliases.champion).toBe(1);
    } finally {
      await store.close();
    }
  });
});
