/** The demo's local git repository: real branches and commits, made with the system's git. */
import { execFileSync } from 'node:child_process';
import { UserError } from '../errors.js';

const IDENTITY = ['-c', 'user.name=Refit demo', '-c', 'user.email=demo@refit.invalid', '-c', 'commit.gpgsign=false', '-c', 'init.defaultBranch=main'];

export class DemoRepository {
  constructor(readonly dir: string) {}

  git(...args: string[]): string {
    try {
      return execFileSync('git', [...IDENTITY, ...args], { cwd: this.dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
    } catch (error) {
      const e = error as NodeJS.ErrnoException & { stderr?: string };
      if (e.code === 'ENOENT') throw new UserError('the demo makes a real local git repository, and git is not installed: install git and run it again.');
      throw new Error(`git ${args.join(' ')} failed in ${this.dir}: ${e.stderr?.trim() ?? e.message}`);
    }
  }

  init(): void {
    this.git('init', '--quiet', '--initial-branch=main');
  }

  /** Stage everything and commit; returns the new commit's SHA. */
  commitAll(message: string): string {
    this.git('add', '--all');
    this.git('commit', '--quiet', '--allow-empty', '-m', message);
    return this.head();
  }

  head(): string {
    return this.git('rev-parse', 'HEAD');
  }

  checkout(branch: string, create = false): void {
    this.git('checkout', '--quiet', ...(create ? ['-b', branch] : [branch]));
  }

  /** A merge commit, as a pull request merge makes. */
  merge(branch: string, message: string): string {
    this.git('merge', '--quiet', '--no-ff', '-m', message, branch);
    return this.head();
  }

  log(): string[] {
    return this.git('log', '--graph', '--format=%h %s', '--all').split('\n');
  }
}
