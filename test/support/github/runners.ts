/**
 * Self-hosted runners and workflow runs of the emulated repository, kept beside `RepoState` (one
 * `ActionsState` per repository, `actionsState(gh.state)`), for the runner endpoints in
 * `handlers/runners.ts`:
 *
 *   const actions = actionsState(gh.state);
 *   const runner = actions.runnerForJitConfig(encoded);   // what an instance was given
 *   actions.setRunnerStatus(runner.id, 'online');          // the runner connected
 *   actions.setRunnerStatus(runner.id, 'online', { busy: true });
 *   actions.setRun(1001, { status: 'completed', conclusion: 'success' });
 *
 * Registration (`generate-jitconfig`) makes an ephemeral runner, offline until a test says it
 * connected; its `encoded_jit_config` is what GitHub sends (base64 JSON of the runner's
 * `.runner`, `.credentials` and `.credentials_rsaparams` files), bound to that one runner.
 *
 * `GITHUB_TOKEN` cannot be given `administration`, so every runner endpoint refuses it (403
 * `Resource not accessible by integration`, `x-accepted-github-permissions: administration=...`),
 * whatever `permissions` says. The emulator takes a token for `GITHUB_TOKEN` when it is an app
 * token (`tokenKind: 'app'`) acting as `github-actions[bot]` (the default actor); start the
 * emulator with another `actor` (a GitHub App's bot) or `tokenKind: 'pat'` for a token that may
 * register runners.
 */
import { randomBytes } from 'node:crypto';
import type { RepoState } from './state.js';

export type RunnerStatus = 'online' | 'offline';

export interface RunnerRecord {
  id: number;
  name: string;
  runnerGroupId: number;
  os: string;
  status: RunnerStatus;
  busy: boolean;
  /** Custom labels, as registered (the read-only `self-hosted`, `Linux`, `X64` are added in responses). */
  labels: string[];
  ephemeral: boolean;
  /** Set once the runner has connected. */
  version: string | null;
  workFolder: string;
  encodedJitConfig: string;
  createdAt: Date;
}

export type WorkflowRunStatus = 'queued' | 'in_progress' | 'completed' | 'waiting' | 'requested' | 'pending';

export interface WorkflowRunRecord {
  id: number;
  status: WorkflowRunStatus;
  conclusion: string | null;
  event: string;
  path: string;
  runNumber: number;
  runAttempt: number;
  headBranch: string;
  createdAt: Date;
  updatedAt: Date;
}

/** The read-only labels GitHub gives a Linux x64 runner. */
export const READ_ONLY_LABELS = ['self-hosted', 'Linux', 'X64'];

export class ActionsState {
  readonly runners = new Map<number, RunnerRecord>();
  readonly runs = new Map<number, WorkflowRunRecord>();
  /** Runner group ids registration accepts (the repository's default group is 1). */
  readonly runnerGroups = new Set<number>([1]);

  constructor(private readonly repo: RepoState) {}

  runner(id: number): RunnerRecord | undefined {
    return this.runners.get(id);
  }

  runnerByName(name: string): RunnerRecord | undefined {
    return [...this.runners.values()].find((r) => r.name === name);
  }

  /** The runner an `encoded_jit_config` belongs to (what an instance's user data carries). */
  runnerForJitConfig(encoded: string): RunnerRecord | undefined {
    return [...this.runners.values()].find((r) => r.encodedJitConfig === encoded);
  }

  /** Register an ephemeral runner as generate-jitconfig does (no checks: the handler makes them). */
  register(input: { name: string; labels: string[]; runnerGroupId?: number; workFolder?: string; status?: RunnerStatus; busy?: boolean }): RunnerRecord {
    const id = this.repo.nextId();
    const file = (content: Record<string, unknown>) => Buffer.from(JSON.stringify(content)).toString('base64');
    const encodedJitConfig = Buffer.from(
      JSON.stringify({
        '.runner': file({ AgentId: String(id), AgentName: input.name, PoolId: String(input.runnerGroupId ?? 1), ServerUrl: 'https://pipelines.actions.githubusercontent.com/', WorkFolder: input.workFolder ?? '_work', Ephemeral: 'true' }),
        '.credentials': file({ Scheme: 'OAuthAccessToken', Data: { ClientId: randomBytes(16).toString('hex'), AuthorizationUrl: 'https://vstoken.actions.githubusercontent.com/_apis/oauth2/token', RequireFipsCryptography: 'False' } }),
        '.credentials_rsaparams': file({ d: randomBytes(256).toString('base64'), exponent: 'AQAB', modulus: randomBytes(256).toString('base64') }),
      }),
    ).toString('base64');
    const record: RunnerRecord = {
      id,
      name: input.name,
      runnerGroupId: input.runnerGroupId ?? 1,
      os: 'Linux',
      status: input.status ?? 'offline',
      busy: input.busy ?? false,
      labels: [...input.labels],
      ephemeral: true,
      version: input.status === 'online' ? '2.329.0' : null,
      workFolder: input.workFolder ?? '_work',
      encodedJitConfig,
      createdAt: this.repo.now(),
    };
    this.runners.set(id, record);
    return record;
  }

  /** A runner connected (online), went away (offline), took a job (busy) or finished it. */
  setRunnerStatus(id: number, status: RunnerStatus, options: { busy?: boolean } = {}): RunnerRecord {
    const runner = this.runners.get(id);
    if (!runner) throw new Error(`GitHub emulator: no runner ${id}`);
    runner.status = status;
    runner.busy = status === 'online' ? (options.busy ?? runner.busy) : false;
    if (status === 'online') runner.version ??= '2.329.0';
    return runner;
  }

  /** Create or update a workflow run (GET .../actions/runs/{id} answers 404 for unknown ones). */
  setRun(id: number, changes: Partial<Omit<WorkflowRunRecord, 'id'>> = {}): WorkflowRunRecord {
    const now = this.repo.now();
    const existing = this.runs.get(id);
    const record: WorkflowRunRecord = existing ?? {
      id,
      status: 'in_progress',
      conclusion: null,
      event: 'pull_request',
      path: '.github/workflows/retrain.yml',
      runNumber: this.runs.size + 1,
      runAttempt: 1,
      headBranch: this.repo.defaultBranch,
      createdAt: now,
      updatedAt: now,
    };
    Object.assign(record, changes, { updatedAt: now });
    if (record.status !== 'completed') record.conclusion = null;
    this.runs.set(id, record);
    return record;
  }
}

const states = new WeakMap<RepoState, ActionsState>();

/** The runners and workflow runs of an emulated repository. */
export function actionsState(repo: RepoState): ActionsState {
  let state = states.get(repo);
  if (!state) {
    state = new ActionsState(repo);
    states.set(repo, state);
  }
  return state;
}
