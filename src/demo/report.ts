/** The demo's HTML report: every stage, its figures and charts, and the Markdown GitHub would show. */
import { thresholdRatio } from '../drift/render.js';
import { formatScore } from '../report/format.js';
import { badge, barChart, code, escapeHtml, Html, htmlDocument, intervalChart, paragraph, pre, table, type Section } from '../report/html.js';
import type { DemoResult } from './index.js';

const num = (v: number | null | undefined, digits = 4): string => (v === null || v === undefined || Number.isNaN(v) ? '–' : v.toFixed(digits));

function details(summary: string, body: Html): Html {
  return new Html(`<details><summary>${escapeHtml(summary)}</summary>${body.value}</details>`);
}

export function renderDemoHtml(result: DemoResult, markdown: { driftMarkdown: string; prBody: string; comment: string }): string {
  const { check, evaluation, registry, manifest } = result;
  const sections: Section[] = [];
  const total = result.stages.reduce((s, st) => s + st.seconds, 0);

  sections.push({
    id: 'loop',
    title: 'The loop',
    note: `${total.toFixed(1)} s in all`,
    body: [
      table(['Stage', 'What happened', '>Seconds'], result.stages.map((s) => [s.title, s.summary, s.seconds.toFixed(2)])),
      paragraph(new Html(`Everything ran locally: a git repository in ${code(result.files.repository).value}, the registry in ${code(result.files.registry).value}. The Markdown a workflow would post to GitHub is at the end.`)),
    ],
  });

  const drift = check.drift;
  const driftBody: Html[] = [
    paragraph(new Html(`${check.decision.retrain ? badge('retrain', 'bad').value : badge('no retraining', 'good').value} ${escapeHtml(check.decision.reasons.map((r) => `${r.trigger}: ${r.detail}`).join('; '))}`)),
    table(['Trigger', 'Fired', 'Detail'], check.decision.triggers.filter((t) => t.configured).map((t) => [t.trigger, t.fired ? badge('fired', 'bad') : badge('quiet', 'good'), t.detail])),
  ];
  if (drift) {
    const rated = drift.columns.map((c) => ({ c, ratio: thresholdRatio(c) })).filter((x): x is { c: typeof x.c; ratio: number } => x.ratio !== null);
    driftBody.push(barChart('Drift score / threshold per column (1 = threshold)', rated.map(({ c, ratio }) => ({ label: c.name, value: ratio, marker: 1, tone: c.drifted ? 'bad' : 'good' }))));
    driftBody.push(
      table(
        ['Column', 'Kind', 'Method', '>Score', '>Threshold', 'Result'],
        drift.columns.map((c) => [c.name, c.kind, c.method, c.score === null ? null : formatScore(c.score), c.threshold, c.skipped ? `skipped: ${c.skipped}` : c.drifted ? badge('drift', 'bad') : badge('ok', 'good')]),
      ),
    );
  }
  sections.push({ id: 'drift', title: '1. Drift check', note: seconds(result, 'drift'), body: driftBody });

  sections.push({
    id: 'retrain',
    title: '2. Retraining pull request',
    note: seconds(result, 'retrain'),
    body: [
      paragraph(new Html(`Branch ${code('refit/taxi-tip').value}, snapshot digest ${code(manifest.digest).value}.`)),
      table(
        ['Source', '>Rows', 'Files', 'Schema hash'],
        manifest.sources.map((s) => [s.source, s.rows.toLocaleString('en-US'), s.files.map((f) => f.uri).join(', '), code(s.schemaHash.slice(0, 16) + '…')]),
      ),
      details('Pull request body (Markdown)', pre(markdown.prBody)),
    ],
  });

  sections.push({
    id: 'train',
    title: '3. Training',
    note: seconds(result, 'train'),
    body: [
      paragraph(`Exit code ${result.training.exitCode}; artifacts brought back: ${result.training.artifacts.join(', ')}.`),
    ],
  });

  const intervals = evaluation.metrics
    .filter((m) => m.delta !== null && m.ci !== null)
    .map((m) => {
      const better = m.greaterIsBetter ? m.ci![0] > 0 : m.ci![1] < 0;
      const worse = m.greaterIsBetter ? m.ci![1] < 0 : m.ci![0] > 0;
      return { label: m.name, estimate: m.delta!, low: m.ci![0], high: m.ci![1], tone: better ? ('good' as const) : worse ? ('bad' as const) : ('neutral' as const) };
    });
  sections.push({
    id: 'evaluate',
    title: '4. Evaluation',
    note: seconds(result, 'evaluate'),
    body: [
      paragraph(new Html(`${evaluation.passed ? badge('gates passed', 'good').value : badge('gates failed', 'bad').value} ${evaluation.rows ?? 0} holdout rows; paired bootstrap, ${evaluation.bootstrap?.resamples ?? 0} resamples, seed ${evaluation.bootstrap?.seed ?? '–'}.`)),
      table(
        ['Metric', '>Champion', '>Challenger', '>Delta', '>95% CI', 'Gate'],
        evaluation.metrics.map((m) => [
          m.name,
          num(m.champion),
          num(m.challenger),
          num(m.delta),
          m.ci ? `[${num(m.ci[0])}, ${num(m.ci[1])}]` : null,
          m.gate ? (m.gate.passed ? badge('pass', 'good') : badge('fail', 'bad')) : null,
        ]),
      ),
      ...(intervals.length > 0 ? [intervalChart('Challenger − champion, with 95% intervals', intervals)] : []),
      ...(evaluation.worstSlice ? [paragraph(`Worst slice: ${evaluation.worstSlice.column} = ${evaluation.worstSlice.value}, ${evaluation.worstSlice.metric} ${num(evaluation.worstSlice.delta)}.`)] : []),
      details('Pull request comment (Markdown)', pre(markdown.comment)),
    ],
  });

  sections.push({
    id: 'registry',
    title: '5–6. Promotion, canary and rollback',
    note: `${seconds(result, 'promote')} + ${seconds(result, 'rollback')}`,
    body: [
      paragraph(
        new Html(
          `${result.verify.ok ? badge('canary passed', 'good').value : badge('canary failed', 'bad').value} Champion now v${registry.aliases.champion ?? '–'}, previous v${registry.aliases.previous ?? '–'}. ` +
            'The live trips are simulated: the holdout days with fares in cents, as an upstream unit change would send them.',
        ),
      ),
      table(
        ['Version', 'Artifact digest', 'Snapshot', 'Commit', 'Trained'],
        registry.versions.map((v) => [`v${v.version}`, code(v.artifact.digest.slice(0, 23) + '…'), v.snapshot ? code(v.snapshot.digest.slice(0, 12) + '…') : null, v.commit ? code(v.commit.slice(0, 7)) : null, v.trainedAt]),
      ),
      table(['When', 'Alias', 'From', 'To', 'Reason'], registry.history.map((h) => [h.at, h.alias, h.from === null ? null : `v${h.from}`, h.to === null ? null : `v${h.to}`, h.reason])),
      details('Canary output', pre(result.verify.tail)),
      details('git log --graph --all', pre(result.gitLog.join('\n'))),
    ],
  });

  return htmlDocument({ title: 'Refit demo: taxi-tip', subtitle: 'drift → retraining PR → training → evaluation → promotion → rollback, on real taxi trips', sections });
}

function seconds(result: DemoResult, id: string): string {
  const s = result.stages.find((st) => st.id === id);
  return s ? `${s.seconds.toFixed(2)} s` : '';
}
