/**
 * The gpu-runner action. `mode: start` registers a just-in-time runner, launches an EC2 instance that
 * runs it for one job, and waits until it is online (outputs `label` for `runs-on`, `runner-name`,
 * `runner-id`, `instance-id`). `mode: stop` terminates the instance and removes the registration,
 * also when start's outputs are empty (it finds them by this run's tags and names), and reports
 * `billed-seconds` and `cost-usd`.
 */
import * as core from '@actions/core';
import { EC2Client } from '@aws-sdk/client-ec2';
import { parseList, parseNumber } from '../../config/refit-config.js';
import { createLaunchClient } from '../../compute/launch.js';
import { UserError } from '../../errors.js';
import { createGitHubClient } from '../../github/client.js';
import { code, escapeMarkdown, table } from '../../report/markdown.js';
import { awsRegion, DEFAULT_RUNNER_VERSION, startRunner, stopRunner } from '../../runner/index.js';
import { LAUNCH_INPUT_NAMES, readLaunchInputs, runContext, type LaunchInputName } from '../launch-inputs.js';
import { failureMessage, inputReaders } from '../inputs.js';

/** Every input this action reads; action.yml declares exactly these (a test checks both ways). */
export const INPUT_NAMES = [
  ...LAUNCH_INPUT_NAMES,
  'mode',
  'token',
  'labels',
  'idle-timeout-minutes',
  'online-timeout-seconds',
  'runner-version',
  'runner-sha256',
  'runner-group-id',
  'runner-id',
  'runner-name',
  'instance-id',
  'job',
] as const;
type InputName = (typeof INPUT_NAMES)[number];

const { optional, required: input } = inputReaders<InputName | LaunchInputName>();


async function start(): Promise<void> {
  const context = runContext();
  const settings = await core.group('Inputs', async () => {
    const launch = readLaunchInputs((name) => optional(name));
    const s = {
      launch,
      labels: optional('labels') ? parseList(optional('labels'), 'input labels') : [],
      idleTimeoutMinutes: parseNumber(optional('idle-timeout-minutes') || '10', 'input idle-timeout-minutes', { min: 1, max: 24 * 60, integer: true }),
      onlineTimeoutMs: 1000 * parseNumber(optional('online-timeout-seconds') || '600', 'input online-timeout-seconds', { min: 1, max: 3600, integer: true }),
      runnerVersion: optional('runner-version') || DEFAULT_RUNNER_VERSION,
      runnerSha256: optional('runner-sha256'),
      runnerGroupId: parseNumber(optional('runner-group-id') || '1', 'input runner-group-id', { min: 1, integer: true }),
      token: input('token'),
    };
    core.setSecret(s.token);
    core.info(`instance types ${launch.instanceTypes.join(', ')}; subnets ${launch.subnetIds.join(', ')}; market ${launch.market}; max runtime ${launch.maxRuntimeMinutes} min`);
    return s;
  });
  const region = awsRegion(settings.launch.region ?? '');
  const github = createGitHubClient({ token: settings.token, log: (m) => core.info(m) });
  const result = await core.group('Start runner', () =>
    startRunner(
      { github, launchClient: createLaunchClient({ region }), ec2: new EC2Client({ region }), log: (m) => core.info(m), secret: (v) => core.setSecret(v) },
      {
        context,
        launch: settings.launch,
        labels: settings.labels,
        idleTimeoutMinutes: settings.idleTimeoutMinutes,
        runnerVersion: settings.runnerVersion,
        ...(settings.runnerSha256 ? { runnerSha256: settings.runnerSha256 } : {}),
        runnerGroupId: settings.runnerGroupId,
        onlineTimeoutMs: settings.onlineTimeoutMs,
      },
    ),
  );
  core.setOutput('label', result.label);
  core.setOutput('runner-name', result.runnerName);
  core.setOutput('runner-id', String(result.runnerId));
  core.setOutput('instance-id', result.instanceId);
  core.setOutput('instance-type', result.launch.instanceType);
  core.setOutput('market', result.launch.market);
  core.setOutput('availability-zone', result.launch.availabilityZone ?? '');
  const attempts = result.launch.attempts.map((a) => [escapeMarkdown(a.instanceType), code(a.subnetId), a.market, a.outcome === 'launched' ? 'launched' : escapeMarkdown(a.code ?? '')]);
  await core.summary
    .addRaw(
      [
        '## Refit GPU runner',
        '',
        `Runner ${code(result.runnerName)} (id ${result.runnerId}) is online on ${code(result.instanceId)} ` +
          `(${escapeMarkdown(result.launch.instanceType)}, ${result.launch.market}, ${escapeMarkdown(result.launch.availabilityZone ?? '')}); ` +
          `it takes one job with \`runs-on: ${result.label}\`, and the instance powers off after it (or after ${settings.launch.maxRuntimeMinutes} minutes).`,
        '',
        table(['Instance type', 'Subnet', 'Market', 'Outcome'], attempts),
        '',
      ].join('\n'),
      true,
    )
    .write();
}

