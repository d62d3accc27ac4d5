/**
 * Self-contained HTML reports: one file, inline CSS and SVG charts, no script and no network, so it
 * opens the same from a laptop, a CI artifact or an air-gapped machine. Every piece of text passes
 * through `escapeHtml` (column names and metric keys come from user data).
 */

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** A fragment of HTML that is already safe (built by these helpers). */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export type Cell = string | number | Html | null;

function cell(value: Cell): string {
  if (value === null) return '<span class="muted">–</span>';
  if (value instanceof Html) return value.value;
  return escapeHtml(String(value));
}

/** A table; columns whose header starts with `>` are right-aligned (the `>` is dropped). */
export function table(headers: string[], rows: Cell[][]): Html {
  const align = headers.map((h) => (h.startsWith('>') ? ' class="num"' : ''));
  const head = headers.map((h, i) => `<th${align[i]}>${escapeHtml(h.replace(/^>/, ''))}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c, i) => `<td${align[i] ?? ''}>${cell(c)}</td>`).join('')}</tr>`).join('\n');
  return new Html(`<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`);
}

export function badge(text: string, tone: 'good' | 'bad' | 'neutral'): Html {
  return new Html(`<span class="badge ${tone}">${escapeHtml(text)}</span>`);
}

export function code(text: string): Html {
  return new Html(`<code>${escapeHtml(text)}</code>`);
}

export function pre(text: string): Html {
  return new Html(`<pre>${escapeHtml(text)}</pre>`);
}

export function paragraph(text: string | Html): Html {
  return new Html(`<p>${cell(text)}</p>`);
}

export interface Bar {
  label: string;
  value: number;
  /** Drawn as a tick on the bar's row. */
  marker?: number;
  tone?: 'good' | 'bad' | 'neutral';
}

const fmt = (n: number): string => (Math.abs(n) >= 100 || n === 0 ? n.toFixed(0) : Math.abs(n) >= 1 ? n.toFixed(2) : n.toPrecision(3));

/** Horizontal bars, one row per item, with an optional marker (e.g. the threshold). */
export function barChart(title: string, bars: Bar[], options: { width?: number; unit?: string } = {}): Html {
  const width = options.width ?? 640;
  const labelWidth = 170;
  const valueWidth = 70;
  const plot = width - labelWidth - valueWidth;
  const row = 22;
  const height = bars.length * row + 34;
  const max = Math.max(1e-12, ...bars.map((b) => Math.max(b.value, b.marker ?? 0)));
  const parts: string[] = [];
  bars.forEach((b, i) => {
    const y = 26 + i * row;
    const w = Math.max(1, (b.value / max) * plot);
    parts.push(`<text x="${labelWidth - 8}" y="${y + 14}" text-anchor="end">${escapeHtml(truncate(b.label, 24))}</text>`);
    parts.push(`<rect x="${labelWidth}" y="${y + 3}" width="${w.toFixed(1)}" height="${row - 8}" class="bar ${b.tone ?? 'neutral'}"><title>${escapeHtml(`${b.label}: ${b.value}`)}</title></rect>`);
    if (b.marker !== undefined) {
      const x = labelWidth + (b.marker / max) * plot;
      parts.push(`<line x1="${x.toFixed(1)}" x2="${x.toFixed(1)}" y1="${y}" y2="${y + row}" class="marker"/>`);
    }
    parts.push(`<text x="${width - valueWidth + 6}" y="${y + 14}">${escapeHtml(fmt(b.value) + (options.unit ?? ''))}</text>`);
  });
  return figure(title, width, height, parts.join(''));
}

export interface Interval {
  label: string;
  estimate: number;
  low: number;
  high: number;
  tone?: 'good' | 'bad' | 'neutral';
}

