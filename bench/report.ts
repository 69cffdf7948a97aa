/** One bench figure per row, printed as a console table and as a Markdown table for RESULTS.md. */

export interface Row {
  metric: string;
  /** null when the phase failed or did not run. */
  value: number | null;
  unit: string;
  /** How the figure was made (counts, errors) or why it is missing. */
  note?: string;
  /** e.g. ">= 1024 MiB/s"; rows without a target are informative. */
  target?: string;
  pass?: boolean;
  /** Some requests behind this figure failed (the note says how many). */
  failed?: boolean;
}

/** Rounds a figure for display: whole numbers from 100 up, three significant digits below. */
export function formatValue(value: number | null): string {
  if (value === null) return '—';
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString('en-US');
  return value.toPrecision(3);
}

function verdict(row: Row): string {
  if (!row.target) return '';
  return `${row.pass ? 'PASS' : 'FAIL'} (${row.target})`;
}

/** A fixed-width table for the terminal. */
export function formatConsoleTable(rows: Row[]): string {
  const cells = rows.map((r) => [r.metric, formatValue(r.value), r.unit, verdict(r), (r.note ?? '').replace(/\s*\n\s*/g, ' ⏎ ')]);
  const header = ['metric', 'value', 'unit', 'target', 'note'];
  const widths = header.map((h, c) => Math.max(h.length, ...cells.map((row) => row[c]!.length)));
  const line = (row: string[]) =>
    row.map((cell, c) => (c === 1 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

/** A Markdown table; pipes in notes are escaped so error messages cannot break it. */
export function formatMarkdownTable(rows: Row[]): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const out = ['| metric | value | unit | target | note |', '|---|---:|---|---|---|'];
  for (const r of rows) {
    out.push(`| ${esc(r.metric)} | ${formatValue(r.value)} | ${r.unit} | ${esc(verdict(r))} | ${esc(r.note ?? '')} |`);
  }
  return out.join('\n');
}
