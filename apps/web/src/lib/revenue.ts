// The vendor's revenue statement as the web shows and exports it: integer pence as GBP, months for the picker, and the
// CSV's file name (the CSV itself is @neuronetiq/contracts' revenueStatementCsv, shared with the api). Pure (no clock, no fetch): the page and the CSV route feed it the api's statement.
import type { RevenueStatement } from '@neuronetiq/contracts';

/**
 * Integer pence as GBP in the viewer's locale: 123456 → "£1,234.56", -5 → "-£0.05". Exact for every safe integer:
 * Intl formats the decimal string built from the integer, so no float division ever rounds a penny.
 */
export function formatPence(locale: string, pence: number): string {
  if (!Number.isSafeInteger(pence)) return '—';
  const abs = Math.abs(pence);
  const decimal = `${pence < 0 ? '-' : ''}${Math.trunc(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
  return new Intl.NumberFormat(locale, {
    style: 'currency',
    currency: 'GBP',
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
    // Intl's `format` takes a decimal string exactly (Intl.NumberFormat v3); the cast covers older lib typings.
  }).format(decimal as unknown as number);
}

/** The UTC month of `nowMs` as YYYY-MM. */
export const monthOf = (nowMs: number) => new Date(nowMs).toISOString().slice(0, 7);

/** The month `delta` months after `month` (YYYY-MM), in UTC. */
export function shiftMonth(month: string, delta: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m - 1 + delta, 1)).toISOString().slice(0, 7);
}

/** "December 2026" in the viewer's locale. */
export function monthName(locale: string, month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Intl.DateTimeFormat(locale, { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(
    new Date(Date.UTC(y, m - 1, 1)),
  );
}

/** `revenue-<owner>-<month>.csv`, from values the contracts already restrict to slug and YYYY-MM characters. */
export const csvFileName = (statement: RevenueStatement) => `revenue-${statement.owner}-${statement.month}.csv`;
