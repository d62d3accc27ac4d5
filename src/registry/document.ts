/**
 * The model registry document: every version of one model with its lineage, the `champion` and
 * `previous` aliases, and a history of every alias move with its reason. The functions here are
 * pure: each returns a new document and never touches storage, so a store can re-apply them after
 * a concurrent write (see `store.ts`).
 */
import { UserError } from '../errors.js';

export const REGISTRY_SCHEMA = 'refit.registry/v1';

export interface ArtifactRef {
  /**
   * Path or s3:// URI of the trained model: with the s3 registry, the registry's own copy
   * (`s3://bucket/prefix/<model>/artifacts/sha256-<hex>`, a prefix ending in `/` for a directory);
   * otherwise where it was evaluated.
   */
  uri: string;
  /** Where the artifact was evaluated, when `uri` is a copy of it (absent in older documents). */
  source?: string;
  /** `sha256:<hex>` (src/artifact.ts). */
  digest: string;
  /** Bytes, when known. */
  size?: number;
}

export interface RegistryVersion {
  /** 1, 2, 3... in the order versions were registered. */
  version: number;
  artifact: ArtifactRef;
  /** The snapshot manifest that pinned the training data (path in the repository and its data digest). */
  snapshot?: { path: string; digest: string };
  /** Metrics of this version (name -> value), e.g. the challenger's on the holdout. */
  metrics?: Record<string, number>;
  /** The commit that became the default branch with this version (the merge commit). */
  commit: string | null;
  /** The retraining pull request and its head commit (the one the evaluation checked). */
  pullRequest: number | null;
  headSha: string | null;
  /** The evaluation check run that passed for this artifact. */
  evaluation?: { checkRunId: number; name: string; url?: string };
  /** The workflow run that registered the version. */
  runUrl: string | null;
  /** Who merged the pull request (or ran the command). */
  mergedBy: string | null;
  /** When the version was registered, and when the model was trained (the model-age trigger reads it). */
  createdAt: string;
  trainedAt: string | null;
  /** The deployment that rolled the version out, when there was one. */
  deployment?: { id: number; environment: string };
}

export type AliasName = 'champion' | 'previous';

export interface AliasMove {
  at: string;
  alias: AliasName;
  from: number | null;
  to: number | null;
  reason: string;
  actor: string | null;
  runUrl: string | null;
}

export interface RegistryDocument {
  schema: typeof REGISTRY_SCHEMA;
  model: string;
  versions: RegistryVersion[];
  aliases: { champion: number | null; previous: number | null };
  history: AliasMove[];
}

/** Who did it, from where, when and why: recorded with every alias move. */
export interface MoveContext {
  at: string;
  reason: string;
  actor?: string | null;
  runUrl?: string | null;
}

export function emptyRegistry(model: string): RegistryDocument {
  return { schema: REGISTRY_SCHEMA, model, versions: [], aliases: { champion: null, previous: null }, history: [] };
}

// --- Reading -----------------------------------------------------------------------------------

