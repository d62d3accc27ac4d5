/**
 * Model metrics computed from row weights, so one implementation serves the point estimate (every
 * weight 1), a slice (weights 0/1) and a bootstrap resample (multinomial counts) in O(n) per call.
 * The per-row terms that do not depend on the weights (log loss, Brier, errors) and the score order
 * for the ranking metrics are prepared once.
 *
 * Conventions (scikit-learn's, checked against scikit-learn 1.2 and independent numpy code by
 * scripts/reference/evaluate_reference.py):
 * - binary labels: {0,1}, or any two values of which the greater (sorted as sklearn's
 *   LabelBinarizer sorts classes_) is positive. Without a prediction column a row is predicted
 *   positive when score > 0.5 (what predict() gives from predict_proba: argmax, ties to class 0).
 * - precision / recall / F1 with no predicted / no actual positives: 0 (sklearn's zero_division).
 * - roc_auc: sklearn roc_auc_score: trapezoid over distinct score thresholds, so tied scores count
 *   one half (equivalent to the Mann-Whitney U with average ranks). Undefined (null) when only one
 *   class is present (sklearn raises).
 * - pr_auc: sklearn average_precision_score: the step-wise sum Σ (R_k − R_{k−1}) P_k over distinct
 *   thresholds (NOT the trapezoidal area under the PR curve). Undefined when there is no positive.
 * - log_loss: probabilities clipped to [eps, 1 − eps] with eps = 2.220446049250313e-16, float64's
 *   machine epsilon (sklearn ≥ 1.3 `eps="auto"`, the only behaviour since 1.5; sklearn ≤ 1.2 used
 *   1e-15). Multiclass: per-class probabilities from `score_<class>` columns, clipped then divided
 *   by their row sum (sklearn ≤ 1.4's normalisation).
 * - brier: mean (p − y)².
 * - multiclass macro_f1 / weighted_f1: over the classes present in the labels or the predictions
 *   of the rows weighed (sklearn's unique_labels); weighted by true support.
 * - regression r2: sklearn r2_score with force_finite: 1 when the labels are constant and the
 *   predictions exact, 0 when constant labels and not exact. mape: mean |y − ŷ| / max(|y|, eps),
 *   eps = float64 machine epsilon (sklearn mean_absolute_percentage_error).
 */

export type Task = 'binary' | 'multiclass' | 'regression';

export const EPS = 2.220446049250313e-16;

export interface MetricInfo {
  name: string;
  greaterIsBetter: boolean;
}

export const METRICS: Record<Task, MetricInfo[]> = {
  binary: [
    { name: 'accuracy', greaterIsBetter: true },
    { name: 'precision', greaterIsBetter: true },
    { name: 'recall', greaterIsBetter: true },
    { name: 'f1', greaterIsBetter: true },
    { name: 'roc_auc', greaterIsBetter: true },
    { name: 'pr_auc', greaterIsBetter: true },
    { name: 'log_loss', greaterIsBetter: false },
    { name: 'brier', greaterIsBetter: false },
  ],
  multiclass: [
    { name: 'accuracy', greaterIsBetter: true },
    { name: 'macro_f1', greaterIsBetter: true },
    { name: 'weighted_f1', greaterIsBetter: true },
    { name: 'log_loss', greaterIsBetter: false },
  ],
  regression: [
    { name: 'mae', greaterIsBetter: false },
    { name: 'rmse', greaterIsBetter: false },
    { name: 'r2', greaterIsBetter: true },
    { name: 'mape', greaterIsBetter: false },
  ],
};

/** Per-model prepared arrays (structured-clone friendly, so they can go to a worker). */
export interface BinaryModel {
  /** 1 when the row is predicted positive. */
  positive: Uint8Array;
  /** Per-row log loss and Brier terms; null without a score column. */
  logLoss: Float64Array | null;
  brier: Float64Array | null;
  /** Rows by descending score, and 1 where the next row in that order has a different score. */
  order: Int32Array | null;
  groupEnd: Uint8Array | null;
}

export interface MulticlassModel {
  prediction: Int32Array;
  logLoss: Float64Array | null;
}

export interface RegressionModel {
  absError: Float64Array;
  sqError: Float64Array;
  pctError: Float64Array;
}

export type Prepared =
  | { task: 'binary'; n: number; label: Uint8Array; models: [BinaryModel, BinaryModel] }
  | { task: 'multiclass'; n: number; classes: number; label: Int32Array; models: [MulticlassModel, MulticlassModel] }
  | { task: 'regression'; n: number; label: Float64Array; centered: Float64Array; models: [RegressionModel, RegressionModel] };

/**
 * Weights per row: counts of a resample, 0/1 for a slice, all 1 for the sample itself. Bytes: a
 * row drawn 256 times in n draws from n rows has probability below 1e-500, and the small array
 * keeps the random accesses of the bootstrap in cache.
 */
export type Weights = Uint8Array;

