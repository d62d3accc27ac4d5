import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { pairedBootstrap, percentile, resampleCounts, runResamples, seedState, WORKER_MIN_ROWS } from '../../src/evaluate/bootstrap.js';
import { computeMetrics, prepareBinaryModel } from '../../src/evaluate/metrics.js';
import { pairLayout, pairMetrics, WasmPairKernel, type PairLayout } from '../../src/evaluate/pair-kernel.js';
import { tempDir } from '../support/files.js';
import type { BinaryModel, Prepared } from '../../src/evaluate/metrics.js';

/** A linear congruential generator of uniforms in [0, 1). */
function lcg(seed: number): () => number {
  let s = seed;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function syntheticScores(n: number, seed: number): { label: Uint8Array; a: Float64Array; b: Float64Array } {
  const rand = lcg(seed);
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

  it.each(['wasm', 'js'] as const)('intervals equal a naive bootstrap (index lists, pairwise AUC, per-threshold AP) on the same draws (%s kernel)', async (kernel) => {
    const n = 300;
    const data = synthetic(n, 21);
    if (data.task !== 'binary') throw new Error('binary expected');
    const { a: scoreA, b: scoreB } = syntheticScores(n, 21);
    const resamples = 200;
    const result = await pairedBootstrap(data, { resamples, seed: 5, kernel });
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

/** Binary data from a label rule and score rules (rounded to `decimals`: fewer decimals, more ties). */
function binaryData(n: number, seed: number, positive: (u: number) => number, decimals: number, predicted?: (i: number) => number): Prepared {
  const rand = lcg(seed);
  const label = new Uint8Array(n);
  const a = new Float64Array(n);
  const b = new Float64Array(n);
  const round = (x: number) => Math.round(x * 10 ** decimals) / 10 ** decimals;
  for (let i = 0; i < n; i++) {
    label[i] = positive(rand());
    a[i] = round(0.3 * label[i]! + 0.7 * rand());
    b[i] = round(0.45 * label[i]! + 0.55 * rand());
  }
  const column = predicted ? Uint8Array.from({ length: n }, (_, i) => predicted(i)) : null;
  return { task: 'binary', n, label, models: [prepareBinaryModel(label, a, column), prepareBinaryModel(label, b, column)] };
}

describe('WebAssembly pair kernel', () => {
  const dir = tempDir('refit-bootstrap-');
  const cases: [string, Prepared][] = [
    ['heavy ties, n = 4999', binaryData(4999, 1, (u) => (u < 0.3 ? 1 : 0), 2)],
    ['few ties, n = 7919', binaryData(7919, 2, (u) => (u < 0.5 ? 1 : 0), 9)],
    ['all negative', binaryData(1013, 3, () => 0, 3)],
    ['all positive', binaryData(997, 4, () => 1, 3)],
    ['prediction column (counting pass), n = 3001', binaryData(3001, 5, (u) => (u < 0.4 ? 1 : 0), 2, (i) => ((i * 7919) % 3 === 0 ? 1 : 0))],
    ['one row', binaryData(1, 6, () => 1, 3)],
    ['two rows', binaryData(2, 7, (u) => (u < 0.5 ? 1 : 0), 1)],
  ];

  it.each(cases)('draws the same counts and gives bit-identical metrics to the JavaScript kernel: %s', (_, data) => {
    const layout = pairLayout(data)!;
    const wasm = WasmPairKernel.create(layout)!;
    expect(wasm).not.toBeNull();
    const counts = new Uint8Array(data.n);
    const js = [new Float64Array(8), new Float64Array(8)] as const;
    const wa = [new Float64Array(8), new Float64Array(8)] as const;
    for (let r = 0; r < 6; r++) {
      resampleCounts(data.n, 17, r, counts);
      wasm.draw(seedState(17, r));
      expect(wasm.counts).toEqual(counts);
      pairMetrics(layout, counts, js[0], js[1]);
      wasm.metrics(wa[0], wa[1]);
      // Tolerance 0: the same operations in the same order (NaN where a metric is undefined).
      expect(Array.from(wa[0]), `champion, resample ${r}`).toEqual(Array.from(js[0]));
      expect(Array.from(wa[1]), `challenger, resample ${r}`).toEqual(Array.from(js[1]));
    }
  });

  // Up to 2^21 rows the module draws with an integer multiply-shift, above with float64 products
  // (pair-kernel.wat): both sides of the switch draw the JavaScript counts.
  it.each([2 ** 21, 2 ** 21 + 3])('draws the JavaScript counts at n = %i (either side of the integer draw path)', (n) => {
    const zeros = new Uint8Array(n);
    const layout: PairLayout = { n, prefixA: 0, prefixB: 0, flags: zeros, loss: new Float32Array(4 * n), toB: new Int32Array(n), flagsB: zeros, perm: new Int32Array(n) };
    const wasm = WasmPairKernel.create(layout)!;
    expect(wasm).not.toBeNull();
    const counts = new Uint8Array(n);
    for (const r of [0, 1]) {
      resampleCounts(n, 23, r, counts);
      wasm.draw(seedState(23, r));
      const drawn = wasm.counts;
      let differing = 0;
      for (let k = 0; k < n; k++) if (drawn[k] !== counts[k]) differing++;
      expect(differing, `rows whose counts differ, resample ${r}`).toBe(0);
      expect(drawn.reduce((s, c) => s + c, 0)).toBe(n);
    }
  });

  it('undefined ranking metrics where the resample holds one class, as the JavaScript kernel', () => {
    const data = binaryData(500, 8, () => 0, 2);
    const wasm = WasmPairKernel.create(pairLayout(data)!)!;
    const a = new Float64Array(8);
    const b = new Float64Array(8);
    wasm.draw(seedState(1, 0));
    wasm.metrics(a, b);
    expect([a[4], a[5], b[4], b[5]]).toEqual([NaN, NaN, NaN, NaN]);
    expect(a[0]).toBeGreaterThan(0);
  });

  it('the kernel results match computeMetrics on the original rows (not only the JavaScript kernel)', () => {
    const data = binaryData(2500, 9, (u) => (u < 0.35 ? 1 : 0), 2);
    const layout = pairLayout(data)!;
    const wasm = WasmPairKernel.create(layout)!;
    wasm.draw(seedState(4, 2));
    const original = new Uint8Array(data.n);
    for (let k = 0; k < data.n; k++) original[layout.perm[k]!] = wasm.counts[k]!;
    const a = new Float64Array(8);
    const b = new Float64Array(8);
    wasm.metrics(a, b);
    const ra = computeMetrics(data, 0, original);
    const rb = computeMetrics(data, 1, original);
    for (let j = 0; j < 8; j++) {
      const tolerance = j >= 6 ? 1e-6 : 1e-12; // float32 loss terms
      expect(Math.abs(a[j]! - ra[j]!) / Math.abs(ra[j]!), `champion metric ${j}`).toBeLessThan(tolerance);
      expect(Math.abs(b[j]! - rb[j]!) / Math.abs(rb[j]!), `challenger metric ${j}`).toBeLessThan(tolerance);
    }
  });

  it('runResamples and pairedBootstrap: the same seed gives the same differences and intervals with either kernel', async () => {
    const data = binaryData(3333, 10, (u) => (u < 0.3 ? 1 : 0), 3);
    const wasm = runResamples(data, 99, 3, 40, 'wasm');
    const js = runResamples(data, 99, 3, 40, 'js');
    expect(wasm).toEqual(js);
    expect(runResamples(data, 99, 3, 40)).toEqual(wasm); // auto picks the WebAssembly kernel here
    const one = await pairedBootstrap(data, { resamples: 60, seed: 8, kernel: 'wasm' });
    const two = await pairedBootstrap(data, { resamples: 60, seed: 8, kernel: 'js' });
    expect(one.intervals).toEqual(two.intervals);
    expect(one.intervals.every((ci) => ci !== null && ci[0] < ci[1])).toBe(true);
  });

  it('worker threads (a bundled entry) give the in-process intervals with either kernel', async () => {
    // Bundled as the actions are: the bundle carries the module's bytes and serves its workers.
    const outfile = join(dir, 'entry.mjs');
    await build({
      stdin: {
        contents: "import { serveBootstrapWorker } from './src/evaluate/bootstrap.ts';\nserveBootstrapWorker();\nexport { pairedBootstrap } from './src/evaluate/bootstrap.ts';",
        resolveDir: join(import.meta.dirname, '..', '..'),
        loader: 'ts',
      },
      outfile, bundle: true, platform: 'node', format: 'esm', logLevel: 'silent',
    });
    const entry = pathToFileURL(outfile);
    const bundled = (await import(entry.href)) as { pairedBootstrap: typeof pairedBootstrap };
    const data = binaryData(WORKER_MIN_ROWS + 17, 11, (u) => (u < 0.3 ? 1 : 0), 4);
    const options = { resamples: 6, seed: 3, workerEntry: entry };
    const wasm = await bundled.pairedBootstrap(data, { ...options, kernel: 'wasm' });
    const js = await bundled.pairedBootstrap(data, { ...options, kernel: 'js' });
    const inProcess = await pairedBootstrap(data, { resamples: 6, seed: 3, kernel: 'js' });
    expect([wasm.threads, js.threads, inProcess.threads]).toEqual([2, 2, 0]);
    expect(wasm.intervals).toEqual(inProcess.intervals);
    expect(js.intervals).toEqual(inProcess.intervals);
  });

  it('src/evaluate/pair-kernel-wasm.ts is what scripts/build-wasm.mjs builds from pair-kernel.wat', () => {
    const root = join(import.meta.dirname, '..', '..');
    // Exits 1 with a message when the committed module differs from a fresh compile of the .wat.
    expect(() => execFileSync(process.execPath, [join(root, 'scripts/build-wasm.mjs'), '--check'], { cwd: root, stdio: 'pipe' })).not.toThrow();
  });
});
