import { type Detractor, Rounded, type SegmentRow } from './reference-model.js';

/**
 * Compares what the reference model expects with what the API answered and says, one line per figure, where
 * they differ (`2026-11 metrics.pipeline.wonValue: expected 2500, got 0`). Only the figures the model
 * expects are compared (answers carry more: `asOf`, `updatedAt`…); a `Rounded` expectation accepts any
 * correct rounding of its exact value; a currency beside the headline whose figures are all zero is the
 * same as no entry.
 */
export const diffFigures = (expected: unknown, actual: unknown, path: string): string[] => {
  if (expected instanceof Rounded) {
    const unit = 10 ** -expected.decimals;
    const ok =
      typeof actual === 'number' &&
      Math.abs(actual - expected.exact) <= unit / 2 + 1e-9 &&
      Math.abs(actual / unit - Math.round(actual / unit)) < 1e-6;
    return ok
      ? []
      : [`${path}: expected ${expected.exact} rounded to ${expected.decimals} decimals, got ${show(actual)}`];
  }
  if (typeof expected === 'number') {
    const ok = typeof actual === 'number' && Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected));
    return ok ? [] : [`${path}: expected ${expected}, got ${show(actual)}`];
  }
  if (expected === null || typeof expected !== 'object')
    return expected === actual ? [] : [`${path}: expected ${show(expected)}, got ${show(actual)}`];
  if (actual === null || typeof actual !== 'object')
    return [`${path}: expected ${show(expected)}, got ${show(actual)}`];
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length)
      return [`${path}: expected ${show(expected)}, got ${show(actual)}`];
    return expected.flatMap((e, i) => diffFigures(e, actual[i], `${path}[${i}]`));
  }
  const a = actual as Record<string, unknown>;
  const out = Object.entries(expected).flatMap(([k, v]) => diffFigures(v, a[k], `${path}.${k}`));
  if (path.endsWith('otherCurrencies')) {
    for (const [currency, figures] of Object.entries(a))
      if (!(currency in expected) && !allZero(figures)) out.push(`${path}.${currency}: unexpected ${show(figures)}`);
  }
  return out;
};

const show = (v: unknown): string => (v instanceof Rounded ? `≈${v.exact}` : JSON.stringify(v));

const allZero = (v: unknown): boolean =>
  v === 0 ||
  v === null ||
  (typeof v === 'object' && v !== null && Object.values(v as Record<string, unknown>).every(allZero));

interface AnsweredRow {
  label: string | null;
  nps: { responses: number };
  billing: number;
  invoices: number;
  won: number;
  wonValue: number;
  otherCurrencies: Record<string, unknown>;
}

const emptyRow = (r: Omit<AnsweredRow, 'label'>) =>
  r.nps.responses === 0 &&
  r.billing === 0 &&
  r.invoices === 0 &&
  r.won === 0 &&
  r.wonValue === 0 &&
  allZero(r.otherCurrencies);

/** A breakdown, by label: rows with nothing in them (a label whose figures all went back to zero) left out. */
export const diffBreakdown = (expected: readonly SegmentRow[], actual: readonly AnsweredRow[], path: string) => {
  const answered = new Map(actual.filter((r) => !emptyRow(r)).map((r) => [r.label, r]));
  const wanted = new Map(expected.filter((r) => !emptyRow(r)).map((r) => [r.label, r]));
  const out: string[] = [];
  for (const [label, row] of wanted) {
    const got = answered.get(label);
    if (!got) out.push(`${path}[${show(label)}]: missing, expected ${show(row)}`);
    else out.push(...diffFigures(row, got, `${path}[${show(label)}]`));
  }
  for (const [label, row] of answered)
    if (!wanted.has(label)) out.push(`${path}[${show(label)}]: unexpected ${show(row)}`);
  return out;
};

/** The same detractors (as instants, however the time is written), and newest first. */
export const diffDetractors = (expected: readonly Detractor[], actual: readonly Detractor[], path: string) => {
  const key = (d: Detractor | Detractor) =>
    JSON.stringify([
      d.source,
      d.id,
      d.score,
      d.comment,
      d.contact,
      d.customerId,
      d.customerName,
      Date.parse(d.submittedAt),
    ]);
  const out: string[] = [];
  const want = expected.map(key).sort();
  const got = actual.map(key).sort();
  if (JSON.stringify(want) !== JSON.stringify(got))
    out.push(`${path}: expected ${want.join(' ')}, got ${got.join(' ')}`);
  for (let i = 1; i < actual.length; i++) {
    const [before, after] = [actual[i - 1], actual[i]] as [Detractor, Detractor];
    if (Date.parse(before.submittedAt) < Date.parse(after.submittedAt))
      out.push(
        `${path}: not newest first: ${before.submittedAt} (${before.id}) before ${after.submittedAt} (${after.id})`,
      );
  }
  return out;
};
