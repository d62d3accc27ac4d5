import { execSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { artifactDigest, isDigest } from '../../src/artifact.js';
import { tempDir, userError } from '../support/files.js';

describe('artifactDigest', () => {
  it('a file: sha256 of its bytes', async () => {
    const dir = tempDir();
    const path = join(dir, 'model.bin');
    writeFileSync(path, 'weights\n');
    const got = await artifactDigest(path);
    expect(got).toEqual({ uri: path, digest: `sha256:${createHash('sha256').update('weights\n').digest('hex')}`, size: 8, files: 1 });
    expect(isDigest(got.digest)).toBe(true);
  });

  it('a directory: the sha256sum listing of its files, sorted by path, hashed (coreutils agrees)', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'sub', 'deeper'), { recursive: true });
    writeFileSync(join(dir, 'b.json'), '{"a":1}');
    writeFileSync(join(dir, 'a.txt'), 'x');
    writeFileSync(join(dir, 'sub', 'deeper', 'w.bin'), Buffer.from([0, 1, 2, 255]));
    writeFileSync(join(dir, 'sub', 'Z.txt'), 'zz');
    const got = await artifactDigest(dir);
    const expected = execSync(`find . -type f -printf '%P\\n' | LC_ALL=C sort | xargs sha256sum | sha256sum`, { cwd: dir, encoding: 'utf8' }).split(' ')[0];
    expect(got.digest).toBe(`sha256:${expected}`);
    expect(got.files).toBe(4);
    expect(got.size).toBe(7 + 1 + 4 + 2);
    writeFileSync(join(dir, 'a.txt'), 'y');
    expect((await artifactDigest(dir)).digest).not.toBe(got.digest);
  });

  it('names the setting and the path when the artifact is missing or empty', async () => {
    const dir = tempDir();
    expect((await userError(artifactDigest(join(dir, 'nope'), 'artifact')))).toMatch(/^artifact: .*nope does not exist/);
    expect((await userError(artifactDigest(dir, 'artifact')))).toMatch(/holds no files/);
    expect((await userError(artifactDigest('', 'artifact')))).toMatch(/^artifact: empty/);
  });
});
