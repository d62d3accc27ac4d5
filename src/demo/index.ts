/**
 * `refit demo` / `npm run demo`: the whole loop on the example data, locally, with no cloud account,
 * no GitHub token and no network. Every stage runs the same code the actions run; only the edges
 * are local: a git repository in the output folder instead of GitHub, a local executor instead of
 * an EC2 instance, the registry's file backend instead of the state branch.
 *
 *   0 setup     a git repository with the example model; champion v1 trained on the reference window
 *   1 drift     the drift check and the retraining decision, with its reasons
 *   2 retrain   snapshot manifest, branch refit/taxi-tip, commit, and the pull request body
 *   3 train     the challenger trained from the snapshot, holdout predictions, artifacts back
 *   4 evaluate  champion vs challenger on the same holdout: paired bootstrap intervals and gates
 *   5 promote   merge, provenance check (artifact digest = evaluated digest), registry v2 = champion
 *   6 rollback  a canary on live trips fails (simulated upstream change) and v1 comes back
 */
import { cp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { artifactDigest } from '../artifact.js';
import { runCheck, type CheckResult } from '../check/index.js';
import { FileHistoryStore, historyPath } from '../check/history-store.js';
import { renderCheckMarkdown } from '../check/render.js';
import { driftSettingsFromConfig, loadConfigFile } from '../config/refit-config.js';
import { renderMarkdown as renderDriftMarkdown } from '../drift/render.js';
import { UserError } from '../errors.js';
import { parseGates, type EvaluationResult } from '../evaluate/index.js';
import { evaluationReport } from '../evaluate/report.js';
import { addChampion, rollbackTo, type RegistryDocument } from '../registry/document.js';
import { runVerifyCommand, type VerifyResult } from '../registry/deploy.js';
import { FileRegistryStore } from '../registry/store.js';
import { pullRequestBody } from '../retrain/body.js';
import { buildSnapshotManifest, saveManifest, type SnapshotManifest } from '../snapshot/index.js';
import { runLocal, type LocalRunResult } from './local-run.js';
import { renderDemoHtml } from './report.js';
import { DemoRepository } from './git.js';

export const DEMO_MODEL = 'taxi-tip';
/** The current window's last days are held out: both models are scored on them. */
export const HOLDOUT_FROM = '2019-03-27';
const FIXED_NOW = new Date('2019-04-01T06:00:00Z');

export interface DemoOptions {
  /** The Refit checkout (examples/ is read from it). */
  root: string;
  /** Where everything is written (emptied first). */
  out: string;
  log: (line: string) => void;
  /** Bundled entry for worker threads (drift reads, bootstrap). */
  workerEntry?: URL;
  bootstrap?: number;
}

export interface StageRecord {
  id: string;
  title: string;
  seconds: number;
  summary: string;
}

export interface DemoResult {
  out: string;
  stages: StageRecord[];
  check: CheckResult;
  manifest: SnapshotManifest;
  training: LocalRunResult;
  evaluation: EvaluationResult;
  registry: RegistryDocument;
  verify: VerifyResult;
  files: { html: string; prBody: string; comment: string; driftReport: string; registry: string; repository: string };
  gitLog: string[];
}

export const GATES = `
roc_auc: { threshold: 0.85, greater_is_better: true }
accuracy: { threshold: 0.85, greater_is_better: true }
log_loss: { threshold: 0.35, greater_is_better: false }
`;

export const DEMO_CONFIG = `# Refit settings of the demo (the example's, with a lower drift share so two drifted columns of
# twelve are enough to retrain).
drift:
  ignore: [pickup, dropoff]
  drift-share: 0.15
  overrides:
    passengers: { kind: categorical }
`;

export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const out = resolve(options.out);
  const repoDir = join(out, 'repository');
  const stages: StageRecord[] = [];
  const total = 7;
  const log = options.log;
  async function stage<T>(id: string, title: string, run: () => Promise<{ value: T; summary: string }>): Promise<T> {
    const n = stages.length;
    log(`[${n}/${total - 1}] ${title}`);
    const started = performance.now();
    const { value, summary } = await run();
    const seconds = (performance.now() - started) / 1000;
    stages.push({ id, title, seconds, summary });
    log(`      ${summary} (${seconds.toFixed(2)} s)`);
    return value;
  }

  await emptyOutput(out);
  await mkdir(repoDir, { recursive: true });
  const repo = new DemoRepository(repoDir);
  const store = new FileRegistryStore(DEMO_MODEL, repoDir);
  const at = (minutes: number) => new Date(FIXED_NOW.getTime() + minutes * 60_000).toISOString();

  // 0. A repository with the example model, and a champion trained on the reference window.
  await stage('setup', 'Set up a repository with the example model and its champion (v1)', async () => {
    repo.init();
    await mkdir(join(repoDir, 'data'));
    await cp(join(options.root, 'examples', 'data', 'taxis-reference.csv'), join(repoDir, 'data', 'taxis-reference.csv'));
    await cp(join(options.root, 'examples', 'data', 'taxis-current.csv'), join(repoDir, 'data', 'taxis-current.csv'));
    await cp(join(options.root, 'examples', 'taxi-tip'), join(repoDir, 'taxi-tip'), { recursive: true });
    await writeFile(join(repoDir, 'refit.yml'), DEMO_CONFIG);
    await writeFile(join(repoDir, 'gates.yml'), GATES.trimStart());
    await writeFile(join(repoDir, '.gitignore'), 'runs/\n');
    const reference = await buildSnapshotManifest({ model: DEMO_MODEL, sources: [join(repoDir, 'data', 'taxis-reference.csv')], root: repoDir, now: FIXED_NOW, window: { start: '2019-02-28', end: '2019-03-15' } });
    await saveManifest(reference, join(repoDir, '.refit', DEMO_MODEL, 'snapshot.json'));
    const run = await runLocal({
      workspace: repoDir,
      runDir: join(repoDir, 'runs', 'v1'),
      command: 'node taxi-tip/train.mjs --snapshot .refit/taxi-tip/snapshot.json --out model',
      artifacts: ['model/**'],
      log: (line) => log(`      | ${line}`),
    });
    if (run.exitCode !== 0) throw new Error(`training the champion failed (exit ${run.exitCode})`);
    const artifact = join(repoDir, 'runs', 'v1', 'model');
    const digest = await artifactDigest(artifact);
    const commit = repo.commitAll('taxi-tip: model v1 trained on 2019-02-28..2019-03-15');
    await store.update(
      (doc) =>
        addChampion(
          doc,
          {
            artifact: { uri: relative(repoDir, artifact), digest: digest.digest, size: digest.size },
            snapshot: { path: `.refit/${DEMO_MODEL}/snapshot.json`, digest: reference.digest },
            commit,
            pullRequest: null,
            headSha: commit,
            runUrl: null,
            mergedBy: 'demo',
            createdAt: at(-20160),
            trainedAt: at(-20160),
          },
          { at: at(-20160), reason: 'first version', actor: 'demo' },
        ).doc,
      'register v1',
    );
    repo.commitAll('taxi-tip: registry v1 = champion');
    return { value: undefined, summary: `champion v1 registered (${digest.digest.slice(0, 19)}…), ${reference.sources[0]!.rows} training rows` };
  });

  // 1. The scheduled drift check.
  const check = await stage('drift', 'Check drift: reference window vs current window', async () => {
    const config = await loadConfigFile(join(repoDir, 'refit.yml'));
    const settings = driftSettingsFromConfig(config, 'refit.yml');
    const result = await runCheck(
      {
        reference: join(repoDir, 'data', 'taxis-reference.csv'),
        current: join(repoDir, 'data', 'taxis-current.csv'),
        settings,
        maxModelAge: '30d',
        consecutive: 1,
        model: DEMO_MODEL,
      },
      { now: FIXED_NOW, championTrainedAt: new Date(at(-20160)), ...(options.workerEntry ? { workerEntry: options.workerEntry } : {}) },
      new FileHistoryStore(join(repoDir, historyPath(DEMO_MODEL))),
    );
    const fired = result.decision.triggers.filter((t) => t.fired).map((t) => t.trigger);
    return { value: result, summary: `${result.decision.retrain ? 'retrain' : 'no retraining'}: ${fired.length > 0 ? fired.join(', ') : 'no trigger fired'}` };
  });
  if (!check.decision.retrain) throw new UserError('the demo expected the drift check to ask for retraining and it did not; this is a bug in the demo data or settings');

  // 2. The retraining pull request: snapshot, branch, commit, body.
  const driftReportPath = join(out, 'drift-report.md');
  const prBodyPath = join(out, 'pull-request.md');
  const { manifest, headSha } = await stage('retrain', 'Open the retraining pull request (local branch refit/taxi-tip)', async () => {
    const report = renderCheckMarkdown({ decision: check.decision, drift: check.drift, history: check.history, historyLocation: check.historyLocation });
    await writeFile(driftReportPath, report);
    repo.checkout(`refit/${DEMO_MODEL}`, true);
    const manifestPath = `.refit/${DEMO_MODEL}/snapshot.json`;
    const snapshot = await buildSnapshotManifest({
      model: DEMO_MODEL,
      sources: [join(repoDir, 'data', 'taxis-current.csv')],
      reference: join(repoDir, manifestPath),
      root: repoDir,
      now: FIXED_NOW,
      window: { start: '2019-03-16', end: '2019-03-31' },
    });
    await saveManifest(snapshot, join(repoDir, manifestPath));
    await writeFile(join(repoDir, '.refit', DEMO_MODEL, 'drift-report.md'), report);
    const sha = repo.commitAll(`Retrain ${DEMO_MODEL}: ${check.decision.triggers.filter((t) => t.fired).map((t) => t.trigger).join(', ')}`);
    await writeFile(prBodyPath, pullRequestBody({ model: DEMO_MODEL, report, manifest: snapshot, manifestPath }));
    return { value: { manifest: snapshot, headSha: sha }, summary: `snapshot ${snapshot.digest.slice(0, 12)}… pins ${snapshot.sources[0]!.rows} rows; commit ${sha.slice(0, 7)} on refit/${DEMO_MODEL}` };
  });

  // 3. Training, on the local executor.
  const training = await stage('train', 'Train the challenger (local executor, the train action’s code path)', async () => {
    const run = await runLocal({
      workspace: repoDir,
      runDir: join(repoDir, 'runs', 'v2'),
      command: [
        `node taxi-tip/train.mjs --snapshot .refit/${DEMO_MODEL}/snapshot.json --out model --holdout-from ${HOLDOUT_FROM}`,
        `node taxi-tip/predict.mjs --model model/model.json --data data/taxis-current.csv --from ${HOLDOUT_FROM} --out predictions.csv`,
      ].join(' && '),
      artifacts: ['model/**', 'predictions.csv'],
      log: (line) => log(`      | ${line}`),
    });
    if (run.exitCode !== 0) throw new Error(`training the challenger failed (exit ${run.exitCode})`);
    return { value: run, summary: `exit ${run.exitCode}; ${run.artifacts.length} artifacts back` };
  });

  // 4. Evaluation on the same holdout.
  const commentPath = join(out, 'evaluation-comment.md');
  const challengerModel = join(repoDir, 'runs', 'v2', 'model');
  const { result: evaluation, evaluated } = await stage('evaluate', 'Evaluate champion vs challenger on the same holdout', async () => {
    const championPredictions = join(repoDir, 'runs', 'v1', 'predictions.csv');
    const predicted = await runLocal({
      workspace: repoDir,
      runDir: join(repoDir, 'runs', 'v1'),
      command: `node taxi-tip/predict.mjs --model runs/v1/model/model.json --data data/taxis-current.csv --from ${HOLDOUT_FROM} --out predictions.csv`,
      artifacts: ['predictions.csv'],
      log: (line) => log(`      | ${line}`),
    });
    if (predicted.exitCode !== 0) throw new Error('scoring the holdout with the champion failed');
    const report = await evaluationReport({
      model: DEMO_MODEL,
      champion: championPredictions,
      challenger: join(repoDir, 'runs', 'v2', 'predictions.csv'),
      task: 'binary',
      slices: ['payment', 'pickup_borough'],
      gates: parseGates(GATES, 'gates.yml'),
      bootstrap: options.bootstrap ?? 1000,
      seed: 7,
      artifact: challengerModel,
      figures: { billedSeconds: Math.max(1, Math.round(training.seconds)) },
      ...(options.workerEntry ? { workerEntry: options.workerEntry } : {}),
    });
    const { result, markdown } = report;
    await writeFile(commentPath, markdown);
    // The digest the evaluation recorded (the check run's, in a workflow): what promotion must match.
    return { value: { result, evaluated: report.artifact! }, summary: `${result.passed ? 'gates passed' : 'gates failed'}: ${result.metrics.length} metrics on ${result.rows} rows, ${result.bootstrap?.resamples ?? 0} bootstrap resamples` };
  });
  if (!evaluation.passed) throw new Error('the demo challenger failed its gates; the demo stops before promotion');

  // 5. Merge and promote.
  await stage('promote', 'Merge the pull request and promote v2', async () => {
    repo.checkout('main');
    const mergeCommit = repo.merge(`refit/${DEMO_MODEL}`, `Merge pull request: retrain ${DEMO_MODEL}`);
    const now = await artifactDigest(challengerModel);
    if (now.digest !== evaluated.digest) throw new UserError(`refusing to promote: the artifact changed since it was evaluated (${now.digest} ≠ ${evaluated.digest})`);
    const metrics = Object.fromEntries(evaluation.metrics.filter((m) => m.challenger !== null).map((m) => [m.name, m.challenger!]));
    const doc = await store.update(
      (current) =>
        addChampion(
          current,
          {
            artifact: { uri: relative(repoDir, challengerModel), digest: now.digest, size: now.size },
            snapshot: { path: `.refit/${DEMO_MODEL}/snapshot.json`, digest: manifest.digest },
            metrics,
            commit: mergeCommit,
            pullRequest: 1,
            headSha,
            runUrl: null,
            mergedBy: 'demo',
            createdAt: at(30),
            trainedAt: at(20),
          },
          { at: at(30), reason: `merged retraining pull request (head ${headSha.slice(0, 7)})`, actor: 'demo' },
        ).doc,
      'promote v2',
    );
    repo.commitAll(`taxi-tip: registry v${doc.aliases.champion} = champion`);
    return { value: doc, summary: `champion v${doc.aliases.champion} (previous v${doc.aliases.previous}); digest equals the evaluated one` };
  });

  // 6. The canary fails on live data; roll back.
  const live = join(repoDir, 'runs', 'live-trips.csv');
  const verify = await stage('rollback', 'Verify the new champion on live trips; roll back on failure', async () => {
    await writeFile(live, await simulatedLiveWindow(join(repoDir, 'data', 'taxis-current.csv')));
    const result = await runVerifyCommand(
      `node taxi-tip/canary.mjs --model ${relative(repoDir, challengerModel)}/model.json --data ${relative(repoDir, live)} --min-accuracy 0.85`,
      { REFIT_MODEL: DEMO_MODEL, REFIT_VERSION: '2' },
      (line) => log(`      | ${line}`),
      repoDir,
    );
    if (result.ok) return { value: result, summary: 'canary passed; nothing to roll back' };
    const doc = await store.update((current) => rollbackTo(current, 'previous', { at: at(45), reason: `verify-command failed (exit ${result.exitCode}): canary accuracy below 0.85 on live trips`, actor: 'refit' }), 'roll back');
    repo.commitAll(`taxi-tip: roll back to v${doc.aliases.champion} (canary failed)`);
    return { value: result, summary: `canary failed (exit ${result.exitCode}): rolled back to v${doc.aliases.champion}` };
  });

  const registry = (await store.read())!;
  const files = {
    html: join(out, 'report.html'),
    prBody: prBodyPath,
    comment: commentPath,
    driftReport: driftReportPath,
    registry: store.location,
    repository: repoDir,
  };
  const result: DemoResult = { out, stages, check, manifest, training, evaluation, registry, verify, files, gitLog: repo.log() };
  await writeFile(files.html, renderDemoHtml(result, { driftMarkdown: check.drift ? renderDriftMarkdown(check.drift) : '', prBody: await readFile(prBodyPath, 'utf8'), comment: await readFile(commentPath, 'utf8') }));
  return result;
}

