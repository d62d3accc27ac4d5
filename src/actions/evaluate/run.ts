/**
 * The evaluate action: champion vs challenger, with confidence, as one PR comment updated in place,
 * a check run branch protection can require, and the job summary. On a pull request from a fork
 * (read-only token) it warns instead of failing and still writes the job summary.
 */
import * as core from '@actions/core';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseList, parseNumber, readTextOrFile } from '../../config/refit-config.js';
import { isUserError, UserError } from '../../errors.js';
import { MAX_SEED, parseGates, type Task } from '../../evaluate/index.js';
import { artifactLine, evaluationReport, parseLatency, type Figures } from '../../evaluate/report.js';
import { verdict } from '../../evaluate/render.js';
import { publishCheckRun } from '../../github/checks.js';
import { createGitHubClient } from '../../github/client.js';
import { commentMarker, upsertComment } from '../../github/comment.js';
import { parseBoolean, parseModelName, readEvent, runUrl, failureMessage, inputReaders } from '../inputs.js';

/** Every input this action reads; action.yml declares exactly these (a test checks both ways). */
export const INPUT_NAMES = [
  'champion',
  'challenger',
  'task',
  'label-column',
  'score-column',
  'prediction-column',
  'id-column',
  'slices',
  'gates',
  'bootstrap',
  'seed',
  'model',
  'comment',
  'check-name',
  'token',
  'artifact',
  'cost-usd',
  'billed-seconds',
  'latency',
] as const;
type InputName = (typeof INPUT_NAMES)[number];

const { input } = inputReaders<InputName>();

/** GitHub's limits, in characters: a comment body, a check run's output summary. */
const MAX_COMMENT = 65_536;
const MAX_CHECK_SUMMARY = 65_535;

interface PullRequestContext {
  number: number;
  headSha: string;
  fromFork: boolean;
}

/** The pull request this run is about, from the event payload (pull_request, pull_request_target). */
async function pullRequestContext(): Promise<PullRequestContext | null> {
  const { payload } = await readEvent();
  const pr = (payload as { pull_request?: { number: number; head: { sha: string; repo?: { full_name?: string; fork?: boolean } | null } } } | undefined)?.pull_request;
  if (!pr) return null;
  const headRepo = pr.head.repo?.full_name;
  // head.repo is null when the fork was deleted: still a fork's pull request (read-only token).
  const fromFork = pr.head.repo === null || Boolean(pr.head.repo?.fork) || (headRepo !== undefined && headRepo !== process.env.GITHUB_REPOSITORY);
  return { number: pr.number, headSha: pr.head.sha, fromFork };
}

