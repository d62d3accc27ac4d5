import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { evaluateModels } from '../../src/evaluate/index.js';
import type { EvaluationResult } from '../../src/evaluate/index.js';
import { UserError } from '../../src/errors.js';
import { tempDir, writeFile } from '../data/helpers.js';
import { userError } from '../support/files.js';

// Values from scripts/reference/evaluate_reference.py (scikit-learn 1.2.1 + scipy rankdata).
interface Case {
  id: number[];
  classes?: string[];
  champion_proba?: number[][];
  challenger_proba?: number[][];
  label: (number | string)[];
  champion: (number | string)[];
  challenger: (number | string)[];
  expected: { champion: Record<string, number>; challenger: Record<string, number> };
}
const reference = JSON.parse(readFileSync(new URL('../fixtures/evaluate/reference.json', import.meta.url), 'utf8')) as Record<string, Case>;
const dir = tempDir();
let counter = 0;

function csv(header: string[], rows: (string | number)[][]): string {
  return [header.join(','), ...rows.map((r) => r.join(','))].join('\n') + '\n';
}

function writePair(c: Case, outputColumn: string): [string, string] {
  const k = counter++;
  const rows = (values: (number | string)[]) => c.id.map((id, i) => [id, c.label[i]!, values[i]!]);
  // The challenger's rows are written in reverse order: alignment is by id.
  return [
    writeFile(dir, `champ${k}.csv`, csv(['id', 'label', outputColumn], rows(c.champion))),
    writeFile(dir, `chall${k}.csv`, csv(['id', 'label', outputColumn], rows(c.challenger).reverse())),
  ];
}

function expectMatches(result: EvaluationResult, c: Case): void {
  for (const m of result.metrics) {
    for (const side of ['champion', 'challenger'] as const) {
      const want = c.expected[side][m.name];
      if (want === undefined) continue;
      expect(m[side], `${side} ${m.name}`).not.toBeNull();
      expect(Math.abs(m[side]! - want) / Math.max(Math.abs(want), 1e-300), `${side} ${m.name}`).toBeLessThan(1e-9);
    }
  }
}

