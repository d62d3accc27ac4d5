/**
 * The retrain-pr action: pin the training data in a snapshot manifest and open (or update) the
 * model's one retraining pull request, with the drift action's report as its body.
 */
import * as core from '@actions/core';
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';
import { parseList } from '../../config/refit-config.js';
import { describeError, UserError } from '../../errors.js';
import { createGitHubClient } from '../../github/client.js';
import { defaultTitle, pullRequestBody } from '../../retrain/body.js';
import { openOrUpdatePullRequest } from '../../retrain/pull-request.js';
import { buildSnapshotManifest, dvcPointer, isS3File, manifestContentEquals, parseSnapshotManifest, serializeManifest, snapshotPath } from '../../snapshot/index.js';
import { hashFile } from '../../snapshot/hash.js';
import { parseBoolean, parseModelName, runUrl, failureMessage, inputReaders } from '../inputs.js';

/** Every input this action reads; action.yml declares exactly these (a test checks both ways). */
export const INPUT_NAMES = [
  'model',
  'data',
  'reference',
  'report-json',
  'report-markdown',
  'manifest-path',
  'branch',
  'base',
  'title',
  'labels',
  'reviewers',
  'team-reviewers',
  'draft',
  'dvc',
  'token',
] as const;
type InputName = (typeof INPUT_NAMES)[number];

const { input } = inputReaders<InputName>();

export interface RetrainPrSettings {
  model: string;
  data: string[];
  reference: string;
  reportJson: string;
  reportMarkdown: string;
  manifestPath: string;
  branch: string;
  base: string;
  title: string;
  labels: string[];
  reviewers: string[];
  teamReviewers: string[];
  draft: boolean;
  dvc: boolean;
  token: string;
}

export function readInputs(): RetrainPrSettings {
  const model = input('model');
  if (!model) throw new UserError('input model is required; set it under "with:" in the workflow step');
  parseModelName(model);
  const data = input('data') ? parseList(input('data'), 'input data') : [];
  if (data.length === 0) throw new UserError('input data is required: the paths, globs or s3:// URIs the challenger will train on');
  const token = input('token');
  if (!token) throw new UserError('input token is empty; it defaults to ${{ github.token }}, which needs contents: write and pull-requests: write');
  return {
    model,
    data,
    reference: input('reference'),
    reportJson: input('report-json'),
    reportMarkdown: input('report-markdown'),
    manifestPath: input('manifest-path') || snapshotPath(model),
    branch: input('branch') || `refit/${model}`,
    base: input('base'),
    title: input('title'),
    labels: input('labels') ? parseList(input('labels'), 'input labels') : [],
    reviewers: input('reviewers') ? parseList(input('reviewers'), 'input reviewers') : [],
    teamReviewers: input('team-reviewers') ? parseList(input('team-reviewers'), 'input team-reviewers') : [],
    draft: parseBoolean(input('draft'), 'draft'),
    dvc: parseBoolean(input('dvc'), 'dvc'),
    token,
  };
}

/** The triggers that fired, from the drift action's report-json (empty when not given). */
async function firedTriggers(reportJson: string): Promise<string[]> {
  if (!reportJson) return [];
  try {
    const report = JSON.parse(await readFile(reportJson, 'utf8')) as { decision?: { reasons?: { trigger: string }[] } };
    return (report.decision?.reasons ?? []).map((r) => r.trigger).filter((t) => /^[a-z-]+$/.test(t));
  } catch (error) {
    throw new UserError(`input report-json: cannot read ${reportJson} (${describeError(error)}); pass the drift step's report-json output`);
  }
}

