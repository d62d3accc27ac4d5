/**
 * The promote action: on a merged retraining pull request, check provenance (Refit branch, not a
 * fork, evaluation passed, same artifact bytes), register the version, make it the champion,
 * deploy it, verify it (rolling back on failure) and say so on the pull request.
 */
import * as core from '@actions/core';
import { UserError } from '../../errors.js';
import { readMetricsFile } from '../../registry/metrics.js';
import { closeRegistryStore } from '../../registry/index.js';
import { promote } from '../../registry/promote.js';
import { STATE_BRANCH } from '../../check/history-store.js';
import { snapshotPath } from '../../snapshot/index.js';
import { openActionRegistry, requiredModel } from './registry-context.js';
import { parseBoolean, readEvent, runUrl, failureMessage, inputReaders } from '../inputs.js';

/** Every input this action reads; action.yml declares exactly these (a test checks both ways). */
export const INPUT_NAMES = [
  'model',
  'token',
  'registry',
  'registry-branch',
  'environment',
  'release',
  'verify-command',
  'check-name',
  'comment',
  'artifact',
  'copy-artifact',
  'metrics',
  'trained-at',
] as const;
type InputName = (typeof INPUT_NAMES)[number];

const { input } = inputReaders<InputName>();

export async function run(): Promise<void> {
  try {
    const settings = await core.group('Inputs', async () => {
      const model = requiredModel(input('model'));
      const token = input('token');
      if (!token) throw new UserError('input token is empty; it defaults to ${{ github.token }}, which needs contents: write, deployments: write, checks: read and pull-requests: write');
      core.setSecret(token);
      const trainedAt = input('trained-at');
      if (trainedAt && Number.isNaN(Date.parse(trainedAt))) throw new UserError(`input trained-at: ${JSON.stringify(trainedAt)} is not an ISO 8601 time (e.g. 2024-05-01T12:00:00Z)`);
      return {
        model,
        token,
        registry: input('registry') || 'git',
        registryBranch: input('registry-branch') || STATE_BRANCH,
        environment: input('environment') || `model/${model}`,
        release: parseBoolean(input('release'), 'release'),
        verifyCommand: input('verify-command'),
        checkName: input('check-name') || `refit / evaluation ${model}`,
        comment: parseBoolean(input('comment') || 'true', 'comment'),
        artifact: input('artifact'),
        copyArtifact: parseBoolean(input('copy-artifact') || 'true', 'copy-artifact'),
        metrics: input('metrics') ? await readMetricsFile(input('metrics'), 'input metrics') : undefined,
        trainedAt: trainedAt ? new Date(trainedAt).toISOString() : undefined,
      };
    });
    const { owner, repo, client, store } = openActionRegistry(settings, (m) => core.info(m));
    const event = await readEvent();
    const url = runUrl();
    try {
      const result = await core.group('Promote', () =>
        promote({
          client,
          owner,
          repo,
          model: settings.model,
          store,
          eventName: event.name,
          payload: event.payload,
          branch: `refit/${settings.model}`,
          checkName: settings.checkName,
          environment: settings.environment,
          release: settings.release,
          comment: settings.comment,
          ...(settings.verifyCommand ? { verifyCommand: settings.verifyCommand } : {}),
          ...(settings.artifact ? { artifact: settings.artifact } : {}),
          copyArtifact: settings.copyArtifact,
          ...(settings.metrics ? { metrics: settings.metrics } : {}),
          ...(settings.trainedAt ? { trainedAt: settings.trainedAt } : {}),
          snapshotPath: snapshotPath(settings.model),
          ...(url ? { runUrl: url } : {}),
          log: (m) => core.info(m),
        }),
      );
      core.setOutput('version', String(result.version));
      core.setOutput('previous-version', result.previousVersion === null ? '' : String(result.previousVersion));
      core.setOutput('deployment-id', result.deploymentId === null ? '' : String(result.deploymentId));
      core.setOutput('rolled-back', String(result.rolledBack));
      await core.summary.addRaw(result.markdown, true).write();
      if (result.operation === 'rolled-back') {
        core.setFailed(`refit promote: the verify command failed (exit ${result.verify?.exitCode}); ${settings.model} v${result.version} was rolled back and deployment ${result.deploymentId} marked failed`);
        return;
      }
      core.info(result.operation === 'promoted' ? `${settings.model} v${result.version} is the champion` : `already promoted as v${result.version}: nothing changed`);
    } finally {
      await closeRegistryStore(store);
    }
  } catch (error) {
    core.setFailed(failureMessage('promote', error));
  }
}
