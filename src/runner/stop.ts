/**
 * `gpu-runner` stop: terminate the runner's instance and remove its registration, then report what
 * the instance cost. Works with or without start's outputs: when they are empty (start failed or was
 * killed), the instances are found by this workflow run's tags and the runners by this run's name
 * prefix. Only instances tagged with this repository and run, and runners named for this run, are
 * touched, whatever ids the inputs carry. Idempotent.
 */
import type { EC2Client } from '@aws-sdk/client-ec2';
import { estimateCost } from '../compute/cost.js';
import { findRefitInstances, terminateInstances, type RefitInstance, type InstanceState } from '../compute/find.js';
import type { GitHubClient } from '../github/client.js';
import { nameBelongsTo } from './names.js';
import { deleteRunner, getRunner, listRunners, type DeleteOutcome, type RepoRef, type RunnerInfo } from './registration.js';

const ALL_STATES: InstanceState[] = ['pending', 'running', 'shutting-down', 'terminated', 'stopping', 'stopped'];

export interface StopRequest {
  owner: string;
  repo: string;
  /** owner/name, as the instances are tagged. */
  repository: string;
  runId: string;
  /** Only the start step of this job (its `github.job`). */
  job?: string;
  runnerId?: number;
  runnerName?: string;
  instanceId?: string;
  now?: Date;
  onDemandPrices?: Record<string, number>;
}

export interface StoppedInstance {
  instanceId: string;
  instanceType: string;
  market: 'spot' | 'on-demand';
  /** State before stop acted. */
  previousState: string;
  terminated: boolean;
  billedSeconds: number;
  costUsd: number | null;
  note?: string;
}

export interface StopResult {
  instances: StoppedInstance[];
  runners: Array<{ id: number; name: string; outcome: DeleteOutcome }>;
  billedSeconds: number;
  /** Null when the price of some instance is unknown. */
  costUsd: number | null;
  warnings: string[];
}

/** The time in EC2's StateTransitionReason, e.g. `User initiated (2024-01-01 12:00:00 GMT)`. */
export function transitionTime(reason: string | undefined): Date | undefined {
  const match = /\((\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}) GMT\)/.exec(reason ?? '');
  return match ? new Date(`${match[1]}T${match[2]}Z`) : undefined;
}

export async function stopRunner(deps: { github: GitHubClient; ec2: EC2Client; log?: (m: string) => void }, request: StopRequest): Promise<StopResult> {
  const log = deps.log ?? (() => {});
  const now = request.now ?? new Date();
  const warnings: string[] = [];
  const repo: RepoRef = { owner: request.owner, repo: request.repo };

  // Instances: this run's, narrowed by the inputs.
  const ofRun = await findRefitInstances(deps.ec2, { repository: request.repository, runId: request.runId, states: ALL_STATES });
  let chosen: RefitInstance[] = ofRun;
  if (request.job !== undefined) chosen = chosen.filter((i) => i.refit.job === request.job);
  if (request.instanceId) {
    chosen = chosen.filter((i) => i.instanceId === request.instanceId);
    if (chosen.length === 0) warnings.push(`instance ${request.instanceId} is not a Refit instance of ${request.repository} run ${request.runId}; it was not touched.`);
  } else if (request.runnerName) {
    chosen = chosen.filter((i) => i.tags['Name'] === request.runnerName);
  }
  const live = chosen.filter((i) => !['terminated', 'shutting-down'].includes(i.state));
  const result = live.length > 0 ? await terminateInstances(deps.ec2, live.map((i) => i.instanceId)) : { terminated: [], missing: [] };
  if (live.length > 0) log(`terminated ${live.map((i) => i.instanceId).join(', ')}`);
  const endedNow = new Set(result.terminated.map((t) => t.instanceId));

  const instances: StoppedInstance[] = [];
  for (const instance of chosen) {
    const terminatedHere = endedNow.has(instance.instanceId);
    const end = terminatedHere ? now : (transitionTime(instance.stateTransitionReason) ?? now);
    const entry: StoppedInstance = {
      instanceId: instance.instanceId,
      instanceType: instance.instanceType,
      market: instance.market,
      previousState: instance.state,
      terminated: terminatedHere,
      billedSeconds: 0,
      costUsd: null,
    };
    if (instance.launchTime && instance.availabilityZone) {
      const cost = await estimateCost({
        market: instance.market,
        instanceType: instance.instanceType,
        availabilityZone: instance.availabilityZone,
        launchedAt: instance.launchTime,
        endedAt: end,
        client: deps.ec2,
        ...(request.onDemandPrices ? { onDemandPrices: request.onDemandPrices } : {}),
      });
      entry.billedSeconds = cost.billedSeconds;
      entry.costUsd = cost.costUsd;
      if (cost.note) entry.note = cost.note;
    } else {
      entry.note = 'no launch time or Availability Zone: cost unknown';
    }
    instances.push(entry);
  }

  // Runners: the given one when it is this run's, else this run's by name.
  let candidates: RunnerInfo[];
  if (request.runnerId !== undefined) {
    const runner = await getRunner(deps.github, repo, request.runnerId);
    candidates = runner ? [runner] : [];
    if (runner && !nameBelongsTo(runner.name, request.runId)) {
      warnings.push(`runner ${runner.id} (${runner.name}) is not a Refit runner of run ${request.runId}; it was not removed.`);
      candidates = [];
    }
  } else {
    candidates = (await listRunners(deps.github, repo)).filter(
      (r) => nameBelongsTo(r.name, request.runId, request.job) && (request.runnerName === undefined || r.name === request.runnerName),
    );
  }
  const runners: StopResult['runners'] = [];
  for (const runner of candidates) {
    const outcome = await deleteRunner(deps.github, repo, runner.id);
    runners.push({ id: runner.id, name: runner.name, outcome });
    if (outcome === 'busy') {
      warnings.push(`runner ${runner.name} is still running a job, so GitHub kept its registration; its instance is terminated, and GitHub removes an ephemeral runner once its job ends (the janitor deletes it if not).`);
    }
    log(`runner ${runner.name} (id ${runner.id}): ${outcome}`);
  }

  const billed = instances.reduce((sum, i) => sum + i.billedSeconds, 0);
  const unknown = instances.some((i) => i.costUsd === null);
  const cost = unknown ? null : instances.reduce((sum, i) => sum + (i.costUsd ?? 0), 0);
  return { instances, runners, billedSeconds: billed, costUsd: cost, warnings };
}
