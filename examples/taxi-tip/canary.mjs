#!/usr/bin/env node
// A post-promotion canary: score freshly labelled live trips with the promoted model and fail
// (exit 1) when its accuracy is below a floor. Refit's promote runs it as `verify-command` and
// rolls back automatically when it fails.
//   node examples/taxi-tip/canary.mjs --model model/model.json --data live.csv --min-accuracy 0.85
import { readFileSync } from 'node:fs';
import { flags, label, predict, readCsv } from './model.mjs';

const args = flags(process.argv.slice(2), ['model', 'data', 'min-accuracy']);
if (!args.model || !args.data) {
  console.error('usage: canary.mjs --model <model.json> --data <csv> [--min-accuracy 0.85]');
  process.exit(2);
}
const floor = Number(args['min-accuracy'] ?? 0.85);
const model = JSON.parse(readFileSync(args.model, 'utf8'));
const rows = readCsv(args.data);
const scores = predict(model, rows);
const correct = rows.reduce((n, row, i) => n + ((scores[i] >= 0.5 ? 1 : 0) === label(row) ? 1 : 0), 0);
const accuracy = correct / rows.length;
console.log(`canary: accuracy ${accuracy.toFixed(4)} on ${rows.length} live trips (floor ${floor})`);
if (!(accuracy >= floor)) {
  console.error(`canary: accuracy ${accuracy.toFixed(4)} is below the floor ${floor}`);
  process.exit(1);
}
