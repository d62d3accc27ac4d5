/**
 * `refit evaluate` prints what the evaluate action produces: the same Markdown (the action's
 * without its hidden comment marker) and the same report JSON; bad input exits 2 with a message
 * naming the flag, file, column or row.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runAction } from '../actions/run-action.js';
import { cli } from '../support/cli.js';
import { tempDir, writeFile } from '../support/files.js';

const dir = tempDir('refit-eval-cli-');

/** Deterministic binary predictions with a region slice. */
function predictions(name: string, skill: number, nan = -1): string {
  let s = 777;
  const next = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const lines = ['id,label,score,region'];
  for (let i = 0; i < 400; i++) {
    const label = next() < 0.4 ? 1 : 0;
    const noise = next();
    const score = Math.min(0.999, Math.max(0.001, label ? skill * 0.5 + noise * (1 - skill * 0.5) : noise * (1 - skill * 0.5)));
    lines.push(`r${i},${label},${i === nan ? 'NaN' : score.toFixed(4)},${['north', 'south'][i % 2]}`);
  }
  return writeFile(dir, name, lines.join('\n') + '\n');
}

const champion = predictions('champion.csv', 0.3);
const challenger = predictions('challenger.csv', 0.5);
const model = writeFile(dir, 'model.bin', 'weights\n');
const gates = 'roc_auc: { greater_is_better: true, min_absolute_change: 0.01 }';

describe('refit evaluate', () => {
  it('prints the same Markdown and JSON as the action', async () => {
    const flags = ['--champion', champion, '--challenger', challenger, '--slices', 'region', '--bootstrap', '150', '--seed', '4', '--model', 'fraud', '--gates', gates, '--artifact', model, '--cost-usd', '0.5', '--latency', 'champion=3,challenger=2.5'];
    const markdown = await cli('evaluate', ...flags);
    expect(markdown.code, markdown.stderr).toBe(0);
    const json = await cli('evaluate', ...flags, '--format', 'json');
    expect(json.code, json.stderr).toBe(0);

    const action = await runAction('evaluate', {
      inputs: { champion, challenger, slices: 'region', bootstrap: '150', seed: '4', model: 'fraud', gates, artifact: model, 'cost-usd': '0.5', latency: 'champion=3,challenger=2.5', token: '' },
      env: { RUNNER_TEMP: dir },
    });
    expect(action.status, action.stdout).toBe(0);
    // The action's Markdown starts with the comment's hidden marker; the rest is identical.
    const actionMarkdown = readFileSync(action.outputs['report-markdown']!, 'utf8');
    expect(actionMarkdown.split('\n')[0]).toBe('<!-- refit:evaluation model=fraud -->');
    expect(markdown.stdout).toBe(actionMarkdown.split('\n').slice(1).join('\n'));
    expect(JSON.parse(json.stdout)).toEqual(JSON.parse(readFileSync(action.outputs['report-json']!, 'utf8')));

    const report = JSON.parse(json.stdout) as { model: string; passed: boolean; artifact: { digest: string }; metrics: { name: string; ci: unknown }[] };
    expect(report.model).toBe('fraud');
    expect(report.artifact.digest).toBe(action.outputs['artifact-digest']);
    expect(report.metrics.find((m) => m.name === 'roc_auc')!.ci).toHaveLength(2);
    expect(markdown.stdout).toMatch(/^## (✅|❌) The challenger/);
    expect(markdown.stdout).toContain('| Metric | Champion | Challenger | Delta | 95% CI | Gate |');
    expect(markdown.stdout).toContain('- Latency: champion 3 ms, challenger 2.5 ms (-16.7%)');
  });

  it('writes to --out', async () => {
    const out = `${dir}/report.json`;
    const r = await cli('evaluate', '--champion', champion, '--challenger', challenger, '--bootstrap', '0', '--format', 'json', '--out', out);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(JSON.parse(readFileSync(out, 'utf8'))).toMatchObject({ model: 'default', mode: 'predictions', task: 'binary', bootstrap: null });
  });

  it('exits 2 with a clear message on bad input', async () => {
    const cases: [string[], RegExp][] = [
      [['--champion', champion], /needs --champion <file> and --challenger <file>/],
      [['--champion', champion, '--challenger', challenger, '--format', 'html'], /--format: expected markdown or json, got "html"/],
      [['--champion', champion, '--challenger', challenger, '--task', 'ranking'], /--task: expected binary, multiclass or regression/],
      [['--champion', champion, '--challenger', challenger, '--bootstrap', '1.5'], /--bootstrap: expected a whole number >= 0 and <= 100000, got "1.5"/],
      [['--champion', champion, '--challenger', challenger, '--latency', 'champion=fast,challenger=2'], /--latency: champion latency \(ms\): expected a number/],
      [['--champion', champion, '--challenger', predictions('nan.csv', 0.5, 6)], /nan\.csv: column "score" is missing or NaN at data row 7/],
      [['--champion', champion, '--challenger', challenger, '--artifact', `${dir}/missing-model`], /artifact: .*missing-model does not exist/],
      [['--champion', champion, '--challenger', challenger, '--nope'], /Unknown option '--nope'/],
      // The generator takes a 32-bit seed: 2^32 would give the intervals of seed 0.
      [['--champion', champion, '--challenger', challenger, '--seed', '4294967296'], /--seed: expected a whole number >= 0 and <= 4294967295/],
    ];
    for (const [argv, message] of cases) {
      const r = await cli('evaluate', ...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^refit evaluate: /);
      expect(r.stderr).toMatch(message);
    }
  });

  it('prints its usage', async () => {
    const r = await cli('evaluate', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: refit evaluate --champion <file> --challenger <file>');
  });
});
