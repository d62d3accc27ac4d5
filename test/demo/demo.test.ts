/**
 * `refit demo` end to end, in-process: every stage runs, the local repository, registry and reports
 * say what happened, and the HTML report renders in headless Chromium without a console error.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../support/cli.js';
import { tempDir } from '../support/files.js';

const CHROMIUM = '/usr/bin/chromium';

describe('refit demo', () => {
  const out = join(tempDir(), 'demo');
  let run: { code: number; stdout: string; stderr: string };
  beforeAll(async () => {
    run = await cli('demo', '--out', out, '--bootstrap', '200');
  }, 120_000);

  it('runs every stage and says where the results are', () => {
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    for (let stage = 0; stage <= 6; stage++) expect(run.stdout).toContain(`[${stage}/6]`);
    expect(run.stdout).toContain(pathToFileURL(join(out, 'report.html')).href);
    expect(run.stdout).toMatch(/retrain: data-drift/);
    expect(run.stdout).toMatch(/canary failed \(exit 1\): rolled back to v1/);
  });

  it('leaves a real git repository: the retraining branch, merged into main', () => {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: join(out, 'repository'), encoding: 'utf8' }).trim();
    expect(git('branch', '--format=%(refname:short)').split('\n').sort()).toEqual(['main', 'refit/taxi-tip']);
    expect(git('merge-base', '--is-ancestor', 'refit/taxi-tip', 'main') === '').toBe(true);
    const snapshot = JSON.parse(git('show', 'refit/taxi-tip:.refit/taxi-tip/snapshot.json')) as { digest: string; sources: { rows: number }[] };
    expect(snapshot.sources[0]!.rows).toBe(3194);
    expect(readFileSync(join(out, 'pull-request.md'), 'utf8')).toContain(snapshot.digest.slice(0, 16));
  });

  it('records promotion and the automatic rollback in the registry history', () => {
    const registry = JSON.parse(readFileSync(join(out, 'repository', '.refit', 'taxi-tip', 'registry.json'), 'utf8')) as {
      aliases: { champion: number; previous: number };
      versions: { version: number; artifact: { digest: string } }[];
      history: { alias: string; from: number | null; to: number | null; reason: string }[];
    };
    expect(registry.aliases).toEqual({ champion: 1, previous: 2 });
    expect(registry.versions.map((v) => v.version)).toEqual([1, 2]);
    const champion = registry.history.filter((h) => h.alias === 'champion').map((h) => [h.from, h.to]);
    expect(champion).toEqual([[null, 1], [1, 2], [2, 1]]);
    expect(registry.history.at(-1)!.reason).toMatch(/verify-command failed/);
    const comment = readFileSync(join(out, 'evaluation-comment.md'), 'utf8');
    expect(comment).toContain(registry.versions[1]!.artifact.digest.slice(0, 19));
    expect(comment).toMatch(/roc_auc/);
  });

  it('writes a self-contained HTML report', () => {
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).not.toMatch(/<script|\bsrc=|href="https?:|url\(/);
    expect(html.match(/<svg /g)?.length).toBeGreaterThanOrEqual(2);
    for (const id of ['loop', 'drift', 'retrain', 'train', 'evaluate', 'registry']) expect(html).toContain(`<section id="${id}">`);
  });

  it.skipIf(!existsSync(CHROMIUM))('renders in headless Chromium without console errors (screenshot saved)', async () => {
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      const problems: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
      page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
      await page.goto(pathToFileURL(join(out, 'report.html')).href);
      expect(await page.locator('svg').count()).toBeGreaterThanOrEqual(2);
      expect(await page.locator('h1').innerText()).toBe('Refit demo: taxi-tip');
      const shot = join(out, 'report.png');
      await page.screenshot({ path: shot, fullPage: true });
      expect(statSync(shot).size).toBeGreaterThan(10_000);
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);

  it('empties only its own output: a folder holding anything else is refused and left as it was', async () => {
    const mine = join(tempDir(), 'project');
    mkdirSync(join(mine, 'src'), { recursive: true });
    writeFileSync(join(mine, 'src', 'model.py'), 'print(1)\n');
    const refused = await cli('demo', '--out', mine);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(mine);
    expect(refused.stderr).toMatch(/--out/);
    expect(readFileSync(join(mine, 'src', 'model.py'), 'utf8')).toBe('print(1)\n');
    // The demo's own earlier output is recognized (and would be emptied by a new run).
    expect(existsSync(join(out, '.refit-demo'))).toBe(true);
  });
});
