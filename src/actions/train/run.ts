/**
 * The train action: launch N EC2 instances, run the training command on them over SSH (verified host
 * keys, an ephemeral key), stream its output into the job log, download the artifacts, terminate the
 * instances, and report the exit code, billed seconds and cost. The post step terminates whatever is
 * still running for this step's launch, even when the main step was killed.
 */
import * as core from '@actions/core';
import { EC2Client } from '@aws-sdk/client-ec2';
import { randomBytes, randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { createLaunchClient } from '../../compute/launch.js';
import type { LaunchResult } from '../../compute/launch.js';
import { parseNumber } from '../../config/refit-config.js';
import { describeError, UserError } from '../../errors.js';
import { code, escapeMarkdown, table } from '../../report/markdown.js';
import { launchCluster, launchCost, terminateRun } from '../../train/ec2.js';
import type { Cluster } from '../../train/ec2.js';
import { checkArtifactPatterns, parseEnvLines, runTraining } from '../../train/job.js';
import type { TrainOutcome } from '../../train/job.js';
import { LAUNCH_INPUT_NAMES, readLaunchInputs, runContext } from '../launch-inputs.js';
import type { LaunchSettings, RunContext } from '../launch-inputs.js';
import { failureMessage, inputReaders } from '../inputs.js';

/** Every input this action reads; action.yml declares exactly these (a test checks both ways). */
export const INPUT_NAMES = [
  ...LAUNCH_INPUT_NAMES,
  'command',
  'path',
  'working-directory',
  'docker-image',
  'artifacts',
  'instance-count',
  'placement-group',
  'master-port',
  'env',
  'ssh-port',
  'ssh-timeout-minutes',
] as const;
type InputName = (typeof INPUT_NAMES)[number];

const { input, optional } = inputReaders<InputName>();


export interface TrainSettings {
  launch: LaunchSettings;
  command: string;
  /** Absolute local directory to upload. */
  path: string;
  workingDirectory: string;
  dockerImage: string | undefined;
  artifacts: string[];
  instanceCount: number;
  placementGroup: string | undefined;
  masterPort: number;
  env: Record<string, string>;
  sshPort: number;
  sshTimeoutMinutes: number;
}

function workspace(): string {
  return process.env.GITHUB_WORKSPACE || process.cwd();
}

export function readInputs(context: RunContext): TrainSettings {
  const launch = readLaunchInputs((name) => optional(name));
  const command = input('command');
  if (command.trim() === '') throw new UserError('input command is required: the training command to run on the instance, e.g. python train.py');
  const path = resolve(workspace(), optional('path') || '.');
  let isDirectory = false;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch {
    isDirectory = false;
  }
  if (!isDirectory) throw new UserError(`input path: ${path} is not a directory of the workspace; give the directory to upload (default: the workspace, ".").`);
  const workingDirectory = optional('working-directory') || `refit/${context.repo}`;
  if (/[\0\n]/.test(workingDirectory)) throw new UserError('input working-directory: must be one line.');
  const artifacts = checkArtifactPatterns(
    input('artifacts')
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter(Boolean),
  );
  return {
    launch,
    command,
    path,
    workingDirectory,
    dockerImage: optional('docker-image') || undefined,
    artifacts,
    instanceCount: parseNumber(optional('instance-count') || '1', 'input instance-count', { min: 1, max: 64, integer: true }),
    placementGroup: optional('placement-group') || undefined,
    masterPort: parseNumber(optional('master-port') || '29500', 'input master-port', { min: 1, max: 65535, integer: true }),
    env: parseEnvLines(input('env')),
    sshPort: parseNumber(optional('ssh-port') || '22', 'input ssh-port', { min: 1, max: 65535, integer: true }),
    sshTimeoutMinutes: parseNumber(optional('ssh-timeout-minutes') || '10', 'input ssh-timeout-minutes', { min: 1, max: 120, integer: false }),
  };
}

/** The state the post step needs; saved as soon as it is known. */
const STATE = { launchId: 'launch-id', instanceIds: 'instance-ids', region: 'region', repository: 'repository', runId: 'run-id', job: 'job', terminated: 'terminated' } as const;

function ec2Clients(region: string | undefined): { launch: EC2Client; ec2: EC2Client } {
  const config = region ? { region } : {};
  return { launch: createLaunchClient(config), ec2: new EC2Client(config) };
}

async function regionOf(client: EC2Client): Promise<string> {
  try {
    return await client.config.region();
  } catch {
    throw new UserError('input region: no AWS region is set; give region, or set AWS_REGION (aws-actions/configure-aws-credentials does).');
  }
}

const seconds = (from: Date, to: Date) => ((to.getTime() - from.getTime()) / 1000).toFixed(2);

function summary(settings: TrainSettings, cluster: Cluster | undefined, outcome: TrainOutcome | undefined, cost: { billedSeconds: number; costUsd: number | null } | undefined): string {
  const lines = ['## Refit train', ''];
  if (cluster) {
    const rows = cluster.instances.map((instance, rank) => [
      String(rank),
      code(instance.instanceId),
      code(instance.instanceType),
      escapeMarkdown(cluster.launch.market),
      outcome ? String(outcome.nodes[rank]?.exitCode ?? 'none') : 'not run',
    ]);
    lines.push(table(['node', 'instance', 'type', 'market', 'exit code'], rows), '');
  }
  if (cost) lines.push(`Billed ${cost.billedSeconds} s, cost ${cost.costUsd === null ? 'unknown' : `$${cost.costUsd.toFixed(4)}`}.`, '');
  if (outcome && settings.artifacts.length > 0) {
    lines.push(outcome.artifacts.length > 0 ? `Artifacts (${outcome.artifacts.length}): ${outcome.artifacts.slice(0, 50).map(code).join(', ')}${outcome.artifacts.length > 50 ? ', …' : ''}` : 'No artifacts matched.', '');
  }
  return lines.join('\n');
}

export async function run(): Promise<void> {
  let clients: { launch: EC2Client; ec2: EC2Client } | undefined;
  let launched: LaunchResult | undefined;
  let context: RunContext | undefined;
  let launchId: string | undefined;
  let settings: TrainSettings | undefined;
  let cluster: Cluster | undefined;
  let outcome: TrainOutcome | undefined;
  let failure: unknown;
  try {
    context = runContext();
    const ctx = context;
    settings = await core.group('Inputs', async () => {
      const s = readInputs(ctx);
      core.info(`command on ${s.instanceCount} instance(s) of ${s.launch.instanceTypes.join(' | ')} (${s.launch.market}); env: ${Object.keys(s.env).join(', ') || 'none'}`);
      return s;
    });
    const s = settings;
    clients = ec2Clients(s.launch.region);
    const region = await regionOf(clients.ec2);
    launchId = randomUUID();
    // Before anything exists: if this process dies from here on, the post step finds the launch by these.
    core.saveState(STATE.launchId, launchId);
    core.saveState(STATE.region, region);
    core.saveState(STATE.repository, ctx.repository);
    core.saveState(STATE.runId, ctx.runId);
    core.saveState(STATE.job, ctx.job);

    const c = clients;
    const id = launchId;
    cluster = await core.group('Launch', () =>
      launchCluster(c, {
        launch: s.launch,
        context: ctx,
        count: s.instanceCount,
        placementGroup: s.placementGroup,
        docker: s.dockerImage !== undefined,
        sshPort: s.sshPort,
        bootTimeoutMs: s.sshTimeoutMinutes * 60_000,
        reconnectTimeoutMs: s.sshTimeoutMinutes * 60_000,
        launchId: id,
        log: (line) => core.info(line),
        onLaunched: (result) => {
          launched = result;
          const ids = result.instances.map((i) => i.instanceId);
          core.saveState(STATE.instanceIds, ids.join(','));
          core.setOutput('instance-ids', ids.join('\n'));
        },
      }),
    );
    const runningAt = cluster.runningAt;
    // The command's output is the instance's to write: stop workflow commands in it from acting on this job.
    const token = randomBytes(16).toString('hex');
    process.stdout.write(`::stop-commands::${token}\n`);
    try {
      outcome = await runTraining(cluster.nodes, {
        command: s.command,
        uploadPath: s.path,
        workingDirectory: s.workingDirectory,
        runKey: `${ctx.runId}-${ctx.runAttempt}-${id.slice(0, 8)}`,
        dockerImage: s.dockerImage,
        env: s.env,
        artifacts: s.artifacts,
        artifactsDir: workspace(),
        masterPort: s.masterPort,
        reconnectTimeoutMs: s.sshTimeoutMinutes * 60_000,
        log: (line) => core.info(`refit: ${line}`),
        output: (line) => core.info(line),
        onStarted: (at) => core.info(`refit: timing: instances running -> command started ${seconds(runningAt, at)} s`),
      });
    } finally {
      process.stdout.write(`::${token}::\n`);
    }
  } catch (error) {
    failure = error;
  }

  // Teardown, whatever happened above.
  let cost: { billedSeconds: number; costUsd: number | null } | undefined;
  if (clients && context && launchId) {
    const c = clients;
    const query = { repository: context.repository, runId: context.runId, job: context.job, launchId, instanceIds: launched?.instances.map((i) => i.instanceId) ?? [] };
    try {
      const requestedAt = new Date();
      const ids = await terminateRun(c.ec2, query);
      if (ids.length > 0) {
        core.saveState(STATE.terminated, ids.join(','));
        core.info(`refit: terminate requested for ${ids.join(', ')}`);
      }
      if (outcome) core.info(`refit: timing: command ended -> terminate requested ${seconds(outcome.endedAt, requestedAt)} s`);
      if (launched) {
        const estimate = await launchCost(c.ec2, launched, requestedAt);
        cost = estimate;
        for (const note of estimate.notes) core.info(`refit: cost: ${note}`);
        core.setOutput('billed-seconds', String(estimate.billedSeconds));
        core.setOutput('cost-usd', estimate.costUsd === null ? '' : estimate.costUsd.toFixed(6));
      }
    } catch (error) {
      core.warning(`refit train: terminating the instances failed (${describeError(error)}); the post step tries again, and the janitor action is the last line of defence.`);
    }
  }

  if (outcome) {
    core.setOutput('exit-code', outcome.exitCode === null ? '' : String(outcome.exitCode));
    core.setOutput('artifacts', outcome.artifacts.join('\n'));
  }
  if (settings) {
    try {
      await core.summary.addRaw(summary(settings, cluster, outcome, cost), true).write();
    } catch (error) {
      core.warning(`refit train: cannot write the job summary (${describeError(error)})`);
    }
  }
  if (failure !== undefined) {
    core.setFailed(failureMessage('train', failure));
  } else if (outcome && outcome.exitCode !== 0) {
    const node = outcome.nodes.length > 1 ? ` on node ${outcome.failedRank}` : '';
    core.setFailed(
      outcome.exitCode === null
        ? `refit train: the command${node} ended without an exit status (killed, or the instance shut down: max-runtime-minutes?).`
        : `refit train: the command exited with code ${outcome.exitCode}${node}; its output is above${outcome.artifacts.length > 0 ? ' (artifacts were downloaded)' : ''}.`,
    );
  }
}

/** The post step: terminate every live instance of this step's launch; never fails the job. */
export async function post(): Promise<void> {
  try {
    const state = (name: string) => core.getState(name);
    let repository = state(STATE.repository);
    let runId = state(STATE.runId);
    let job = state(STATE.job);
    if (!repository || !runId || !job) {
      const context = runContext();
      repository = context.repository;
      runId = context.runId;
      job = context.job;
    }
    const region = state(STATE.region) || optional('region') || undefined;
    const client = ec2Clients(region).ec2;
    const instanceIds = state(STATE.instanceIds).split(',').filter(Boolean);
    const ids = await terminateRun(client, { repository, runId, job, launchId: state(STATE.launchId) || undefined, instanceIds: instanceIds.filter((i) => !state(STATE.terminated).split(',').includes(i)) });
    core.info(ids.length > 0 ? `refit train: terminate requested for ${ids.join(', ')}` : 'refit train: nothing left running');
  } catch (error) {
    core.warning(`refit train: cleanup could not finish (${describeError(error)}); the janitor action terminates expired Refit instances.`);
  }
}
