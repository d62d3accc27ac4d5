/**
 * `gpu-runner` start: register a just-in-time runner (the preflight: a token that may not register
 * runners fails here, before anything is launched), launch one instance whose user data runs that
 * runner for one job, and wait until GitHub says the runner is online. Nothing is left half-done:
 * a failed launch removes the registration; a runner that never comes online has its instance
 * terminated and its registration removed, and the error carries the console output's tail.
 */
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { RunContext } from '../actions/launch-inputs.js';
import type { LaunchSettings } from '../actions/launch-inputs.js';
import { findRefitInstances, terminateInstances } from '../compute/find.js';
import { launchInstances, type LaunchResult } from '../compute/launch.js';
import { UserError, describeError } from '../errors.js';
import type { GitHubClient } from '../github/client.js';
import { runnerName } from './names.js';
import { deleteRunner, registerJitRunner, type RepoRef } from './registration.js';
import { runnerScript } from './user-data.js';
import { consoleTail, waitForRunnerOnline, type WaitOutcome } from './wait.js';

export interface StartDeps {
  github: GitHubClient;
  /** RunInstances, without SDK retries (createLaunchClient). */
  launchClient: EC2Client;
  /** Everything else (DescribeImages, DescribeInstances, GetConsoleOutput, TerminateInstances). */
  ec2: EC2Client;
  log?: (message: string) => void;
  /** Told every secret value as soon as it exists, so logs can mask it (the JIT config). */
  secret?: (value: string) => void;
}

export interface StartRequest {
  context: RunContext;
  launch: LaunchSettings;
  /** Extra runner labels besides the unique one (the runner's name). */
  labels: string[];
  idleTimeoutMinutes: number;
  runnerVersion?: string;
  runnerSha256?: string;
  runnerGroupId: number;
  onlineTimeoutMs: number;
  pollInitialMs?: number;
  pollMaxMs?: number;
  /** Name suffix (default: 6 random hex digits). */
  suffix?: string;
}

export interface StartResult {
  /** The unique label for `runs-on` (the runner's name). */
  label: string;
  runnerName: string;
  runnerId: number;
  instanceId: string;
  launch: LaunchResult;
  wait: Extract<WaitOutcome, { kind: 'online' }>;
}

/** Labels GitHub accepts (1 to 100 in all, none empty or with commas), the unique one first. */
export function runnerLabels(unique: string, extra: string[]): string[] {
  const labels = [unique, ...extra.filter((l) => l !== unique)];
  const deduped = [...new Set(labels)];
  for (const label of deduped) {
    if (label.trim() === '' || label.includes(',') || label.length > 256) throw new UserError(`input labels: "${label}" is not a valid runner label (non-empty, no commas, at most 256 characters).`);
  }
  if (deduped.length > 100) throw new UserError(`input labels: ${deduped.length} labels with Refit's own; GitHub allows 100 per runner.`);
  return deduped;
}

