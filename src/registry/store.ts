/**
 * Where a registry lives. Every backend offers the same two operations: read the document, and
 * update it with a pure change under optimistic concurrency: the write succeeds only if the stored
 * document is still the one the change was computed from (a blob SHA on a branch, an ETag in S3, a
 * content hash on disk); otherwise the document is read again and the change re-applied. Two
 * writers therefore never lose each other's update.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { UserError } from '../errors.js';
import { readBranchDocument, updateBranchDocument, type BranchDocumentLocation } from '../github/branch-document.js';
import type { GitHubClient } from '../github/client.js';
import type { ArtifactCopy } from './artifact-copy.js';
import { emptyRegistry, parseRegistry, serializeRegistry, type RegistryDocument } from './document.js';

/**
 * A change to the registry. It may run more than once (after a concurrent write), so it derives
 * its result from its argument only; it returns the same document (`===`) when there is nothing
 * to write.
 */
export type RegistryChange = (current: RegistryDocument) => RegistryDocument;

export interface RegistryStore {
  /** Where the registry is, for messages ("s3://bucket/models/taxi/registry.json"). */
  readonly location: string;
  readonly model: string;
  /** The registry, or null when none has been written yet. */
  read(): Promise<RegistryDocument | null>;
  /** Apply `change` and store the result; returns what is stored afterwards. */
  update(change: RegistryChange, message: string): Promise<RegistryDocument>;
  /**
   * Backends that keep artifacts (s3): copy the evaluated artifact next to the registry,
   * content-addressed, and return the copy (its digest proven equal to `digest`).
   */
  keepArtifact?(artifact: string, digest: string, log?: (message: string) => void): Promise<ArtifactCopy>;
}

/** Path of a model's registry file, in the repository and on the state branch. */
export function registryFilePath(model: string): string {
  return `.refit/${model}/registry.json`;
}

/** A stored document and the token that proves which one it is (null: nothing stored yet). */
export interface Versioned {
  doc: RegistryDocument | null;
  token: string | null;
}

const MAX_ATTEMPTS = 10;

/** A backend with conditional writes: `writeIf` returns false when the stored token has moved on. */
export abstract class ConditionalRegistryStore implements RegistryStore {
  abstract readonly location: string;
  constructor(readonly model: string) {}

  protected abstract readVersioned(): Promise<Versioned>;
  protected abstract writeIf(doc: RegistryDocument, token: string | null): Promise<boolean>;

  async read(): Promise<RegistryDocument | null> {
    return (await this.readVersioned()).doc;
  }

  async update(change: RegistryChange, _message?: string): Promise<RegistryDocument> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const current = await this.readVersioned();
      const base = current.doc ?? emptyRegistry(this.model);
      const next = change(base);
      if (next === base && current.doc !== null) return base;
      if (await this.writeIf(next, current.token)) return next;
      // Someone else wrote first: wait a little (more each time, with jitter) and re-apply.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
    }
    throw new UserError(`${this.location}: gave up after ${MAX_ATTEMPTS} concurrent updates of the registry; run again`);
  }

  protected parse(text: string): RegistryDocument {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new UserError(`${this.location}: the model registry is not valid JSON (${(error as Error).message}); restore it from its history`);
    }
    return parseRegistry(value, this.location, this.model);
  }
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * The registry as a file in the working tree (`refit` on a laptop or in a job that commits it).
 * The write goes to a temporary file renamed over the registry, so a reader never sees half a file.
 */
export class FileRegistryStore extends ConditionalRegistryStore {
  readonly location: string;
  constructor(model: string, root = '.') {
    super(model);
    this.location = join(root, registryFilePath(model));
  }

  protected async readVersioned(): Promise<Versioned> {
    let text: string;
    try {
      text = await readFile(this.location, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return { doc: null, token: null };
      throw new UserError(`${this.location}: cannot read the model registry (${code})`);
    }
    return { doc: this.parse(text), token: sha256(text) };
  }

  protected async writeIf(doc: RegistryDocument, token: string | null): Promise<boolean> {
    const now = await this.readVersioned();
    if (now.token !== token) return false;
    await mkdir(dirname(this.location), { recursive: true });
    const temp = `${this.location}.${process.pid}.tmp`;
    await writeFile(temp, serializeRegistry(doc));
    await rename(temp, this.location);
    return true;
  }
}

/** Thrown by a change that finds nothing to write, so the branch gets no empty commit. */
class Unchanged extends Error {
  constructor(readonly doc: RegistryDocument) {
    super('unchanged');
  }
}

/**
 * The registry on a state branch of the repository (default `refit-state`), through the contents
 * API: the blob SHA is the condition of every write (src/github/branch-document.ts). The default
 * branch is never pushed to, so branch protection on it needs no exception. Needs `contents: write`.
 */
export class BranchRegistryStore implements RegistryStore {
  readonly location: string;
  private readonly at: BranchDocumentLocation;
  constructor(
    private readonly client: GitHubClient,
    at: { owner: string; repo: string; branch: string },
    readonly model: string,
  ) {
    this.at = { ...at, path: registryFilePath(model) };
    this.location = `${this.at.path} on branch ${at.branch}`;
  }

  async read(): Promise<RegistryDocument | null> {
    const value = await readBranchDocument<unknown>(this.client, this.at);
    return value === null ? null : parseRegistry(value, this.location, this.model);
  }

  async update(change: RegistryChange, message: string): Promise<RegistryDocument> {
    try {
      return await updateBranchDocument<RegistryDocument>(
        this.client,
        this.at,
        (current) => {
          const base = current === null ? emptyRegistry(this.model) : parseRegistry(current, this.location, this.model);
          const next = change(base);
          if (next === base && current !== null) throw new Unchanged(base);
          return next;
        },
        message,
      );
    } catch (error) {
      if (error instanceof Unchanged) return error.doc;
      throw error;
    }
  }
}
