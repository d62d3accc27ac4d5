/**
 * The evaluation engine of the `evaluate` action: champion vs challenger, from metrics files
 * (JSON name → number) or from prediction files on the same holdout (aligned by id), with paired
 * bootstrap intervals, per-slice metrics, a prediction drift check and MLflow-style gates.
 */
import type { ColumnSample, Dataset } from '../data/types.js';
import { readTable } from '../data/table.js';
import type { Table, TableColumn } from '../data/table.js';
import { compareDatasets } from '../drift/engine.js';
import { DEFAULT_SETTINGS } from '../drift/types.js';
import type { DriftReport } from '../drift/types.js';
import { UserError } from '../errors.js';
import { readFile } from 'node:fs/promises';
import { pairedBootstrap } from './bootstrap.js';
import { evaluateGate } from './gates.js';
import type { GateResult, Gates } from './gates.js';
import {
  centerLabels,
  computeMetrics,
  METRICS,
  prepareBinaryModel,
  prepareMulticlassModel,
  prepareRegressionModel,
} from './metrics.js';
import type { Prepared, Task } from './metrics.js';

export { parseGates, evaluateGate } from './gates.js';
export type { Gates, MetricGate, GateResult } from './gates.js';
export { METRICS } from './metrics.js';
export type { Task } from './metrics.js';
export { MAX_SEED, serveBootstrapWorker } from './bootstrap.js';

export interface EvaluateOptions {
  champion: string;
  challenger: string;
  task?: Task;
  labelColumn?: string;
  scoreColumn?: string;
  predictionColumn?: string;
  idColumn?: string;
  slices?: string[];
  gates?: Gates;
  /** Resamples of the paired bootstrap; 0 turns it off. Default 1000. */
  bootstrap?: number;
  seed?: number;
  /** Share of rows present in only one prediction file above which alignment is an error. Default 0.01. */
  maxUnmatchedShare?: number;
  /** Bundled entry serving serveBootstrapWorker(), to run the bootstrap on two threads. */
  workerEntry?: URL;
}

export interface MetricResult {
  name: string;
  champion: number | null;
  challenger: number | null;
  delta: number | null;
  ci: [number, number] | null;
  greaterIsBetter: boolean;
  gate: GateResult | null;
}

export interface SliceResult {
  column: string;
  value: string;
  rows: number;
  metrics: { name: string; champion: number | null; challenger: number | null; delta: number | null }[];
  /** The metric that got worse the most (relative to the champion's value), or null if none did. */
  worstRegression: { metric: string; delta: number; relative: number } | null;
}

export interface EvaluationResult {
  mode: 'predictions' | 'metrics';
  task: Task | null;
  rows: number | null;
  metrics: MetricResult[];
  slices: SliceResult[];
  /** The slice with the largest regression of the primary metric, or null. */
  worstSlice: { column: string; value: string; metric: string; delta: number } | null;
  predictionDrift: DriftReport | null;
  bootstrap: { resamples: number; seed: number; threads: number; method: string } | null;
  passed: boolean;
  warnings: string[];
}

const num = (v: number): number | null => (Number.isNaN(v) ? null : v);

export async function evaluateModels(options: EvaluateOptions): Promise<EvaluationResult> {
  const isMetrics = (p: string) => p.toLowerCase().endsWith('.json');
  if (isMetrics(options.champion) !== isMetrics(options.challenger)) {
    throw new UserError(`champion (${options.champion}) and challenger (${options.challenger}) must both be metrics files (.json) or both prediction files`);
  }
  if (isMetrics(options.champion)) return evaluateMetricsFiles(options);
  return evaluatePredictions(options);
}

async function readMetricsFile(path: string): Promise<Record<string, number>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new UserError(`${path}: cannot read the metrics file; check the path`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new UserError(`${path}: not valid JSON (${(error as Error).message}); a metrics file is an object of name → number`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new UserError(`${path}: expected a JSON object of metric name → number, like {"roc_auc": 0.91}`);
  }
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) if (typeof v === 'number') out[k] = v;
  if (Object.keys(out).length === 0) {
    const keys = Object.keys(raw as Record<string, unknown>);
    throw new UserError(
      `${path}: no metric: a metrics file is a JSON object of metric name → number at its top level, like {"roc_auc": 0.91}` +
        (keys.length > 0 ? `; this one has ${keys.slice(0, 10).map((k) => JSON.stringify(k)).join(', ')} and none holds a number` : ''),
    );
  }
  return out;
}

