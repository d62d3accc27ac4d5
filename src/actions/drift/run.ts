/**
 * The drift action: reads its inputs once into typed settings, runs the retraining check (every
 * configured trigger, one decision), keeps the check history on the `refit-state` branch, and
 * writes the report files, the job summary, annotations and outputs.
 */
import * as core from '@actions/core';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCheck, type CheckInputs, type HistoryStore } from '../../check/index.js';
import { BranchHistoryStore, historyPath, STATE_BRANCH } from '../../check/history-store.js';
import { renderCheckMarkdown } from '../../check/render.js';
import { driftSettingsFromConfig, loadConfigFile, parseMethod, parseNumber } from '../../config/refit-config.js';
import { isUserError, UserError } from '../../errors.js';
import { createGitHubClient } from '../../github/client.js';
import { parseBoolean, parseModelName, readEvent, runUrl, failureMessage, inputReaders } from '../inputs.js';
import { championTrainedAt, registryPath } from '../../registry/champion.js';
import { champion } from '../../registry/document.js';
import { closeRegistryStore, openRegistryStore } from '../../registry/index.js';
import type { CheckRecord } from '../../triggers/index.js';

/** Every input this action reads; action.yml declares exactly these (a test checks both ways). */
export const INPUT_NAMES = [
  'reference',
  'current',
  'config',
  'method',
  'threshold',
  'drift-share',
  'metrics',
  'baseline-metrics',
  'metric-thresholds',
  'target',
  'prediction',
  'max-ood-share',
  'rules',
  'max-model-age',
  'consecutive',
  'cooldown',
  'model',
  'fail-on-drift',
  'token',
  'registry',
] as const;
type InputName = (typeof INPUT_NAMES)[number];

const { input } = inputReaders<InputName>();

export interface DriftActionSettings {
  check: CheckInputs;
  failOnDrift: boolean;
  token: string;
  /** Where the champion's registry is: git (the state branch) or s3://bucket/prefix. */
  registry: string;
}

export async function readInputs(): Promise<DriftActionSettings> {
  const config = input('config');
  const settings = driftSettingsFromConfig(config ? await loadConfigFile(config) : {}, config || 'refit.yml');
  if (input('method')) settings.method = parseMethod(input('method'), 'input method');
  if (input('threshold')) settings.threshold = parseNumber(input('threshold'), 'input threshold', { min: 0 });
  if (input('drift-share')) settings.driftShare = parseNumber(input('drift-share'), 'input drift-share', { min: 0, max: 1 });
  const model = parseModelName(input('model') || 'default');
  const optional = (name: InputName) => input(name) || undefined;
  const check: CheckInputs = {
    settings,
    consecutive: input('consecutive') ? parseNumber(input('consecutive'), 'input consecutive', { min: 1, integer: true }) : 1,
    model,
  };
  const assign = <K extends keyof CheckInputs>(key: K, value: CheckInputs[K] | undefined) => {
    if (value !== undefined) check[key] = value;
  };
  assign('reference', optional('reference'));
  assign('current', optional('current'));
  assign('metrics', optional('metrics'));
  assign('baselineMetrics', optional('baseline-metrics'));
  assign('metricThresholds', optional('metric-thresholds'));
  assign('target', optional('target'));
  assign('prediction', optional('prediction'));
  assign('rules', optional('rules'));
  assign('maxModelAge', optional('max-model-age'));
  assign('cooldown', optional('cooldown'));
  if (input('max-ood-share')) check.maxOodShare = parseNumber(input('max-ood-share'), 'input max-ood-share', { min: 0, max: 1 });
  return { check, failOnDrift: parseBoolean(input('fail-on-drift'), 'fail-on-drift'), token: input('token'), registry: input('registry') || 'git' };
}

/**
 * The history on the state branch. Without `consecutive` or `cooldown` the history only feeds the
 * trend chart, so a token that may not write it costs a warning, not the check.
 */
class ActionHistoryStore implements HistoryStore {
  readonly location: string;
  constructor(
    private readonly inner: HistoryStore | null,
    private readonly required: boolean,
    why: string,
  ) {
    this.location = inner?.location ?? why;
  }

  private async attempt<T>(what: string, f: (store: HistoryStore) => Promise<T>, fallback: T): Promise<T> {
    if (!this.inner) {
      if (this.required) throw new UserError(`consecutive and cooldown need the check history, but ${this.location}`);
      return fallback;
    }
    try {
      return await f(this.inner);
    } catch (error) {
      if (this.required || !isUserError(error)) throw error;
      core.warning(`check history not ${what} (${error.message}); the trend chart needs it, the decision does not`);
      return fallback;
    }
  }

  load(): Promise<CheckRecord[]> {
    return this.attempt('read', (s) => s.load(), []);
  }

  append(record: CheckRecord): Promise<void> {
    return this.attempt('saved', (s) => s.append(record), undefined);
  }
}

