/** The example model: deterministic, actually fitted (the penalized gradient vanishes), useful on the holdout, and refuses changed data. */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../support/cli.js';
import { tempDir } from '../support/files.js';
// @ts-expect-error: plain JavaScript example, no types
import { encode, label, readCsv } from '../../examples/taxi-tip/model.mjs';

const root = join(import.meta.dirname, '..', '..');
const script = (name: string) => join(root, 'examples', 'taxi-tip', name);
const node = (args: string[], cwd = root) => execFileSync(process.execPath, args, { cwd, encoding: 'utf8' });

interface Model {
  weights: number[];
  encoding: unknown;
  snapshot: string;
}
type Row = Record<string, string>;

describe('examples/taxi-tip', () => {
  const dir = tempDir();
  let model: Model;
  beforeAll(async () => {
    const snap = await cli('snapshot', '--model', 'taxi-tip', '--data', 'examples/data/taxis-current.csv', '--out', join(dir, 'snapshot.json'), '--run-url', '', '--commit', '');
    expect(snap.code, snap.stderr).toBe(0);
    node([script('train.mjs'), '--snapshot', join(dir, 'snapshot.json'), '--out', join(dir, 'a'), '--holdout-from', '2019-03-27']);
    model = JSON.parse(readFileSync(join(dir, 'a', 'model.json'), 'utf8')) as Model;
  });

  it('records the snapshot it was trained on and trains deterministically', () => {
    const manifest = JSON.parse(readFileSync(join(dir, 'snapshot.json'), 'utf8')) as { digest: string };
    expect(model.snapshot).toBe(manifest.digest);
    node([script('train.mjs'), '--snapshot', join(dir, 'snapshot.json'), '--out', join(dir, 'b'), '--holdout-from', '2019-03-27']);
    expect(readFileSync(join(dir, 'b', 'model.json'), 'utf8')).toBe(readFileSync(join(dir, 'a', 'model.json'), 'utf8'));
  });

  it('is the penalized maximum-likelihood fit: the gradient vanishes at the weights (l2 = 1, intercept unpenalized)', () => {
    const rows = (readCsv(join(root, 'examples/data/taxis-current.csv')) as Row[]).filter((r) => r.pickup! < '2019-03-27');
    const grad = new Array<number>(model.weights.length).fill(0);
    for (const row of rows) {
      const x = encode(row, model.encoding) as number[];
      const p = 1 / (1 + Math.exp(-x.reduce((s, xi, i) => s + xi * model.weights[i]!, 0)));
      const r = p - (label(row) as number);
      x.forEach((xi, i) => (grad[i]! += r * xi));
    }
    for (let i = 1; i < grad.length; i++) grad[i]! += model.weights[i]!;
    expect(Math.max(...grad.map(Math.abs))).toBeLessThan(1e-6);
  });

  it('ranks tipped trips above untipped ones on the holdout (AUC by pairwise count > 0.9)', () => {
    const out = join(dir, 'predictions.csv');
    node([script('predict.mjs'), '--model', join(dir, 'a', 'model.json'), '--data', 'examples/data/taxis-current.csv', '--from', '2019-03-27', '--out', out]);
    const rows = readCsv(out) as Row[];
    expect(rows.length).toBe((readCsv(join(root, 'examples/data/taxis-current.csv')) as Row[]).filter((r) => r.pickup! >= '2019-03-27').length);
    const pos = rows.filter((r) => r.label === '1').map((r) => Number(r.score));
    const neg = rows.filter((r) => r.label === '0').map((r) => Number(r.score));
    let wins = 0;
    for (const p of pos) for (const n of neg) wins += p > n ? 1 : p === n ? 0.5 : 0;
    expect(wins / (pos.length * neg.length)).toBeGreaterThan(0.9);
    expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
  });

  it('refuses data that changed since the snapshot, naming the file', async () => {
    const data = join(dir, 'taxis.csv');
    copyFileSync(join(root, 'examples/data/taxis-reference.csv'), data);
    const snap = await cli('snapshot', '--model', 'taxi-tip', '--data', data, '--out', join(dir, 'tampered.json'), '--run-url', '', '--commit', '');
    expect(snap.code, snap.stderr).toBe(0);
    copyFileSync(join(root, 'examples/data/taxis-current.csv'), data);
    const r = spawnSync(process.execPath, [script('train.mjs'), '--snapshot', join(dir, 'tampered.json'), '--out', join(dir, 'c')], { cwd: root, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/taxis\.csv: sha256 [0-9a-f]{64} differs from the snapshot's/);
  });
});

describe('examples/taxi-tip/champion-uri.mjs', () => {
  const registry = (champion: number | null) =>
    JSON.stringify({ model: 'taxi-tip', versions: [{ version: 1, artifact: { uri: 's3://m/1/' } }, { version: 2, artifact: { uri: 's3://m/2/' } }], aliases: { champion, previous: null } });
  it('prints the champion artifact URI, and fails clearly when there is no champion yet', () => {
    const run = (input: string) => spawnSync(process.execPath, [script('champion-uri.mjs')], { input, encoding: 'utf8' });
    expect(run(registry(2))).toMatchObject({ status: 0, stdout: 's3://m/2/' });
    const none = run(registry(null));
    expect(none.status).toBe(1);
    expect(none.stderr).toMatch(/^::error::the registry of taxi-tip has no champion yet: promote a first version/);
  });
});
