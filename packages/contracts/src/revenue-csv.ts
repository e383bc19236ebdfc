// The vendor's revenue statement as CSV: one writer for the api (`GET /api/vendor/revenue` as text/csv, `mp revenue
// --csv`) and the web's download, so the two can never disagree.
import type { RevenueStatement } from './subscriptions';

/**
 * One CSV cell (RFC 4180). Text a spreadsheet would run as a formula (starting with =, +, -, @, or a tab or carriage
 * return that it strips first) is defused with a leading apostrophe, as OWASP advises, and quoted; numbers are
 * written as numbers (a refund's -500 is data, not a formula).
 */
export function csvCell(value: string | number | boolean): string {
  if (typeof value !== 'string') return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) || safe !== value ? `"${safe.replaceAll('"', '""')}"` : safe;
}

const COLUMNS = [
  'kind',
  'ref',
  'subscription_id',
  'subscriber',
  'model_id',
  'active_days',
  'gross_pence',
  'fee_pence',
  'vendor_pence',
] as const;

/** The statement as CSV: a header, one row per line (amounts in integer pence), then a total row. CRLF line ends. */
export function revenueStatementCsv(statement: RevenueStatement): string {
  const rows: (string | number)[][] = [
    [...COLUMNS],
    ...statement.lines.map((l) => COLUMNS.map((c) => l[c])),
    ['total', statement.month, '', '', '', '', statement.gross_pence, statement.fee_pence, statement.vendor_pence],
  ];
  return `${rows.map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`;
}
