/**
 * GitHub's side of a model release: a Deployment per move of the champion (environment
 * `model/<name>` by default) with its statuses, an optional release/tag `model/<name>/v<N>`, the
 * verify command, and the snapshot manifest read from the merged commit for lineage.
 * Needs `deployments: write` (and `contents: write` for releases).
 */
import { spawn } from 'node:child_process';
import { explainGitHubError, httpStatus, type GitHubClient } from '../github/client.js';
import { UserError } from '../errors.js';

export interface Repo {
  owner: string;
  repo: string;
}

export type DeploymentState = 'in_progress' | 'success' | 'failure' | 'error' | 'inactive';

/** GitHub limits a deployment status description to 140 characters. */
function short(text: string): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length <= 140 ? one : one.slice(0, 139) + '…';
}

/** Create a deployment of `ref` (a commit SHA) to `environment`; the caller has checked provenance itself. */
export async function createDeployment(
  client: GitHubClient,
  at: Repo,
  request: { ref: string; environment: string; description: string; payload: Record<string, unknown> },
): Promise<number> {
  try {
    const { data, status } = await client.rest.repos.createDeployment({
      ...at,
      ref: request.ref,
      environment: request.environment,
      description: short(request.description),
      payload: request.payload,
      task: 'deploy',
      // Refit verified the evaluation itself; the merge commit's other checks may still be running.
      required_contexts: [],
      auto_merge: false,
    });
    if (status !== 201 || !('id' in data)) throw new UserError(`creating the deployment of ${request.ref}: GitHub answered ${status} without a deployment`);
    return data.id;
  } catch (error) {
    throw explainGitHubError(error, `creating a deployment to ${request.environment}`, 'deployments: write');
  }
}

export async function setDeploymentStatus(
  client: GitHubClient,
  at: Repo,
  deploymentId: number,
  state: DeploymentState,
  description: string,
  logUrl?: string,
): Promise<void> {
  try {
    await client.rest.repos.createDeploymentStatus({ ...at, deployment_id: deploymentId, state, description: short(description), ...(logUrl ? { log_url: logUrl } : {}) });
  } catch (error) {
    throw explainGitHubError(error, `setting deployment ${deploymentId} to ${state}`, 'deployments: write');
  }
}

/** A release (and its tag) on `sha`; an existing release of that tag is kept. */
export async function createModelRelease(client: GitHubClient, at: Repo, request: { tag: string; sha: string; name: string; body: string }): Promise<'created' | 'exists'> {
  try {
    await client.rest.repos.createRelease({ ...at, tag_name: request.tag, target_commitish: request.sha, name: request.name, body: request.body });
    return 'created';
  } catch (error) {
    if (httpStatus(error) === 422) {
      try {
        await client.rest.repos.getReleaseByTag({ ...at, tag: request.tag });
        return 'exists';
      } catch {
        // fall through to the original error
      }
    }
    throw explainGitHubError(error, `creating the release ${request.tag}`, 'contents: write');
  }
}

/** The snapshot manifest on the merged commit (path and data digest), or undefined when there is none. */
export async function snapshotAt(client: GitHubClient, at: Repo, ref: string, path: string): Promise<{ path: string; digest: string } | undefined> {
  try {
    const { data } = await client.rest.repos.getContent({ ...at, path, ref });
    if (Array.isArray(data) || data.type !== 'file' || !('content' in data)) return undefined;
    // Over 1 MB the contents API sends no content (encoding "none"); the raw media type sends it (up to 100 MB).
    const text =
      data.encoding === 'none'
        ? String((await client.rest.repos.getContent({ ...at, path, ref, mediaType: { format: 'raw' } })).data)
        : Buffer.from(data.content, 'base64').toString('utf8');
    const manifest = JSON.parse(text) as { digest?: unknown };
    return typeof manifest.digest === 'string' ? { path, digest: manifest.digest } : undefined;
  } catch (error) {
    if (httpStatus(error) === 404 || error instanceof SyntaxError) return undefined;
    throw explainGitHubError(error, `reading ${path} at ${ref.slice(0, 12)}`, 'contents: read');
  }
}

export interface VerifyResult {
  ok: boolean;
  exitCode: number | null;
  /** The end of what the command printed (stdout and stderr interleaved). */
  tail: string;
}

const TAIL = 3000;

/**
 * The environment a workflow `run:` step gets: the action's own, without what the runner gives
 * only to the action: its inputs (`INPUT_*`, among them the token) and the runtime token.
 */
export function stepEnvironment(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || name.startsWith('INPUT_') || name === 'ACTIONS_RUNTIME_TOKEN') continue;
    out[name] = value;
  }
  return out;
}

/**
 * Run the verify command (a smoke test or canary check) with bash, as a workflow `run:` step would
 * (same environment as such a step, so no token it was not given: its output is posted on the pull
 * request, where the runner masks nothing), with the promoted version in REFIT_* variables. Its
 * output goes to `log` line by line.
 */
export async function runVerifyCommand(command: string, env: Record<string, string>, log: (line: string) => void, cwd?: string): Promise<VerifyResult> {
  const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', command], { env: { ...stepEnvironment(process.env), ...env }, stdio: ['ignore', 'pipe', 'pipe'], ...(cwd ? { cwd } : {}) });
  let tail = '';
  let pending = '';
  const take = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    tail = (tail + text).slice(-TAIL);
    pending += text;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) log(line);
  };
  child.stdout.on('data', take);
  child.stderr.on('data', take);
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code));
  });
  if (pending) log(pending);
  return { ok: exitCode === 0, exitCode, tail };
}