/** Lower is better for names that look like a loss or an error; otherwise higher is better. */
export function guessGreaterIsBetter(name: string): boolean {
  return !/loss|error|mae|mse|rmse|mape|brier|perplexity/i.test(name);
}

async function evaluateMetricsFiles(options: EvaluateOptions): Promise<EvaluationResult> {
  const [champion, challenger] = await Promise.all([readMetricsFile(options.champion), readMetricsFile(options.challenger)]);
  const gates = options.gates ?? {};
  const names = [...new Set([...Object.keys(champion), ...Object.keys(challenger), ...Object.keys(gates)])];
  const metrics: MetricResult[] = names.map((name) => {
    const a = champion[name] ?? null;
    const b = challenger[name] ?? null;
    const gate = gates[name];
    return {
      name,
      champion: a,
      challenger: b,
      delta: a !== null && b !== null ? b - a : null,
      ci: null,
      greaterIsBetter: gate?.greaterIsBetter ?? guessGreaterIsBetter(name),
      gate: gate ? evaluateGate(name, gate, b, a) : null,
    };
  });
  return {
    mode: 'metrics',
    task: options.task ?? null,
    rows: null,
    metrics,
    slices: [],
    worstSlice: null,
    predictionDrift: null,
    bootstrap: null,
    passed: metrics.every((m) => m.gate === null || m.gate.passed),
    warnings: [],
  };
}

function keyOf(column: TableColumn, i: number): string | null {
  if (column.kind === 'numeric') {
    const v = column.values[i]!;
    return Number.isNaN(v) ? null : String(v);
  }
  return column.values[i] ?? null;
}

function firstMissing(column: TableColumn, rows: Int32Array | null, n: number): number {
  for (let k = 0; k < n; k++) {
    const i = rows ? rows[k]! : k;
    if (keyOf(column, i) === null) return i;
  }
  return -1;
}

