/** Shell quoting for the scripts Refit runs on training machines (bash). */
import { randomBytes } from 'node:crypto';

/** Quote any text as one bash word. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * A quoted here-document writing `content` to `target` (a shell word, e.g. `"$dir/env"`; nothing in
 * the content is expanded). The delimiter is random and checked against the content, so no line of
 * the content can end the document early.
 */
export function heredoc(target: string, content: string): string {
  let marker: string;
  do marker = `REFIT_EOF_${randomBytes(8).toString('hex')}`;
  while (content.split('\n').some((line) => line === marker));
  const body = content.endsWith('\n') ? content : `${content}\n`;
  return `cat > ${target} <<'${marker}'\n${body}${marker}`;
}

/** Environment variable names a command may receive. */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `export NAME='value'` lines, for a file the command's wrapper sources. */
export function exportLines(env: Record<string, string>): string {
  return Object.entries(env)
    .map(([name, value]) => `export ${name}=${shellQuote(value)}\n`)
    .join('');
}