export async function startRunner(deps: StartDeps, request: StartRequest): Promise<StartResult> {
  const log = deps.log ?? (() => {});
  const { context } = request;
  const repo: RepoRef = { owner: context.owner, repo: context.repo };
  const name = runnerName({ runId: context.runId, runAttempt: context.runAttempt, job: context.job }, request.suffix);
  const labels = runnerLabels(name, request.labels);
  // Everything that can be checked without GitHub or EC2 is checked before registering.
  runnerScript({ encodedJitConfig: 'AA==', idleTimeoutMinutes: request.idleTimeoutMinutes, ...optionalRunner(request) });

  const registration = await registerJitRunner(deps.github, { ...repo, name, labels, runnerGroupId: request.runnerGroupId });
  deps.secret?.(registration.encodedJitConfig);
  const runnerId = registration.runner.id;
  log(`registered runner ${name} (id ${runnerId}) with labels ${labels.join(', ')}`);

  let launched: LaunchResult;
  try {
    const { launch } = request;
    launched = await launchInstances(
      deps.launchClient,
      {
        imageId: launch.imageId,
        instanceTypes: launch.instanceTypes,
        subnetIds: launch.subnetIds,
        market: launch.market,
        securityGroupIds: launch.securityGroupIds,
        ...(launch.iamInstanceProfile ? { iamInstanceProfile: launch.iamInstanceProfile } : {}),
        volumeSizeGb: launch.volumeSizeGb,
        ...(launch.keyName ? { keyName: launch.keyName } : {}),
        tags: { repository: context.repository, runId: context.runId, job: context.job, name, extra: launch.extraTags },
        maxRuntimeMinutes: launch.maxRuntimeMinutes,
        userData: runnerScript({ encodedJitConfig: registration.encodedJitConfig, idleTimeoutMinutes: request.idleTimeoutMinutes, ...optionalRunner(request) }),
        docker: true,
        runAttempt: context.runAttempt,
      },
      { describeClient: deps.ec2 },
    );
  } catch (error) {
    await removeRegistration(deps, repo, runnerId, log);
    throw error;
  }
  const instance = launched.instances[0]!;
  const attempts = launched.attempts.map((a) => `${a.instanceType}@${a.subnetId} ${a.market}: ${a.outcome === 'launched' ? 'launched' : a.code}`).join('; ');
  log(`launched ${instance.instanceId} (${launched.instanceType}, ${launched.market}, ${launched.availabilityZone ?? launched.subnetId}); attempts: ${attempts}`);

  let outcome: WaitOutcome;
  try {
    outcome = await waitForRunnerOnline(deps.github, repo, runnerId, {
      timeoutMs: request.onlineTimeoutMs,
      ...(request.pollInitialMs === undefined ? {} : { initialDelayMs: request.pollInitialMs }),
      ...(request.pollMaxMs === undefined ? {} : { maxDelayMs: request.pollMaxMs }),
      instanceState: async () => {
        const found = await findRefitInstances(deps.ec2, { repository: context.repository, runId: context.runId, states: ['pending', 'running', 'shutting-down', 'terminated', 'stopping', 'stopped'] });
        return found.find((i) => i.instanceId === instance.instanceId)?.state;
      },
      log,
    });
  } catch (error) {
    await teardown(deps, repo, instance.instanceId, runnerId, log);
    throw error;
  }
  if (outcome.kind === 'online') {
    log(`runner ${name} is online after ${(outcome.elapsedMs / 1000).toFixed(1)} s (${outcome.polls} polls)`);
    return { label: name, runnerName: name, runnerId, instanceId: instance.instanceId, launch: launched, wait: outcome };
  }
  const tail = await consoleTail(deps.ec2, instance.instanceId);
  await teardown(deps, repo, instance.instanceId, runnerId, log);
  const why =
    outcome.kind === 'timeout'
      ? `runner ${name} did not come online within ${Math.round(request.onlineTimeoutMs / 1000)} s (${outcome.polls} polls; last status ${outcome.lastStatus ?? 'unknown'})`
      : outcome.kind === 'instance-gone'
        ? `instance ${instance.instanceId} went ${outcome.state} before runner ${name} came online`
        : `runner ${name} was removed from GitHub before it came online`;
  throw new UserError(
    `${why}. Instance ${instance.instanceId} was terminated and the registration removed. ` +
      'Check that the image has curl, tar and sudo, that the subnet reaches github.com (a public IP or a NAT gateway), and raise online-timeout-seconds for slow-booting images. ' +
      `Console output (last lines):\n${tail}`,
  );
}

function optionalRunner(request: StartRequest): { runnerVersion?: string; runnerSha256?: string } {
  return {
    ...(request.runnerVersion ? { runnerVersion: request.runnerVersion } : {}),
    ...(request.runnerSha256 ? { runnerSha256: request.runnerSha256 } : {}),
  };
}

async function removeRegistration(deps: StartDeps, repo: RepoRef, runnerId: number, log: (m: string) => void): Promise<void> {
  try {
    const outcome = await deleteRunner(deps.github, repo, runnerId);
    log(`runner registration ${runnerId}: ${outcome}`);
  } catch (error) {
    log(`could not remove runner registration ${runnerId}: ${describeError(error)} (stop or the janitor will)`);
  }
}

/** Terminate the instance and remove the registration, reporting (not throwing) what fails. */
async function teardown(deps: StartDeps, repo: RepoRef, instanceId: string, runnerId: number, log: (m: string) => void): Promise<void> {
  try {
    await terminateInstances(deps.ec2, [instanceId]);
    log(`terminated ${instanceId}`);
  } catch (error) {
    log(`could not terminate ${instanceId}: ${describeError(error)} (stop or the janitor will)`);
  }
  await removeRegistration(deps, repo, runnerId, log);
}
