/**
 * Promotion on merge: provenance first (nothing changes when it fails), then, with a registry that
 * keeps artifacts (s3), the artifact's content-addressed copy, then a deployment, the
 * registry (new version + champion, in one conditional write), the verify command (a failure rolls
 * the champion back and marks the deployment failed), a release and the PR comment. Re-running on
 * the same merge finds the version already registered and changes nothing.
 */
import { commentMarker, upsertComment } from '../github/comment.js';
import type { GitHubClient } from '../github/client.js';
import { addChampion, moveAlias, type ArtifactRef, rollbackTo, versionForMerge, type RegistryVersion } from './document.js';
import { createDeployment, createModelRelease, runVerifyCommand, setDeploymentStatus, snapshotAt, type VerifyResult } from './deploy.js';
import { checkPullRequest, mergedPullRequest, passedEvaluation, verifyArtifact } from './provenance.js';
import { promotedMarkdown, verifyFailedMarkdown } from './render.js';
import type { RegistryStore } from './store.js';

export interface PromoteRequest {
  client: GitHubClient;
  owner: string;
  repo: string;
  model: string;
  store: RegistryStore;
  eventName: string | undefined;
  payload: unknown;
  /** The model's retraining branch (`refit/<model>`). */
  branch: string;
  checkName: string;
  environment: string;
  release: boolean;
  comment: boolean;
  verifyCommand?: string;
  /** Where the artifact is now, when not where the evaluation read it. */
  artifact?: string;
  /**
   * Copy the artifact into a registry that keeps artifacts (the s3 backend) and register the copy
   * (default true; ignored by backends that keep none).
   */
  copyArtifact?: boolean;
  metrics?: Record<string, number>;
  trainedAt?: string;
  snapshotPath: string;
  runUrl?: string;
  now?: () => Date;
  log: (message: string) => void;
}

export interface PromoteResult {
  operation: 'promoted' | 'unchanged' | 'rolled-back';
  version: number;
  previousVersion: number | null;
  deploymentId: number | null;
  rolledBack: boolean;
  pullRequest: number;
  /** What was said on the pull request (and goes to the job summary). */
  markdown: string;
  /** Why the verify command failed, when it did. */
  verify?: VerifyResult;
}