export function prepareBinaryModel(label: Uint8Array, score: Float64Array | null, positive: Uint8Array | null): BinaryModel {
  const n = label.length;
  let pos = positive;
  if (!pos) {
    pos = new Uint8Array(n);
    for (let i = 0; i < n; i++) pos[i] = score![i]! > 0.5 ? 1 : 0;
  }
  if (!score) return { positive: pos, logLoss: null, brier: null, order: null, groupEnd: null };
  const logLoss = new Float64Array(n);
  const brier = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const p = Math.min(Math.max(score[i]!, EPS), 1 - EPS);
    logLoss[i] = label[i] === 1 ? -Math.log(p) : -Math.log(1 - p);
    const d = score[i]! - label[i]!;
    brier[i] = d * d;
  }
  const { order, groupEnd } = argsortDescending(score);
  return { positive: pos, logLoss, brier, order, groupEnd };
}

/**
 * Rows by descending score (ties in row order) and the ends of tied groups. The distinct scores are
 * sorted as a typed array (fast native sort), each row finds its rank by binary search, and a
 * counting sort by rank gives the order: several times faster than a comparator sort of indices.
 */
export function argsortDescending(score: Float64Array): { order: Int32Array; groupEnd: Uint8Array } {
  const n = score.length;
  const sorted = Float64Array.from(score).sort();
  let d = 0;
  for (let k = 0; k < n; k++) if (k === 0 || sorted[k] !== sorted[d - 1]) sorted[d++] = sorted[k]!;
  const distinct = sorted.subarray(0, d);
  const rank = new Int32Array(n);
  const start = new Int32Array(d + 1);
  for (let i = 0; i < n; i++) {
    const v = score[i]!;
    let lo = 0;
    let hi = d - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (distinct[mid]! < v) lo = mid + 1;
      else hi = mid;
    }
    const r = d - 1 - lo; // descending rank
    rank[i] = r;
    start[r + 1]!++;
  }
  for (let r = 0; r < d; r++) start[r + 1]! += start[r]!;
  const order = new Int32Array(n);
  const groupEnd = new Uint8Array(n);
  for (let i = 0; i < n; i++) order[start[rank[i]!]!++] = i;
  // After the fill, start[r] is the end of group r.
  for (let r = 0; r < d; r++) groupEnd[start[r]! - 1] = 1;
  return { order, groupEnd };
}

export function prepareMulticlassModel(label: Int32Array, prediction: Int32Array, probabilities: Float64Array[] | null): MulticlassModel {
  if (!probabilities) return { prediction, logLoss: null };
  const n = label.length;
  const k = probabilities.length;
  const logLoss = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let c = 0; c < k; c++) sum += Math.min(Math.max(probabilities[c]![i]!, EPS), 1 - EPS);
    const p = Math.min(Math.max(probabilities[label[i]!]![i]!, EPS), 1 - EPS) / sum;
    logLoss[i] = -Math.log(p);
  }
  return { prediction, logLoss };
}

export function prepareRegressionModel(label: Float64Array, prediction: Float64Array): RegressionModel {
  const n = label.length;
  const absError = new Float64Array(n);
  const sqError = new Float64Array(n);
  const pctError = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const d = label[i]! - prediction[i]!;
    absError[i] = Math.abs(d);
    sqError[i] = d * d;
    pctError[i] = Math.abs(d) / Math.max(Math.abs(label[i]!), EPS);
  }
  return { absError, sqError, pctError };
}

/** Labels shifted by their mean, so Σw(y−ȳ_w)² can be had in one pass without cancellation. */
export function centerLabels(label: Float64Array): Float64Array {
  let mean = 0;
  for (let i = 0; i < label.length; i++) mean += label[i]!;
  mean /= label.length || 1;
  const out = new Float64Array(label.length);
  for (let i = 0; i < label.length; i++) out[i] = label[i]! - mean;
  return out;
}

/** The task's metrics (in METRICS order) for one model (0 champion, 1 challenger); NaN = undefined. */
export function computeMetrics(data: Prepared, model: 0 | 1, w: Weights, out: Float64Array = new Float64Array(METRICS[data.task].length)): Float64Array {
  switch (data.task) {
    case 'binary':
      binaryMetrics(data.label, data.models[model], w, out);
      break;
    case 'multiclass':
      multiclassMetrics(data.label, data.classes, data.models[model], w, out);
      break;
    case 'regression':
      regressionMetrics(data.centered, data.models[model], w, out);
      break;
  }
  return out;
}

