/**
 * The evaluation report the action and `refit evaluate` both produce: the evaluation, the figures
 * shown beside the metrics (training cost, billed time, serving latency), the artifact's digest
 * (provenance for the promote action), as JSON and as Markdown.
 */
import { parse as parseYaml } from 'yaml';
import { artifactDigest, type ArtifactDigest } from '../artifact.js';
import { parseNumber, readTextOrFile } from '../config/refit-config.js';
import { UserError } from '../errors.js';
import { formatScore } from '../report/format.js';
import { evaluateModels, type EvaluateOptions, type EvaluationResult } from './index.js';
import { renderEvaluationMarkdown } from './render.js';

export interface Figures {
  /** Cost of the training run in US dollars (the train / gpu-runner action's `cost-usd`). */
  costUsd?: number;
  /** Billed seconds of the training run (the train / gpu-runner action's `billed-seconds`). */
  billedSeconds?: number;
  /** Serving latency per model, in milliseconds. */
  latencyMs?: { champion: number; challenger: number };
}

/**
 * Latency of both models in milliseconds: `champion=12.1,challenger=9.8` (commas or newlines), or
 * a .json/.yml file holding `{champion: 12.1, challenger: 9.8}`.
 */
export async function parseLatency(value: string, where: string): Promise<{ champion: number; challenger: number }> {
  const { text, source } = await readTextOrFile(value, where);
  let pairs: Record<string, unknown>;
  if (source === where) {
    pairs = {};
    for (const part of text.split(/[,\n]/).map((p) => p.trim()).filter(Boolean)) {
      const eq = part.indexOf('=');
      if (eq < 0) throw new UserError(`${where}: expected champion=<ms>,challenger=<ms>, got ${JSON.stringify(part)}`);
      pairs[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
    }
  } else {
    let doc: unknown;
    try {
      doc = parseYaml(text);
    } catch (error) {
      throw new UserError(`${source}: not valid YAML/JSON (${(error as Error).message.split('\n')[0]}); expected {champion: <ms>, challenger: <ms>}`);
    }
    if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new UserError(`${source}: expected a mapping {champion: <ms>, challenger: <ms>}`);
    pairs = doc as Record<string, unknown>;
  }
  const unknown = Object.keys(pairs).filter((k) => k !== 'champion' && k !== 'challenger');
  if (unknown.length > 0) throw new UserError(`${source}: unknown key ${JSON.stringify(unknown[0])}; give champion and challenger latencies in milliseconds`);
  for (const side of ['champion', 'challenger'] as const) {
    if (pairs[side] === undefined) throw new UserError(`${source}: no ${side} latency; give both, e.g. champion=12.1,challenger=9.8 (milliseconds)`);
  }
  return {
    champion: parseNumber(pairs.champion, `${source}: champion latency (ms)`, { min: 0 }),
    challenger: parseNumber(pairs.challenger, `${source}: challenger latency (ms)`, { min: 0 }),
  };
}

function duration(seconds: number): string {
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h} h ${m} min` : m > 0 ? `${m} min ${s % 60} s` : `${s} s`;
}

/** The figures and the artifact as label/value lines for the Markdown report. */
export function figureLines(figures: Figures, artifact: ArtifactDigest | null): { label: string; value: string }[] {
  const lines: { label: string; value: string }[] = [];
  if (figures.costUsd !== undefined || figures.billedSeconds !== undefined) {
    const parts = [figures.costUsd !== undefined ? `$${figures.costUsd.toFixed(2)}` : null, figures.billedSeconds !== undefined ? `${duration(figures.billedSeconds)} billed` : null];
    lines.push({ label: 'Training run', value: parts.filter(Boolean).join(', ') });
  }
  if (figures.latencyMs) {
    const { champion, challenger } = figures.latencyMs;
    const change = champion > 0 ? ` (${challenger >= champion ? '+' : ''}${(((challenger - champion) / champion) * 100).toFixed(1)}%)` : '';
    lines.push({ label: 'Latency', value: `champion ${formatScore(champion)} ms, challenger ${formatScore(challenger)} ms${change}` });
  }
  if (artifact) lines.push({ label: 'Artifact', value: `${artifact.digest.slice(0, 'sha256:'.length + 12)} (${artifact.uri}, ${artifact.files} file${artifact.files === 1 ? '' : 's'}, ${artifact.size.toLocaleString('en-US')} bytes)` });
  return lines;
}

/**
 * The hidden line the promote action reads from the check run's output text:
 * `<!-- refit:artifact {"uri":"...","digest":"sha256:..."} -->`. `<` and `>` in the URI are
 * written as JSON escapes so the comment cannot be closed early.
 */
export function artifactLine(artifact: { uri: string; digest: string }): string {
  const json = JSON.stringify({ uri: artifact.uri, digest: artifact.digest }).replace(/</g, '\\u003c').replace(/>/g, '\\u003e');
  return `<!-- refit:artifact ${json} -->`;
}

export interface ReportOptions extends EvaluateOptions {
  model: string;
  /** Path or s3:// URI of the trained challenger, hashed for provenance. */
  artifact?: string;
  figures?: Figures;
  marker?: string;
  runUrl?: string;
}

export interface EvaluationReport {
  result: EvaluationResult;
  artifact: ArtifactDigest | null;
  /** The report JSON: { model, ...result, figures?, artifact? }. */
  json: Record<string, unknown>;
  markdown: string;
  /** The Markdown within `maxChars` (a comment, a check run summary): fewer slices, if need be. */
  markdownWithin(maxChars: number): string;
}

export async function evaluationReport(options: ReportOptions): Promise<EvaluationReport> {
  const { model, artifact: artifactUri, figures = {}, marker, runUrl, ...evaluate } = options;
  const [result, artifact] = await Promise.all([evaluateModels(evaluate), artifactUri !== undefined ? artifactDigest(artifactUri, 'artifact') : Promise.resolve(null)]);
  const hasFigures = Object.keys(figures).length > 0;
  const json: Record<string, unknown> = { model, ...result, ...(hasFigures ? { figures } : {}), ...(artifact ? { artifact } : {}) };
  const extras = figureLines(figures, artifact);
  const input = {
    model,
    result,
    champion: evaluate.champion,
    challenger: evaluate.challenger,
    ...(marker ? { marker } : {}),
    ...(runUrl ? { runUrl } : {}),
    ...(extras.length > 0 ? { extras } : {}),
  };
  return { result, artifact, json, markdown: renderEvaluationMarkdown(input), markdownWithin: (maxChars) => renderEvaluationMarkdown({ ...input, maxChars }) };
}