export async function promote(request: PromoteRequest): Promise<PromoteResult> {
  const { client, owner, repo, model, store, log } = request;
  const at = { owner, repo };
  const now = () => (request.now ?? (() => new Date()))().toISOString();

  // 1. Provenance: refuse before anything changes.
  const pr = await mergedPullRequest(client, { owner, repo, eventName: request.eventName, payload: request.payload, branch: request.branch });
  checkPullRequest(pr, request.branch);
  const evaluation = await passedEvaluation(client, { owner, repo, sha: pr.headSha, name: request.checkName, pullRequest: pr.number });
  log(`evaluation check run ${evaluation.checkRunId} passed for ${evaluation.artifact.uri} (${evaluation.artifact.digest})`);
  const artifact = await verifyArtifact(evaluation, request.artifact || evaluation.artifact.uri);
  log(`artifact ${artifact.uri}: ${artifact.digest}, the evaluated bytes`);
  const mergeCommit = pr.mergeCommitSha ?? pr.headSha;
  const identity = { pullRequest: pr.number, headSha: pr.headSha, commit: mergeCommit, digest: artifact.digest };
  const marker = commentMarker('promotion', `model=${model}`);

  // 2. Idempotency: the same merge never makes a second version.
  const before = await store.read();
  const known = before ? versionForMerge(before, identity) : undefined;
  if (known && before) {
    log(`pull request #${pr.number} is already registered as v${known.version} in ${store.location}: nothing to do`);
    const promotedMove = [...before.history].reverse().find((h) => h.alias === 'champion' && h.to === known.version);
    return {
      operation: 'unchanged',
      version: known.version,
      previousVersion: promotedMove?.from ?? null,
      deploymentId: known.deployment?.id ?? null,
      rolledBack: before.aliases.champion !== known.version,
      pullRequest: pr.number,
      markdown: `Pull request #${pr.number} is already registered as ${model} v${known.version}; nothing changed.\n`,
    };
  }

  // 3. The registry's own copy of the artifact, before anything records it (a copy left by a run
  //    that fails later is harmless: it is content-addressed, and the next run finds it there).
  let registered: ArtifactRef = { uri: artifact.uri, digest: artifact.digest, size: artifact.size };
  if (store.keepArtifact && request.copyArtifact !== false) {
    const copy = await store.keepArtifact(artifact.uri, artifact.digest, log);
    log(`the registry keeps ${copy.uri} (${copy.digest}, the evaluated bytes)`);
    registered = { uri: copy.uri, digest: copy.digest, size: copy.size, source: evaluation.artifact.uri };
  }

  // 4. The deployment, then the registry in one conditional write (version, champion, deployment id).
  const snapshot = await snapshotAt(client, at, pr.headSha, request.snapshotPath);
  const deploymentId = await createDeployment(client, at, {
    ref: mergeCommit,
    environment: request.environment,
    description: `${model}: promote the artifact of #${pr.number}`,
    payload: { model, pullRequest: pr.number, artifact: { uri: registered.uri, digest: registered.digest } },
  });
  await setDeploymentStatus(client, at, deploymentId, 'in_progress', `registering ${model}`, request.runUrl);
  log(`deployment ${deploymentId} to ${request.environment} in progress`);

  let version: RegistryVersion | undefined;
  let previous: number | null = null;
  let added = false;
  try {
    await store.update((doc) => {
      const result = addChampion(
        doc,
        {
          artifact: registered,
          ...(snapshot ? { snapshot } : {}),
          ...(request.metrics ? { metrics: request.metrics } : {}),
          commit: mergeCommit,
          pullRequest: pr.number,
          headSha: pr.headSha,
          evaluation: { checkRunId: evaluation.checkRunId, name: evaluation.name, ...(evaluation.url ? { url: evaluation.url } : {}) },
          runUrl: request.runUrl ?? null,
          mergedBy: pr.mergedBy,
          createdAt: now(),
          trainedAt: request.trainedAt ?? evaluation.startedAt,
          deployment: { id: deploymentId, environment: request.environment },
        },
        { at: now(), reason: `merge of pull request #${pr.number}`, actor: pr.mergedBy, runUrl: request.runUrl ?? null },
      );
      ({ version, added, previous } = result); // not added: another run registered this merge meanwhile
      return result.doc;
    }, `refit: register ${model} from #${pr.number} and make it the champion`);
  } catch (error) {
    await setDeploymentStatus(client, at, deploymentId, 'error', 'the registry could not be updated', request.runUrl).catch(() => undefined);
    throw error;
  }
  if (!version) throw new Error('internal: the registry change did not run');
  const v: RegistryVersion = version;
  if (!added) {
    await setDeploymentStatus(client, at, deploymentId, 'inactive', `another run already registered #${pr.number} as v${v.version}`, request.runUrl);
    return { operation: 'unchanged', version: v.version, previousVersion: null, deploymentId: v.deployment?.id ?? null, rolledBack: false, pullRequest: pr.number, markdown: `Pull request #${pr.number} is already registered as ${model} v${v.version}; nothing changed.\n` };
  }
  log(`registered ${model} v${v.version} in ${store.location}; champion v${v.version}${previous === null ? '' : `, previous v${previous}`}`);

  // 5. Verify; on failure roll back, mark the deployment failed and say so on the pull request.
  if (request.verifyCommand) {
    log('running the verify command');
    const verify = await runVerifyCommand(
      request.verifyCommand,
      { REFIT_MODEL: model, REFIT_VERSION: String(v.version), REFIT_PREVIOUS_VERSION: previous === null ? '' : String(previous), REFIT_ARTIFACT_URI: v.artifact.uri, REFIT_ARTIFACT_DIGEST: v.artifact.digest, REFIT_ENVIRONMENT: request.environment },
      (line) => log(`  ${line}`),
    );
    if (!verify.ok) {
      const restored = previous;
      await store.update(
        (doc) => {
          if (doc.aliases.champion !== v.version) return doc; // moved on meanwhile: leave it
          const context = { at: now(), reason: `verify command failed (exit ${verify.exitCode}) after promoting v${v.version}`, runUrl: request.runUrl ?? null };
          return restored === null ? moveAlias(doc, 'champion', null, context) : rollbackTo(doc, restored, context);
        },
        `refit: roll ${model} back from v${v.version} (verify command failed)`,
      );
      await setDeploymentStatus(client, at, deploymentId, 'failure', `verify command failed (exit ${verify.exitCode}); rolled back${restored === null ? '' : ` to v${restored}`}`, request.runUrl);
      const markdown = verifyFailedMarkdown({ marker, model, version: v.version, restored, environment: request.environment, deploymentId, exitCode: verify.exitCode, tail: verify.tail });
      if (request.comment) await upsertComment(client, { owner, repo, issueNumber: pr.number }, marker, markdown);
      return { operation: 'rolled-back', version: v.version, previousVersion: previous, deploymentId, rolledBack: true, pullRequest: pr.number, markdown, verify };
    }
    log('the verify command passed');
  }

  // 6. Success: deployment status, release, comment.
  await setDeploymentStatus(client, at, deploymentId, 'success', `${model} v${v.version} is the champion`, request.runUrl);
  let release: string | undefined;
  if (request.release) {
    release = `model/${model}/v${v.version}`;
    const made = await createModelRelease(client, at, { tag: release, sha: mergeCommit, name: `${model} v${v.version}`, body: `Model ${model} v${v.version}, artifact ${v.artifact.digest}, from #${pr.number}.` });
    log(`release ${release} ${made}`);
  }
  const markdown = promotedMarkdown({ marker, model, version: v, previous, environment: request.environment, deploymentId, ...(release ? { release } : {}) });
  if (request.comment) await upsertComment(client, { owner, repo, issueNumber: pr.number }, marker, markdown);
  return { operation: 'promoted', version: v.version, previousVersion: previous, deploymentId, rolledBack: false, pullRequest: pr.number, markdown };
}