function binaryMetrics(y: Uint8Array, m: BinaryModel, w: Weights, out: Float64Array): void {
  const n = y.length;
  let total = 0;
  let positives = 0;
  let tp = 0;
  let predicted = 0;
  let ll = 0;
  let br = 0;
  const pos = m.positive;
  const logLoss = m.logLoss;
  const brier = m.brier;
  // Branch-free: weights are mostly 0 or 1 in a resample, so a test on them mispredicts.
  if (logLoss && brier) {
    for (let i = 0; i < n; i++) {
      const wi = w[i]!;
      const yi = y[i]!;
      const pi = pos[i]!;
      total += wi;
      positives += wi * yi;
      predicted += wi * pi;
      tp += wi * (yi & pi);
      ll += wi * logLoss[i]!;
      br += wi * brier[i]!;
    }
  } else {
    for (let i = 0; i < n; i++) {
      const wi = w[i]!;
      const yi = y[i]!;
      const pi = pos[i]!;
      total += wi;
      positives += wi * yi;
      predicted += wi * pi;
      tp += wi * (yi & pi);
    }
  }
  if (!m.order || !logLoss) {
    binaryFromSums(out, total, positives, predicted, tp, NaN, NaN, NaN, NaN);
    return;
  }
  const order = m.order;
  const groupEnd = m.groupEnd!;
  let tpCum = 0;
  let fpCum = 0;
  let tpGroup = 0;
  let wGroup = 0;
  let auc = 0;
  let ap = 0;
  for (let k = 0; k < n; k++) {
    const i = order[k]!;
    const wi = w[i]!;
    const yk = y[i]!;
    tpGroup += wi * yk;
    wGroup += wi;
    if (groupEnd[k] === 1 && wGroup > 0) {
      const fpGroup = wGroup - tpGroup;
      auc += fpGroup * (tpCum + tpGroup / 2);
      tpCum += tpGroup;
      fpCum += fpGroup;
      if (tpGroup > 0) ap += tpGroup * (tpCum / (tpCum + fpCum));
      tpGroup = 0;
      wGroup = 0;
    }
  }
  binaryFromSums(out, total, positives, predicted, tp, auc, ap, ll, br);
}

/**
 * The eight binary metrics (METRICS.binary order) from weighted sums: Σw, Σw·label, predicted
 * positives, true positives, AUC·P·N, AP·P, Σw·log loss, Σw·Brier. NaN sums give NaN metrics.
 */
export function binaryFromSums(out: Float64Array, total: number, positives: number, predicted: number, tp: number, auc: number, ap: number, ll: number, br: number): void {
  const negatives = total - positives;
  out[0] = total === 0 ? NaN : (2 * tp + total - positives - predicted) / total;
  out[1] = predicted === 0 ? 0 : tp / predicted;
  out[2] = positives === 0 ? 0 : tp / positives;
  out[3] = predicted + positives === 0 ? 0 : (2 * tp) / (predicted + positives);
  out[4] = positives === 0 || negatives === 0 ? NaN : auc / (positives * negatives);
  out[5] = positives === 0 ? NaN : ap / positives;
  out[6] = total === 0 ? NaN : ll / total;
  out[7] = total === 0 ? NaN : br / total;
}

function multiclassMetrics(y: Int32Array, classes: number, m: MulticlassModel, w: Weights, out: Float64Array): void {
  const n = y.length;
  const tp = new Float64Array(classes);
  const support = new Float64Array(classes);
  const predicted = new Float64Array(classes);
  let total = 0;
  let ll = 0;
  const pred = m.prediction;
  const logLoss = m.logLoss;
  for (let i = 0; i < n; i++) {
    const wi = w[i]!;
    if (wi === 0) continue;
    const yi = y[i]!;
    const pi = pred[i]!;
    total += wi;
    support[yi]! += wi;
    predicted[pi]! += wi;
    if (yi === pi) tp[yi]! += wi;
    if (logLoss) ll += wi * logLoss[i]!;
  }
  let correct = 0;
  let macro = 0;
  let present = 0;
  let weighted = 0;
  for (let c = 0; c < classes; c++) {
    correct += tp[c]!;
    const denominator = support[c]! + predicted[c]!;
    if (denominator === 0) continue;
    const f1 = (2 * tp[c]!) / denominator;
    present++;
    macro += f1;
    weighted += f1 * support[c]!;
  }
  out[0] = total === 0 ? NaN : correct / total;
  out[1] = present === 0 ? NaN : macro / present;
  out[2] = total === 0 ? NaN : weighted / total;
  out[3] = logLoss && total > 0 ? ll / total : NaN;
}

function regressionMetrics(centered: Float64Array, m: RegressionModel, w: Weights, out: Float64Array): void {
  const n = centered.length;
  let total = 0;
  let ae = 0;
  let se = 0;
  let pe = 0;
  let sy = 0;
  let syy = 0;
  const { absError, sqError, pctError } = m;
  for (let i = 0; i < n; i++) {
    const wi = w[i]!;
    if (wi === 0) continue;
    const y = centered[i]!;
    total += wi;
    ae += wi * absError[i]!;
    se += wi * sqError[i]!;
    pe += wi * pctError[i]!;
    sy += wi * y;
    syy += wi * y * y;
  }
  if (total === 0) {
    out.fill(NaN);
    return;
  }
  const ssTot = Math.max(syy - (sy * sy) / total, 0);
  out[0] = ae / total;
  out[1] = Math.sqrt(se / total);
  out[2] = ssTot === 0 ? (se === 0 ? 1 : 0) : 1 - se / ssTot;
  out[3] = pe / total;
}
