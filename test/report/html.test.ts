import { describe, expect, it } from 'vitest';
import { barChart, escapeHtml, htmlDocument, intervalChart, table } from '../../src/report/html.js';

const hostile = '<script>alert("x")</script>&';

describe('HTML report', () => {
  it('escapes user text everywhere: tables, chart labels, titles', () => {
    const doc = htmlDocument({
      title: hostile,
      sections: [{ id: 'a', title: hostile, body: [table(['column', '>score'], [[hostile, 0.5]]), barChart(hostile, [{ label: hostile, value: 1 }]), intervalChart('ci', [{ label: hostile, estimate: 0, low: -1, high: 1 }])] }],
    });
    expect(doc).not.toContain('<script>');
    expect(doc).toContain(escapeHtml(hostile));
    expect(escapeHtml(`a"b'c`)).toBe('a&quot;b&#39;c');
  });

  it('scales bars to the largest value or marker', () => {
    const svg = barChart('drift', [{ label: 'a', value: 0.2, marker: 0.1 }, { label: 'b', value: 0.05 }], { width: 640 }).value;
    const widths = [...svg.matchAll(/<rect [^>]*width="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(widths).toHaveLength(2);
    expect(widths[0]! / widths[1]!).toBeCloseTo(4, 1);
    const marker = /<line x1="([\d.]+)"/.exec(svg);
    expect(Number(marker![1]) - 170).toBeCloseTo(widths[0]! / 2, 0);
  });

  it('has no script, no external reference, and a CSP that forbids both', () => {
    const doc = htmlDocument({ title: 't', sections: [{ id: 's', title: 's', body: [barChart('x', [{ label: 'a', value: 1 }])] }] });
    expect(doc).not.toMatch(/<script|src=|href="http/);
    expect(doc).toContain("default-src 'none'");
  });
});
