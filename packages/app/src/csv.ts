/**
 * CSV as RFC 4180 writes it (CRLF line ends, a field with a comma, quote or line break in double quotes, a quote
 * doubled), safe to open in a spreadsheet: a text cell that a spreadsheet would read as a formula (starting with
 * `=`, `+`, `-`, `@`, a tab or a carriage return) is prefixed with `'` (OWASP, CSV injection). Numbers are
 * written as numbers, null as an empty cell.
 */

export type Cell = string | number | null;

const FORMULA_START = /^[=+\-@\t\r]/;

export const csvCell = (value: Cell): string => {
  if (value === null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

export const toCsv = (header: readonly string[], rows: readonly (readonly Cell[])[]): string =>
  [header, ...rows].map((row) => `${row.map(csvCell).join(',')}\r\n`).join('');
