/** `refit evaluate`: the evaluate action's report, printed locally (the same Markdown and JSON). */
import { writeFile } from 'node:fs/promises';
import { parseList, parseNumber, readTextOrFile } from '../config/refit-config.js';
import { UserError } from '../errors.js';
import { MAX_SEED, parseGates, type Task } from '../evaluate/index.js';
import { evaluationReport, parseLatency, type Figures } from '../evaluate/report.js';
import { parseModelName } from '../model-name.js';
import { parseFlags } from './drift.js';

export const EVALUATE_USAGE = `Usage: refit evaluate --champion <file> --challenger <file> [options]

Compare the challenger with the champion as the evaluate action does, and print its report
(the pull request comment's Markdown, or the report JSON).

Inputs:   --champion <file> --challenger <file>   metrics files (.json) or prediction files
          (CSV, JSON Lines, Parquet) of the same holdout
          [--task binary|multiclass|regression] [--label-column label] [--score-column score]
          [--prediction-column prediction] [--id-column id] [--slices a,b]
Gates:    --gates <yaml text or file>  (MLflow semantics: threshold, min_absolute_change,
          min_relative_change, greater_is_better)
Interval: --bootstrap <n> (1000; 0 = off)  --seed <n> (0)
Beside:   --artifact <path or s3://...>  --cost-usd <x>  --billed-seconds <n>
          --latency champion=<ms>,challenger=<ms> (or a .json/.yml file)
Output:   --model <name> (default)  --format markdown|json (markdown)  --out <file>

Exit code 0 whether or not the gates pass (see "passed" in the JSON), 2 on bad input.`;

const TASKS = ['binary', 'multiclass', 'regression'];

export async function evaluateCommand(argv: string[], io: { stdout: (s: string) => void; workerEntry?: URL }): Promise<number> {
  const values = parseFlags(argv, {
    champion: { type: 'string' },
    challenger: { type: 'string' },
    task: { type: 'string' },
    'label-column': { type: 'string', default: 'label' },
    'score-column': { type: 'string', default: 'score' },
    'prediction-column': { type: 'string', default: 'prediction' },
    'id-column': { type: 'string', default: 'id' },
    slices: { type: 'string' },
    gates: { type: 'string' },
    bootstrap: { type: 'string', default: '1000' },
    seed: { type: 'string', default: '0' },
    artifact: { type: 'string' },
    'cost-usd': { type: 'string' },
    'billed-seconds': { type: 'string' },
    latency: { type: 'string' },
    model: { type: 'string', default: 'default' },
    format: { type: 'string', default: 'markdown' },
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout(EVALUATE_USAGE + '\n');
    return 0;
  }
  const text = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  const champion = text('champion');
  const challenger = text('challenger');
  if (!champion || !challenger) throw new UserError('refit evaluate needs --champion <file> and --challenger <file>; see refit evaluate --help');
  const format = text('format')!;
  if (format !== 'markdown' && format !== 'json') throw new UserError(`--format: expected markdown or json, got "${format}"`);
  const task = text('task');
  if (task !== undefined && !TASKS.includes(task)) throw new UserError(`--task: expected binary, multiclass or regression, got ${JSON.stringify(task)}`);
  const figures: Figures = {
    ...(text('cost-usd') ? { costUsd: parseNumber(text('cost-usd'), '--cost-usd', { min: 0 }) } : {}),
    ...(text('billed-seconds') ? { billedSeconds: parseNumber(text('billed-seconds'), '--billed-seconds', { min: 0 }) } : {}),
    ...(text('latency') ? { latencyMs: await parseLatency(text('latency')!, '--latency') } : {}),
  };
  const gates = text('gates');
  const report = await evaluationReport({
    model: parseModelName(text('model')!, '--model'),
    champion,
    challenger,
    labelColumn: text('label-column')!,
    scoreColumn: text('score-column')!,
    predictionColumn: text('prediction-column')!,
    idColumn: text('id-column')!,
    slices: text('slices') ? parseList(text('slices'), '--slices') : [],
    bootstrap: parseNumber(text('bootstrap'), '--bootstrap', { min: 0, max: 100_000, integer: true }),
    seed: parseNumber(text('seed'), '--seed', { min: 0, max: MAX_SEED, integer: true }),
    figures,
    ...(io.workerEntry ? { workerEntry: io.workerEntry } : {}),
    ...(task ? { task: task as Task } : {}),
    ...(gates ? { gates: parseGates((await readTextOrFile(gates, '--gates')).text, '--gates') } : {}),
    ...(text('artifact') !== undefined ? { artifact: text('artifact')! } : {}),
  });
  const output = format === 'json' ? JSON.stringify(report.json, null, 2) + '\n' : report.markdown;
  if (text('out')) await writeFile(text('out')!, output);
  else io.stdout(output);
  return 0;
}
