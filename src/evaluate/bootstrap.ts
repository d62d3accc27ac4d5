/**
 * Paired bootstrap of (challenger − champion) per metric.
 *
 * Both models are scored on the same resampled rows. A resample is n draws with replacement from
 * the n aligned rows, represented as multinomial counts (weights) rather than an index array, so
 * every metric is an O(n) weighted pass and the ranking metrics reuse the score order sorted once.
 *
 * Randomness: resample r uses its own xoshiro128** generator seeded by splitmix32 from
 * (seed, r), so the result for a given seed is the same however the resamples are split between
 * threads. Rows are numbered in the champion's score order for speed (metrics do not depend on the
 * numbering). A draw is floor(u32 · n / 2^32) (bias below n / 2^32, negligible).
 *
 * Interval: percentile bootstrap, the 2.5th and 97.5th percentiles of the resampled differences,
 * with numpy's default linear interpolation; resamples where a metric is undefined (e.g. AUC of a
 * resample holding one class) are left out of that metric's percentiles.
 *
 * Threads: with a `workerEntry` (a bundled file that calls serveBootstrapWorker() first thing) and
 * at least WORKER_MIN_ROWS rows, the resamples are split in two halves run on two worker threads;
 * otherwise (tests from TypeScript sources, small inputs) they run in-process.
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { computeMetrics, METRICS } from './metrics.js';
import type { Prepared, Weights } from './metrics.js';
import { pairLayout, pairMetrics, WasmPairKernel, type PairKernelName } from './pair-kernel.js';

export const BOOTSTRAP_TASK = 'refit:evaluate-bootstrap';
export const WORKER_MIN_ROWS = 100_000;
/** Seeds are 32-bit: a larger one would repeat the resamples of a smaller one. */
export const MAX_SEED = 2 ** 32 - 1;

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** The four xoshiro128** state words for resample `stream` of `seed` (int32s), via splitmix32. */
export function seedState(seed: number, stream: number): Int32Array {
  const sm = splitmix32((seed ^ Math.imul(stream + 1, 0x27d4eb2d)) >>> 0);
  const state = Int32Array.of(sm() | 0, sm() | 0, sm() | 0, sm() | 0);
  if ((state[0]! | state[1]! | state[2]! | state[3]!) === 0) state[0] = 1;
  return state;
}

/**
 * Multinomial counts of n draws with replacement from n rows, for resample `resample` of `seed`.
 * The generator is inlined on int32 locals: a closure over its state costs ~10× more here.
 */
export function resampleCounts(n: number, seed: number, resample: number, counts: Weights): Weights {
  counts.fill(0);
  const state = seedState(seed, resample);
  let a = state[0]!;
  let b = state[1]!;
  let c = state[2]!;
  let d = state[3]!;
  const scale = n / 4294967296;
  for (let k = 0; k < n; k++) {
    const r = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = (d << 11) | (d >>> 21);
    counts[(r * scale) | 0]!++;
  }
  return counts;
}

/**
 * Differences (challenger − champion) of resamples [from, to): row r − from holds metric j at r·m + j.
 * Binary tasks with scores go through the pair kernel (pair-kernel.ts), with the rows renumbered
 * in the champion's score order; counts are drawn in that numbering. `kernel`: 'auto' takes the
 * WebAssembly kernel when it is available (the same results, faster), 'wasm' requires it, 'js'
 * runs the JavaScript one.
 */
export function runResamples(data: Prepared, seed: number, from: number, to: number, kernel: PairKernelChoice = 'auto'): Float64Array {
  const m = METRICS[data.task].length;
  const out = new Float64Array((to - from) * m);
  const store = (r: number, a: Float64Array, b: Float64Array) => {
    for (let j = 0; j < m; j++) out[(r - from) * m + j] = b[j]! - a[j]!;
  };
  const counts = new Uint8Array(data.n);
  const a = new Float64Array(m);
  const b = new Float64Array(m);
  const layout = pairLayout(data);
  if (!layout) {
    for (let r = from; r < to; r++) {
      resampleCounts(data.n, seed, r, counts);
      computeMetrics(data, 0, counts, a);
      computeMetrics(data, 1, counts, b);
      store(r, a, b);
    }
    return out;
  }
  const wasm = kernel === 'js' ? null : WasmPairKernel.create(layout);
  if (kernel === 'wasm' && !wasm) throw new Error('the WebAssembly pair kernel is unavailable (no WebAssembly, or the data needs more than 2 GiB of module memory)');
  for (let r = from; r < to; r++) {
    if (wasm) {
      wasm.draw(seedState(seed, r));
      wasm.metrics(a, b);
    } else pairMetrics(layout, resampleCounts(data.n, seed, r, counts), a, b);
    store(r, a, b);
  }
  return out;
}

