#!/usr/bin/env node
// Score a holdout with a trained taxi-tip model, in the shape `refit evaluate` reads.
//   node examples/taxi-tip/predict.mjs --model model/model.json --data examples/data/taxis-current.csv --out predictions.csv [--from 2019-03-27]
// Writes one row per trip (picked up at or after --from, when given):
//   id          the trip's line number in --data, so two models' predictions align row by row
//   label       1 when the trip was tipped
//   score       the model's tip probability
//   prediction  score >= 0.5
//   payment, pickup_borough   slice columns
import { readFileSync, writeFileSync } from 'node:fs';
import { flags, label, predict, readCsv } from './model.mjs';

const args = flags(process.argv.slice(2), ['model', 'data', 'out', 'from']);
if (!args.model || !args.data || !args.out) {
  console.error('usage: predict.mjs --model <model.json> --data <csv> --out <csv> [--from <time>]');
  process.exit(2);
}
const model = JSON.parse(readFileSync(args.model, 'utf8'));
const rows = readCsv(args.data).map((row, i) => ({ ...row, id: String(i + 2) }));
const holdout = args.from ? rows.filter((r) => r.pickup >= args.from) : rows;
const scores = predict(model, holdout);
const quote = (s) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
const lines = ['id,label,score,prediction,payment,pickup_borough'];
holdout.forEach((row, i) => {
  const score = scores[i];
  lines.push([row.id, label(row), score.toPrecision(17), score >= 0.5 ? 1 : 0, quote(row.payment || '(missing)'), quote(row.pickup_borough || '(missing)')].join(','));
});
writeFileSync(args.out, lines.join('\n') + '\n');
console.log(`wrote ${holdout.length} predictions to ${args.out}`);
