/** `refit demo`: the whole loop on the example data, locally (src/demo). */
import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseNumber } from '../config/refit-config.js';
import { runDemo } from '../demo/index.js';
import { UserError } from '../errors.js';
import { parseFlags } from './drift.js';

export const DEMO_USAGE = `Usage: refit demo [--out <dir>] [--bootstrap <n>]

Run the whole Refit loop on the example taxi data, locally: drift check, retraining decision,
snapshot and retraining pull request (a real local git repository), training on the local
executor, evaluation with bootstrap intervals and gates, promotion in the git registry, and a
simulated regression rolled back automatically. No cloud account, token or network needed.

Options:
  --out <dir>        where to write the report and the repository (./refit-demo; a new or empty folder,
                     or an earlier demo's output, which is emptied first)
  --bootstrap <n>    bootstrap resamples of the evaluation (1000)`;

export async function demoCommand(argv: string[], io: { stdout: (s: string) => void; workerEntry?: URL }): Promise<number> {
  const values = parseFlags(argv, { out: { type: 'string', default: 'refit-demo' }, bootstrap: { type: 'string' }, help: { type: 'boolean', short: 'h' } });
  if (values.help) {
    io.stdout(DEMO_USAGE + '\n');
    return 0;
  }
  // The examples ship with the package: two levels up from dist/cli/index.js (or src/cli/demo.ts).
  const root = fileURLToPath(new URL('../../', io.workerEntry ?? import.meta.url));
  if (!existsSync(join(root, 'examples', 'taxi-tip', 'train.mjs'))) throw new UserError(`the example model is not in ${root}examples/taxi-tip; run the demo from a Refit checkout or package`);
  const out = resolve(values.out as string);
  const started = performance.now();
  io.stdout(`Refit demo: the whole loop on real taxi trips, locally. Writing to ${out}\n\n`);
  const result = await runDemo({
    root,
    out,
    log: (line) => io.stdout(line + '\n'),
    ...(io.workerEntry ? { workerEntry: io.workerEntry } : {}),
    ...(typeof values.bootstrap === 'string' ? { bootstrap: parseNumber(values.bootstrap, '--bootstrap', { min: 0, integer: true }) } : {}),
  });
  const rel = (p: string) => relative(process.cwd(), p) || '.';
  io.stdout(
    [
      '',
      `Done in ${((performance.now() - started) / 1000).toFixed(1)} s. Where things are:`,
      `  report (open in a browser)   ${pathToFileURL(result.files.html).href}`,
      `  pull request body            ${rel(result.files.prBody)}`,
      `  evaluation comment           ${rel(result.files.comment)}`,
      `  drift report                 ${rel(result.files.driftReport)}`,
      `  registry                     ${rel(result.files.registry)}`,
      `  git repository               ${rel(result.files.repository)}  (git -C ${rel(result.files.repository)} log --graph --all)`,
      '',
    ].join('\n'),
  );
  return 0;
}
