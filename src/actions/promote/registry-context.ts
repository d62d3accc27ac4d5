/** What the promote and rollback actions share: the repository, a GitHub client and the registry store. */
import { UserError } from '../../errors.js';
import { createGitHubClient, type GitHubClient } from '../../github/client.js';
import { openRegistryStore, type RegistryStore } from '../../registry/index.js';
import { parseModelName } from '../inputs.js';

/** The model input, required and checked (it names files and branches). */
export function requiredModel(value: string): string {
  if (!value) throw new UserError('input model is required; set it under "with:" in the workflow step');
  return parseModelName(value);
}

export function openActionRegistry(settings: { token: string; model: string; registry: string; registryBranch: string }, log: (m: string) => void): { owner: string; repo: string; client: GitHubClient; store: RegistryStore } {
  const [owner, repo] = (process.env.GITHUB_REPOSITORY ?? '').split('/');
  if (!owner || !repo) throw new UserError('GITHUB_REPOSITORY is not set: this action runs in a GitHub Actions workflow');
  const client = createGitHubClient({ token: settings.token, log });
  const store = openRegistryStore(settings.registry, settings.model, { what: 'input registry', github: { client, owner, repo, branch: settings.registryBranch } });
  return { owner, repo, client, store };
}
