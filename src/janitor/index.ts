/**
 * The janitor: the last line of defence against forgotten GPU instances and runner registrations.
 * For one repository it
 *  - terminates Refit-tagged instances whose `refit:expires-at` has passed, or whose workflow run
 *    (`refit:run-id`) has completed (a run GitHub no longer knows counts as finished);
 *  - deletes offline runners whose names mark them as Refit's (`refit-<run>-<attempt>-<job>-<hex>`)
 *    once their workflow run has completed. A runner of a live run is kept: it may be booting.
 * With `dryRun` it only reports what it would do.
 */
import type { EC2Client } from '@aws-sdk/client-ec2';
import { findRefitInstances, terminateInstances } from '../compute/find.js';
import { UserError } from '../errors.js';
import { explainGitHubError, httpStatus, type GitHubClient } from '../github/client.js';
import { code, escapeMarkdown, table } from '../report/markdown.js';
import { parseRunnerName } from '../runner/names.js';
import { deleteRunner, listRunners, type DeleteOutcome, type RepoRef } from '../runner/registration.js';

export interface JanitorRequest extends RepoRef {
  /** owner/name, as instances are tagged. */
  repository: string;
  dryRun: boolean;
  /** Also delete offline Refit runners (default true). */
  runners?: boolean;
  now?: Date;
  log?: (message: string) => void;
}

export type RunState = { finished: boolean; status: string };

export interface InstanceVerdict {
  instanceId: string;
  state: string;
  runId: string;
  job: string;
  name: string | undefined;
  expiresAt: Date | undefined;
  /** Why it goes (empty when kept). */
  reasons: string[];
  action: 'terminated' | 'would terminate' | 'kept';
}

export interface RunnerVerdict {
  id: number;
  name: string;
  status: string;
  runId: string;
  reason: string;
  action: 'deleted' | 'would delete' | 'kept' | Exclude<DeleteOutcome, 'deleted'>;
}

export interface JanitorReport {
  dryRun: boolean;
  instances: InstanceVerdict[];
  runners: RunnerVerdict[];
  /** Set when the runner sweep could not run (e.g. the token lacks administration). */
  runnerError?: string;
}

/**
 * The status of workflow runs, asked once per run: completed or unknown (404) = finished. GitHub also
 * answers 404 to a token that cannot see the repository at all, so the first 404 is checked against
 * the repository itself: when that is 404 too, nothing counts as finished and the sweep stops.
 */
export function runStatusLookup(client: GitHubClient, repo: RepoRef): (runId: string) => Promise<RunState> {
  const cache = new Map<string, Promise<RunState>>();
  let visible: Promise<void> | undefined;
  const repositoryVisible = (): Promise<void> =>
    (visible ??= (async () => {
      try {
        await client.rest.repos.get({ ...repo });
      } catch (error) {
        if (httpStatus(error) === 404) {
          throw new UserError(
            `input token: the token cannot see ${repo.owner}/${repo.repo} (GitHub answered 404 to GET /repos/${repo.owner}/${repo.repo}), so Refit cannot tell which workflow runs have finished and terminated nothing. ` +
              'Give a token with access to this repository and "actions: read" (a GitHub App installation token for this repository, or a fine-grained PAT that includes it).',
            { cause: error },
          );
        }
        throw explainGitHubError(error, `reading repository ${repo.owner}/${repo.repo}`, 'metadata: read');
      }
    })());
  return (runId) => {
    let found = cache.get(runId);
    if (!found) {
      found = (async () => {
        if (!/^\d+$/.test(runId)) return { finished: false, status: 'not a run id' };
        try {
          const { data } = await client.rest.actions.getWorkflowRun({ ...repo, run_id: Number(runId) });
          return { finished: data.status === 'completed', status: data.conclusion ? `${data.status} (${data.conclusion})` : (data.status ?? 'unknown') };
        } catch (error) {
          if (httpStatus(error) === 404) {
            await repositoryVisible();
            return { finished: true, status: 'not found' };
          }
          throw explainGitHubError(error, `reading workflow run ${runId}`, 'actions: read');
        }
      })();
      cache.set(runId, found);
    }
    return found;
  };
}

