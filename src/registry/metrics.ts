import { UserError } from '../errors.js';
import { readJsonFile } from '../json-file.js';

/** A metrics file recorded with a version: a JSON object of metric name -> finite number. `where` names the input or flag. */
export async function readMetricsFile(path: string, where: string): Promise<Record<string, number>> {
  const value = await readJsonFile(path, 'metrics file', 'give a JSON object of metric name -> number (e.g. the challenger metrics the evaluation used)');
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new UserError(`${where}: ${path} is not a JSON object of metric name -> number`);
  const out: Record<string, number> = {};
  for (const [name, v] of Object.entries(value)) {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new UserError(`${where}: ${path}: metric ${JSON.stringify(name)} is not a finite number`);
    out[name] = v;
  }
  return out;
}