/** Which pair kernel runResamples uses. */
export type PairKernelChoice = PairKernelName | 'auto';

/** numpy.percentile (linear) of the non-NaN values; NaN when none. */
export function percentile(values: Float64Array, q: number): number {
  const finite = values.filter((v) => !Number.isNaN(v)).sort();
  if (finite.length === 0) return NaN;
  const pos = (q / 100) * (finite.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, finite.length - 1);
  return finite[lo]! + (finite[hi]! - finite[lo]!) * (pos - lo);
}

export interface BootstrapResult {
  /** Per metric (METRICS[task] order): [2.5th, 97.5th] percentile of the differences, null if undefined. */
  intervals: ([number, number] | null)[];
  resamples: number;
  /** Worker threads used (0 = in-process). */
  threads: number;
}

export interface BootstrapOptions {
  resamples: number;
  seed: number;
  workerEntry?: URL;
  /** The pair kernel (runResamples); default 'auto'. */
  kernel?: PairKernelChoice;
}

export async function pairedBootstrap(data: Prepared, options: BootstrapOptions): Promise<BootstrapResult> {
  const { resamples, seed } = options;
  const kernel = options.kernel ?? 'auto';
  const m = METRICS[data.task].length;
  let deltas: Float64Array;
  let threads = 0;
  if (options.workerEntry && data.n >= WORKER_MIN_ROWS && resamples >= 2) {
    const half = Math.floor(resamples / 2);
    const parts = await Promise.all([
      runInWorker(options.workerEntry, data, seed, 0, half, kernel),
      runInWorker(options.workerEntry, data, seed, half, resamples, kernel),
    ]);
    deltas = new Float64Array(resamples * m);
    deltas.set(parts[0], 0);
    deltas.set(parts[1], half * m);
    threads = 2;
  } else {
    deltas = runResamples(data, seed, 0, resamples, kernel);
  }
  const intervals: ([number, number] | null)[] = [];
  const column = new Float64Array(resamples);
  for (let j = 0; j < m; j++) {
    for (let r = 0; r < resamples; r++) column[r] = deltas[r * m + j]!;
    const lo = percentile(column, 2.5);
    const hi = percentile(column, 97.5);
    intervals.push(Number.isNaN(lo) || Number.isNaN(hi) ? null : [lo, hi]);
  }
  return { intervals, resamples, threads };
}

interface WorkerReply {
  ok: boolean;
  deltas?: Float64Array;
  error?: string;
}

function runInWorker(entry: URL, data: Prepared, seed: number, from: number, to: number, kernel: PairKernelChoice): Promise<Float64Array> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(entry, { workerData: { task: BOOTSTRAP_TASK, data, seed, from, to, kernel } });
    let settled = false;
    worker.once('message', (reply: WorkerReply) => {
      settled = true;
      if (reply.ok && reply.deltas) resolve(reply.deltas);
      else reject(new Error(reply.error ?? 'bootstrap worker failed'));
      void worker.terminate();
    });
    worker.once('error', (error) => {
      if (!settled) reject(error);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`bootstrap worker exited with code ${code} before replying`));
    });
  });
}

/**
 * Call first thing in a bundled entry: when this thread is a bootstrap worker, run its share of
 * the resamples, post the differences and return true.
 */
export function serveBootstrapWorker(): boolean {
  if (isMainThread || !parentPort) return false;
  const task = workerData as { task?: string; data: Prepared; seed: number; from: number; to: number; kernel?: PairKernelChoice } | null;
  if (task?.task !== BOOTSTRAP_TASK) return false;
  try {
    const deltas = runResamples(task.data, task.seed, task.from, task.to, task.kernel ?? 'auto');
    parentPort.postMessage({ ok: true, deltas } satisfies WorkerReply, [deltas.buffer as ArrayBuffer]);
  } catch (error) {
    parentPort.postMessage({ ok: false, error: error instanceof Error ? error.message : String(error) } satisfies WorkerReply);
  }
  return true;
}