export async function sweep(deps: { github: GitHubClient; ec2: EC2Client }, request: JanitorRequest): Promise<JanitorReport> {
  const log = request.log ?? (() => {});
  const now = request.now ?? new Date();
  const runState = runStatusLookup(deps.github, request);
  const report: JanitorReport = { dryRun: request.dryRun, instances: [], runners: [] };

  const found = await findRefitInstances(deps.ec2, { repository: request.repository, states: ['pending', 'running', 'stopping', 'stopped'] });
  for (const instance of found) {
    const reasons: string[] = [];
    const expires = instance.refit.expiresAt;
    if (expires && expires.getTime() <= now.getTime()) reasons.push(`expired at ${expires.toISOString()}`);
    const run = await runState(instance.refit.runId);
    if (run.finished) reasons.push(`run ${instance.refit.runId} ${run.status}`);
    report.instances.push({
      instanceId: instance.instanceId,
      state: instance.state,
      runId: instance.refit.runId,
      job: instance.refit.job,
      name: instance.refit.name,
      expiresAt: expires,
      reasons,
      action: reasons.length === 0 ? 'kept' : request.dryRun ? 'would terminate' : 'terminated',
    });
  }
  const doomed = report.instances.filter((i) => i.action === 'terminated').map((i) => i.instanceId);
  if (doomed.length > 0) {
    await terminateInstances(deps.ec2, doomed);
    log(`terminated ${doomed.join(', ')}`);
  }

  if (request.runners ?? true) {
    try {
      for (const runner of await listRunners(deps.github, request)) {
        const parts = parseRunnerName(runner.name);
        if (!parts) continue;
        const verdict: RunnerVerdict = { id: runner.id, name: runner.name, status: runner.busy ? 'busy' : runner.status, runId: parts.runId, reason: '', action: 'kept' };
        if (runner.status !== 'offline') {
          verdict.reason = `${verdict.status}`;
        } else {
          const run = await runState(parts.runId);
          verdict.reason = `offline, run ${parts.runId} ${run.status}`;
          if (run.finished) verdict.action = request.dryRun ? 'would delete' : await deleteRunner(deps.github, request, runner.id);
        }
        report.runners.push(verdict);
      }
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      report.runnerError = error.message;
    }
  }
  return report;
}

/** The job summary: what was (or would be) terminated and deleted, and what was kept. */
export function renderJanitorReport(report: JanitorReport): string {
  const verb = report.dryRun ? 'Dry run: nothing was changed' : 'Changes made';
  const goes = report.instances.filter((i) => i.action !== 'kept').length;
  const removed = report.runners.filter((r) => r.action === 'deleted' || r.action === 'would delete').length;
  const lines = [
    '## Refit janitor',
    '',
    `${verb}. Instances ${report.dryRun ? 'to terminate' : 'terminated'}: ${goes} of ${report.instances.length}; offline runners ${report.dryRun ? 'to delete' : 'deleted'}: ${removed}.`,
    '',
  ];
  if (report.instances.length > 0) {
    lines.push(
      table(
        ['Instance', 'State', 'Run', 'Job', 'Expires', 'Action', 'Why'],
        report.instances.map((i) => [
          code(i.instanceId),
          escapeMarkdown(i.state),
          escapeMarkdown(i.runId),
          escapeMarkdown(i.job),
          i.expiresAt ? i.expiresAt.toISOString() : '',
          i.action,
          escapeMarkdown(i.reasons.join('; ') || 'run in progress, not expired'),
        ]),
      ),
      '',
    );
  }
  if (report.runners.length > 0) {
    lines.push(table(['Runner', 'Id', 'Status', 'Action', 'Why'], report.runners.map((r) => [code(r.name), String(r.id), escapeMarkdown(r.status), r.action, escapeMarkdown(r.reason)])), '');
  }
  if (report.runnerError) lines.push(`Runners were not swept: ${escapeMarkdown(report.runnerError)}`, '');
  return lines.join('\n');
}
