/** The pure registry changes: numbering, idempotency per merge, alias moves with history, rollback, validation. */
import { describe, expect, it } from 'vitest';
import { championTrainedAt, registryPath } from '../../src/registry/champion.js';
import {
  addVersion,
  emptyRegistry,
  parseRegistry,
  promoteVersion,
  resolveVersion,
  rollbackTo,
  serializeRegistry,
  versionForMerge,
  type NewVersion,
  type RegistryDocument,
} from '../../src/registry/document.js';
import { FileRegistryStore } from '../../src/registry/store.js';
import { tempDir, userError, writeFile } from '../support/files.js';

const at = (day: number) => `2024-03-${String(day).padStart(2, '0')}T00:00:00Z`;

function merge(pr: number, digestChar = String(pr % 10)): NewVersion {
  return { artifact: { uri: `model-${pr}.bin`, digest: `sha256:${digestChar.repeat(64)}` }, commit: `m${pr}`, pullRequest: pr, headSha: `h${pr}`, runUrl: null, mergedBy: 'alice', createdAt: at(pr), trainedAt: at(pr) };
}

/** Register and promote, as promote does. */
function land(doc: RegistryDocument, pr: number): RegistryDocument {
  const r = addVersion(doc, merge(pr));
  return r.added ? promoteVersion(r.doc, r.version.version, { at: at(pr), reason: `merge of #${pr}`, actor: 'alice' }) : r.doc;
}

describe('registry document', () => {
  it('numbers versions one past the highest and moves champion and previous with history', () => {
    const doc = [1, 2, 3].reduce(land, emptyRegistry('taxi'));
    expect(doc.versions.map((v) => v.version)).toEqual([1, 2, 3]);
    expect(doc.aliases).toEqual({ champion: 3, previous: 2 });
    expect(doc.history.map((h) => `${h.alias}:${h.from}->${h.to}`)).toEqual(['champion:null->1', 'previous:null->1', 'champion:1->2', 'previous:1->2', 'champion:2->3']);
    expect(parseRegistry(JSON.parse(serializeRegistry(doc)), 'x', 'taxi')).toEqual(doc);
  });

  it('never makes a second version for the same merge (pull request, head commit, digest)', () => {
    const once = land(emptyRegistry('taxi'), 5);
    const twice = land(once, 5);
    expect(twice).toBe(once);
    expect(versionForMerge(once, { pullRequest: 5, headSha: 'h5', commit: 'm5', digest: `sha256:${'5'.repeat(64)}` })?.version).toBe(1);
    // Same pull request, new artifact (a retrained model pushed before merging): a new version.
    const retrained = addVersion(once, merge(5, 'a'));
    expect(retrained.added).toBe(true);
    expect(retrained.version.version).toBe(2);
  });

  it('rolls back to previous, and a second rollback undoes the first', () => {
    const doc = [1, 2].reduce(land, emptyRegistry('taxi'));
    const back = rollbackTo(doc, 'previous', { at: at(9), reason: 'errors up', actor: 'bob' });
    expect(back.aliases).toEqual({ champion: 1, previous: 2 });
    expect(back.history.at(-1)).toEqual({ at: at(9), alias: 'champion', from: 2, to: 1, reason: 'errors up', actor: 'bob', runUrl: null });
    expect(rollbackTo(back, 'previous', { at: at(10), reason: 'false alarm' }).aliases).toEqual({ champion: 2, previous: 1 });
    expect(() => rollbackTo(land(emptyRegistry('taxi'), 1), 'previous', { at: at(9), reason: 'x' })).toThrow(/no previous version to roll back to; registered versions: v1/);
  });

  it('resolves version names and lists what exists when one does not', () => {
    const doc = [1, 2, 3].reduce(land, emptyRegistry('taxi'));
    expect(resolveVersion(doc, 'v2', 'to-version').version).toBe(2);
    expect(resolveVersion(doc, '1', 'to-version').version).toBe(1);
    expect(resolveVersion(doc, 'previous', 'to-version').version).toBe(2);
    expect(() => resolveVersion(doc, '9', 'to-version')).toThrow('to-version: model taxi has no version 9; registered versions: v1, v2, v3');
    expect(() => resolveVersion(doc, 'latest', 'to-version')).toThrow(/"latest" is not a version/);
  });

  it('refuses broken documents, naming the file and the problem', () => {
    const good = land(emptyRegistry('taxi'), 1);
    expect(() => parseRegistry({ ...good, schema: 'other' }, 'r.json', 'taxi')).toThrow(/r\.json: unknown schema "other"/);
    expect(() => parseRegistry(good, 'r.json', 'churn')).toThrow(/r\.json: holds the registry of model "taxi", not "churn"/);
    expect(() => parseRegistry({ ...good, aliases: { champion: 7, previous: null } }, 'r.json', 'taxi')).toThrow(/alias champion points at version 7, which is not registered/);
    expect(() => parseRegistry({ ...good, versions: [...good.versions, good.versions[0]] }, 'r.json', 'taxi')).toThrow(/version 1 appears twice/);
    const badSource = { ...good, versions: [{ ...good.versions[0]!, artifact: { ...good.versions[0]!.artifact, source: 7 } }] };
    expect(() => parseRegistry(badSource, 'r.json', 'taxi')).toThrow(/r\.json: version 1 has an artifact source that is not a string/);
  });

  it('reads artifact.source when present and documents without it (older ones) alike', () => {
    const older = land(emptyRegistry('taxi'), 1);
    expect(older.versions[0]!.artifact).not.toHaveProperty('source');
    expect(parseRegistry(JSON.parse(serializeRegistry(older)), 'r.json', 'taxi')).toEqual(older);
    const copied = addVersion(older, { ...merge(2), artifact: { uri: 's3://models/r/taxi/artifacts/sha256-ab', digest: `sha256:${'2'.repeat(64)}`, source: 'runs/2/model.bin' } }).doc;
    const read = parseRegistry(JSON.parse(serializeRegistry(copied)), 'r.json', 'taxi');
    expect(read.versions[1]!.artifact).toEqual({ uri: 's3://models/r/taxi/artifacts/sha256-ab', digest: `sha256:${'2'.repeat(64)}`, source: 'runs/2/model.bin' });
  });
});

describe('FileRegistryStore and the drift check', () => {
  it('writes the file the model-age trigger reads (champion trainedAt)', async () => {
    const root = tempDir();
    const store = new FileRegistryStore('taxi', root);
    await store.update((doc) => land(land(doc, 1), 2), 'x');
    expect(store.location).toBe(registryPath('taxi', root));
    expect((await championTrainedAt(registryPath('taxi', root)))?.toISOString()).toBe('2024-03-02T00:00:00.000Z');
    await store.update((doc) => rollbackTo(doc, 'previous', { at: at(9), reason: 'r' }), 'x');
    expect((await championTrainedAt(registryPath('taxi', root)))?.toISOString()).toBe('2024-03-01T00:00:00.000Z');
  });

  it('names the file when it is not JSON', async () => {
    const root = tempDir();
    writeFile(root, '.refit/taxi/registry.json', '{ nope');
    expect(await userError(new FileRegistryStore('taxi', root).read())).toMatch(/\.refit\/taxi\/registry\.json: the model registry is not valid JSON/);
  });
});
