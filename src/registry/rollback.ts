/**
 * Rollback: move the champion back to an earlier version (by default `previous`), record the
 * reason, deploy that version again and tell the team in an issue. A version that does not exist
 * changes nothing and the error lists the versions that do.
 */
import { UserError } from '../errors.js';
import { explainGitHubError, httpStatus, type GitHubClient } from '../github/client.js';
import { commentMarker } from '../github/comment.js';
import { describeVersions, promoteVersion, resolveVersion, annotateVersion, type RegistryVersion } from './document.js';
import { createDeployment, setDeploymentStatus } from './deploy.js';
import { rollbackMarkdown } from './render.js';
import type { RegistryStore } from './store.js';

export interface RollbackRequest {
  model: string;
  store: RegistryStore;
  /** `previous` (default), `champion`, `3` or `v3`. */
  to: string;
  reason: string;
  actor?: string | null;
  runUrl?: string | null;
  now?: () => Date;
  /** The GitHub side (deployment and issue); absent for the local CLI. */
  github?: { client: GitHubClient; owner: string; repo: string; environment: string; issue: boolean };
  log: (message: string) => void;
}

export interface RollbackResult {
  operation: 'rolled-back' | 'unchanged';
  version: number;
  previousVersion: number | null;
  deploymentId: number | null;
  issueNumber: number | null;
  markdown: string;
}

export async function rollback(request: RollbackRequest): Promise<RollbackResult> {
  const { model, store, log, github } = request;
  if (request.reason.trim() === '') throw new UserError('a reason is required: it is recorded in the registry history and shown to the team');
  const doc = await store.read();
  if (!doc || doc.versions.length === 0) throw new UserError(`${store.location}: model ${model} has no registered versions, so there is nothing to roll back to`);
  const target = resolveVersion(doc, request.to, 'to-version');
  const from = doc.aliases.champion;
  if (from === target.version) {
    log(`v${target.version} is already the champion of ${model}: nothing to do (registered versions: ${describeVersions(doc)})`);
    return { operation: 'unchanged', version: target.version, previousVersion: doc.aliases.previous, deploymentId: null, issueNumber: null, markdown: `${model} v${target.version} is already the champion; nothing changed.\n` };
  }
  const at = () => (request.now ?? (() => new Date()))().toISOString();
  const ref = target.commit ?? target.headSha;

  let deploymentId: number | null = null;
  if (github && ref) {
    try {
      deploymentId = await createDeployment(github.client, github, {
        ref,
        environment: github.environment,
        description: `${model}: roll back to v${target.version}`,
        payload: { model, version: target.version, rollbackFrom: from, artifact: target.artifact },
      });
    } catch (error) {
      // 422: GitHub cannot resolve the commit (a version registered with `refit promote` in another
      // repository or from an unpushed commit). The rollback itself must not be blocked by that.
      if (httpStatus(error) !== 422) throw error;
      log(`v${target.version} was registered from commit ${ref}, which is not in ${github.owner}/${github.repo}: no deployment is created (GitHub: ${(error as Error).message})`);
    }
  } else if (github) {
    log(`v${target.version} has no commit recorded: no deployment is created`);
  }

  const context = { at: at(), reason: request.reason, actor: request.actor ?? null, runUrl: request.runUrl ?? null };
  let updated;
  try {
    updated = await store.update((current) => {
      const moved = promoteVersion(current, target.version, context);
      return deploymentId !== null && github ? annotateVersion(moved, target.version, { deployment: { id: deploymentId, environment: github.environment } }) : moved;
    }, `refit: roll ${model} back to v${target.version}: ${request.reason}`);
  } catch (error) {
    if (github && deploymentId !== null) await setDeploymentStatus(github.client, github, deploymentId, 'error', 'the registry could not be updated', request.runUrl ?? undefined).catch(() => undefined);
    throw error;
  }
  const rolledFrom = updated.history.filter((h) => h.alias === 'champion' && h.to === target.version).at(-1)?.from ?? from;
  log(`champion of ${model}: v${rolledFrom ?? '–'} -> v${target.version} (${request.reason})`);
  if (github && deploymentId !== null) {
    await setDeploymentStatus(github.client, github, deploymentId, 'success', `rolled back to v${target.version}: ${request.reason}`, request.runUrl ?? undefined);
  }

  const version: RegistryVersion = updated.versions.find((v) => v.version === target.version)!;
  const markdown = rollbackMarkdown({ model, from: rolledFrom, to: version, reason: request.reason, actor: request.actor ?? null, runUrl: request.runUrl ?? null, environment: github?.environment ?? '', deploymentId });
  let issueNumber: number | null = null;
  if (github?.issue) issueNumber = await tellTheTeam(github.client, { owner: github.owner, repo: github.repo }, model, markdown, version.version, log);
  return { operation: 'rolled-back', version: target.version, previousVersion: updated.aliases.previous, deploymentId, issueNumber, markdown };
}

/**
 * One open issue per model collects its rollbacks: the first opens it, later ones comment on it
 * while it is open. Found by a hidden marker in its body. Needs `issues: write`.
 */
async function tellTheTeam(client: GitHubClient, at: { owner: string; repo: string }, model: string, markdown: string, version: number, log: (m: string) => void): Promise<number> {
  const marker = commentMarker('rollback', `model=${model}`);
  try {
    for await (const page of client.paginate.iterator(client.rest.issues.listForRepo, { ...at, state: 'open', per_page: 100 })) {
      const open = page.data.find((i) => !i.pull_request && i.body?.includes(marker));
      if (open) {
        await client.rest.issues.createComment({ ...at, issue_number: open.number, body: markdown });
        log(`commented on issue #${open.number}`);
        return open.number;
      }
    }
    const { data } = await client.rest.issues.create({ ...at, title: `Model ${model} rolled back to v${version}`, body: `${marker}\n${markdown}` });
    log(`opened issue #${data.number}`);
    return data.number;
  } catch (error) {
    throw explainGitHubError(error, 'telling the team in an issue', 'issues: write');
  }
}
