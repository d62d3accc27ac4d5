/**
 * The rollback action (workflow_dispatch, or called by monitoring): move the champion back to an
 * earlier version with a reason, deploy it again and tell the team in an issue.
 */
import * as core from '@actions/core';
import { UserError } from '../../errors.js';
import { closeRegistryStore } from '../../registry/index.js';
import { rollback } from '../../registry/rollback.js';
import { STATE_BRANCH } from '../../check/history-store.js';
import { openActionRegistry, requiredModel } from '../promote/registry-context.js';
import { parseBoolean, runUrl, failureMessage, inputReaders } from '../inputs.js';

/** Every input this action reads; action.yml declares exactly these (a test checks both ways). */
export const INPUT_NAMES = ['model', 'to-version', 'reason', 'token', 'registry', 'registry-branch', 'environment', 'issue'] as const;
type InputName = (typeof INPUT_NAMES)[number];

const { input } = inputReaders<InputName>();

export async function run(): Promise<void> {
  try {
    const settings = await core.group('Inputs', async () => {
      const model = requiredModel(input('model'));
      const reason = input('reason').trim();
      if (!reason) throw new UserError('input reason is required: say why (it is recorded in the registry history and shown in the issue)');
      const token = input('token');
      if (!token) throw new UserError('input token is empty; it defaults to ${{ github.token }}, which needs contents: write, deployments: write and issues: write');
      core.setSecret(token);
      return {
        model,
        reason,
        token,
        to: input('to-version') || 'previous',
        registry: input('registry') || 'git',
        registryBranch: input('registry-branch') || STATE_BRANCH,
        environment: input('environment') || `model/${model}`,
        issue: parseBoolean(input('issue') || 'true', 'issue'),
      };
    });
    const { owner, repo, client, store } = openActionRegistry(settings, (m) => core.info(m));
    try {
      const result = await core.group('Rollback', () =>
        rollback({
          model: settings.model,
          store,
          to: settings.to,
          reason: settings.reason,
          actor: process.env.GITHUB_ACTOR ?? null,
          runUrl: runUrl() ?? null,
          github: { client, owner, repo, environment: settings.environment, issue: settings.issue },
          log: (m) => core.info(m),
        }),
      );
      core.setOutput('version', String(result.version));
      core.setOutput('previous-version', result.previousVersion === null ? '' : String(result.previousVersion));
      core.setOutput('deployment-id', result.deploymentId === null ? '' : String(result.deploymentId));
      await core.summary.addRaw(result.markdown, true).write();
    } finally {
      await closeRegistryStore(store);
    }
  } catch (error) {
    core.setFailed(failureMessage('rollback', error));
  }
}
