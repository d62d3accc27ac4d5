/**
 * Waiting for the new runner: poll that one runner (GET .../actions/runners/{id}), not the whole list,
 * with exponential backoff, until GitHub says it is online. Between polls the instance's state is
 * checked, so an instance that died (spot reclaim, boot failure, idle power-off) ends the wait early.
 */
import type { EC2Client } from '@aws-sdk/client-ec2';
import { GetConsoleOutputCommand } from '@aws-sdk/client-ec2';
import { awsError } from '../compute/errors.js';
import type { GitHubClient } from '../github/client.js';
import { getRunner, type RepoRef, type RunnerInfo } from './registration.js';

export interface WaitOptions {
  timeoutMs: number;
  /** First pause between polls (default 1000 ms), doubled each time up to `maxDelayMs` (default 15000 ms). */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** The instance's state now; `terminated`/`shutting-down`/`stopped` end the wait. */
  instanceState?: () => Promise<string | undefined>;
  log?: (message: string) => void;
}

export type WaitOutcome =
  | { kind: 'online'; runner: RunnerInfo; polls: number; elapsedMs: number }
  | { kind: 'timeout'; polls: number; elapsedMs: number; lastStatus: string | undefined }
  | { kind: 'instance-gone'; state: string; polls: number; elapsedMs: number }
  | { kind: 'runner-gone'; polls: number; elapsedMs: number };

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function waitForRunnerOnline(client: GitHubClient, repo: RepoRef, runnerId: number, options: WaitOptions): Promise<WaitOutcome> {
  const started = Date.now();
  const elapsed = () => Date.now() - started;
  let delay = options.initialDelayMs ?? 1000;
  const maxDelay = options.maxDelayMs ?? 15_000;
  let polls = 0;
  let lastStatus: string | undefined;
  for (;;) {
    polls++;
    const runner = await getRunner(client, repo, runnerId);
    if (!runner) return { kind: 'runner-gone', polls, elapsedMs: elapsed() };
    if (runner.status === 'online') return { kind: 'online', runner, polls, elapsedMs: elapsed() };
    if (runner.status !== lastStatus) options.log?.(`runner ${runner.name}: ${runner.status}`);
    lastStatus = runner.status;
    const state = await options.instanceState?.();
    if (state !== undefined && ['shutting-down', 'terminated', 'stopping', 'stopped'].includes(state)) {
      return { kind: 'instance-gone', state, polls, elapsedMs: elapsed() };
    }
    const left = options.timeoutMs - elapsed();
    if (left <= 0) return { kind: 'timeout', polls, elapsedMs: elapsed(), lastStatus };
    await sleep(Math.min(delay, left));
    delay = Math.min(maxDelay, delay * 2);
  }
}

/** The last `lines` lines of the instance's console output (GetConsoleOutput), or why there are none. */
export async function consoleTail(client: EC2Client, instanceId: string, lines = 40): Promise<string> {
  try {
    const answer = await client.send(new GetConsoleOutputCommand({ InstanceId: instanceId, Latest: true }));
    if (!answer.Output) return '(no console output yet: EC2 makes it available a few minutes after boot)';
    const text = Buffer.from(answer.Output, 'base64').toString('utf8').replace(/\r\n?/g, '\n').trimEnd();
    return text.split('\n').slice(-lines).join('\n');
  } catch (error) {
    const info = awsError(error);
    if (!info) throw error;
    const hint = info.code === 'UnauthorizedOperation' ? ' (add ec2:GetConsoleOutput to the role to see it here)' : '';
    return `(console output unavailable: ${info.code}${hint})`;
  }
}