export async function run(options: { workerEntry?: URL } = {}): Promise<void> {
  try {
    const settings = await core.group('Inputs', async () => {
      const champion = input('champion');
      const challenger = input('challenger');
      if (!champion || !challenger) throw new UserError('inputs champion and challenger are required: metrics files (.json) or prediction files of the same holdout');
      const task = input('task');
      if (task && !['binary', 'multiclass', 'regression'].includes(task)) throw new UserError(`input task: expected binary, multiclass or regression, got ${JSON.stringify(task)}`);
      const token = input('token');
      if (token) core.setSecret(token);
      const s = {
        model: parseModelName(input('model') || 'default'),
        champion,
        challenger,
        task: (task || undefined) as Task | undefined,
        labelColumn: input('label-column') || 'label',
        scoreColumn: input('score-column') || 'score',
        predictionColumn: input('prediction-column') || 'prediction',
        idColumn: input('id-column') || 'id',
        slices: input('slices') ? parseList(input('slices'), 'input slices') : [],
        gates: input('gates') ? parseGates((await readTextOrFile(input('gates'), 'input gates')).text, 'input gates') : undefined,
        bootstrap: input('bootstrap') ? parseNumber(input('bootstrap'), 'input bootstrap', { min: 0, max: 100_000, integer: true }) : 1000,
        seed: input('seed') ? parseNumber(input('seed'), 'input seed', { min: 0, max: MAX_SEED, integer: true }) : 0,
        comment: parseBoolean(input('comment') || 'true', 'comment'),
        checkName: input('check-name') || `refit / evaluation ${input('model') || 'default'}`,
        token,
        artifact: input('artifact') || undefined,
        figures: {
          ...(input('cost-usd') ? { costUsd: parseNumber(input('cost-usd'), 'input cost-usd', { min: 0 }) } : {}),
          ...(input('billed-seconds') ? { billedSeconds: parseNumber(input('billed-seconds'), 'input billed-seconds', { min: 0 }) } : {}),
          ...(input('latency') ? { latencyMs: await parseLatency(input('latency'), 'input latency') } : {}),
        } satisfies Figures,
      };
      core.debug(`inputs: ${JSON.stringify({ ...s, token: s.token ? '***' : '' })}`);
      return s;
    });

    const url = runUrl();
    const marker = commentMarker('evaluation', `model=${settings.model}`);
    const report = await core.group('Evaluation', () =>
      evaluationReport({
        model: settings.model,
        champion: settings.champion,
        challenger: settings.challenger,
        labelColumn: settings.labelColumn,
        scoreColumn: settings.scoreColumn,
        predictionColumn: settings.predictionColumn,
        idColumn: settings.idColumn,
        slices: settings.slices,
        bootstrap: settings.bootstrap,
        seed: settings.seed,
        figures: settings.figures,
        marker,
        ...(url ? { runUrl: url } : {}),
        ...(settings.artifact !== undefined ? { artifact: settings.artifact } : {}),
        ...(settings.task ? { task: settings.task } : {}),
        ...(settings.gates ? { gates: settings.gates } : {}),
        ...(options.workerEntry ? { workerEntry: options.workerEntry } : {}),
      }),
    );
    const { result, markdown, artifact } = report;
    const repository = process.env.GITHUB_REPOSITORY;

    const dir = join(process.env.RUNNER_TEMP || '.', 'refit', settings.model);
    await mkdir(dir, { recursive: true });
    const jsonPath = join(dir, 'evaluation.json');
    const mdPath = join(dir, 'evaluation.md');
    await writeFile(jsonPath, JSON.stringify(report.json, null, 2) + '\n');
    await writeFile(mdPath, markdown);
    await core.summary.addRaw(markdown, true).write();
    core.setOutput('passed', String(result.passed));
    core.setOutput('report-json', jsonPath);
    core.setOutput('report-markdown', mdPath);
    if (artifact) {
      core.setOutput('artifact-digest', artifact.digest);
      core.info(`artifact ${artifact.uri}: ${artifact.digest} (${artifact.files} file(s), ${artifact.size} bytes)`);
    }

    await core.group('Publish', async () => {
      const [owner, repo] = (repository ?? '').split('/');
      if (!owner || !repo || !settings.token) {
        core.info('no repository or token: the report is in the job summary only');
        return;
      }
      const pr = await pullRequestContext();
      const client = createGitHubClient({ token: settings.token, log: (m) => core.info(m) });
      // A fork's pull request runs with a read-only token: publishing may be refused; warn, go on.
      const tolerate = async (what: string, f: () => Promise<void>) => {
        try {
          await f();
        } catch (error) {
          if (pr?.fromFork && isUserError(error)) core.warning(`${what} skipped on a pull request from a fork (${error.message}); the report is in the job summary`);
          else throw error;
        }
      };
      if (settings.comment && pr) {
        await tolerate('the PR comment', async () => {
          const comment = await upsertComment(client, { owner, repo, issueNumber: pr.number }, marker, report.markdownWithin(MAX_COMMENT));
          core.setOutput('comment-id', String(comment.id));
          core.info(`${comment.operation} comment ${comment.id} on #${pr.number}`);
        });
      }
      const headSha = pr?.headSha ?? process.env.GITHUB_SHA;
      if (headSha) {
        await tolerate('the check run', async () => {
          const check = await publishCheckRun(client, {
            owner,
            repo,
            headSha,
            name: settings.checkName,
            conclusion: result.passed ? 'success' : 'failure',
            title: verdict(result, (text) => text.replace(/\s+/g, ' ')),
            summary: report.markdownWithin(MAX_CHECK_SUMMARY),
            // Provenance for the promote action: the digest as external_id and a hidden line in
            // the text (replacing any an earlier run on this commit recorded).
            text: artifact ? artifactLine(artifact) : 'No model artifact recorded: set the evaluate action\'s artifact input to record its digest.',
            ...(artifact ? { externalId: artifact.digest } : {}),
            ...(url ? { detailsUrl: url } : {}),
          });
          core.setOutput('check-run-id', String(check.id));
          core.info(`${check.operation} check run "${settings.checkName}" (${check.id})`);
        });
      }
    });
    core.info(`passed=${result.passed}`);
  } catch (error) {
    core.setFailed(failureMessage('evaluate', error));
  }
}
