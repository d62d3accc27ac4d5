// The taxi-tip model: will a New York taxi trip be tipped? A logistic regression on the trip's
// distance, fare, passengers, pickup hour, borough, payment type and cab colour, in plain
// JavaScript (no ML framework), deterministic: the same rows give the same weights, byte for byte.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** Parse CSV (RFC 4180: quoted fields, doubled quotes, CRLF) into objects keyed by the header. */
export function readCsv(path) {
  const text = readFileSync(path, 'utf8');
  const rows = [];
  let field = '';
  let row = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(field), (field = '');
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field), rows.push(row), (row = []), (field = '');
    } else field += c;
  }
  if (field !== '' || row.length > 0) row.push(field), rows.push(row);
  const [header, ...body] = rows;
  if (!header) throw new Error(`${path}: empty file`);
  return body.filter((r) => r.length > 1 || r[0] !== '').map((r) => Object.fromEntries(header.map((h, j) => [h, r[j] ?? ''])));
}

/** The label: a trip is tipped when its tip is positive. */
export const label = (row) => (Number(row.tip) > 0 ? 1 : 0);

const NUMERIC = ['distance', 'fare', 'passengers', 'log_distance', 'hour_sin', 'hour_cos'];
const CATEGORICAL = ['payment', 'pickup_borough', 'color'];

function numericValues(row) {
  const distance = Number(row.distance) || 0;
  const hour = Number(String(row.pickup).slice(11, 13)) || 0;
  return {
    distance,
    fare: Number(row.fare) || 0,
    passengers: Number(row.passengers) || 0,
    log_distance: Math.log1p(Math.max(0, distance)),
    hour_sin: Math.sin((2 * Math.PI * hour) / 24),
    hour_cos: Math.cos((2 * Math.PI * hour) / 24),
  };
}

/** Learn the feature encoding from the training rows: standardization and category vocabularies. */
export function fitEncoding(rows) {
  const mean = {};
  const std = {};
  for (const name of NUMERIC) {
    const values = rows.map((r) => numericValues(r)[name]);
    const m = values.reduce((a, b) => a + b, 0) / values.length;
    const v = values.reduce((a, b) => a + (b - m) ** 2, 0) / values.length;
    mean[name] = m;
    std[name] = Math.sqrt(v) || 1;
  }
  const vocab = {};
  for (const name of CATEGORICAL) vocab[name] = [...new Set(rows.map((r) => r[name] || '(missing)'))].sort();
  return { numeric: NUMERIC, categorical: CATEGORICAL, mean, std, vocab };
}

/** One row's feature vector (intercept first); unseen categories encode as all zeros. */
export function encode(row, encoding) {
  const x = [1];
  const values = numericValues(row);
  for (const name of encoding.numeric) x.push((values[name] - encoding.mean[name]) / encoding.std[name]);
  for (const name of encoding.categorical) {
    const value = row[name] || '(missing)';
    for (const level of encoding.vocab[name]) x.push(value === level ? 1 : 0);
  }
  return x;
}

const sigmoid = (z) => 1 / (1 + Math.exp(-z));

/** L2-regularized logistic regression by Newton's method (exact, a handful of iterations). */
export function fitLogistic(X, y, { l2 = 1, iterations = 25, tolerance = 1e-10 } = {}) {
  const d = X[0].length;
  let w = new Array(d).fill(0);
  for (let it = 0; it < iterations; it++) {
    const grad = new Array(d).fill(0);
    const hess = Array.from({ length: d }, () => new Array(d).fill(0));
    for (let i = 0; i < X.length; i++) {
      const xi = X[i];
      const p = sigmoid(dot(w, xi));
      const r = p - y[i];
      const s = p * (1 - p);
      for (let a = 0; a < d; a++) {
        grad[a] += r * xi[a];
        if (xi[a] === 0) continue;
        for (let b = 0; b <= a; b++) hess[a][b] += s * xi[a] * xi[b];
      }
    }
    for (let a = 1; a < d; a++) (grad[a] += l2 * w[a]), (hess[a][a] += l2);
    hess[0][0] += 1e-9;
    for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) hess[b][a] = hess[a][b];
    const step = solve(hess, grad);
    w = w.map((wi, a) => wi - step[a]);
    if (Math.max(...step.map(Math.abs)) < tolerance) break;
  }
  return w;
}

export function dot(w, x) {
  let s = 0;
  for (let i = 0; i < w.length; i++) s += w[i] * x[i];
  return s;
}

/** Solve A x = b for a symmetric positive definite A (Cholesky). */
function solve(A, b) {
  const n = b.length;
  const L = Array.from({ length: n }, () => new Array(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i][j];
      for (let k = 0; k < j; k++) s -= L[i][k] * L[j][k];
      L[i][j] = i === j ? Math.sqrt(Math.max(s, 1e-12)) : s / L[j][j];
    }
  }
  const z = new Array(n).fill(0);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= L[i][k] * z[k];
    z[i] = s / L[i][i];
  }
  const x = new Array(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let s = z[i];
    for (let k = i + 1; k < n; k++) s -= L[k][i] * x[k];
    x[i] = s / L[i][i];
  }
  return x;
}

/** The tip probability of each row under a saved model. */
export function predict(model, rows) {
  return rows.map((row) => sigmoid(dot(model.weights, encode(row, model.encoding))));
}

export function sha256(bytes) {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Read `--name value` flags. */
export function flags(argv, known) {
  const out = {};
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i]?.replace(/^--/, '');
    if (!known.includes(name) || argv[i + 1] === undefined) {
      console.error(`unknown or incomplete flag ${argv[i]}; flags: ${known.map((k) => `--${k}`).join(' ')}`);
      process.exit(2);
    }
    out[name] = argv[i + 1];
  }
  return out;
}
