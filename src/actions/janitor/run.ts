/**
 * The janitor action (scheduled): terminate this repository's Refit instances that have expired or
 * whose workflow run has finished, and delete offline Refit runners of finished runs. `dry-run: true`
 * lists them without changing anything.
 */
import * as core from '@actions/core';
import { EC2Client } from '@aws-sdk/client-ec2';
import { UserError } from '../../errors.js';
import { createGitHubClient } from '../../github/client.js';
import { renderJanitorReport, sweep } from '../../janitor/index.js';
import { awsRegion } from '../../runner/region.js';
import { parseBoolean, failureMessage, inputReaders } from '../inputs.js';
import { runContext } from '../launch-inputs.js';

/** Every input this action reads; action.yml declares exactly these (a test checks both ways). */
export const INPUT_NAMES = ['token', 'dry-run', 'region', 'runners'] as const;
type InputName = (typeof INPUT_NAMES)[number];

const { optional, required: input } = inputReaders<InputName>();


export async function run(): Promise<void> {
  try {
    const context = runContext();
    const token = input('token');
    core.setSecret(token);
    const dryRun = parseBoolean(optional('dry-run'), 'dry-run');
    const runners = parseBoolean(optional('runners') || 'true', 'runners');
    const region = awsRegion(optional('region'));
    const github = createGitHubClient({ token, log: (m) => core.info(m) });
    const report = await core.group(dryRun ? 'Sweep (dry run)' : 'Sweep', () =>
      sweep({ github, ec2: new EC2Client({ region }) }, { owner: context.owner, repo: context.repo, repository: context.repository, dryRun, runners, log: (m) => core.info(m) }),
    );
    for (const i of report.instances) core.info(`${i.instanceId} (run ${i.runId}, ${i.state}): ${i.action}${i.reasons.length > 0 ? ` — ${i.reasons.join('; ')}` : ''}`);
    for (const r of report.runners) core.info(`runner ${r.name} (${r.id}): ${r.action} — ${r.reason}`);
    core.setOutput('terminated', JSON.stringify(report.instances.filter((i) => i.action !== 'kept').map((i) => i.instanceId)));
    core.setOutput('runners-deleted', JSON.stringify(report.runners.filter((r) => r.action === 'deleted' || r.action === 'would delete').map((r) => r.name)));
    core.setOutput('kept', JSON.stringify(report.instances.filter((i) => i.action === 'kept').map((i) => i.instanceId)));
    await core.summary.addRaw(renderJanitorReport(report), true).write();
    if (report.runnerError) throw new UserError(`instances were swept, but runners were not: ${report.runnerError}`);
  } catch (error) {
    core.setFailed(failureMessage('janitor', error));
  }
}
