/** `refit registry list|show`, `refit promote` and `refit rollback` on a registry without GitHub (the file in the working tree by default). */
import { artifactDigest } from '../artifact.js';
import { UserError } from '../errors.js';
import { parseModelName } from '../model-name.js';
import { addChampion, closeRegistryStore, openRegistryStore, resolveVersion, type RegistryDocument, type RegistryStore, type RegistryVersion } from '../registry/index.js';
import { readMetricsFile } from '../registry/metrics.js';
import { lineageTable, registryMarkdown } from '../registry/render.js';
import { rollback } from '../registry/rollback.js';
import { parseFlags } from './drift.js';

const COMMON = `  --model <name>        the model (required)
  --registry <where>    git (default: .refit/<model>/registry.json under --root) or s3://bucket/prefix
  --root <dir>          the repository's working tree (default: .)`;

export const REGISTRY_USAGE = `Usage: refit registry list --model <name> [--format text|json]
       refit registry show --model <name> [--version <v>] [--format text|json]

List a model's versions with their aliases and alias history, or show one version's
lineage (artifact digest, training data, pull request, commit, metrics). <v> is a
number (3 or v3), champion (default) or previous.

Options:
${COMMON}
  --format <f>          text (default), markdown or json`;

export const PROMOTE_USAGE = `Usage: refit promote --model <name> --artifact <path|s3://...> [options]

Register a trained model as the next version and make it the champion; the champion it
replaces becomes previous. Registering the same artifact for the same commit again adds
nothing. (In CI the promote action does this on merge, after checking provenance.)

Options:
${COMMON}
  --artifact <uri>      the trained model: a file, a directory or an s3:// URI (required)
  --metrics <file>      JSON object of metric name -> number to record
  --trained-at <time>   when it was trained (ISO 8601; default: now)
  --commit <sha>        the code commit (default: GITHUB_SHA, if set)
  --reason <text>       recorded in the alias history (default: "promoted with refit promote")`;

export const ROLLBACK_USAGE = `Usage: refit rollback --model <name> --reason <text> [--to-version <v>]

Make an earlier version the champion again (default: previous) and record why. A version
that does not exist changes nothing; the error lists the registered versions.

Options:
${COMMON}
  --to-version <v>      previous (default) or a number (3 or v3)
  --reason <text>       why (required; recorded in the alias history)`;

const COMMON_FLAGS = { model: { type: 'string' }, registry: { type: 'string', default: 'git' }, root: { type: 'string', default: '.' }, help: { type: 'boolean', short: 'h' } } as const;

function openStore(values: Record<string, unknown>): RegistryStore {
  if (typeof values.model !== 'string') throw new UserError('--model is required; see --help');
  const model = parseModelName(values.model, '--model');
  return openRegistryStore(values.registry as string, model, { what: '--registry', root: values.root as string });
}

async function withStore<T>(values: Record<string, unknown>, f: (store: RegistryStore) => Promise<T>): Promise<T> {
  const store = openStore(values);
  try {
    return await f(store);
  } finally {
    await closeRegistryStore(store);
  }
}

function actor(): string | null {
  return process.env.GITHUB_ACTOR || process.env.USER || null;
}