async function stop(): Promise<void> {
  const context = runContext();
  const token = input('token');
  core.setSecret(token);
  const runnerId = optional('runner-id');
  const request = {
    owner: context.owner,
    repo: context.repo,
    repository: context.repository,
    runId: context.runId,
    ...(optional('job') ? { job: optional('job') } : {}),
    ...(runnerId ? { runnerId: parseNumber(runnerId, 'input runner-id', { min: 1, integer: true }) } : {}),
    ...(optional('runner-name') ? { runnerName: optional('runner-name') } : {}),
    ...(optional('instance-id') ? { instanceId: optional('instance-id') } : {}),
  };
  if (!runnerId && !request.instanceId) core.info(`no runner-id or instance-id given: looking for this run's (${context.runId}) instances by tag and runners by name`);
  const region = awsRegion(optional('region'));
  const github = createGitHubClient({ token, log: (m) => core.info(m) });
  const result = await core.group('Stop runner', () => stopRunner({ github, ec2: new EC2Client({ region }), log: (m) => core.info(m) }, request));
  for (const warning of result.warnings) core.warning(warning);
  for (const note of result.instances.flatMap((i) => (i.note ? [`${i.instanceId}: ${i.note}`] : []))) core.info(note);
  core.setOutput('billed-seconds', String(result.billedSeconds));
  core.setOutput('cost-usd', result.costUsd === null ? '' : result.costUsd.toFixed(4));
  core.setOutput('terminated', JSON.stringify(result.instances.filter((i) => i.terminated).map((i) => i.instanceId)));
  core.setOutput('runners-deleted', JSON.stringify(result.runners.filter((r) => r.outcome === 'deleted').map((r) => r.name)));
  const cost = result.costUsd === null ? 'unknown' : `$${result.costUsd.toFixed(4)}`;
  await core.summary
    .addRaw(
      [
        '## Refit GPU runner stopped',
        '',
        `Billed ${result.billedSeconds} s, cost ${cost}.`,
        '',
        table(
          ['Instance', 'Type', 'Market', 'Was', 'Billed (s)', 'Cost (USD)'],
          result.instances.map((i) => [code(i.instanceId), escapeMarkdown(i.instanceType), i.market, escapeMarkdown(i.previousState), String(i.billedSeconds), i.costUsd === null ? 'unknown' : i.costUsd.toFixed(4)]),
        ),
        '',
        ...result.runners.map((r) => `- runner ${code(r.name)} (id ${r.id}): ${r.outcome}`),
        '',
      ].join('\n'),
      true,
    )
    .write();
}

export async function run(): Promise<void> {
  try {
    const mode = input('mode');
    if (mode === 'start') await start();
    else if (mode === 'stop') await stop();
    else throw new UserError(`input mode: "${mode}" is not start or stop.`);
  } catch (error) {
    core.setFailed(failureMessage('gpu-runner', error));
  }
}