async function evaluatePredictions(options: EvaluateOptions): Promise<EvaluationResult> {
  const labelColumn = options.labelColumn ?? 'label';
  const scoreColumn = options.scoreColumn ?? 'score';
  const predictionColumn = options.predictionColumn ?? 'prediction';
  const idColumn = options.idColumn ?? 'id';
  const slices = options.slices ?? [];
  const warnings: string[] = [];
  const read = (source: string, slicesToo: boolean) =>
    readTable(source, { columns: [idColumn, labelColumn, ...(slicesToo ? slices : [])], optional: [scoreColumn, predictionColumn] });
  const [champ, chall] = await Promise.all([read(options.champion, true), read(options.challenger, false)]);
  for (const t of [champ, chall]) {
    if (!t.columns.has(scoreColumn) && !t.columns.has(predictionColumn)) {
      throw new UserError(`${t.source}: neither a score column "${scoreColumn}" nor a prediction column "${predictionColumn}"; set score-column or prediction-column to the column holding the model's output`);
    }
  }

  // Align by id (inner join).
  const align = alignRows(champ, chall, idColumn, options.maxUnmatchedShare ?? 0.01, warnings);
  const n = align.champion.length;
  if (n === 0) throw new UserError(`${options.champion} and ${options.challenger}: no id in common in column "${idColumn}"; both files must score the same holdout`);

  const labelCol = champ.columns.get(labelColumn)!;
  const bad = firstMissing(labelCol, align.champion, n);
  if (bad >= 0) throw new UserError(`${champ.source}: column "${labelColumn}" is missing (empty/NaN) at data row ${bad + 1}; every holdout row needs a label`);

  const pick = (t: Table, name: string, rows: Int32Array): TableColumn | null => {
    const c = t.columns.get(name);
    if (!c) return null;
    if (c.kind === 'numeric') {
      const values = new Float64Array(rows.length);
      for (let k = 0; k < rows.length; k++) values[k] = c.values[rows[k]!]!;
      return { kind: 'numeric', values };
    }
    const values = new Array<string | null>(rows.length);
    for (let k = 0; k < rows.length; k++) values[k] = c.values[rows[k]!] ?? null;
    return { kind: 'text', values };
  };
  const label = pick(champ, labelColumn, align.champion)!;
  const outputs = [
    { table: champ, score: pick(champ, scoreColumn, align.champion), prediction: pick(champ, predictionColumn, align.champion), rows: align.champion },
    { table: chall, score: pick(chall, scoreColumn, align.challenger), prediction: pick(chall, predictionColumn, align.challenger), rows: align.challenger },
  ] as const;
  for (const o of outputs) {
    for (const [name, col] of [[scoreColumn, o.score], [predictionColumn, o.prediction]] as const) {
      if (!col) continue;
      for (let k = 0; k < n; k++) {
        if (col.kind === 'numeric' ? Number.isNaN(col.values[k]!) : col.values[k] === null) {
          throw new UserError(`${o.table.source}: column "${name}" is missing or NaN at data row ${o.rows[k]! + 1}; every holdout row needs the model's output (NaN predictions are not allowed)`);
        }
      }
      if (name === scoreColumn && col.kind !== 'numeric') {
        throw new UserError(`${o.table.source}: score column "${name}" holds text; it must hold the positive-class probability (or set prediction-column for labels)`);
      }
    }
  }

  const labelKeys = Array.from({ length: n }, (_, k) => keyOf(label, k)!);
  const distinct = [...new Set(labelKeys)];
  const task = options.task ?? inferTask(label, distinct, outputs[0].score);
  const names: Names = { champion: options.champion, challenger: options.challenger, labelColumn, scoreColumn, predictionColumn };
  let data: Prepared;
  if (task === 'multiclass') {
    const keys = multiclassKeys(label, distinct, outputs, names);
    const probabilities = await Promise.all(outputs.map((o) => readClassProbabilities(o, keys.classes, scoreColumn)));
    data = prepareMulticlass(label, labelKeys, keys, [probabilities[0]!, probabilities[1]!]);
    const missing = outputs.filter((_, m) => probabilities[m] === null).map((o) => o.table.source);
    if (missing.length > 0) {
      warnings.push(`multiclass log_loss ${missing.length === 2 ? 'skipped' : 'left out for one model'}: ${missing.join(' and ')} ${missing.length === 2 ? 'have' : 'has'} no per-class probability columns (${keys.classes.map((c) => `${scoreColumn}_${c}`).join(', ')})`);
    }
  } else data = prepare(task, label, labelKeys, distinct, outputs, names, warnings);

  const ones = new Uint8Array(n).fill(1);
  const a = computeMetrics(data, 0, ones);
  const b = computeMetrics(data, 1, ones);
  const infos = METRICS[task];
  const resamples = options.bootstrap ?? 1000;
  const seed = options.seed ?? 0;
  const boot = resamples > 0 ? await pairedBootstrap(data, { resamples, seed, ...(options.workerEntry ? { workerEntry: options.workerEntry } : {}) }) : null;
  const gates = options.gates ?? {};
  const metrics: MetricResult[] = infos.map((info, j) => {
    const ca = num(a[j]!);
    const cb = num(b[j]!);
    const gate = gates[info.name];
    return {
      name: info.name,
      champion: ca,
      challenger: cb,
      delta: ca !== null && cb !== null ? cb - ca : null,
      ci: boot?.intervals[j] ?? null,
      greaterIsBetter: info.greaterIsBetter,
      gate: gate ? evaluateGate(info.name, gate, cb, ca) : null,
    };
  });
  for (const name of Object.keys(gates)) {
    if (!infos.some((i) => i.name === name)) {
      metrics.push({ name, champion: null, challenger: null, delta: null, ci: null, greaterIsBetter: gates[name]!.greaterIsBetter, gate: evaluateGate(name, gates[name]!, null, null) });
    }
  }

  const sliceResults = computeSlices(data, champ, slices, align.champion, task);
  const primary = task === 'binary' ? (Number.isNaN(a[4]!) ? 'f1' : 'roc_auc') : task === 'multiclass' ? 'macro_f1' : 'rmse';
  const primaryInfo = infos.find((i) => i.name === primary)!;
  let worstSlice: EvaluationResult['worstSlice'] = null;
  for (const s of sliceResults) {
    const m = s.metrics.find((x) => x.name === primary);
    if (!m || m.delta === null) continue;
    const bad = primaryInfo.greaterIsBetter ? -m.delta : m.delta;
    if (bad > 0 && (worstSlice === null || bad > (primaryInfo.greaterIsBetter ? -worstSlice.delta : worstSlice.delta))) {
      worstSlice = { column: s.column, value: s.value, metric: primary, delta: m.delta };
    }
  }

  const predictionDrift = driftOfOutputs(task, outputs, options, n);
  return {
    mode: 'predictions',
    task,
    rows: n,
    metrics,
    slices: sliceResults,
    worstSlice,
    predictionDrift,
    bootstrap: boot ? { resamples, seed, threads: boot.threads, method: 'paired percentile bootstrap (2.5/97.5), xoshiro128** per resample' } : null,
    passed: metrics.every((m) => m.gate === null || m.gate.passed),
    warnings,
  };
}