export async function run(): Promise<void> {
  try {
    const settings = await core.group('Inputs', async () => {
      const s = readInputs();
      core.setSecret(s.token);
      core.debug(`inputs: ${JSON.stringify({ ...s, token: '***' })}`);
      return s;
    });
    const [owner, repo] = (process.env.GITHUB_REPOSITORY ?? '').split('/');
    if (!owner || !repo) throw new UserError('GITHUB_REPOSITORY is not set: this action runs in a GitHub Actions workflow');
    const root = process.env.GITHUB_WORKSPACE || process.cwd();
    const url = runUrl();

    const manifest = await core.group('Snapshot', async () => {
      const m = await buildSnapshotManifest({
        model: settings.model,
        sources: settings.data,
        root,
        ...(settings.reference ? { reference: settings.reference } : {}),
        ...(settings.reportJson ? { driftReport: { path: settings.reportJson } } : {}),
        ...(url ? { runUrl: url } : {}),
        ...(process.env.GITHUB_SHA ? { commit: process.env.GITHUB_SHA } : {}),
      });
      core.info(`data digest ${m.digest}: ${m.sources.map((s) => `${s.source} (${s.files.length} files, ${s.rows} rows)`).join(', ')}`);
      return m;
    });

    const files: Record<string, string> = { [settings.manifestPath]: serializeManifest(manifest) };
    if (settings.dvc) {
      for (const source of manifest.sources) {
        for (const file of source.files) {
          if (isS3File(file)) continue;
          const path = isAbsolute(file.uri) ? file.uri : join(root, file.uri);
          const repoPath = relative(root, path).split('\\').join('/');
          if (repoPath.startsWith('..')) continue; // outside the repository: nothing to commit next to it
          const digests = await hashFile(path, { md5: true });
          files[`${repoPath}.dvc`] = dvcPointer({ path, md5: digests.md5!, size: digests.size });
        }
      }
    }

    const report = settings.reportMarkdown ? await readFile(settings.reportMarkdown, 'utf8').catch((error: unknown) => {
      throw new UserError(`input report-markdown: cannot read ${settings.reportMarkdown} (${describeError(error)}); pass the drift step's report-markdown output`);
    }) : null;
    const title = settings.title || defaultTitle(settings.model, await firedTriggers(settings.reportJson));
    const body = pullRequestBody({ model: settings.model, report, manifest, manifestPath: settings.manifestPath, ...(url ? { runUrl: url } : {}) });

    const client = createGitHubClient({ token: settings.token, log: (m) => core.info(m) });
    const result = await core.group('Pull request', () =>
      openOrUpdatePullRequest(client, {
        owner,
        repo,
        branch: settings.branch,
        ...(settings.base ? { base: settings.base } : {}),
        title,
        body,
        files,
        labels: settings.labels,
        reviewers: settings.reviewers,
        teamReviewers: settings.teamReviewers,
        draft: settings.draft,
        commitMessage: `refit: pin training data for ${settings.model} (${manifest.digest.slice(0, 12)})`,
        sameContent: (path, existing, desired) => {
          if (path !== settings.manifestPath) return existing === desired;
          try {
            return manifestContentEquals(parseSnapshotManifest(JSON.parse(existing), path), parseSnapshotManifest(JSON.parse(desired), path));
          } catch {
            return false; // an unreadable manifest on the branch is replaced
          }
        },
        log: (m) => core.info(m),
      }),
    );
    core.info(`${result.operation} pull request #${result.number}: ${result.url}`);
    core.info(
      'Note: pull requests opened or updated with the default GITHUB_TOKEN do not start other workflows, so the evaluation ' +
        'workflow will not run on this pull request by itself; pass a GitHub App token or a PAT as the token input for that.',
    );
    core.setOutput('pull-request-number', String(result.number));
    core.setOutput('pull-request-url', result.url);
    core.setOutput('branch', result.branch);
    core.setOutput('operation', result.operation);
    core.setOutput('manifest-path', settings.manifestPath);
    core.setOutput('head-sha', result.headSha);
    await core.summary.addRaw(`Retraining pull request [#${result.number}](${result.url}) ${result.operation}.\n`, true).write();
  } catch (error) {
    core.setFailed(failureMessage('retrain-pr', error));
  }
}