describe('metrics against scikit-learn', () => {
  it('binary (tied scores, clipping, the 0.5 boundary)', async () => {
    const c = reference.binary!;
    const [champion, challenger] = writePair(c, 'score');
    const result = await evaluateModels({ champion, challenger, bootstrap: 0 });
    expect(result.task).toBe('binary');
    expectMatches(result, c);
    // The Mann-Whitney AUC agrees with sklearn's trapezoid on ties.
    expect(c.expected.champion.roc_auc_mannwhitney).toBeCloseTo(c.expected.champion.roc_auc!, 12);
  });

  it('multiclass from predicted labels', async () => {
    const c = reference.multiclass!;
    const [champion, challenger] = writePair(c, 'prediction');
    const result = await evaluateModels({ champion, challenger, bootstrap: 0 });
    expect(result.task).toBe('multiclass');
    expectMatches(result, c);
    expect(result.metrics.find((m) => m.name === 'log_loss')!.champion).toBeNull();
    expect(result.warnings.join(' ')).toMatch(/log_loss skipped: .* no per-class probability columns \(score_cat, score_dog, score_fox, score_owl\)/);
  });

  /** The multiclass_proba case as CSV: id, label, prediction, score_<class>... (challenger rows reversed). */
  function writeProbabilities(c: Case, drop: { side: 0 | 1; column?: string; row?: number; value?: string } | null = null): [string, string] {
    const k = counter++;
    const classes = c.classes!;
    const file = (side: 0 | 1) => {
      const predicted = side === 0 ? c.champion : c.challenger;
      const proba = side === 0 ? c.champion_proba! : c.challenger_proba!;
      const columns = classes.map((name) => `score_${name}`).filter((name) => !(drop?.side === side && drop.column === name));
      const rows = c.id.map((id, i) => [
        id,
        c.label[i]!,
        predicted[i]!,
        ...classes.flatMap((name, j) => (drop?.side === side && drop.column === `score_${name}` ? [] : [drop?.side === side && drop.row === i && drop.value !== undefined && j === 0 ? drop.value : proba[i]![j]!])),
      ]);
      return csv(['id', 'label', 'prediction', ...columns], side === 1 ? rows.reverse() : rows);
    };
    return [writeFile(dir, `mp-a${k}.csv`, file(0)), writeFile(dir, `mp-b${k}.csv`, file(1))];
  }

  it('multiclass log loss from score_<class> columns (clipped, rows normalised) and in the bootstrap', async () => {
    const c = reference.multiclass_proba!;
    const [champion, challenger] = writeProbabilities(c);
    const result = await evaluateModels({ champion, challenger, bootstrap: 200, seed: 3 });
    expect(result.task).toBe('multiclass');
    expectMatches(result, c);
    const logLoss = result.metrics.find((m) => m.name === 'log_loss')!;
    expect(logLoss.champion).not.toBeNull();
    expect(logLoss.ci).not.toBeNull();
    expect(logLoss.ci![0]).toBeLessThanOrEqual(logLoss.delta!);
    expect(logLoss.ci![1]).toBeGreaterThanOrEqual(logLoss.delta!);
    expect(result.warnings.join(' ')).not.toContain('log_loss');
  });

  it('multiclass probabilities: a missing class column is named, NaN is rejected with file, column and row', async () => {
    const c = reference.multiclass_proba!;
    const [a1, b1] = writeProbabilities(c, { side: 1, column: 'score_voucher' });
    const missing = await evaluateModels({ champion: a1, challenger: b1, bootstrap: 0 }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(UserError);
    expect((missing as Error).message).toMatch(/mp-b\d+\.csv: no per-class probability column "score_voucher"; .*\(score_card, score_cash, score_voucher\)/);
    const [a2, b2] = writeProbabilities(c, { side: 0, row: 4, value: 'NaN' });
    const nan = await evaluateModels({ champion: a2, challenger: b2, bootstrap: 0 }).catch((e: unknown) => e);
    expect(nan).toBeInstanceOf(UserError);
    expect((nan as Error).message).toMatch(/mp-a\d+\.csv: column "score_card" holds a missing value or NaN at data row 5/);
  });

  it('regression (a zero label for MAPE)', async () => {
    const c = reference.regression!;
    const [champion, challenger] = writePair(c, 'prediction');
    const result = await evaluateModels({ champion, challenger, bootstrap: 0 });
    expect(result.task).toBe('regression');
    expectMatches(result, c);
  });
});

describe('paired bootstrap', () => {
  it('is deterministic for a seed and its interval brackets the observed difference', async () => {
    const c = reference.binary!;
    const [champion, challenger] = writePair(c, 'score');
    const one = await evaluateModels({ champion, challenger, bootstrap: 300, seed: 42 });
    const two = await evaluateModels({ champion, challenger, bootstrap: 300, seed: 42 });
    const other = await evaluateModels({ champion, challenger, bootstrap: 300, seed: 43 });
    expect(one.metrics.map((m) => m.ci)).toEqual(two.metrics.map((m) => m.ci));
    expect(one.metrics.map((m) => m.ci)).not.toEqual(other.metrics.map((m) => m.ci));
    for (const m of one.metrics) {
      expect(m.ci).not.toBeNull();
      expect(m.ci![0]).toBeLessThanOrEqual(m.delta!);
      expect(m.ci![1]).toBeGreaterThanOrEqual(m.delta!);
    }
    const auc = one.metrics.find((m) => m.name === 'roc_auc')!;
    expect(auc.ci![0]).toBeGreaterThan(0); // the challenger is clearly better
  });
});

describe('slices, gates, drift', () => {
  const header = ['id', 'label', 'score', 'region'];
  const rowsA = [
    [1, 1, 0.9, 'eu'], [2, 0, 0.2, 'eu'], [3, 1, 0.7, 'eu'], [4, 0, 0.6, 'eu'],
    [5, 1, 0.8, 'us'], [6, 1, 0.3, 'us'],
  ];
  const rowsB = [
    [1, 1, 0.95, 'eu'], [2, 0, 0.1, 'eu'], [3, 1, 0.8, 'eu'], [4, 0, 0.3, 'eu'],
    [5, 1, 0.2, 'us'], [6, 1, 0.1, 'us'],
  ];

  it('reports per-slice metrics, a single-class slice without AUC, the worst slice and gates', async () => {
    const champion = writeFile(dir, 's-a.csv', csv(header, rowsA));
    const challenger = writeFile(dir, 's-b.csv', csv(header, rowsB));
    const result = await evaluateModels({
      champion,
      challenger,
      slices: ['region'],
      bootstrap: 0,
      gates: { roc_auc: { minAbsoluteChange: 0.01, greaterIsBetter: true }, recall: { threshold: 0.9, greaterIsBetter: true }, ks: { threshold: 1, greaterIsBetter: true } },
    });
    const us = result.slices.find((s) => s.value === 'us')!;
    expect(us.rows).toBe(2);
    expect(us.metrics.find((m) => m.name === 'roc_auc')!.champion).toBeNull(); // one class only
    expect(us.metrics.find((m) => m.name === 'recall')!.challenger).toBe(0);
    expect(us.worstRegression?.metric).toBeDefined();
    expect(result.slices.find((s) => s.value === 'eu')!.worstRegression).toBeNull();
    expect(result.metrics.find((m) => m.name === 'recall')!.gate!.passed).toBe(false);
    const missing = result.metrics.find((m) => m.name === 'ks')!;
    expect(missing.gate!.passed).toBe(false);
    expect(missing.gate!.messages[0]).toContain('ks');
    expect(result.passed).toBe(false);
    expect(result.predictionDrift!.columns[0]!.name).toBe('prediction');
  });

  it('metrics-file mode applies gates without intervals', async () => {
    const champion = writeFile(dir, 'm-a.json', JSON.stringify({ rmse: 2, r2: 0.5 }));
    const challenger = writeFile(dir, 'm-b.json', JSON.stringify({ rmse: 1.5 }));
    const result = await evaluateModels({
      champion,
      challenger,
      gates: { rmse: { minRelativeChange: 0.2, greaterIsBetter: false }, r2: { threshold: 0.4, greaterIsBetter: true } },
    });
    expect(result.mode).toBe('metrics');
    const rmse = result.metrics.find((m) => m.name === 'rmse')!;
    expect(rmse).toMatchObject({ champion: 2, challenger: 1.5, delta: -0.5, ci: null, greaterIsBetter: false });
    expect(rmse.gate!.passed).toBe(true);
    expect(result.metrics.find((m) => m.name === 'r2')!.gate!.messages[0]).toContain('r2');
    expect(result.passed).toBe(false);
  });

  it('metrics-file mode: a file without a top-level numeric metric is an error naming it', async () => {
    // Nested metrics (as some trackers write them) or numbers as text compared nothing, yet passed.
    const nested = writeFile(dir, 'm-nested.json', JSON.stringify({ run: 'abc', metrics: { roc_auc: 0.91 } }));
    const flat = writeFile(dir, 'm-flat.json', JSON.stringify({ roc_auc: 0.9 }));
    const message = await userError(evaluateModels({ champion: flat, challenger: nested }));
    expect(message).toMatch(/m-nested\.json: no metric/);
    expect(message).toContain('"metrics"');
    const text = writeFile(dir, 'm-text.json', JSON.stringify({ roc_auc: '0.91' }));
    expect(await userError(evaluateModels({ champion: text, challenger: flat }))).toMatch(/m-text\.json: no metric/);
  });
});

describe('bad input', () => {
  const header = ['id', 'label', 'score'];
  const ok = [[1, 1, 0.9], [2, 0, 0.2], [3, 1, 0.7]];

  async function failure(a: (string | number)[][], b: (string | number)[][] = ok): Promise<string> {
    const champion = writeFile(dir, `bad-a${counter}.csv`, csv(header, a));
    const challenger = writeFile(dir, `bad-b${counter++}.csv`, csv(header, b));
    const error = await evaluateModels({ champion, challenger, bootstrap: 0 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    return (error as Error).message;
  }

  it('rejects NaN predictions naming file, column and row', async () => {
    const message = await failure([[1, 1, 0.9], [2, 0, 'NaN'], [3, 1, 0.7]]);
    expect(message).toMatch(/bad-a\d+\.csv: column "score" is missing or NaN at data row 2/);
  });

  it('rejects missing labels', async () => {
    expect(await failure([[1, 1, 0.9], [2, '', 0.2], [3, 1, 0.7]])).toMatch(/column "label" is missing .* data row 2/);
  });

  it('rejects duplicate ids', async () => {
    expect(await failure([[1, 1, 0.9], [1, 0, 0.2], [3, 1, 0.7]])).toMatch(/id "1" appears twice/);
  });

  it('rejects files that do not score the same holdout', async () => {
    expect(await failure(ok, [[1, 1, 0.9], [2, 0, 0.2], [4, 1, 0.7]])).toMatch(/only in/);
  });

  it('rejects scores outside [0, 1] for a binary task', async () => {
    const champion = writeFile(dir, 'r-a.csv', csv(header, ok));
    const challenger = writeFile(dir, 'r-b.csv', csv(header, [[1, 1, 1.5], [2, 0, 0.2], [3, 1, 0.7]]));
    await expect(evaluateModels({ champion, challenger, task: 'binary', bootstrap: 0 })).rejects.toThrow(/holds 1.5 at data row 1/);
  });
});