function alignRows(champ: Table, chall: Table, idColumn: string, maxShare: number, warnings: string[]): { champion: Int32Array; challenger: Int32Array } {
  const index = (t: Table): Map<string, number> => {
    const col = t.columns.get(idColumn)!;
    const map = new Map<string, number>();
    for (let i = 0; i < t.rows; i++) {
      const key = keyOf(col, i);
      if (key === null) throw new UserError(`${t.source}: column "${idColumn}" is empty at data row ${i + 1}; every row needs an id to align the two prediction files`);
      if (map.has(key)) throw new UserError(`${t.source}: id ${JSON.stringify(key)} appears twice in column "${idColumn}" (data rows ${map.get(key)! + 1} and ${i + 1}); ids must be unique`);
      map.set(key, i);
    }
    return map;
  };
  // Fast path, the common case: numeric ids, the same ids in the same order, no duplicate.
  const ia = champ.columns.get(idColumn)!;
  const ib = chall.columns.get(idColumn)!;
  if (ia.kind === 'numeric' && ib.kind === 'numeric' && champ.rows === chall.rows && ia.values.every((v, i) => v === ib.values[i])) {
    const sorted = Float64Array.from(ia.values).sort();
    let duplicate = false;
    for (let k = 1; k < sorted.length && !duplicate; k++) duplicate = sorted[k] === sorted[k - 1];
    if (!duplicate && !sorted.some(Number.isNaN)) {
      const identity = new Int32Array(champ.rows);
      for (let i = 0; i < identity.length; i++) identity[i] = i;
      return { champion: identity, challenger: identity.slice() };
    }
  }
  const a = index(champ);
  const b = index(chall);
  const left: number[] = [];
  const right: number[] = [];
  for (const [key, i] of a) {
    const j = b.get(key);
    if (j !== undefined) {
      left.push(i);
      right.push(j);
    }
  }
  const onlyA = a.size - left.length;
  const onlyB = b.size - left.length;
  const total = Math.max(a.size, b.size, 1);
  if (onlyA + onlyB > 0) {
    const share = (onlyA + onlyB) / total;
    const what = `${onlyA} id(s) only in ${champ.source} and ${onlyB} only in ${chall.source}`;
    if (share > maxShare) {
      throw new UserError(`${what} (${(share * 100).toFixed(2)}% of rows, above ${(maxShare * 100).toFixed(2)}%); both files must score the same holdout, aligned by column "${idColumn}"`);
    }
    warnings.push(`${what}: those rows were dropped`);
  }
  return { champion: Int32Array.from(left), challenger: Int32Array.from(right) };
}

function inferTask(label: TableColumn, distinct: string[], score: TableColumn | null): Task {
  const scoreInUnit = (): boolean => {
    if (!score || score.kind !== 'numeric') return false;
    for (const v of score.values) if (!(v >= 0 && v <= 1)) return false;
    return true;
  };
  if (distinct.length <= 2 && (scoreInUnit() || !score)) return 'binary';
  if (label.kind === 'numeric') {
    const integers = distinct.every((d) => Number.isInteger(Number(d)));
    if (!integers || distinct.length > 20) return 'regression';
  }
  return 'multiclass';
}

interface Output {
  table: Table;
  score: TableColumn | null;
  prediction: TableColumn | null;
  rows: Int32Array;
}

interface Names {
  champion: string;
  challenger: string;
  labelColumn: string;
  scoreColumn: string;
  predictionColumn: string;
}

function sortKeys(keys: string[], numeric: boolean): string[] {
  return numeric ? [...keys].sort((x, y) => Number(x) - Number(y)) : [...keys].sort();
}

