/**
 * The binary paired bootstrap's kernel: both models' eight metrics for one resample's counts.
 *
 * Layout (pairLayout, built once): rows renumbered in the champion's score order, so the
 * champion's ranking is a sequential pass and only the challenger's goes through a permutation.
 * flags[k] = label | champion predicts positive << 1 | challenger predicts positive << 2 |
 * champion group end << 3; loss[4k..4k+3] = champion log loss, challenger log loss, champion
 * Brier, challenger Brier (float32: a relative 6e-8 per term, far below any resampling spread, for
 * half the memory each resample streams); toB[k] = the row's position in the challenger's score
 * order; flagsB[q] = label | group end << 1 of the q-th row in that order.
 *
 * Per resample: one pass in the champion's order computes the loss sums and the champion's ROC AUC
 * and average precision, and scatters the weights into the challenger's order; one ranking pass in
 * the challenger's order. With predictions from score > 0.5 the predicted positives are a prefix
 * of each model's order, so the predicted / true-positive counts are prefix sums; otherwise one
 * counting pass. Same results as computeMetrics up to rounding.
 *
 * Small single-loop functions: V8 optimises each whole instead of on-stack-replacing one long
 * function loop by loop.
 *
 * WasmPairKernel runs the same passes, and the count drawing, as WebAssembly (pair-kernel.wat)
 * on a copy of the layout in the module's memory: about twice as fast, with bit-identical results
 * (same operations in the same order). The JavaScript here is its fallback and its reference.
 */
import { binaryFromSums, type Prepared, type Weights } from './metrics.js';
import { PAIR_KERNEL_WASM } from './pair-kernel-wasm.js';

export interface PairLayout {
  n: number;
  /**
   * When each model's predicted positives are a prefix of its own score order (predictions from
   * score > 0.5): the prefix lengths; else −1.
   */
  prefixA: number;
  prefixB: number;
  flags: Uint8Array;
  loss: Float32Array;
  toB: Int32Array;
  flagsB: Uint8Array;
  /** Row k of the layout is row perm[k] of the prepared data (the champion's score order). */
  perm: Int32Array;
}

/** The layout for a binary task where both models have scores; null otherwise. */
export function pairLayout(data: Prepared): PairLayout | null {
  if (data.task !== 'binary') return null;
  const [ma, mb] = data.models;
  if (!ma.order || !ma.groupEnd || !ma.logLoss || !ma.brier || !mb.order || !mb.groupEnd || !mb.logLoss || !mb.brier) return null;
  const n = data.n;
  const perm = ma.order;
  const inverse = new Int32Array(n);
  for (let k = 0; k < n; k++) inverse[perm[k]!] = k;
  const flags = new Uint8Array(n);
  const loss = new Float32Array(4 * n);
  for (let k = 0; k < n; k++) {
    const i = perm[k]!;
    flags[k] = data.label[i]! | (ma.positive[i]! << 1) | (mb.positive[i]! << 2) | (ma.groupEnd[k]! << 3);
    loss[4 * k] = ma.logLoss[i]!;
    loss[4 * k + 1] = mb.logLoss[i]!;
    loss[4 * k + 2] = ma.brier[i]!;
    loss[4 * k + 3] = mb.brier[i]!;
  }
  const toB = new Int32Array(n);
  const flagsB = new Uint8Array(n);
  for (let q = 0; q < n; q++) {
    const i = mb.order[q]!;
    toB[inverse[i]!] = q;
    flagsB[q] = data.label[i]! | (mb.groupEnd[q]! << 1);
  }
  const prefix = (order: Int32Array, positive: Uint8Array): number => {
    let k = 0;
    while (k < n && positive[order[k]!] === 1) k++;
    for (let q = k; q < n; q++) if (positive[order[q]!] !== 0) return -1;
    return k;
  };
  return { n, prefixA: prefix(ma.order, ma.positive), prefixB: prefix(mb.order, mb.positive), flags, loss, toB, flagsB, perm };
}

