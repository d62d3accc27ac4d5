/** refit promote, rollback and registry list|show on the git backend in a working tree. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { artifactDigest } from '../../src/artifact.js';
import { cli } from '../support/cli.js';
import { tempDir, writeFile } from '../support/files.js';

const root = tempDir('refit-registry-cli-');
const registryFile = join(root, '.refit', 'taxi', 'registry.json');
const read = () => JSON.parse(readFileSync(registryFile, 'utf8')) as { versions: { version: number; artifact: { digest: string }; metrics?: Record<string, number>; commit: string }[]; aliases: { champion: number; previous: number | null }; history: { alias: string; reason: string }[] };

describe('refit promote / rollback / registry', () => {
  it('registers, lists, shows, rolls back and refuses an unknown version', async () => {
    const a = writeFile(root, 'a/model.bin', 'A\n');
    const b = writeFile(root, 'b/model.bin', 'B\n');
    const metrics = writeFile(root, 'metrics.json', '{"rmse": 1.25}');
    const first = await cli('promote', '--model', 'taxi', '--root', root, '--artifact', a, '--commit', 'c1', '--metrics', metrics, '--trained-at', '2024-05-01T00:00:00Z');
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/taxi v1 is the champion; sha256:[0-9a-f]{64} recorded in /);
    expect(read().versions[0]).toMatchObject({ version: 1, artifact: { digest: (await artifactDigest(a)).digest }, metrics: { rmse: 1.25 }, commit: 'c1' });

    const again = await cli('promote', '--model', 'taxi', '--root', root, '--artifact', a, '--commit', 'c1');
    expect(again.stdout).toContain('already registered for this commit as v1; nothing changed');
    const second = await cli('promote', '--model', 'taxi', '--root', root, '--artifact', b, '--commit', 'c2');
    expect(second.stdout).toContain('taxi v2 is the champion (previous: v1)');
    expect(read().versions).toHaveLength(2);

    const list = await cli('registry', 'list', '--model', 'taxi', '--root', root);
    expect(list.stdout).toMatch(/^taxi: champion v2, previous v1\n {2}v2 \[champion\]/);
    const show = await cli('registry', 'show', '--model', 'taxi', '--root', root, '--version', 'previous');
    expect(show.stdout).toMatch(/version +v1 \[previous\]/);
    expect(show.stdout).toMatch(/metrics +rmse=1\.25/);
    const json = JSON.parse((await cli('registry', 'list', '--model', 'taxi', '--root', root, '--format', 'json')).stdout) as { aliases: unknown };
    expect(json.aliases).toEqual({ champion: 2, previous: 1 });

    const back = await cli('rollback', '--model', 'taxi', '--root', root, '--reason', 'canary errors');
    expect(back.code, back.stderr).toBe(0);
    expect(back.stdout).toContain('taxi: champion v1 (previous: v2)');
    expect(read().aliases).toEqual({ champion: 1, previous: 2 });
    expect(read().history.at(-1)).toMatchObject({ alias: 'champion', reason: 'canary errors' });

    const before = readFileSync(registryFile, 'utf8');
    const bad = await cli('rollback', '--model', 'taxi', '--root', root, '--reason', 'x', '--to-version', '5');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('refit rollback: to-version: model taxi has no version 5; registered versions: v1, v2\n');
    expect(readFileSync(registryFile, 'utf8')).toBe(before);
  });

  it('explains bad input', async () => {
    expect((await cli('promote', '--model', 'taxi', '--root', root)).stderr).toMatch(/--artifact is required/);
    expect((await cli('promote', '--model', '../x', '--artifact', 'y')).stderr).toMatch(/--model: "\.\.\/x" is not a valid model name/);
    expect((await cli('promote', '--model', 'taxi', '--root', root, '--artifact', join(root, 'missing.bin'))).stderr).toMatch(/--artifact: .*missing\.bin does not exist/);
    expect((await cli('rollback', '--model', 'taxi', '--root', root)).stderr).toMatch(/--reason is required/);
    expect((await cli('registry', 'list', '--model', 'none', '--root', root)).stderr).toMatch(/\.refit\/none\/registry\.json: no registry yet/);
    expect((await cli('registry', 'list', '--model', 'taxi', '--registry', 'ftp://x')).stderr).toMatch(/--registry: "ftp:\/\/x" is not a registry; use git \(the default\) or s3:\/\/bucket\/prefix/);
    expect((await cli('registry', 'list', '--model', 'taxi', '--registry', 's3:///models')).stderr).toMatch(/^refit registry: --registry: "s3:\/\/\/models" is not a registry; use git \(the default\) or s3:\/\/bucket\/prefix/);
    expect((await cli('registry', 'drop', '--model', 'taxi')).stderr).toMatch(/unknown subcommand "drop"/);
    expect((await cli('registry', '--help')).stdout).toContain('Usage: refit registry list');
  });
});
