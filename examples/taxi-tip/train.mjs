#!/usr/bin/env node
// Train the taxi-tip model on the data a Refit snapshot manifest pins.
//   node examples/taxi-tip/train.mjs --snapshot .refit/taxi-tip/snapshot.json --out model/ [--holdout-from 2019-03-27] [--l2 1]
// Checks every local file's sha256 against the manifest first (the data must be the data that was
// pinned), holds out the trips picked up at or after --holdout-from, and writes
//   <out>/model.json    weights, feature encoding, and the manifest digest it was trained on
//   <out>/metrics.json  training-set log loss and accuracy
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encode, fitEncoding, fitLogistic, flags, label, predict, readCsv, sha256 } from './model.mjs';

const args = flags(process.argv.slice(2), ['snapshot', 'out', 'holdout-from', 'l2']);
if (!args.snapshot || !args.out) {
  console.error('usage: train.mjs --snapshot <snapshot.json> --out <dir> [--holdout-from <time>] [--l2 <n>]');
  process.exit(2);
}
const started = Date.now();
const manifest = JSON.parse(readFileSync(args.snapshot, 'utf8'));
if (manifest.format !== 'refit-snapshot' || manifest.version !== 1) {
  console.error(`${args.snapshot}: not a Refit snapshot manifest (format ${manifest.format}, version ${manifest.version})`);
  process.exit(2);
}
let rows = [];
for (const file of manifest.sources.flatMap((s) => s.files)) {
  if (file.uri.startsWith('s3://')) {
    console.error(`${file.uri}: this example reads local files only`);
    process.exit(2);
  }
  const actual = sha256(readFileSync(file.uri));
  if (actual !== file.sha256) {
    console.error(`${file.uri}: sha256 ${actual} differs from the snapshot's ${file.sha256}; the data changed since it was pinned`);
    process.exit(1);
  }
  rows = rows.concat(readCsv(file.uri));
}
const holdoutFrom = args['holdout-from'];
const training = holdoutFrom ? rows.filter((r) => r.pickup < holdoutFrom) : rows;
console.log(`training on ${training.length} of ${rows.length} rows from ${manifest.sources.length} source(s)${holdoutFrom ? `, holding out pickups from ${holdoutFrom}` : ''}`);

const encoding = fitEncoding(training);
const X = training.map((r) => encode(r, encoding));
const y = training.map(label);
const weights = fitLogistic(X, y, { l2: args.l2 === undefined ? 1 : Number(args.l2) });
const model = { model: 'taxi-tip', kind: 'logistic-regression', snapshot: manifest.digest, holdoutFrom: holdoutFrom ?? null, encoding, weights };

const p = predict(model, training);
const eps = 1e-15;
const logLoss = -y.reduce((s, yi, i) => s + (yi ? Math.log(Math.max(p[i], eps)) : Math.log(Math.max(1 - p[i], eps))), 0) / y.length;
const accuracy = y.reduce((s, yi, i) => s + ((p[i] >= 0.5 ? 1 : 0) === yi ? 1 : 0), 0) / y.length;

mkdirSync(args.out, { recursive: true });
writeFileSync(join(args.out, 'model.json'), JSON.stringify(model, null, 2) + '\n');
writeFileSync(join(args.out, 'metrics.json'), JSON.stringify({ train_log_loss: logLoss, train_accuracy: accuracy, train_rows: training.length }, null, 2) + '\n');
console.log(`wrote ${join(args.out, 'model.json')} (train log loss ${logLoss.toFixed(4)}, accuracy ${accuracy.toFixed(4)}) in ${Date.now() - started} ms`);
