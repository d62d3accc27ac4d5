/** The model registry: documents, stores (git file, state branch, S3), promotion and rollback. */
import { UserError } from '../errors.js';
import type { GitHubClient } from '../github/client.js';
import { S3RegistryStore } from './s3-store.js';
import { BranchRegistryStore, FileRegistryStore, type RegistryStore } from './store.js';

export * from './document.js';
export * from './store.js';
export { S3RegistryStore } from './s3-store.js';

/**
 * The store a `registry` setting names: `git` (default: the state branch through the API when a
 * client is given, else the file in the working tree) or `s3://bucket[/prefix]`.
 */
export function openRegistryStore(
  setting: string,
  model: string,
  where: { what: string; root?: string; github?: { client: GitHubClient; owner: string; repo: string; branch: string } },
): RegistryStore {
  const value = setting.trim() || 'git';
  if (value === 'git') {
    return where.github ? new BranchRegistryStore(where.github.client, where.github, model) : new FileRegistryStore(model, where.root);
  }
  if (/^s3:\/\/[^/]+/.test(value)) return new S3RegistryStore(value, model);
  throw new UserError(`${where.what}: ${JSON.stringify(setting)} is not a registry; use git (the default) or s3://bucket/prefix`);
}

/** Release what a store holds open (the S3 client's sockets). */
export async function closeRegistryStore(store: RegistryStore): Promise<void> {
  if (store instanceof S3RegistryStore) await store.close();
}
