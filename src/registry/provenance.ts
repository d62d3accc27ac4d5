/**
 * Provenance of a promotion, checked before anything changes: the pull request was merged, it came
 * from the model's Refit branch of this repository (never a fork), its head commit passed the Refit
 * evaluation check, and the artifact is byte for byte the one that was evaluated.
 *
 * The evaluate action records what it evaluated on its check run: `external_id` is the artifact
 * digest and the output text carries `<!-- refit:artifact {"uri":"...","digest":"sha256:..."} -->`.
 */
import { artifactDigest, isDigest, type ArtifactDigest } from '../artifact.js';
import { UserError } from '../errors.js';
import { explainGitHubError, type GitHubClient } from '../github/client.js';

export interface MergedPullRequest {
  number: number;
  headRef: string;
  headSha: string;
  /** `owner/repo` the head branch lives in (null when the fork was deleted). */
  headRepo: string | null;
  fromFork: boolean;
  merged: boolean;
  mergedBy: string | null;
  mergeCommitSha: string | null;
  baseRef: string;
}

/** A refusal: nothing was changed, and the message says why and what to do. */
export class ProvenanceError extends UserError {}

interface PullPayload {
  number: number;
  merged?: boolean | null;
  merge_commit_sha?: string | null;
  merged_by?: { login?: string } | null;
  head: { ref: string; sha: string; repo?: { full_name?: string; fork?: boolean } | null };
  base: { ref: string };
}

export function pullFromPayload(pr: PullPayload, repository: string): MergedPullRequest {
  const headRepo = pr.head.repo?.full_name ?? null;
  return {
    number: pr.number,
    headRef: pr.head.ref,
    headSha: pr.head.sha,
    headRepo,
    fromFork: Boolean(pr.head.repo?.fork) || headRepo === null || headRepo.toLowerCase() !== repository.toLowerCase(),
    merged: pr.merged === true,
    mergedBy: pr.merged_by?.login ?? null,
    mergeCommitSha: pr.merge_commit_sha ?? null,
    baseRef: pr.base.ref,
  };
}

/**
 * The merged pull request behind the event: `pull_request` (closed) carries it; for `push` to the
 * default branch, it is the closed pull request from the model's branch whose merge commit was pushed.
 */
export async function mergedPullRequest(
  client: GitHubClient,
  options: { owner: string; repo: string; eventName: string | undefined; payload: unknown; branch: string },
): Promise<MergedPullRequest> {
  const repository = `${options.owner}/${options.repo}`;
  const payload = (options.payload ?? {}) as { pull_request?: PullPayload; after?: string; ref?: string };
  if (payload.pull_request) return pullFromPayload(payload.pull_request, repository);
  if (options.eventName === 'push' && typeof payload.after === 'string') {
    const pushed = payload.after;
    try {
      const pulls = await client.paginate(client.rest.pulls.list, { owner: options.owner, repo: options.repo, state: 'closed', head: `${options.owner}:${options.branch}`, per_page: 100 });
      const pr = pulls.find((p) => p.merge_commit_sha === pushed && p.merged_at !== null);
      if (!pr) throw new ProvenanceError(`the pushed commit ${pushed.slice(0, 12)} is not the merge of a pull request from ${options.branch}; only a merged retraining pull request is promoted`);
      const { data } = await client.rest.pulls.get({ owner: options.owner, repo: options.repo, pull_number: pr.number });
      return pullFromPayload(data as unknown as PullPayload, repository);
    } catch (error) {
      throw explainGitHubError(error, 'finding the merged pull request of the push', 'pull-requests: read');
    }
  }
  throw new ProvenanceError(
    `promote runs on a merged pull request (on: pull_request: types: [closed]) or a push to the default branch; this run's event is ${options.eventName ?? 'unknown'}`,
  );
}

