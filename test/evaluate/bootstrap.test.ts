import { describe, expect, it } from 'vitest';
import { pairedBootstrap, percentile, resampleCounts, runResamples } from '../../src/evaluate/bootstrap.js';
import { computeMetrics, prepareBinaryModel } from '../../src/evaluate/metrics.js';
import { pairLayout, pairMetrics } from '../../src/evaluate/pair-kernel.js';
import type { BinaryModel, Prepared } from '../../src/evaluate/metrics.js';

function syntheticScores(n: number, seed: number): { label: Uint8Array; a: Float64Array; b: Float64Array } {
  let s = seed;
  const rand = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const label = new Uint8Array(n);
  const a = new Float64Array(n);
  const b = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    label[i] = rand() < 0.35 ? 1 : 0;
    a[i] = Math.round((0.3 * label[i]! + 0.7 * rand()) * 20) / 20; // heavy ties
    b[i] = 0.4 * label[i]! + 0.6 * rand();
  }
  return { label, a, b };
}

function synthetic(n: number, seed: number): Prepared {
  const { label, a, b } = syntheticScores(n, seed);
  return { task: 'binary', n, label, models: [prepareBinaryModel(label, a, null), prepareBinaryModel(label, b, null)] };
}

/** Metrics of the rows listed in `index` (repeats allowed), the plain way: sklearn's definitions. */
function naiveBinary(label: Uint8Array, score: Float64Array, index: number[]): number[] {
  const y = index.map((i) => label[i]!);
  const p = index.map((i) => score[i]!);
  const m = y.length;
  let pos = 0;
  let tp = 0;
  let pred = 0;
  let ll = 0;
  let br = 0;
  const eps = 2.220446049250313e-16;
  for (let k = 0; k < m; k++) {
    const yp = p[k]! > 0.5 ? 1 : 0;
    pos += y[k]!;
    pred += yp;
    tp += y[k]! & yp;
    const q = Math.min(Math.max(p[k]!, eps), 1 - eps);
    ll -= y[k] ? Math.log(q) : Math.log(1 - q);
    br += (p[k]! - y[k]!) ** 2;
  }
  // AUC as the share of (positive, negative) pairs ranked right, ties one half; AP over thresholds.
  let pairs = 0;
  for (let i = 0; i < m; i++) if (y[i]) for (let j = 0; j < m; j++) if (!y[j]) pairs += p[i]! > p[j]! ? 1 : p[i] === p[j] ? 0.5 : 0;
  let ap = 0;
  let lastRecall = 0;
  for (const t of [...new Set(p)].sort((u, v) => v - u)) {
    let tpT = 0;
    let predT = 0;
    for (let k = 0; k < m; k++) if (p[k]! >= t) { predT++; tpT += y[k]!; }
    ap += (tpT / pos - lastRecall) * (tpT / predT);
    lastRecall = tpT / pos;
  }
  const correct = y.reduce((acc, yk, k) => acc + (yk === (p[k]! > 0.5 ? 1 : 0) ? 1 : 0), 0);
  return [correct / m, tp / pred, tp / pos, (2 * tp) / (pred + pos), pairs / (pos * (m - pos)), ap, ll / m, br / m];
}

