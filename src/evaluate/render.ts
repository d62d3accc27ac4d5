/**
 * The evaluation as Markdown: the verdict first, then one table (metric | champion | challenger |
 * delta | 95% CI | gate), the slices with the worst regression called out, a Mermaid chart of the
 * deltas, the prediction drift check, and links. Metric names, slice values and gate messages may
 * come from user files and are escaped.
 */
import { renderMarkdown as renderDrift } from '../drift/render.js';
import { formatScore } from '../report/format.js';
import { escapeMarkdown, table } from '../report/markdown.js';
import { barChart } from '../report/mermaid.js';
import type { EvaluationResult, MetricResult, SliceResult } from './index.js';

function signed(value: number | null): string {
  if (value === null) return 'n/a';
  const text = formatScore(value);
  return value > 0 ? `+${text}` : text;
}

function interval(ci: [number, number] | null): string {
  return ci ? `[${signed(ci[0])}, ${signed(ci[1])}]` : '–';
}

/** Whether the change is better, worse, or not clearly either (its interval spans 0). */
function direction(m: MetricResult): string {
  if (m.delta === null || m.delta === 0) return '';
  const better = m.greaterIsBetter ? m.delta > 0 : m.delta < 0;
  if (m.ci && m.ci[0] <= 0 && m.ci[1] >= 0) return ' (within noise)';
  return better ? ' ▲' : ' ▼';
}

function gateCell(m: MetricResult): string {
  if (!m.gate) return '–';
  return m.gate.passed ? '✅ pass' : `❌ ${escapeMarkdown(m.gate.messages.join('; '))}`;
}

/** The verdict line; `escape` is identity for plain text (a check run's title). */
export function verdict(result: EvaluationResult, escape: (text: string) => string = escapeMarkdown): string {
  const gated = result.metrics.filter((m) => m.gate);
  const failed = gated.filter((m) => m.gate && !m.gate.passed);
  if (gated.length === 0) return result.passed ? '🟢 Evaluated (no gates configured)' : '🔴 Evaluation failed';
  if (failed.length === 0) return `✅ The challenger passes all ${gated.length} gate${gated.length === 1 ? '' : 's'}`;
  return `❌ The challenger fails ${failed.length} of ${gated.length} gates: ${failed.map((m) => escape(m.name)).join(', ')}`;
}

export interface EvaluationReportInput {
  model: string;
  result: EvaluationResult;
  marker?: string;
  runUrl?: string;
  champion: string;
  challenger: string;
  /** Extra figures shown beside the metrics (training cost, duration...). */
  extras?: { label: string; value: string }[];
  /**
   * At most this many characters (code points), as a pull request comment (65,536) or a check run
   * summary (65,535) takes: the slice table then keeps the slices that got worse the most and says
   * how many it left out. Unlimited by default.
   */
  maxChars?: number;
}

const length = (text: string): number => {
  let n = 0;
  for (const _ of text) n++;
  return n;
};

/** The Markdown within input.maxChars: the fewest slices left out, cut as a last resort. */
export function renderEvaluationMarkdown(input: EvaluationReportInput): string {
  const full = renderWithSlices(input, null);
  const max = input.maxChars;
  if (max === undefined || length(full) <= max) return full;
  // Slices by how much they got worse (relative), the worst first; those with no regression last.
  const ranked = [...input.result.slices].sort((x, y) => (y.worstRegression?.relative ?? -1) - (x.worstRegression?.relative ?? -1));
  let lo = 0;
  let hi = ranked.length - 1;
  let best: string | null = null;
  while (lo <= hi) {
    const k = (lo + hi) >>> 1;
    const text = renderWithSlices(input, ranked.slice(0, k));
    if (length(text) <= max) {
      best = text;
      lo = k + 1;
    } else hi = k - 1;
  }
  if (best !== null) return best;
  const note = '\n\n_Cut to fit; the full report is in the job summary of the workflow run._\n';
  return [...full].slice(0, max - length(note)).join('') + note;
}

/** The report; `shown`: the slices of the slice table when some are left out (null: all). */
function renderWithSlices(input: EvaluationReportInput, shown: SliceResult[] | null): string {
  const { result } = input;
  const lines: string[] = [];
  if (input.marker) lines.push(input.marker);
  lines.push(`## ${verdict(result)}`, '');
  const source = result.mode === 'predictions' ? `${result.rows?.toLocaleString('en-US') ?? '?'} aligned holdout rows, ${result.task} task` : 'metrics files';
  lines.push(`Model ${escapeMarkdown(input.model)}: champion vs challenger on ${source}.` + (result.bootstrap ? ` 95% intervals from a paired bootstrap (${result.bootstrap.resamples} resamples, seed ${result.bootstrap.seed}).` : ''), '');
  lines.push(
    table(
      ['Metric', 'Champion', 'Challenger', 'Delta', '95% CI', 'Gate'],
      result.metrics.map((m) => [escapeMarkdown(m.name), formatScore(m.champion), formatScore(m.challenger), signed(m.delta) + direction(m), interval(m.ci), gateCell(m)]),
      ['left', 'right', 'right', 'right', 'right', 'left'],
    ),
    '',
  );
  if (input.extras && input.extras.length > 0) {
    lines.push(...input.extras.map((e) => `- ${escapeMarkdown(e.label)}: ${escapeMarkdown(e.value)}`), '');
  }
  const charted = result.metrics.filter((m) => m.delta !== null && m.champion !== null && m.champion !== 0);
  if (charted.length > 0) {
    lines.push(
      barChart({
        title: 'Challenger relative to champion (1 = same)',
        labels: charted.map((m) => m.name),
        values: charted.map((m) => m.challenger! / m.champion!),
        yLabel: 'challenger / champion',
        line: 1,
      }),
      '',
    );
  }
  if (result.worstSlice) {
    const w = result.worstSlice;
    lines.push(`**Worst slice:** ${escapeMarkdown(w.column)} = ${escapeMarkdown(w.value)}, ${escapeMarkdown(w.metric)} ${signed(w.delta)}.`, '');
  }
  if (result.slices.length > 0) {
    lines.push('<details><summary>Slices</summary>', '');
    lines.push(
      table(
        ['Slice', 'Rows', 'Worst change'],
        (shown ?? result.slices).map((s) => [
          `${escapeMarkdown(s.column)} = ${escapeMarkdown(s.value)}`,
          s.rows.toLocaleString('en-US'),
          s.worstRegression ? `${escapeMarkdown(s.worstRegression.metric)} ${signed(s.worstRegression.delta)}` : 'none worse',
        ]),
      ),
      '',
      ...(shown ? [`Showing the ${shown.length.toLocaleString('en-US')} of ${result.slices.length.toLocaleString('en-US')} slices that got worse the most, to fit; the report JSON (report-json output) has every slice.`, ''] : []),
      '</details>',
      '',
    );
  }
  if (result.predictionDrift) {
    lines.push('<details><summary>Prediction drift between the two models</summary>', '', renderDrift(result.predictionDrift).replace(/^### /, '#### '), '</details>', '');
  }
  if (result.warnings.length > 0) lines.push('**Warnings**', '', ...result.warnings.map((w) => `- ${escapeMarkdown(w)}`), '');
  if (input.runUrl) lines.push(`[Workflow run](${encodeURI(input.runUrl)})`, '');
  return lines.join('\n');
}