function historyStore(settings: DriftActionSettings): HistoryStore {
  const required = settings.check.consecutive > 1 || Boolean(settings.check.cooldown);
  const repository = process.env.GITHUB_REPOSITORY ?? '';
  const [owner, repo] = repository.split('/');
  if (!owner || !repo) return new ActionHistoryStore(null, required, 'GITHUB_REPOSITORY is not set (not running in GitHub Actions?)');
  if (!settings.token) return new ActionHistoryStore(null, required, 'the token input is empty');
  const client = createGitHubClient({ token: settings.token, log: (m) => core.info(m) });
  const store = new BranchHistoryStore(client, { owner, repo, branch: STATE_BRANCH, path: historyPath(settings.check.model) });
  return new ActionHistoryStore(store, required, '');
}

/**
 * The champion's training time, for the model-age trigger: from `.refit/<model>/registry.json` when
 * the repository commits one, else from the registry the promote action keeps (the state branch, or
 * S3). Read only when max-model-age is set.
 */
async function championTime(settings: DriftActionSettings): Promise<Date | null> {
  if (!settings.check.maxModelAge) return null;
  const local = registryPath(settings.check.model);
  if (existsSync(local)) return championTrainedAt(local);
  const [owner, repo] = (process.env.GITHUB_REPOSITORY ?? '').split('/');
  const github = owner && repo && settings.token ? { client: createGitHubClient({ token: settings.token, log: (m) => core.info(m) }), owner, repo, branch: STATE_BRANCH } : undefined;
  if (settings.registry === 'git' && !github) return null;
  const store = openRegistryStore(settings.registry, settings.check.model, { what: 'input registry', ...(github ? { github } : {}) });
  try {
    const doc = await store.read();
    const trainedAt = doc ? champion(doc)?.trainedAt : undefined;
    if (!trainedAt) return null;
    const at = new Date(trainedAt);
    if (Number.isNaN(at.getTime())) throw new UserError(`${store.location}: the champion's trainedAt ${JSON.stringify(trainedAt)} is not a date`);
    return at;
  } finally {
    await closeRegistryStore(store);
  }
}

export async function run(options: { workerEntry?: URL; now?: Date } = {}): Promise<void> {
  try {
    const settings = await core.group('Inputs', async () => {
      const s = await readInputs();
      if (s.token) core.setSecret(s.token);
      core.debug(`inputs: ${JSON.stringify({ ...s, token: s.token ? '***' : '' })}`);
      return s;
    });
    const event = await readEvent();
    const url = runUrl();
    const result = await core.group('Retraining check', async () =>
      runCheck(
        settings.check,
        {
          now: options.now ?? new Date(),
          championTrainedAt: await championTime(settings),
          ...(event.name ? { eventName: event.name } : {}),
          ...(event.payload !== undefined ? { eventPayload: event.payload } : {}),
          ...(url ? { runUrl: url } : {}),
          ...(options.workerEntry ? { workerEntry: options.workerEntry } : {}),
        },
        historyStore(settings),
      ),
    );
    const { decision, drift } = result;
    const markdown = renderCheckMarkdown({ decision, drift, history: result.history, historyLocation: result.historyLocation, ...(url ? { runUrl: url } : {}) });

    await core.group('Report', async () => {
      const dir = join(process.env.RUNNER_TEMP || '.', 'refit', settings.check.model);
      await mkdir(dir, { recursive: true });
      const jsonPath = join(dir, 'drift-report.json');
      const mdPath = join(dir, 'drift-report.md');
      await writeFile(jsonPath, JSON.stringify({ model: settings.check.model, decision, drift }, null, 2) + '\n');
      await writeFile(mdPath, markdown);
      for (const column of drift?.columns ?? []) {
        if (column.drifted) core.warning(`drift in column ${JSON.stringify(column.name)}: ${column.method} score ${column.score} (threshold ${column.threshold})`, { title: 'Refit: data drift' });
      }
      await core.summary.addRaw(markdown, true).write();
      core.setOutput('retrain', String(decision.retrain));
      core.setOutput('drift-detected', String(decision.driftDetected));
      core.setOutput('drift-share', String(decision.driftShare));
      core.setOutput('reasons', JSON.stringify(decision.reasons));
      core.setOutput('report-json', jsonPath);
      core.setOutput('report-markdown', mdPath);
      core.info(`retrain=${decision.retrain} drift-detected=${decision.driftDetected} drift-share=${decision.driftShare}`);
      for (const reason of decision.reasons) core.info(`  ${reason.trigger}: ${reason.detail}`);
      if (decision.suppressed) core.info(`  ${decision.suppressed.by}: ${decision.suppressed.detail}`);
    });
    if (settings.failOnDrift && decision.driftDetected) core.setFailed(`refit drift: data drift detected (share ${decision.driftShare}) and fail-on-drift is true`);
  } catch (error) {
    core.setFailed(failureMessage('drift', error));
  }
}
