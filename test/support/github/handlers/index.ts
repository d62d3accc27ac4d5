/**
 * Every operation the emulator serves. A new endpoint group is a module exporting a
 * `defineHandlers([...])` list, added here; anything else is answered 404 and recorded in
 * `gh.unhandled`.
 */
import type { RouteHandler } from '../context.js';
import { branchHandlers } from './branches.js';
import { checkHandlers } from './checks.js';
import { commentHandlers } from './comments.js';
import { contentHandlers } from './contents.js';
import { deploymentHandlers } from './deployments.js';
import { gitHandlers } from './git.js';
import { issueHandlers } from './issues.js';
import { labelHandlers } from './labels.js';
import { pullHandlers } from './pulls.js';
import { releaseHandlers } from './releases.js';
import { repoHandlers } from './repos.js';
import { runnerHandlers } from './runners.js';

export const builtInHandlers: RouteHandler[] = [
  ...repoHandlers,
  ...gitHandlers,
  ...contentHandlers,
  ...branchHandlers,
  ...pullHandlers,
  ...labelHandlers,
  ...commentHandlers,
  ...issueHandlers,
  ...checkHandlers,
  ...deploymentHandlers,
  ...releaseHandlers,
  ...runnerHandlers,
];