describe('bootstrap kernel', () => {
  it('the pair kernel on renumbered rows equals computeMetrics per model', () => {
    const data = synthetic(5000, 3);
    const layout = pairLayout(data)!;
    const original = new Uint8Array(data.n);
    const a = new Float64Array(8);
    const b = new Float64Array(8);
    for (let r = 0; r < 3; r++) {
      // A resample in the renumbered space; the same counts mapped back to original rows.
      const counts = resampleCounts(data.n, 9, r, new Uint8Array(data.n));
      for (let k = 0; k < data.n; k++) original[layout.perm[k]!] = counts[k]!;
      pairMetrics(layout, counts, a, b);
      const ra = computeMetrics(data, 0, original);
      const rb = computeMetrics(data, 1, original);
      // log_loss and brier (6, 7) use float32 per-row terms in the layout: relative 1e-6.
      for (let j = 0; j < 8; j++) {
        const tolerance = j >= 6 ? 1e-6 : 1e-12;
        expect(Math.abs(a[j]! - ra[j]!) / Math.abs(ra[j]!), `champion metric ${j}`).toBeLessThan(tolerance);
        expect(Math.abs(b[j]! - rb[j]!) / Math.abs(rb[j]!), `challenger metric ${j}`).toBeLessThan(tolerance);
      }
    }
  });

  it('with a prediction column (predicted positives not a score prefix) equals computeMetrics', () => {
    const base = synthetic(3000, 8);
    if (base.task !== 'binary') throw new Error('binary expected');
    const predicted = new Uint8Array(base.n);
    for (let i = 0; i < base.n; i++) predicted[i] = (i * 7919) % 3 === 0 ? 1 : 0;
    const data: Prepared = { ...base, models: base.models.map((m) => ({ ...m, positive: predicted })) as [BinaryModel, BinaryModel] };
    const layout = pairLayout(data)!;
    expect(layout.prefixA).toBe(-1);
    const counts = resampleCounts(base.n, 3, 1, new Uint8Array(base.n));
    const original = new Uint8Array(base.n);
    for (let k = 0; k < base.n; k++) original[layout.perm[k]!] = counts[k]!;
    const a = new Float64Array(8);
    const b = new Float64Array(8);
    pairMetrics(layout, counts, a, b);
    const ra = computeMetrics(data, 0, original);
    const rb = computeMetrics(data, 1, original);
    for (let j = 0; j < 6; j++) {
      expect(a[j]).toBeCloseTo(ra[j]!, 12);
      expect(b[j]).toBeCloseTo(rb[j]!, 12);
    }
  });

  it('intervals equal a naive bootstrap (index lists, pairwise AUC, per-threshold AP) on the same draws', async () => {
    const n = 300;
    const data = synthetic(n, 21);
    if (data.task !== 'binary') throw new Error('binary expected');
    const { a: scoreA, b: scoreB } = syntheticScores(n, 21);
    const resamples = 200;
    const result = await pairedBootstrap(data, { resamples, seed: 5 });
    const perm = pairLayout(data)!.perm;
    const deltas: number[][] = Array.from({ length: 8 }, () => []);
    for (let r = 0; r < resamples; r++) {
      const counts = resampleCounts(n, 5, r, new Uint8Array(n));
      const index: number[] = [];
      for (let k = 0; k < n; k++) for (let c = 0; c < counts[k]!; c++) index.push(perm[k]!);
      const a = naiveBinary(data.label, scoreA, index);
      const b = naiveBinary(data.label, scoreB, index);
      for (let j = 0; j < 8; j++) deltas[j]!.push(b[j]! - a[j]!);
    }
    for (let j = 0; j < 8; j++) {
      const column = Float64Array.from(deltas[j]!);
      const at = (q: number) => percentile(column, q); // checked against numpy below
      const tolerance = j >= 6 ? 1e-6 : 1e-10;
      expect(result.intervals[j]![0], `metric ${j} low`).toBeCloseTo(at(2.5), -Math.log10(tolerance));
      expect(result.intervals[j]![1], `metric ${j} high`).toBeCloseTo(at(97.5), -Math.log10(tolerance));
    }
  });

  it('draws n rows per resample, deterministically per (seed, resample)', () => {
    const c1 = resampleCounts(1000, 5, 7, new Uint8Array(1000));
    expect(c1.reduce((x, y) => x + y, 0)).toBe(1000);
    expect(resampleCounts(1000, 5, 7, new Uint8Array(1000))).toEqual(c1);
    expect(resampleCounts(1000, 5, 8, new Uint8Array(1000))).not.toEqual(c1);
  });

  it('gives the same differences however the resamples are split (threads)', () => {
    const data = synthetic(2000, 11);
    const whole = runResamples(data, 42, 0, 10);
    const halves = new Float64Array(whole.length);
    halves.set(runResamples(data, 42, 0, 4), 0);
    halves.set(runResamples(data, 42, 4, 10), 4 * 8);
    expect(halves).toEqual(whole);
  });

  it('percentile matches numpy linear interpolation and ignores NaN', () => {
    expect(percentile(Float64Array.of(1, 2, 3, 4), 2.5)).toBeCloseTo(1.075, 12);
    expect(percentile(Float64Array.of(4, NaN, 1, 3, 2), 97.5)).toBeCloseTo(3.925, 12);
    expect(percentile(Float64Array.of(NaN), 50)).toBeNaN();
  });
});
