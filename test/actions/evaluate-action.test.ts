/**
 * The built evaluate action against the GitHub emulator: the first run creates the comment and the
 * check run, the second updates the same comment (one in total, with over 100 other comments on the
 * pull request), a fork's read-only token warns instead of failing.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { artifactOfCheckRun } from '../../src/registry/provenance.js';
import { startGitHubEmulator, type GitHubEmulator } from '../support/github/index.js';
import { runAction } from './run-action.js';

let gh: GitHubEmulator;
const dir = mkdtempSync(join(tmpdir(), 'refit-eval-'));

/** Deterministic binary predictions: the challenger ranks positives higher than the champion. */
function predictions(name: string, skill: number): string {
  let s = 12345;
  const next = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const lines = ['id,label,score,region'];
  for (let i = 0; i < 600; i++) {
    const label = next() < 0.4 ? 1 : 0;
    const noise = next();
    const score = Math.min(0.999, Math.max(0.001, label ? skill * 0.5 + noise * (1 - skill * 0.5) : noise * (1 - skill * 0.5)));
    lines.push(`r${i},${label},${score.toFixed(4)},${['north', 'south', 'east'][i % 3]}`);
  }
  const path = join(dir, name);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

const champion = predictions('champion.csv', 0.3);
const challenger = predictions('challenger.csv', 0.6);

beforeEach(async () => {
  gh = await startGitHubEmulator({ owner: 'acme', repo: 'models', defaultBranch: 'main', token: 'test-token' });
});
afterEach(async () => {
  expect(gh.unhandled).toEqual([]);
  expect(gh.rejectedRequests).toEqual([]);
  await gh.close();
});

function openRetrainPull(): number {
  gh.state.createBranch('refit/taxi-tip');
  gh.state.commitFiles('refit/taxi-tip', { '.refit/taxi-tip/snapshot.json': '{}\n' }, 'pin data');
  return gh.state.createPull({ head: 'refit/taxi-tip', title: 'Retrain taxi-tip' }).number;
}

function evaluate(eventPayload: unknown, inputs: Record<string, string> = {}) {
  return runAction('evaluate', {
    env: { GITHUB_API_URL: gh.url, GITHUB_REPOSITORY: 'acme/models', GITHUB_SERVER_URL: 'https://github.com', GITHUB_RUN_ID: '9' },
    event: { name: 'pull_request', payload: eventPayload },
    inputs: { model: 'taxi-tip', champion, challenger, slices: 'region', bootstrap: '200', seed: '7', token: 'test-token', gates: 'roc_auc: { greater_is_better: true, min_absolute_change: 0.01 }\nlog_loss: { greater_is_better: false, threshold: 0.2 }', ...inputs },
  });
}

describe('evaluate', () => {
  it('creates one comment and one check run, then updates them in place', async () => {
    const number = openRetrainPull();
    for (let i = 0; i < 120; i++) gh.state.addComment(number, `review chatter ${i}`);
    const first = await evaluate(gh.pullRequestEvent(number));
    expect(first.status, first.stdout).toBe(0);
    expect(first.outputs.passed).toBe('false'); // the log-loss threshold is out of reach
    const marked = () => gh.state.commentsOn(number).filter((c) => c.body.includes('<!-- refit:evaluation model=taxi-tip -->'));
    expect(marked()).toHaveLength(1);
    const body = marked()[0]!.body;
    expect(body).toMatch(/## ❌ The challenger fails 1 of 2 gates: log\\_loss/);
    expect(body).toContain('| Metric | Champion | Challenger | Delta | 95% CI | Gate |');
    expect(body).toMatch(/\| roc\\_auc \| [\d.]+ \| [\d.]+ \| \+[\d.]+ ▲ \| \[\+[\d.]+, \+[\d.]+\] \| ✅ pass \|/);
    // The challenger is better in every region, so no slice regression is called out.
    expect(body).toContain('<summary>Slices</summary>');
    expect(body).toContain('region = north');
    expect(body).not.toContain('**Worst slice:**');
    expect(first.outputs['comment-id']).toBe(String(marked()[0]!.id));
    const runs = [...gh.state.checkRuns.values()];
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ name: 'refit / evaluation taxi-tip', conclusion: 'failure' });
    // The title is plain text on GitHub: no Markdown escapes in it.
    expect(runs[0]!.output.title).toBe('❌ The challenger fails 1 of 2 gates: log_loss');
    expect(first.summary.trimEnd()).toBe(body.trimEnd());

    const second = await evaluate(gh.pullRequestEvent(number), { gates: 'roc_auc: { greater_is_better: true, min_absolute_change: 0.01 }' });
    expect(second.status, second.stdout).toBe(0);
    expect(second.outputs.passed).toBe('true');
    expect(marked()).toHaveLength(1);
    expect(second.outputs['comment-id']).toBe(first.outputs['comment-id']);
    expect(marked()[0]!.body).toMatch(/## ✅ The challenger passes all 1 gate/);
    expect(gh.state.commentsOn(number)).toHaveLength(121);
    const after = [...gh.state.checkRuns.values()];
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ conclusion: 'success' });
  });

  it('on a fork pull request with a read-only token: warns, writes the summary, does not fail', async () => {
    const pr = gh.state.createForkPull({ head: 'patch-1', files: { 'README.md': 'hello\n' }, title: 'From a fork' });
    gh.permissions.pull_requests = 'read';
    gh.permissions.issues = 'read';
    gh.permissions.checks = 'read';
    const r = await evaluate(gh.pullRequestEvent(pr.number));
    expect(r.status, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/::warning::the PR comment skipped on a pull request from a fork/);
    expect(r.stdout).toMatch(/::warning::the check run skipped on a pull request from a fork/);
    expect(r.summary).toContain('| Metric | Champion | Challenger |');
    expect(gh.state.commentsOn(pr.number)).toHaveLength(0);
  });

  it('treats a pull request whose fork was deleted (head.repo null) as a fork', async () => {
    const pr = gh.state.createForkPull({ head: 'patch-2', files: { 'README.md': 'gone\n' }, title: 'From a deleted fork' });
    gh.permissions.pull_requests = 'read';
    gh.permissions.issues = 'read';
    gh.permissions.checks = 'read';
    const event = gh.pullRequestEvent(pr.number) as { pull_request: { head: { repo: unknown } } };
    event.pull_request.head.repo = null;
    const r = await evaluate(event);
    expect(r.status, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/::warning::the PR comment skipped on a pull request from a fork/);
  });

  it('names a missing column, and a gated metric that does not exist', async () => {
    const number = openRetrainPull();
    const bad = await evaluate(gh.pullRequestEvent(number), { 'score-column': 'proba' });
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(/::error::refit evaluate: .*proba/);
    const missing = await evaluate(gh.pullRequestEvent(number), { gates: 'f2_score: { greater_is_better: true, threshold: 0.5 }' });
    expect(missing.outputs.passed).toBe('false');
    expect(missing.summary).toMatch(/f2\\_score/);
  });

  it('records the artifact digest (external_id, hidden line, output, JSON) and shows cost and latency', async () => {
    const number = openRetrainPull();
    const model = join(dir, 'model');
    mkdirSync(join(model, 'weights'), { recursive: true });
    const files = { 'config.json': '{"layers": 2}\n', 'weights/part-0.bin': 'w'.repeat(1000) };
    for (const [path, text] of Object.entries(files)) writeFileSync(join(model, path), text);
    // The directory digest computed independently: sha256 of sorted "<sha256>  <path>" lines.
    const sha = (text: string) => createHash('sha256').update(text).digest('hex');
    const expected = 'sha256:' + sha(Object.keys(files).sort().map((path) => `${sha(files[path as keyof typeof files])}  ${path}\n`).join(''));

    const r = await evaluate(gh.pullRequestEvent(number), { artifact: model, 'cost-usd': '1.2345', 'billed-seconds': '754', latency: 'champion=12.5, challenger=10' });
    expect(r.status, r.stdout).toBe(0);
    expect(r.outputs['artifact-digest']).toBe(expected);
    const run = [...gh.state.checkRuns.values()][0]!;
    expect(run.externalId).toBe(expected);
    expect(run.output.text).toContain(`<!-- refit:artifact {"uri":${JSON.stringify(model)},"digest":"${expected}"} -->`);
    // What the promote action reads back.
    expect(artifactOfCheckRun(run.output.text)).toEqual({ uri: model, digest: expected });
    const report = JSON.parse(readFileSync(r.outputs['report-json']!, 'utf8')) as { artifact: unknown; figures: unknown; model: string };
    expect(report.model).toBe('taxi-tip');
    expect(report.artifact).toEqual({ uri: model, digest: expected, size: 14 + 1000, files: 2 });
    expect(report.figures).toEqual({ costUsd: 1.2345, billedSeconds: 754, latencyMs: { champion: 12.5, challenger: 10 } });
    const body = gh.state.commentsOn(number).find((c) => c.body.includes('<!-- refit:evaluation model=taxi-tip -->'))!.body;
    expect(body).toContain(`- Artifact: ${expected.slice(0, 19)}`);
    expect(body).not.toContain(expected);
    expect(body).toContain('- Training run: $1.23, 12 min 34 s billed');
    expect(body).toContain('- Latency: champion 12.5 ms, challenger 10 ms (-20.0%)');
    expect(run.output.summary).toContain('- Training run: $1.23');

    // A rerun without the artifact replaces the recorded line (no stale provenance).
    const again = await evaluate(gh.pullRequestEvent(number));
    expect(again.status, again.stdout).toBe(0);
    expect(artifactOfCheckRun([...gh.state.checkRuns.values()][0]!.output.text)).toBeNull();
  });

  it('rejects a missing artifact and malformed latency, naming the input', async () => {
    const number = openRetrainPull();
    const missing = await evaluate(gh.pullRequestEvent(number), { artifact: join(dir, 'no-such-model') });
    expect(missing.status).toBe(1);
    expect(missing.stdout).toMatch(/::error::refit evaluate: artifact: .*no-such-model does not exist/);
    const latency = await evaluate(gh.pullRequestEvent(number), { latency: 'champion=12' });
    expect(latency.status).toBe(1);
    expect(latency.stdout).toMatch(/::error::refit evaluate: input latency: no challenger latency/);
    expect([...gh.state.checkRuns.values()]).toHaveLength(0);
  });

  it('a slice column with thousands of values still fits the comment (GitHub takes 65,536 characters)', async () => {
    const number = openRetrainPull();
    // 3,000 stores of two rows each: the full slice table alone is far over the comment limit.
    const withStores = (source: string, name: string) => {
      const lines = readFileSync(source, 'utf8').trimEnd().split('\n');
      const out = [`${lines[0]},store`];
      for (let i = 0; i < 6000; i++) {
        const [id, ...rest] = lines[1 + (i % (lines.length - 1))]!.split(',');
        out.push([`${id}-${i}`, ...rest, `store-${String(Math.floor(i / 2)).padStart(4, '0')}`].join(','));
      }
      const path = join(dir, name);
      writeFileSync(path, out.join('\n') + '\n');
      return path;
    };
    const r = await evaluate(gh.pullRequestEvent(number), { champion: withStores(champion, 'champion-stores.csv'), challenger: withStores(challenger, 'challenger-stores.csv'), slices: 'store', bootstrap: '20' });
    expect(r.status, r.stdout).toBe(0);
    const body = gh.state.commentsOn(number).find((c) => c.body.includes('<!-- refit:evaluation model=taxi-tip -->'))!.body;
    expect([...body].length).toBeLessThanOrEqual(65_536);
    expect(body).toContain('| Metric | Champion | Challenger | Delta | 95% CI | Gate |');
    expect(body).toMatch(/of 3,000 slices/);
    const report = JSON.parse(readFileSync(r.outputs['report-json']!, 'utf8')) as { slices: { value: string; worstRegression: { relative: number } | null }[] };
    expect(report.slices).toHaveLength(3000);
    // The slices kept are those that got worse the most.
    const worst = [...report.slices].sort((x, y) => (y.worstRegression?.relative ?? -1) - (x.worstRegression?.relative ?? -1));
    expect(body).toContain(`store = ${worst[0]!.value.replace(/_/g, '\\_')} |`);
    const unchanged = worst.filter((s) => s.worstRegression === null);
    expect(unchanged.length).toBeGreaterThan(0);
    expect(body).not.toContain(`store = ${unchanged.at(-1)!.value.replace(/_/g, '\\_')} |`);
    // The report file and the job summary keep every slice.
    expect(readFileSync(r.outputs['report-markdown']!, 'utf8')).toContain('store = store-2999');
    const run = [...gh.state.checkRuns.values()][0]!;
    expect([...(run.output.summary ?? '')].length).toBeLessThanOrEqual(65_535);
    expect(run.output.summary).toMatch(/of 3,000 slices/);
  });
});
