/** Markdown for the registry's notes: the PR comment on promotion, the rollback issue, the job summary. */
import { code, escapeMarkdown, table } from '../report/markdown.js';
import type { RegistryDocument, RegistryVersion } from './document.js';

function link(text: string, url: string | null | undefined): string {
  return url && /^https?:\/\//.test(url) ? `[${escapeMarkdown(text)}](${url.replace(/[()\s]/g, encodeURIComponent)})` : escapeMarkdown(text);
}

/** One version's lineage as a two-column table. */
export function lineageTable(v: RegistryVersion): string {
  const rows: string[][] = [
    ['Artifact', `${code(v.artifact.uri)} ${code(v.artifact.digest)}`],
    ...(v.artifact.source ? [['Evaluated at', code(v.artifact.source)]] : []),
    ...(v.snapshot ? [['Training data', `${code(v.snapshot.path)} ${code(v.snapshot.digest)}`]] : []),
    ...(v.pullRequest !== null ? [['Pull request', `#${v.pullRequest}`]] : []),
    ...(v.commit ? [['Commit', code(v.commit)]] : []),
    ...(v.evaluation ? [['Evaluation', link(v.evaluation.name, v.evaluation.url)]] : []),
    ...(v.mergedBy ? [['Merged by', escapeMarkdown(v.mergedBy)]] : []),
    ...(v.trainedAt ? [['Trained', escapeMarkdown(v.trainedAt)]] : []),
    ['Registered', escapeMarkdown(v.createdAt)],
    ...(v.runUrl ? [['Workflow run', link('run', v.runUrl)]] : []),
  ];
  const metrics = Object.entries(v.metrics ?? {});
  if (metrics.length > 0) rows.push(['Metrics', metrics.map(([k, value]) => `${escapeMarkdown(k)} = ${value}`).join(', ')]);
  return table(['', `v${v.version}`], rows);
}

export function promotedMarkdown(options: { marker: string; model: string; version: RegistryVersion; previous: number | null; environment: string; deploymentId: number | null; release?: string }): string {
  const { version: v } = options;
  return [
    options.marker,
    `## 🚀 ${escapeMarkdown(options.model)} v${v.version} is the champion`,
    '',
    `${options.previous === null ? 'First version of the model.' : `It replaces v${options.previous}, which stays registered as \`previous\` (roll back with the rollback action or \`refit rollback --model ${options.model}\`).`} ` +
      `Deployment${options.deploymentId === null ? '' : ` ${options.deploymentId}`} to ${code(options.environment)} succeeded${options.release ? `; release ${code(options.release)}` : ''}.`,
    '',
    lineageTable(v),
    '',
  ].join('\n');
}

export function verifyFailedMarkdown(options: { marker: string; model: string; version: number; restored: number | null; environment: string; deploymentId: number; exitCode: number | null; tail: string }): string {
  const fence = '`'.repeat(Math.max(3, ...[...options.tail.matchAll(/`+/g)].map((m) => m[0].length + 1)));
  return [
    options.marker,
    `## ↩️ ${escapeMarkdown(options.model)} v${options.version} was rolled back: its verify command failed`,
    '',
    `The verify command exited with ${options.exitCode === null ? 'a signal' : `code ${options.exitCode}`} after v${options.version} became the champion, so ` +
      `${options.restored === null ? 'the model has no champion again' : `v${options.restored} is the champion again`}. Deployment ${options.deploymentId} to ${code(options.environment)} is marked failed. ` +
      `v${options.version} stays registered for investigation.`,
    '',
    '<details><summary>Last output of the verify command</summary>',
    '',
    fence,
    options.tail.replace(/\r/g, ''),
    fence,
    '',
    '</details>',
    '',
  ].join('\n');
}

export function rollbackMarkdown(options: { marker?: string; model: string; from: number | null; to: RegistryVersion; reason: string; actor: string | null; runUrl: string | null; environment: string; deploymentId: number | null }): string {
  return [
    ...(options.marker ? [options.marker] : []),
    `## ↩️ ${escapeMarkdown(options.model)} rolled back${options.from === null ? '' : ` from v${options.from}`} to v${options.to.version}`,
    '',
    `**Reason:** ${escapeMarkdown(options.reason)}`,
    '',
    `${options.actor ? `By ${escapeMarkdown(options.actor)}` : 'Rolled back'}${options.runUrl ? ` in ${link('this workflow run', options.runUrl)}` : ''}. ` +
      `${options.deploymentId === null ? 'No deployment was created (the version has no commit in this repository).' : `Deployment ${options.deploymentId} to ${code(options.environment)}.`}`,
    '',
    lineageTable(options.to),
    '',
  ].join('\n');
}

/** Every version with its aliases, newest first, and the alias history. */
export function registryMarkdown(doc: RegistryDocument): string {
  const aliasOf = (n: number) => [doc.aliases.champion === n ? 'champion' : '', doc.aliases.previous === n ? 'previous' : ''].filter(Boolean).join(', ');
  const versions = [...doc.versions].reverse().map((v) => [`v${v.version}`, escapeMarkdown(aliasOf(v.version)), code(v.artifact.digest.slice(0, 19)), v.pullRequest === null ? '' : `#${v.pullRequest}`, escapeMarkdown(v.createdAt)]);
  const history = [...doc.history].reverse().map((h) => [escapeMarkdown(h.at), h.alias, h.from === null ? '–' : `v${h.from}`, h.to === null ? '–' : `v${h.to}`, escapeMarkdown(h.reason), escapeMarkdown(h.actor ?? '')]);
  return [
    `## Registry of ${escapeMarkdown(doc.model)}`,
    '',
    doc.versions.length === 0 ? '_No versions yet._' : table(['Version', 'Alias', 'Digest', 'PR', 'Registered'], versions),
    '',
    ...(history.length > 0 ? ['<details><summary>Alias history</summary>', '', table(['At', 'Alias', 'From', 'To', 'Reason', 'By'], history), '', '</details>', ''] : []),
  ].join('\n');
}
