/** Input parsing and run context shared by the actions (each action reads its inputs in its own run.ts). */
import * as core from '@actions/core';
import { readFile } from 'node:fs/promises';
import { describeError, isUserError, UserError } from '../errors.js';
import { parseModelName as checkModelName } from '../model-name.js';

/** YAML 1.2 core booleans only, as actions/toolkit's getBooleanInput; empty is false. */
export function parseBoolean(value: string, name: string): boolean {
  if (['true', 'True', 'TRUE'].includes(value)) return true;
  if (['false', 'False', 'FALSE', ''].includes(value)) return false;
  throw new UserError(`input ${name}: expected true or false, got ${JSON.stringify(value)}`);
}

/** The model input, checked: it names files and branches. */
export function parseModelName(value: string): string {
  return checkModelName(value, 'input model');
}

/** The URL of this workflow run, when the runner says where it is. */
export function runUrl(): string | undefined {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repository, GITHUB_RUN_ID: runId } = process.env;
  return server && repository && runId ? `${server}/${repository}/actions/runs/${runId}` : undefined;
}

/** The event that started the run: its name and its payload (GITHUB_EVENT_NAME, GITHUB_EVENT_PATH). */
export async function readEvent(): Promise<{ name?: string; payload?: unknown }> {
  const name = process.env.GITHUB_EVENT_NAME;
  const path = process.env.GITHUB_EVENT_PATH;
  if (!path) return name ? { name } : {};
  try {
    return { ...(name ? { name } : {}), payload: JSON.parse(await readFile(path, 'utf8')) };
  } catch (error) {
    throw new UserError(`cannot read the event payload ${path}: ${describeError(error)}`);
  }
}

/**
 * The only ways an action reads its inputs, typed by the names its action.yml declares (each
 * action's `INPUT_NAMES`; a test checks the names read against action.yml, both ways).
 */
export function inputReaders<N extends string>(): { input: (name: N) => string; optional: (name: N) => string; required: (name: N) => string } {
  return {
    /** As the runner passes it. */
    input: (name) => core.getInput(name),
    /** Trimmed; empty means "not given" (the default applies). */
    optional: (name) => core.getInput(name).trim(),
    /** Trimmed; empty is an error naming the input. */
    required: (name) => {
      const value = core.getInput(name).trim();
      if (value === '') throw new UserError(`input ${name} is required`);
      return value;
    },
  };
}

/** The message of an action's one top-level catch: a user's mistake as it is, anything else as a bug to report. */
export function failureMessage(action: string, error: unknown): string {
  return isUserError(error) ? `refit ${action}: ${error.message}` : `refit ${action}: internal error (please report it): ${describeError(error)}`;
}