/** Point estimates with interval whiskers around a zero line (e.g. challenger − champion with 95% CIs). */
export function intervalChart(title: string, items: Interval[], options: { width?: number } = {}): Html {
  const width = options.width ?? 640;
  const labelWidth = 170;
  const plot = width - labelWidth - 30;
  const row = 24;
  const height = items.length * row + 44;
  const extent = Math.max(1e-12, ...items.flatMap((d) => [Math.abs(d.low), Math.abs(d.high), Math.abs(d.estimate)]));
  const x = (v: number) => labelWidth + plot / 2 + (v / extent) * (plot / 2);
  const parts = [`<line x1="${x(0)}" x2="${x(0)}" y1="22" y2="${height - 14}" class="axis"/>`];
  parts.push(`<text x="${x(0)}" y="${height - 2}" text-anchor="middle" class="muted">0</text>`);
  parts.push(`<text x="${x(-extent)}" y="${height - 2}" class="muted">${escapeHtml(fmt(-extent))}</text>`);
  parts.push(`<text x="${x(extent)}" y="${height - 2}" text-anchor="end" class="muted">${escapeHtml(fmt(extent))}</text>`);
  items.forEach((d, i) => {
    const y = 30 + i * row;
    parts.push(`<text x="${labelWidth - 8}" y="${y + 5}" text-anchor="end">${escapeHtml(truncate(d.label, 24))}</text>`);
    parts.push(`<line x1="${x(d.low).toFixed(1)}" x2="${x(d.high).toFixed(1)}" y1="${y}" y2="${y}" class="whisker ${d.tone ?? 'neutral'}"/>`);
    parts.push(`<circle cx="${x(d.estimate).toFixed(1)}" cy="${y}" r="4" class="dot ${d.tone ?? 'neutral'}"><title>${escapeHtml(`${d.label}: ${d.estimate} [${d.low}, ${d.high}]`)}</title></circle>`);
  });
  return figure(title, width, height, parts.join(''));
}

function figure(title: string, width: number, height: number, body: string): Html {
  return new Html(
    `<figure><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(title)}">` +
      `<text x="0" y="14" class="title">${escapeHtml(title)}</text>${body}</svg></figure>`,
  );
}

function truncate(text: string, max: number): string {
  return text.length > max ? text.slice(0, max - 1) + '…' : text;
}

export interface Section {
  id: string;
  title: string;
  /** e.g. the stage's time. */
  note?: string;
  body: Html[];
}

const STYLE = `
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1f2328;background:#f6f8fa}
main{max-width:960px;margin:0 auto;padding:24px}
header{margin-bottom:16px}h1{font-size:26px;margin:0 0 4px}h2{font-size:19px;margin:0 0 8px}
section{background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:16px 20px;margin:14px 0}
table{border-collapse:collapse;margin:8px 0;font-size:14px}th,td{border-bottom:1px solid #d8dee4;padding:4px 10px;text-align:left}
th{background:#f6f8fa}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:13px}pre{background:#f6f8fa;padding:10px;overflow:auto;max-height:360px;border-radius:6px}
.muted{color:#656d76}.note{color:#656d76;font-size:13px;float:right}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:13px;font-weight:600}
.badge.good{background:#dafbe1;color:#1a7f37}.badge.bad{background:#ffebe9;color:#cf222e}.badge.neutral{background:#eaeef2;color:#424a53}
svg text{font-size:12px;fill:#1f2328}svg .title{font-weight:600;font-size:13px}svg .muted{fill:#656d76}
.bar.neutral{fill:#8c959f}.bar.good{fill:#2da44e}.bar.bad{fill:#cf222e}.marker{stroke:#1f2328;stroke-width:2}
.axis{stroke:#8c959f;stroke-dasharray:3 3}.whisker{stroke-width:3}.whisker.good,.dot.good{stroke:#2da44e;fill:#2da44e}
.whisker.bad,.dot.bad{stroke:#cf222e;fill:#cf222e}.whisker.neutral,.dot.neutral{stroke:#57606a;fill:#57606a}
nav a{margin-right:12px}
`;

/** The whole document. */
export function htmlDocument(options: { title: string; subtitle?: string; sections: Section[] }): string {
  const nav = options.sections.map((s) => `<a href="#${escapeHtml(s.id)}">${escapeHtml(s.title)}</a>`).join('');
  const sections = options.sections
    .map(
      (s) =>
        `<section id="${escapeHtml(s.id)}">${s.note ? `<span class="note">${escapeHtml(s.note)}</span>` : ''}<h2>${escapeHtml(s.title)}</h2>\n${s.body.map((b) => b.value).join('\n')}\n</section>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(options.title)}</title><style>${STYLE}</style></head>
<body><main><header><h1>${escapeHtml(options.title)}</h1>${options.subtitle ? `<div class="muted">${escapeHtml(options.subtitle)}</div>` : ''}<nav>${nav}</nav></header>
${sections}
</main></body></html>
`;
}