function textList(doc: RegistryDocument): string {
  const lines = [`${doc.model}: champion ${doc.aliases.champion === null ? '-' : `v${doc.aliases.champion}`}, previous ${doc.aliases.previous === null ? '-' : `v${doc.aliases.previous}`}`];
  for (const v of [...doc.versions].reverse()) {
    const aliases = [doc.aliases.champion === v.version ? 'champion' : '', doc.aliases.previous === v.version ? 'previous' : ''].filter(Boolean).join(',');
    lines.push(`  v${v.version}${aliases ? ` [${aliases}]` : ''}  ${v.artifact.digest}  ${v.artifact.uri}  ${v.pullRequest === null ? '' : `#${v.pullRequest}  `}${v.createdAt}`);
  }
  if (doc.history.length > 0) lines.push('history:');
  for (const h of doc.history) lines.push(`  ${h.at}  ${h.alias}: ${h.from === null ? '-' : `v${h.from}`} -> ${h.to === null ? '-' : `v${h.to}`}  ${h.reason}${h.actor ? ` (${h.actor})` : ''}`);
  return lines.join('\n') + '\n';
}

function textVersion(doc: RegistryDocument, v: RegistryVersion): string {
  const aliases = (['champion', 'previous'] as const).filter((a) => doc.aliases[a] === v.version);
  const rows: [string, string | null | undefined][] = [
    ['version', `v${v.version}${aliases.length > 0 ? ` [${aliases.join(', ')}]` : ''}`],
    ['artifact', `${v.artifact.uri} (${v.artifact.digest}${v.artifact.size === undefined ? '' : `, ${v.artifact.size} bytes`})`],
    ['snapshot', v.snapshot ? `${v.snapshot.path} (${v.snapshot.digest})` : null],
    ['metrics', v.metrics ? Object.entries(v.metrics).map(([k, x]) => `${k}=${x}`).join(', ') : null],
    ['commit', v.commit],
    ['pull request', v.pullRequest === null ? null : `#${v.pullRequest} (head ${v.headSha})`],
    ['evaluation', v.evaluation ? `${v.evaluation.name} (check run ${v.evaluation.checkRunId})` : null],
    ['merged by', v.mergedBy],
    ['trained at', v.trainedAt],
    ['registered', v.createdAt],
    ['run', v.runUrl],
    ['deployment', v.deployment ? `${v.deployment.id} (${v.deployment.environment})` : null],
  ];
  return rows.filter(([, value]) => value).map(([k, value]) => `${k.padEnd(13)} ${value}`).join('\n') + '\n';
}

export async function registryCommand(argv: string[], io: { stdout: (s: string) => void }): Promise<number> {
  const [sub, ...rest] = argv;
  const values = parseFlags(rest, { ...COMMON_FLAGS, format: { type: 'string', default: 'text' }, version: { type: 'string', default: 'champion' } });
  if (values.help || sub === undefined || sub === 'help' || sub === '--help' || sub === '-h') {
    io.stdout(REGISTRY_USAGE + '\n');
    return 0;
  }
  if (sub !== 'list' && sub !== 'show') throw new UserError(`unknown subcommand "${sub}"; use refit registry list or refit registry show`);
  const format = values.format as string;
  if (!['text', 'markdown', 'json'].includes(format)) throw new UserError(`--format: expected text, markdown or json, got "${format}"`);
  return withStore(values, async (store) => {
    const doc = await store.read();
    if (!doc) throw new UserError(`${store.location}: no registry yet; register a version with refit promote --model ${store.model} --artifact <path>`);
    if (sub === 'list') {
      io.stdout(format === 'json' ? JSON.stringify(doc, null, 2) + '\n' : format === 'markdown' ? registryMarkdown(doc) : textList(doc));
      return 0;
    }
    const version = resolveVersion(doc, values.version as string, '--version');
    io.stdout(format === 'json' ? JSON.stringify(version, null, 2) + '\n' : format === 'markdown' ? lineageTable(version) + '\n' : textVersion(doc, version));
    return 0;
  });
}

export async function promoteCommand(argv: string[], io: { stdout: (s: string) => void }, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const values = parseFlags(argv, { ...COMMON_FLAGS, artifact: { type: 'string' }, metrics: { type: 'string' }, 'trained-at': { type: 'string' }, commit: { type: 'string' }, reason: { type: 'string' } });
  if (values.help) {
    io.stdout(PROMOTE_USAGE + '\n');
    return 0;
  }
  if (typeof values.artifact !== 'string') throw new UserError('--artifact is required: the trained model file, directory or s3:// URI; see refit promote --help');
  const trainedAt = values['trained-at'] as string | undefined;
  if (trainedAt !== undefined && Number.isNaN(Date.parse(trainedAt))) throw new UserError(`--trained-at: ${JSON.stringify(trainedAt)} is not an ISO 8601 time (e.g. 2024-05-01T12:00:00Z)`);
  const store = openStore(values);
  try {
    const evaluated = await artifactDigest(values.artifact, '--artifact');
    // An s3 registry keeps its own content-addressed copy, as the promote action does.
    const artifact = store.keepArtifact ? { ...(await store.keepArtifact(evaluated.uri, evaluated.digest, (m) => io.stdout(`${m}\n`))), source: evaluated.uri } : evaluated;
    const metrics = typeof values.metrics === 'string' ? await readMetricsFile(values.metrics, '--metrics') : undefined;
    const now = new Date().toISOString();
    const commit = (values.commit as string | undefined) ?? env.GITHUB_SHA ?? null;
    let outcome = { version: 0, added: false, previous: null as number | null };
    await store.update((doc) => {
      const result = addChampion(
        doc,
        {
          artifact: { uri: artifact.uri, digest: artifact.digest, size: artifact.size, ...('source' in artifact ? { source: artifact.source } : {}) },
          ...(metrics ? { metrics } : {}),
          commit,
          pullRequest: null,
          headSha: null,
          runUrl: null,
          mergedBy: actor(),
          createdAt: now,
          trainedAt: trainedAt ? new Date(trainedAt).toISOString() : now,
        },
        { at: now, reason: (values.reason as string | undefined) || 'promoted with refit promote', actor: actor() },
      );
      outcome = { version: result.version.version, added: result.added, previous: result.previous };
      return result.doc;
    }, `refit: promote ${store.model}`);
    io.stdout(
      outcome.added
        ? `${store.model} v${outcome.version} is the champion${outcome.previous === null ? '' : ` (previous: v${outcome.previous})`}; ${artifact.digest} recorded in ${store.location}\n`
        : `${store.model}: this artifact is already registered for this commit as v${outcome.version}; nothing changed\n`,
    );
    return 0;
  } finally {
    await closeRegistryStore(store);
  }
}

export async function rollbackCommand(argv: string[], io: { stdout: (s: string) => void }): Promise<number> {
  const values = parseFlags(argv, { ...COMMON_FLAGS, 'to-version': { type: 'string', default: 'previous' }, reason: { type: 'string' } });
  if (values.help) {
    io.stdout(ROLLBACK_USAGE + '\n');
    return 0;
  }
  if (typeof values.reason !== 'string' || values.reason.trim() === '') throw new UserError('--reason is required: say why (it is recorded in the alias history)');
  return withStore(values, async (store) => {
    const result = await rollback({ model: store.model, store, to: values['to-version'] as string, reason: values.reason as string, actor: actor(), log: (m) => io.stdout(m + '\n') });
    if (result.operation === 'rolled-back') io.stdout(`${store.model}: champion v${result.version} (previous: v${result.previousVersion})\n`);
    return 0;
  });
}