function prepare(task: 'binary' | 'regression', label: TableColumn, labelKeys: string[], distinct: string[], outputs: readonly [Output, Output], names: Names, warnings: string[]): Prepared {
  const n = labelKeys.length;
  if (task === 'binary') {
    if (distinct.length > 2) throw new UserError(`${names.champion}: column "${names.labelColumn}" has ${distinct.length} distinct values, a binary task needs two; set task to multiclass or regression`);
    const sorted = sortKeys(distinct, label.kind === 'numeric');
    const positiveKey = distinct.length === 2 ? sorted[1]! : sorted[0] === '0' || sorted[0] === 'false' ? '__none__' : sorted[0]!;
    if (distinct.length < 2) warnings.push(`column "${names.labelColumn}" holds a single value (${distinct[0]}); roc_auc and pr_auc are undefined`);
    const y = Uint8Array.from(labelKeys, (k) => (k === positiveKey ? 1 : 0));
    const models = outputs.map((o, m) => {
      const score = o.score && o.score.kind === 'numeric' ? o.score.values : null;
      let positive: Uint8Array | null = null;
      if (o.prediction) {
        positive = new Uint8Array(n);
        for (let k = 0; k < n; k++) {
          const key = keyOf(o.prediction, k)!;
          if (!distinct.includes(key) && distinct.length === 2) {
            throw new UserError(`${m === 0 ? names.champion : names.challenger}: column "${names.predictionColumn}" holds ${JSON.stringify(key)} at data row ${o.rows[k]! + 1}, not one of the labels (${sorted.join(', ')})`);
          }
          positive[k] = key === positiveKey ? 1 : 0;
        }
      }
      if (score) {
        for (let k = 0; k < n; k++) {
          const v = score[k]!;
          if (!(v >= 0 && v <= 1)) throw new UserError(`${m === 0 ? names.champion : names.challenger}: column "${names.scoreColumn}" holds ${v} at data row ${o.rows[k]! + 1}; a binary score must be the positive-class probability in [0, 1]`);
        }
      }
      return prepareBinaryModel(y, score, positive);
    });
    return { task, n, label: y, models: [models[0]!, models[1]!] };
  }
  if (label.kind !== 'numeric') throw new UserError(`${names.champion}: column "${names.labelColumn}" holds text; a regression task needs numeric labels`);
  const models = outputs.map((o, m) => {
    const col = o.prediction ?? o.score;
    if (!col || col.kind !== 'numeric') throw new UserError(`${m === 0 ? names.champion : names.challenger}: a regression task needs numeric predictions in column "${names.predictionColumn}"`);
    return prepareRegressionModel(label.values, col.values);
  });
  return { task, n, label: label.values, centered: centerLabels(label.values), models: [models[0]!, models[1]!] };
}

interface MulticlassKeys {
  /** Per model, the predicted class of each aligned row. */
  predictions: [string[], string[]];
  /** The classes seen in the labels or either model's predictions, sorted as sklearn's unique_labels. */
  classes: string[];
  numeric: boolean;
}

function multiclassKeys(label: TableColumn, distinct: string[], outputs: readonly [Output, Output], names: Names): MulticlassKeys {
  const n = label.kind === 'numeric' ? label.values.length : label.values.length;
  const predictions = outputs.map((o, m) => {
    const col = o.prediction ?? o.score;
    if (!col || (o.prediction === null && col.kind === 'numeric' && !col.values.every(Number.isInteger))) {
      throw new UserError(`${m === 0 ? names.champion : names.challenger}: a multiclass task needs the predicted class in column "${names.predictionColumn}"`);
    }
    return Array.from({ length: n }, (_, k) => keyOf(col, k)!);
  }) as [string[], string[]];
  const numeric = label.kind === 'numeric';
  const classes = sortKeys([...new Set([...distinct, ...predictions[0], ...predictions[1]])], numeric);
  return { predictions, classes, numeric };
}

function prepareMulticlass(label: TableColumn, labelKeys: string[], keys: MulticlassKeys, probabilities: [Float64Array[] | null, Float64Array[] | null]): Prepared {
  const indexOf = new Map(keys.classes.map((c, i) => [c, i]));
  const y = Int32Array.from(labelKeys, (k) => indexOf.get(k)!);
  const models = keys.predictions.map((predicted, m) => prepareMulticlassModel(y, Int32Array.from(predicted, (k) => indexOf.get(k)!), probabilities[m]!));
  return { task: 'multiclass', n: y.length, classes: keys.classes.length, label: y, models: [models[0]!, models[1]!] };
}

/**
 * The per-class probability columns `<score column>_<class>` of one model, aligned; null when the
 * file has none of them. Read in a second pass over the file, once the classes are known.
 */