/** Marks a folder as the demo's output, so a later run may empty it. */
export const OUTPUT_MARKER = '.refit-demo';

/**
 * Empty the output folder, but only when it is new, empty or an earlier demo's output: `--out .`
 * or a mistyped path must never delete someone's files.
 */
async function emptyOutput(out: string): Promise<void> {
  let entries: string[] = [];
  try {
    entries = await readdir(out);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR') throw new UserError(`--out ${out} is a file; give the demo a folder (a new one, e.g. --out refit-demo)`);
    if (code !== 'ENOENT') throw error;
  }
  if (entries.length > 0 && !entries.includes(OUTPUT_MARKER)) {
    throw new UserError(`--out ${out} is not empty and not an earlier demo's output; the demo empties its folder first, so give it a new or empty one (e.g. --out refit-demo)`);
  }
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  await writeFile(join(out, OUTPUT_MARKER), 'Output of `refit demo`: the next run empties this folder.\n');
}

/**
 * The live trips the canary scores: the holdout days again, as an upstream change would deliver
 * them — fares and totals in cents instead of dollars. Simulated on purpose, and said so.
 */
export async function simulatedLiveWindow(current: string): Promise<string> {
  const lines = (await readFile(current, 'utf8')).trimEnd().split('\n');
  const header = lines[0]!.split(',');
  const fare = header.indexOf('fare');
  const totalCol = header.indexOf('total');
  const kept = lines.slice(1).filter((l) => l.slice(0, 10) >= HOLDOUT_FROM);
  const scaled = kept.map((line) => {
    const cells = line.split(',');
    for (const i of [fare, totalCol]) cells[i] = String(Math.round(Number(cells[i]) * 100));
    return cells.join(',');
  });
  return [lines[0], ...scaled].join('\n') + '\n';
}