/** Per-thread scratch arrays, grown on demand. */
let scratchB = new Uint8Array(0);
const scratchSums = new Float64Array(8);
const scratchRank = new Float64Array(2);
const scratchCounts = new Float64Array(4);
let recipCache = new Float64Array(1);

/** 1/k for k = 0..max (0 for k = 0), cached: multiplying by it is much cheaper than dividing. */
function reciprocals(max: number): Float64Array {
  if (recipCache.length <= max) {
    recipCache = new Float64Array(max + 1);
    for (let k = 1; k <= max; k++) recipCache[k] = 1 / k;
  }
  return recipCache;
}

/**
 * Both models' metrics (METRICS.binary order) for resample counts `w` (summing to n) over the
 * layout's rows.
 */
export function pairMetrics(p: PairLayout, w: Weights, outA: Float64Array, outB: Float64Array): void {
  const n = p.n;
  if (scratchB.length !== n) scratchB = new Uint8Array(n);
  const recip = reciprocals(n);
  championPass(w, p.flags, p.loss, p.toB, scratchB, recip, n, scratchSums);
  const c = scratchCounts;
  if (p.prefixA >= 0 && p.prefixB >= 0) {
    prefixSums(w, p.flags, p.prefixA, c, 0);
    prefixSums(scratchB, p.flagsB, p.prefixB, c, 2);
  } else countingSums(w, p.flags, n, c);
  const sums = scratchSums;
  const total = sums[6]!;
  const positives = sums[7]!;
  binaryFromSums(outA, total, positives, c[0]!, c[1]!, sums[4]!, sums[5]!, sums[0]!, sums[2]!);
  const rank = scratchRank;
  rankPass(scratchB, p.flagsB, recip, n, rank);
  binaryFromSums(outB, total, positives, c[2]!, c[3]!, rank[0]!, rank[1]!, sums[1]!, sums[3]!);
}

/**
 * The champion's order: out = [Σw·llA, Σw·llB, Σw·brA, Σw·brB, AUC·P·N, AP·P, Σw, Σw·label], and
 * the weights scattered into the challenger's order.
 *
 * Ranking, branch-free: m = 0 at the end of a group of tied scores, −1 inside one; inside a group
 * the closing terms are exactly 0. At a group end the ROC curve gets the group's trapezoid
 * (negatives × (positives before + half the group's positives)) and average precision the group's
 * positives × the precision at its end (a reciprocal table lookup; tpCum · (1/wCum) in floating
 * point avoids V8's overflow-checked integer product).
 */
function championPass(w: Weights, flags: Uint8Array, loss: Float32Array, toB: Int32Array, wB: Uint8Array, recip: Float64Array, n: number, out: Float64Array): void {
  let la = 0;
  let lb = 0;
  let ba = 0;
  let bb = 0;
  let tpCum = 0;
  let wCum = 0;
  let tpGroup = 0;
  let wGroup = 0;
  let auc = 0;
  let ap = 0;
  for (let k = 0; k < n; k++) {
    const x = w[k]!;
    wB[toB[k]!] = x;
    const f = flags[k]!;
    const m = (f >> 3) - 1;
    const j = k << 2;
    la += x * loss[j]!;
    lb += x * loss[j + 1]!;
    ba += x * loss[j + 2]!;
    bb += x * loss[j + 3]!;
    const tg = tpGroup + (x & -(f & 1));
    const wg = wGroup + x;
    const tge = tg & ~m;
    const wge = wg & ~m;
    auc += (wge - tge) * (tpCum + tg * 0.5);
    tpCum += tge;
    wCum += wge;
    ap += tge * (tpCum * recip[wCum]!);
    tpGroup = tg & m;
    wGroup = wg & m;
  }
  out[0] = la;
  out[1] = lb;
  out[2] = ba;
  out[3] = bb;
  out[4] = auc;
  out[5] = ap;
  out[6] = wCum + wGroup;
  out[7] = tpCum + tpGroup;
}