async function readClassProbabilities(o: Output, classes: string[], scoreColumn: string): Promise<Float64Array[] | null> {
  const columns = classes.map((c) => `${scoreColumn}_${c}`);
  const table = await readTable(o.table.source, { columns: [], optional: columns });
  const present = columns.filter((c) => table.columns.has(c));
  if (present.length === 0) return null;
  if (present.length < columns.length) {
    const missing = columns.filter((c) => !table.columns.has(c));
    throw new UserError(`${o.table.source}: no per-class probability column ${missing.map((c) => JSON.stringify(c)).join(', ')}; multiclass log_loss needs one column per class (${columns.join(', ')}), or none of them`);
  }
  return columns.map((name) => {
    const col = table.columns.get(name)!;
    if (col.kind !== 'numeric') throw new UserError(`${o.table.source}: column "${name}" holds text; it must hold the probability of that class`);
    const values = new Float64Array(o.rows.length);
    for (let k = 0; k < o.rows.length; k++) {
      const v = col.values[o.rows[k]!]!;
      if (!(v >= 0 && v <= 1)) {
        throw new UserError(`${o.table.source}: column "${name}" holds ${Number.isNaN(v) ? 'a missing value or NaN' : v} at data row ${o.rows[k]! + 1}; a class probability must be a number in [0, 1]`);
      }
      values[k] = v;
    }
    return values;
  });
}

function computeSlices(data: Prepared, champ: Table, slices: string[], rows: Int32Array, task: Task): SliceResult[] {
  const out: SliceResult[] = [];
  const infos = METRICS[task];
  for (const column of slices) {
    const col = champ.columns.get(column)!;
    const groups = new Map<string, number[]>();
    for (let k = 0; k < rows.length; k++) {
      const key = keyOf(col, rows[k]!) ?? '(missing)';
      let g = groups.get(key);
      if (!g) groups.set(key, (g = []));
      g.push(k);
    }
    for (const [value, members] of [...groups].sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0))) {
      const w = new Uint8Array(data.n);
      for (const k of members) w[k] = 1;
      const a = computeMetrics(data, 0, w);
      const b = computeMetrics(data, 1, w);
      let worst: SliceResult['worstRegression'] = null;
      const metrics = infos.map((info, j) => {
        const ca = num(a[j]!);
        const cb = num(b[j]!);
        const delta = ca !== null && cb !== null ? cb - ca : null;
        if (delta !== null && ca !== null) {
          const bad = info.greaterIsBetter ? -delta : delta;
          const relative = bad / Math.max(Math.abs(ca), 1e-12);
          if (bad > 0 && (worst === null || relative > worst.relative)) worst = { metric: info.name, delta, relative };
        }
        return { name: info.name, champion: ca, challenger: cb, delta };
      });
      out.push({ column, value, rows: members.length, metrics, worstRegression: worst });
    }
  }
  return out;
}

/** Drift of the challenger's outputs against the champion's (scores, or predicted classes). */
function driftOfOutputs(task: Task, outputs: readonly [Output, Output], options: EvaluateOptions, n: number): DriftReport {
  const sample = (o: Output): ColumnSample => {
    const col = task === 'binary' ? (o.score ?? o.prediction)! : task === 'regression' ? (o.prediction ?? o.score)! : (o.prediction ?? o.score)!;
    if (col.kind === 'numeric' && task !== 'multiclass') {
      const sorted = Float64Array.from(col.values).sort();
      const counts = new Float64Array(sorted.length);
      let d = 0;
      for (let k = 0; k < sorted.length; k++) {
        if (d > 0 && sorted[d - 1] === sorted[k]) counts[d - 1]!++;
        else {
          sorted[d] = sorted[k]!;
          counts[d++] = 1;
        }
      }
      return { name: 'prediction', kind: 'numeric', rows: n, missing: 0, numeric: { values: sorted.slice(0, d), counts: counts.slice(0, d) } };
    }
    const categories = new Map<string, number>();
    for (let k = 0; k < n; k++) {
      const key = keyOf(col, k)!;
      categories.set(key, (categories.get(key) ?? 0) + 1);
    }
    return { name: 'prediction', kind: 'categorical', rows: n, missing: 0, categories };
  };
  const dataset = (source: string, o: Output): Dataset => ({ source, files: o.table.files, rows: n, columns: [sample(o)] });
  return compareDatasets(dataset(options.champion, outputs[0]), dataset(options.challenger, outputs[1]), DEFAULT_SETTINGS);
}
