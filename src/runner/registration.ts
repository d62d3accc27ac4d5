/**
 * The GitHub side of a just-in-time runner: register (generate-jitconfig), read one runner, delete,
 * and list. Registering, reading and deleting runners need a token with `administration: write` on
 * the repository (a fine-grained personal access token or a GitHub App installation token); the
 * workflow's GITHUB_TOKEN can never have that permission.
 */
import { UserError } from '../errors.js';
import { explainGitHubError, httpStatus, type GitHubClient } from '../github/client.js';

export interface RepoRef {
  owner: string;
  repo: string;
}

export interface RunnerInfo {
  id: number;
  name: string;
  status: string;
  busy: boolean;
  labels: string[];
}

export interface JitRegistration {
  runner: RunnerInfo;
  /** Short-lived, single-use, bound to this one runner: the only GitHub credential the instance gets. */
  encodedJitConfig: string;
}

/** How to get a token that may register runners; appended to 403/404 answers of the runner endpoints. */
export const ADMINISTRATION_ADVICE =
  'Registering and removing self-hosted runners needs a token with "administration: write" on the repository: ' +
  'a fine-grained personal access token with Administration "Read and write", or a GitHub App installation token ' +
  '(e.g. from actions/create-github-app-token) whose app has that permission. The workflow\'s GITHUB_TOKEN cannot do it: ' +
  'its permissions never include administration. Pass such a token as the `token` input (from a secret).';

type RawRunner = { id: number; name: string; status: string; busy: boolean; labels: Array<{ name: string }> };

function info(runner: RawRunner): RunnerInfo {
  return { id: runner.id, name: runner.name, status: runner.status, busy: runner.busy, labels: runner.labels.map((l) => l.name) };
}

/** 403 or 404 (GitHub hides the endpoint from tokens that lack the permission): say which token is needed. */
function explainRunnerError(error: unknown, doing: string): unknown {
  const status = httpStatus(error);
  if (status === 403 || status === 404) {
    const message = (error as Error).message;
    if (status === 403 && /rate limit/i.test(message)) return error;
    return new UserError(`${doing}: GitHub answered ${status} (${message}). ${ADMINISTRATION_ADVICE}`, { cause: error });
  }
  return explainGitHubError(error, doing, 'administration: write');
}

export interface RegisterRequest extends RepoRef {
  name: string;
  labels: string[];
  runnerGroupId: number;
  workFolder?: string;
}

export async function registerJitRunner(client: GitHubClient, request: RegisterRequest): Promise<JitRegistration> {
  try {
    const { data } = await client.rest.actions.generateRunnerJitconfigForRepo({
      owner: request.owner,
      repo: request.repo,
      name: request.name,
      runner_group_id: request.runnerGroupId,
      labels: request.labels,
      work_folder: request.workFolder ?? '_work',
    });
    return { runner: info(data.runner as RawRunner), encodedJitConfig: data.encoded_jit_config };
  } catch (error) {
    const doing = `registering runner ${request.name} (POST /repos/${request.owner}/${request.repo}/actions/runners/generate-jitconfig, runner group ${request.runnerGroupId})`;
    if (httpStatus(error) === 404) {
      throw new UserError(
        `${doing}: GitHub answered 404 (${(error as Error).message}): either the token may not manage runners, or runner-group-id ${request.runnerGroupId} does not exist (1 is the default group). ${ADMINISTRATION_ADVICE}`,
        { cause: error },
      );
    }
    throw explainRunnerError(error, doing);
  }
}

/** One runner, or undefined when GitHub no longer has it (an ephemeral runner removes itself after its job). */
export async function getRunner(client: GitHubClient, repo: RepoRef, runnerId: number): Promise<RunnerInfo | undefined> {
  try {
    const { data } = await client.rest.actions.getSelfHostedRunnerForRepo({ ...repo, runner_id: runnerId });
    return info(data as RawRunner);
  } catch (error) {
    if (httpStatus(error) === 404) return undefined;
    throw explainRunnerError(error, `reading runner ${runnerId}`);
  }
}

export type DeleteOutcome = 'deleted' | 'gone' | 'busy';

/** Remove a registration. Idempotent: `gone` when GitHub no longer has it; `busy` (422) while it runs a job. */
export async function deleteRunner(client: GitHubClient, repo: RepoRef, runnerId: number): Promise<DeleteOutcome> {
  try {
    await client.rest.actions.deleteSelfHostedRunnerFromRepo({ ...repo, runner_id: runnerId });
    return 'deleted';
  } catch (error) {
    const status = httpStatus(error);
    if (status === 404) return 'gone';
    if (status === 422) return 'busy';
    throw explainRunnerError(error, `removing runner ${runnerId}`);
  }
}

/** Every runner of the repository (all pages). */
export async function listRunners(client: GitHubClient, repo: RepoRef): Promise<RunnerInfo[]> {
  try {
    const runners = await client.paginate(client.rest.actions.listSelfHostedRunnersForRepo, { ...repo, per_page: 100 });
    return (runners as RawRunner[]).map(info);
  } catch (error) {
    throw explainRunnerError(error, `listing the runners of ${repo.owner}/${repo.repo}`);
  }
}
