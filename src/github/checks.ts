/**
 * A check run per commit and name, created or updated in place, so branch protection can require
 * it. GitHub lets only GitHub Apps create check runs (GITHUB_TOKEN is one; a PAT is not). Needs
 * `checks: write`.
 */
import { explainGitHubError, type GitHubClient } from './client.js';

export interface CheckRunRequest {
  owner: string;
  repo: string;
  headSha: string;
  name: string;
  conclusion: 'success' | 'failure' | 'neutral';
  title: string;
  /** Markdown, at most 65,535 characters (longer text is cut). */
  summary: string;
  /** Further Markdown under the summary (output.text), e.g. hidden machine-readable lines. */
  text?: string;
  /** The integrator's reference for this run (external_id), e.g. the digest of what was checked. */
  externalId?: string;
  detailsUrl?: string;
}

const MAX_SUMMARY = 65_535;

function fit(text: string): string {
  return text.length <= MAX_SUMMARY ? text : text.slice(0, MAX_SUMMARY - 80) + '\n\n_Cut to fit a check run; the full report is in the workflow run._\n';
}

export async function publishCheckRun(client: GitHubClient, request: CheckRunRequest): Promise<{ id: number; operation: 'created' | 'updated' }> {
  const { owner, repo } = request;
  const output = { title: request.title.slice(0, 255), summary: fit(request.summary), ...(request.text !== undefined ? { text: fit(request.text) } : {}) };
  try {
    const { data } = await client.rest.checks.listForRef({ owner, repo, ref: request.headSha, check_name: request.name, filter: 'latest', per_page: 100 });
    const existing = data.check_runs.find((run) => run.name === request.name);
    const fields = { status: 'completed' as const, conclusion: request.conclusion, completed_at: new Date().toISOString(), output, ...(request.detailsUrl ? { details_url: request.detailsUrl } : {}), ...(request.externalId !== undefined ? { external_id: request.externalId } : {}) };
    if (existing) {
      await client.rest.checks.update({ owner, repo, check_run_id: existing.id, ...fields });
      return { id: existing.id, operation: 'updated' };
    }
    const { data: created } = await client.rest.checks.create({ owner, repo, name: request.name, head_sha: request.headSha, ...fields });
    return { id: created.id, operation: 'created' };
  } catch (error) {
    throw explainGitHubError(error, `publishing the check run "${request.name}"`, 'checks: write');
  }
}