/** The challenger's ranking (as in championPass), in its order, from flagsB = label | group end << 1: out = [AUC·P·N, AP·P]. */
function rankPass(w: Uint8Array, flags: Uint8Array, recip: Float64Array, n: number, out: Float64Array): void {
  let tpCum = 0;
  let wCum = 0;
  let tpGroup = 0;
  let wGroup = 0;
  let auc = 0;
  let ap = 0;
  for (let k = 0; k < n; k++) {
    const wi = w[k]!;
    const f = flags[k]!;
    const m = (f >> 1) - 1;
    const tg = tpGroup + (wi & -(f & 1));
    const wg = wGroup + wi;
    const tge = tg & ~m;
    const wge = wg & ~m;
    auc += (wge - tge) * (tpCum + tg * 0.5);
    tpCum += tge;
    wCum += wge;
    ap += tge * (tpCum * recip[wCum]!);
    tpGroup = tg & m;
    wGroup = wg & m;
  }
  out[0] = auc;
  out[1] = ap;
}

/** Σw and Σw·label (label = flags bit 0) over the first `len` rows, into out[at] and out[at + 1]. */
function prefixSums(w: Uint8Array, flags: Uint8Array, len: number, out: Float64Array, at: number): void {
  let sw = 0;
  let swy = 0;
  for (let k = 0; k < len; k++) {
    const wi = w[k]!;
    sw += wi;
    swy += wi & -(flags[k]! & 1);
  }
  out[at] = sw;
  out[at + 1] = swy;
}

/** out = [champion predicted, champion tp, challenger predicted, challenger tp]. */
function countingSums(w: Weights, flags: Uint8Array, n: number, out: Float64Array): void {
  let predA = 0;
  let predB = 0;
  let tpA = 0;
  let tpB = 0;
  for (let k = 0; k < n; k++) {
    const wi = w[k]!;
    const f = flags[k]!;
    const wy = wi & -(f & 1);
    const a = -((f >> 1) & 1);
    const b = -((f >> 2) & 1);
    predA += wi & a;
    predB += wi & b;
    tpA += wy & a;
    tpB += wy & b;
  }
  out[0] = predA;
  out[1] = tpA;
  out[2] = predB;
  out[3] = tpB;
}

/** The pair kernel's implementations: WebAssembly, or the JavaScript above. */
export type PairKernelName = 'wasm' | 'js';

/** The parts of the WebAssembly JavaScript API used here (the DOM lib, which declares them, is not loaded). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
interface KernelExports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  draw(w: number, n: number, a: number, b: number, c: number, d: number, scale: number): void;
  champion(w: number, flags: number, loss: number, toB: number, wB: number, recip: number, n: number, prefix: number, out: number): void;
  rank(w: number, flags: number, recip: number, n: number, prefix: number, out: number): void;
  counting(w: number, flags: number, n: number, out: number): void;
}

const PAGE = 65536;
/** Memories up to 2 GiB: every offset stays a non-negative int32. */
const MAX_BYTES = 2 ** 31 - PAGE;
let compiled: object | null | undefined;

