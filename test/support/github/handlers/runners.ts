/**
 * Self-hosted runners (just-in-time registration, get, delete, list) and workflow runs (get), for
 * the gpu-runner and janitor actions. State and helpers: `../runners.ts` (`actionsState(gh.state)`).
 *
 * - Runner endpoints need `administration` (`write` to register or delete, `read` to read), and
 *   refuse `GITHUB_TOKEN` (an app token acting as `github-actions[bot]`) whatever its permissions,
 *   as GitHub does: that token cannot be granted `administration`.
 * - generate-jitconfig: 409 `Already exists - A runner with the name <n> already exists.`; an
 *   unknown `runner_group_id` is 404; the runner starts offline, ephemeral.
 * - delete: 422 `Bad request - Runner "<n>" is still running a job"` while busy; unknown ids 404.
 * - list: `name` (exact), paginated `{ total_count, runners }`.
 * - workflow run: `actions: read`; unknown ids 404.
 */
import { bodyOf, defineHandlers, type RequestContext } from '../context.js';
import { GitHubError, forbidden, notFound } from '../errors.js';
import { nodeId, repository } from '../factories.js';
import { paginate } from '../pagination.js';
import { isoSeconds } from '../state.js';
import { READ_ONLY_LABELS, actionsState, type RunnerRecord, type WorkflowRunRecord } from '../runners.js';

/** GITHUB_TOKEN (an app token acting as github-actions[bot]) never has `administration`. */
function refuseGitHubToken(ctx: RequestContext, level: 'read' | 'write'): void {
  if (ctx.tokenKind === 'app' && ctx.state.actor.login === 'github-actions[bot]') throw forbidden(`administration=${level}`);
}

function runnerBody(runner: RunnerRecord): Record<string, unknown> {
  let labelId = runner.id * 100;
  return {
    id: runner.id,
    runner_group_id: runner.runnerGroupId,
    name: runner.name,
    os: runner.os,
    status: runner.status,
    busy: runner.busy,
    ephemeral: runner.ephemeral,
    labels: [
      ...READ_ONLY_LABELS.map((name) => ({ id: ++labelId, name, type: 'read-only' })),
      ...runner.labels.map((name) => ({ id: ++labelId, name, type: 'custom' })),
    ],
    version: runner.version,
  };
}

function runnerById(ctx: RequestContext): RunnerRecord {
  const runner = actionsState(ctx.state).runner(Number(ctx.params.runner_id));
  if (!runner) throw notFound();
  return runner;
}

function workflowRunBody(ctx: RequestContext, run: WorkflowRunRecord): Record<string, unknown> {
  const url = ctx.links.repo(`/actions/runs/${run.id}`);
  const headSha = ctx.state.branchSha(run.headBranch) ?? '0'.repeat(40);
  return {
    id: run.id,
    name: 'Retrain',
    node_id: nodeId('WorkflowRun', run.id),
    head_branch: run.headBranch,
    head_sha: headSha,
    path: run.path,
    display_title: 'Retrain',
    run_number: run.runNumber,
    run_attempt: run.runAttempt,
    event: run.event,
    status: run.status,
    conclusion: run.conclusion,
    workflow_id: 1,
    url,
    html_url: ctx.links.html(`/actions/runs/${run.id}`),
    pull_requests: [],
    created_at: isoSeconds(run.createdAt),
    updated_at: isoSeconds(run.updatedAt),
    run_started_at: isoSeconds(run.createdAt),
    jobs_url: `${url}/jobs`,
    logs_url: `${url}/logs`,
    check_suite_url: ctx.links.repo(`/check-suites/${run.id}`),
    artifacts_url: `${url}/artifacts`,
    cancel_url: `${url}/cancel`,
    rerun_url: `${url}/rerun`,
    workflow_url: ctx.links.repo('/actions/workflows/1'),
    head_commit: null,
    repository: repository(ctx.state, ctx.links),
    head_repository: repository(ctx.state, ctx.links),
  };
}

export const runnerHandlers = defineHandlers([
  {
    operationId: 'actions/generate-runner-jitconfig-for-repo',
    permission: { administration: 'write' },
    handle(ctx) {
      refuseGitHubToken(ctx, 'write');
      const input = bodyOf<{ name: string; runner_group_id: number; labels: string[]; work_folder?: string }>(ctx);
      const actions = actionsState(ctx.state);
      if (!actions.runnerGroups.has(input.runner_group_id)) throw notFound();
      if (actions.runnerByName(input.name)) throw new GitHubError(409, `Already exists - A runner with the name ${input.name} already exists.`);
      const runner = actions.register({
        name: input.name,
        labels: input.labels,
        runnerGroupId: input.runner_group_id,
        ...(input.work_folder === undefined ? {} : { workFolder: input.work_folder }),
      });
      return { status: 201, body: { runner: runnerBody(runner), encoded_jit_config: runner.encodedJitConfig } };
    },
  },
  {
    operationId: 'actions/get-self-hosted-runner-for-repo',
    permission: { administration: 'read' },
    handle(ctx) {
      refuseGitHubToken(ctx, 'read');
      return { status: 200, body: runnerBody(runnerById(ctx)) };
    },
  },
  {
    operationId: 'actions/delete-self-hosted-runner-from-repo',
    permission: { administration: 'write' },
    handle(ctx) {
      refuseGitHubToken(ctx, 'write');
      const runner = runnerById(ctx);
      if (runner.busy) throw new GitHubError(422, `Bad request - Runner "${runner.name}" is still running a job"`);
      actionsState(ctx.state).runners.delete(runner.id);
      return { status: 204 };
    },
  },
  {
    operationId: 'actions/list-self-hosted-runners-for-repo',
    permission: { administration: 'read' },
    handle(ctx) {
      refuseGitHubToken(ctx, 'read');
      const name = typeof ctx.query.name === 'string' ? ctx.query.name : undefined;
      const all = [...actionsState(ctx.state).runners.values()].filter((r) => name === undefined || r.name === name).sort((a, b) => a.id - b.id);
      const { items, headers } = paginate(ctx, all);
      return { status: 200, body: { total_count: all.length, runners: items.map(runnerBody) }, headers };
    },
  },
  {
    operationId: 'actions/get-workflow-run',
    permission: { actions: 'read' },
    handle(ctx) {
      const run = actionsState(ctx.state).runs.get(Number(ctx.params.run_id));
      if (!run) throw notFound();
      return { status: 200, body: workflowRunBody(ctx, run) };
    },
  },
]);
