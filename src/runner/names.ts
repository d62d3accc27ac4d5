/**
 * Runner names: `refit-<run-id>-<attempt>-<job>-<6 hex>`, at most 64 characters. The name is also the
 * runner's unique label (what `runs-on` names) and the instance's `Name` tag, so `stop` and the
 * janitor can tell Refit's runners apart and find the run each belongs to.
 */
import { randomBytes } from 'node:crypto';

export const MAX_RUNNER_NAME = 64;
const NAME_PATTERN = /^refit-(\d+)-(\d+)-([A-Za-z0-9_-]+)-([0-9a-f]{6})$/;

export interface RunnerNameParts {
  runId: string;
  runAttempt: string;
  /** The job id, as it fits in the name (see `jobInName`). */
  job: string;
}

/** The job id as the name carries it: characters other than letters, digits, `_` and `-` become `-`, cut to fit. */
export function jobInName(runId: string, runAttempt: string, job: string): string {
  const room = MAX_RUNNER_NAME - `refit-${runId}-${runAttempt}--abcdef`.length;
  const clean = job.replace(/[^A-Za-z0-9_-]/g, '-') || 'job';
  return clean.slice(0, Math.max(1, room));
}

export function runnerName(parts: RunnerNameParts, suffix: string = randomBytes(3).toString('hex')): string {
  return `refit-${parts.runId}-${parts.runAttempt}-${jobInName(parts.runId, parts.runAttempt, parts.job)}-${suffix}`;
}

/** The run, attempt and job a Refit runner name encodes; undefined for any other name. */
export function parseRunnerName(name: string): RunnerNameParts | undefined {
  const match = NAME_PATTERN.exec(name);
  if (!match) return undefined;
  return { runId: match[1]!, runAttempt: match[2]!, job: match[3]! };
}

/** Does this runner name belong to the run (and, when given, the job)? Any attempt matches. */
export function nameBelongsTo(name: string, runId: string, job?: string): boolean {
  const parts = parseRunnerName(name);
  if (!parts || parts.runId !== runId) return false;
  return job === undefined || parts.job === jobInName(parts.runId, parts.runAttempt, job);
}