function wasmModule(): object | null {
  if (compiled === undefined) {
    const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
    try {
      compiled = api ? new api.Module(Buffer.from(PAIR_KERNEL_WASM, 'base64')) : null;
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

/**
 * The WebAssembly pair kernel on one layout. Memory: the float64 results (32 slots), 1/k for
 * k = 0..n, the float32 loss terms, toB, flags, flagsB, the counts w and the counts in the
 * challenger's order wB: 32·n bytes and a little.
 */
export class WasmPairKernel {
  private readonly exports: KernelExports;
  private readonly sums: Float64Array;
  private readonly at: { recip: number; loss: number; toB: number; flags: number; flagsB: number; w: number; wB: number };

  /** The kernel for `layout`, or null when WebAssembly is unavailable or the layout does not fit its memory. */
  static create(layout: PairLayout): WasmPairKernel | null {
    const module = wasmModule();
    if (!module) return null;
    const n = layout.n;
    const recip = 256;
    const loss = recip + 8 * (n + 1);
    const toB = loss + 16 * n;
    const flags = toB + 4 * n;
    const flagsB = flags + n;
    const w = flagsB + n;
    const wB = w + n;
    const bytes = wB + n;
    if (bytes > MAX_BYTES) return null;
    try {
      const api = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
      const exports = new api.Instance(module, {}).exports as unknown as KernelExports;
      const pages = Math.ceil(bytes / PAGE);
      const have = exports.memory.buffer.byteLength / PAGE;
      if (pages > have) exports.memory.grow(pages - have);
      return new WasmPairKernel(exports, layout, { recip, loss, toB, flags, flagsB, w, wB });
    } catch {
      return null; // memory.grow refused: the JavaScript kernel needs no extra memory
    }
  }

  /** The layout's row count and prefix lengths (its arrays live in the module's memory). */
  private readonly n: number;
  private readonly prefixA: number;
  private readonly prefixB: number;

  private constructor(exports: KernelExports, layout: PairLayout, at: WasmPairKernel['at']) {
    this.exports = exports;
    this.at = at;
    const buffer = exports.memory.buffer;
    const n = layout.n;
    this.n = n;
    this.prefixA = layout.prefixA;
    this.prefixB = layout.prefixB;
    this.sums = new Float64Array(buffer, 0, 32);
    const recip = new Float64Array(buffer, at.recip, n + 1); // as reciprocals(), without keeping its cache
    for (let k = 1; k <= n; k++) recip[k] = 1 / k;
    new Float32Array(buffer, at.loss, 4 * n).set(layout.loss);
    new Int32Array(buffer, at.toB, n).set(layout.toB);
    new Uint8Array(buffer, at.flags, n).set(layout.flags);
    new Uint8Array(buffer, at.flagsB, n).set(layout.flagsB);
  }

  /** The current counts, in the layout's row order (a view into the module's memory). */
  get counts(): Uint8Array {
    return new Uint8Array(this.exports.memory.buffer, this.at.w, this.n);
  }

  /** Draws a resample's counts from xoshiro128** state words (bootstrap.ts seedState), as resampleCounts does. */
  draw(state: Int32Array): void {
    const n = this.n;
    this.exports.draw(this.at.w, n, state[0]!, state[1]!, state[2]!, state[3]!, n / 4294967296);
  }

  /** Both models' metrics (METRICS.binary order) for the current counts, as pairMetrics. */
  metrics(outA: Float64Array, outB: Float64Array): void {
    const { exports: x, at, sums: s, n } = this;
    const prefix = this.prefixA >= 0 && this.prefixB >= 0;
    // Results: the champion pass in slots 0..9, the challenger's ranking in 12..15, counting in 16..19.
    x.champion(at.w, at.flags, at.loss, at.toB, at.wB, at.recip, n, prefix ? this.prefixA : -1, 0);
    x.rank(at.wB, at.flagsB, at.recip, n, prefix ? this.prefixB : -1, 12 * 8);
    if (prefix) {
      binaryFromSums(outA, s[6]!, s[7]!, s[8]!, s[9]!, s[4]!, s[5]!, s[0]!, s[2]!);
      binaryFromSums(outB, s[6]!, s[7]!, s[14]!, s[15]!, s[12]!, s[13]!, s[1]!, s[3]!);
    } else {
      x.counting(at.w, at.flags, n, 16 * 8);
      binaryFromSums(outA, s[6]!, s[7]!, s[16]!, s[17]!, s[4]!, s[5]!, s[0]!, s[2]!);
      binaryFromSums(outB, s[6]!, s[7]!, s[18]!, s[19]!, s[12]!, s[13]!, s[1]!, s[3]!);
    }
  }
}