/** The pull request must be merged, from `branch` of this repository. */
export function checkPullRequest(pr: MergedPullRequest, branch: string): void {
  if (pr.fromFork) {
    throw new ProvenanceError(`pull request #${pr.number} comes from a fork (${pr.headRepo ?? 'deleted repository'}); a pull request from a fork never promotes a model`);
  }
  if (!pr.merged) throw new ProvenanceError(`pull request #${pr.number} was closed without being merged; nothing to promote`);
  if (pr.headRef !== branch) {
    throw new ProvenanceError(`pull request #${pr.number} comes from branch ${pr.headRef}, not the model's retraining branch ${branch}; only retraining pull requests are promoted`);
  }
}

export interface Evaluation {
  checkRunId: number;
  name: string;
  url?: string;
  /** The artifact the evaluation recorded. */
  artifact: { uri: string; digest: string };
  /** When the evaluation ran (the model was trained before). */
  startedAt: string | null;
}

const ARTIFACT_LINE = /<!-- refit:artifact (\{.*?\}) -->/;

/** The artifact an evaluation check run recorded in its output text, or null. */
export function artifactOfCheckRun(text: string | null | undefined): { uri: string; digest: string } | null {
  const match = ARTIFACT_LINE.exec(text ?? '');
  if (!match) return null;
  try {
    const value = JSON.parse(match[1]!) as { uri?: unknown; digest?: unknown };
    return typeof value.uri === 'string' && typeof value.digest === 'string' && isDigest(value.digest) ? { uri: value.uri, digest: value.digest } : null;
  } catch {
    return null;
  }
}

/**
 * The newest evaluation check run named `name` on `sha` (every page is read); it must have
 * concluded `success` and recorded an artifact whose digest is also its `external_id`.
 */
export async function passedEvaluation(client: GitHubClient, options: { owner: string; repo: string; sha: string; name: string; pullRequest: number }): Promise<Evaluation> {
  let runs;
  try {
    runs = await client.paginate(client.rest.checks.listForRef, { owner: options.owner, repo: options.repo, ref: options.sha, check_name: options.name, filter: 'all', per_page: 100 });
  } catch (error) {
    throw explainGitHubError(error, `reading the check runs of ${options.sha.slice(0, 12)}`, 'checks: read');
  }
  const named = runs.filter((r) => r.name === options.name);
  const newest = named.sort((a, b) => Date.parse(b.started_at ?? '') - Date.parse(a.started_at ?? '') || b.id - a.id)[0];
  const where = `the head commit ${options.sha.slice(0, 12)} of pull request #${options.pullRequest}`;
  if (!newest) throw new ProvenanceError(`${where} has no "${options.name}" check run; run the evaluate action on the pull request before merging (and require its check in branch protection)`);
  if (newest.status !== 'completed' || newest.conclusion !== 'success') {
    throw new ProvenanceError(`the "${options.name}" check run on ${where} did not pass (${newest.status === 'completed' ? `conclusion ${newest.conclusion}` : newest.status}); a model that failed its evaluation is not promoted`);
  }
  const artifact = artifactOfCheckRun(newest.output.text);
  if (!artifact) {
    throw new ProvenanceError(`the "${options.name}" check run on ${where} records no artifact; pass the trained model as the evaluate action's artifact input so its digest is recorded`);
  }
  if (newest.external_id && newest.external_id !== artifact.digest) {
    throw new ProvenanceError(`the "${options.name}" check run on ${where} is inconsistent: external_id ${newest.external_id} differs from the recorded digest ${artifact.digest}`);
  }
  return { checkRunId: newest.id, name: newest.name, url: newest.html_url ?? undefined, artifact, startedAt: newest.started_at ?? null } as Evaluation;
}

/** Hash the artifact now and require the digest the evaluation recorded. */
export async function verifyArtifact(evaluation: Evaluation, uri: string): Promise<ArtifactDigest> {
  const now = await artifactDigest(uri, 'input artifact');
  if (now.digest !== evaluation.artifact.digest) {
    throw new ProvenanceError(
      `the artifact ${uri} has digest ${now.digest}, but the evaluation (check run ${evaluation.checkRunId}) passed ${evaluation.artifact.uri} with digest ${evaluation.artifact.digest}; only the evaluated bytes are promoted`,
    );
  }
  return now;
}