function fail(where: string, what: string): never {
  throw new UserError(`${where}: ${what}; restore the registry from its history (git log of the file, or the bucket's object versions)`);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isVersionNumber = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1;
const nullableString = (v: unknown) => v === null || typeof v === 'string';
const alias = (v: unknown) => v === null || v === undefined || isVersionNumber(v);

/**
 * Check a parsed registry document (`where` names the file or object in errors). The model must
 * match: a registry copied from another model is refused rather than mixed in.
 */
export function parseRegistry(value: unknown, where: string, model: string): RegistryDocument {
  if (!isObject(value)) fail(where, 'not a registry document (expected a JSON object)');
  if (value.schema !== REGISTRY_SCHEMA) fail(where, `unknown schema ${JSON.stringify(value.schema)} (expected ${REGISTRY_SCHEMA})`);
  if (value.model !== model) fail(where, `holds the registry of model ${JSON.stringify(value.model)}, not ${JSON.stringify(model)}`);
  if (!Array.isArray(value.versions)) fail(where, '"versions" is not a list');
  if (!Array.isArray(value.history)) fail(where, '"history" is not a list');
  if (!isObject(value.aliases) || !alias(value.aliases.champion) || !alias(value.aliases.previous)) fail(where, '"aliases" must hold champion and previous as version numbers or null');
  const seen = new Set<number>();
  for (const [i, v] of value.versions.entries()) {
    if (!isObject(v) || !isVersionNumber(v.version)) fail(where, `versions[${i}] has no version number`);
    if (seen.has(v.version)) fail(where, `version ${v.version} appears twice`);
    seen.add(v.version);
    if (!isObject(v.artifact) || typeof v.artifact.uri !== 'string' || typeof v.artifact.digest !== 'string') fail(where, `version ${v.version} has no artifact uri and digest`);
    if (v.artifact.source !== undefined && typeof v.artifact.source !== 'string') fail(where, `version ${v.version} has an artifact source that is not a string`);
    if (typeof v.createdAt !== 'string' || !nullableString(v.trainedAt ?? null)) fail(where, `version ${v.version} has no createdAt`);
  }
  const aliases = value.aliases as { champion?: number | null; previous?: number | null };
  for (const name of ['champion', 'previous'] as const) {
    const target = aliases[name];
    if (target !== null && target !== undefined && !seen.has(target)) fail(where, `alias ${name} points at version ${target}, which is not registered`);
  }
  const doc = value as unknown as RegistryDocument;
  return { ...doc, aliases: { champion: aliases.champion ?? null, previous: aliases.previous ?? null } };
}

export function findVersion(doc: RegistryDocument, version: number): RegistryVersion | undefined {
  return doc.versions.find((v) => v.version === version);
}

export function champion(doc: RegistryDocument): RegistryVersion | undefined {
  return doc.aliases.champion === null ? undefined : findVersion(doc, doc.aliases.champion);
}

/** "1, 2, 3" (or "none"): what a user may pick from. */
export function describeVersions(doc: RegistryDocument): string {
  return doc.versions.length === 0 ? 'none' : doc.versions.map((v) => `v${v.version}`).join(', ');
}

/**
 * A version named by the user: `previous`, `champion`, `3` or `v3`. Unknown names and versions
 * are a UserError listing the versions that exist.
 */
export function resolveVersion(doc: RegistryDocument, name: string, where: string): RegistryVersion {
  const trimmed = name.trim();
  let number: number | null;
  if (trimmed === 'previous' || trimmed === 'champion') {
    number = doc.aliases[trimmed];
    if (number === null) throw new UserError(`${where}: model ${doc.model} has no ${trimmed} version yet; registered versions: ${describeVersions(doc)}`);
  } else {
    const match = /^v?(\d+)$/.exec(trimmed);
    if (!match) throw new UserError(`${where}: ${JSON.stringify(name)} is not a version; give a number (3 or v3), "previous" or "champion"`);
    number = Number(match[1]);
  }
  const found = findVersion(doc, number);
  if (!found) throw new UserError(`${where}: model ${doc.model} has no version ${number}; registered versions: ${describeVersions(doc)}`);
  return found;
}

// --- Changes -----------------------------------------------------------------------------------

/** What identifies one merge: the same pull request, head commit and artifact never make a second version. */
export interface MergeIdentity {
  pullRequest: number | null;
  headSha: string | null;
  commit: string | null;
  digest: string;
}

/** The version already registered for this merge, if any. */
export function versionForMerge(doc: RegistryDocument, merge: MergeIdentity): RegistryVersion | undefined {
  return doc.versions.find(
    (v) =>
      v.artifact.digest === merge.digest &&
      v.pullRequest === merge.pullRequest &&
      (v.headSha ?? null) === merge.headSha &&
      (merge.pullRequest !== null || v.commit === merge.commit),
  );
}

export type NewVersion = Omit<RegistryVersion, 'version'>;

/**
 * Register a version (numbered one past the highest) unless the same merge is already there.
 * Returns the document and the version, and whether it was added.
 */
export function addVersion(doc: RegistryDocument, entry: NewVersion): { doc: RegistryDocument; version: RegistryVersion; added: boolean } {
  const existing = versionForMerge(doc, { pullRequest: entry.pullRequest, headSha: entry.headSha, commit: entry.commit, digest: entry.artifact.digest });
  if (existing) return { doc, version: existing, added: false };
  const number = doc.versions.reduce((max, v) => Math.max(max, v.version), 0) + 1;
  const version: RegistryVersion = { version: number, ...entry };
  return { doc: { ...doc, versions: [...doc.versions, version] }, version, added: true };
}

/**
 * Register a version and make it the champion (the one it replaces becomes `previous`), as a merge
 * or `refit promote` does. The same merge registered again changes nothing (`added` false, the
 * document returned as it was).
 */
export function addChampion(doc: RegistryDocument, entry: NewVersion, context: MoveContext): { doc: RegistryDocument; version: RegistryVersion; added: boolean; previous: number | null } {
  const result = addVersion(doc, entry);
  const previous = doc.aliases.champion;
  if (!result.added) return { doc, version: result.version, added: false, previous };
  return { doc: promoteVersion(result.doc, result.version.version, context), version: result.version, added: true, previous };
}

/** Set one alias (recording the move); setting it to where it already points changes nothing. */
export function moveAlias(doc: RegistryDocument, name: AliasName, to: number | null, context: MoveContext): RegistryDocument {
  const from = doc.aliases[name];
  if (from === to) return doc;
  if (to !== null && !findVersion(doc, to)) throw new UserError(`model ${doc.model} has no version ${to}; registered versions: ${describeVersions(doc)}`);
  const move: AliasMove = { at: context.at, alias: name, from, to, reason: context.reason, actor: context.actor ?? null, runUrl: context.runUrl ?? null };
  return { ...doc, aliases: { ...doc.aliases, [name]: to }, history: [...doc.history, move] };
}

/**
 * Make `to` the champion; the champion it replaces becomes `previous`. Promoting the champion
 * again changes nothing.
 */
export function promoteVersion(doc: RegistryDocument, to: number, context: MoveContext): RegistryDocument {
  const current = doc.aliases.champion;
  if (current === to) return doc;
  const withPrevious = current === null ? doc : moveAlias(doc, 'previous', current, context);
  return moveAlias(withPrevious, 'champion', to, context);
}

/**
 * Roll the champion back to `to` (by default `previous`). `previous` then points at the version
 * that was rolled back from, so a second rollback undoes the first.
 */
export function rollbackTo(doc: RegistryDocument, to: number | 'previous', context: MoveContext): RegistryDocument {
  const target = to === 'previous' ? doc.aliases.previous : to;
  if (target === null) throw new UserError(`model ${doc.model} has no previous version to roll back to; registered versions: ${describeVersions(doc)}`);
  return promoteVersion(doc, target, context);
}

/** Record something about a version after the fact (its deployment), keeping everything else. */
export function annotateVersion(doc: RegistryDocument, version: number, patch: Partial<Pick<RegistryVersion, 'deployment'>>): RegistryDocument {
  if (!findVersion(doc, version)) throw new UserError(`model ${doc.model} has no version ${version}; registered versions: ${describeVersions(doc)}`);
  return { ...doc, versions: doc.versions.map((v) => (v.version === version ? { ...v, ...patch } : v)) };
}

/** The document as stored: indented JSON with a final newline (diffs stay readable). */
export function serializeRegistry(doc: RegistryDocument): string {
  return JSON.stringify(doc, null, 2) + '\n';
}
