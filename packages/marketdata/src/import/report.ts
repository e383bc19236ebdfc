import type { ImportLineList, ImportNoticeKind, ImportRejectReason, ImportReport } from '@neuronetiq/contracts';

// The report's shape is the wire contract (`ImportReportSchema` of @neuronetiq/contracts); this file adds what the
// codes mean and the human summary.
export { IMPORT_FORMATS, type ImportFormat, type ImportReport } from '@neuronetiq/contracts';
export type RejectReason = ImportRejectReason;
export type NoticeKind = ImportNoticeKind;
/** An exact count and the first line numbers (1-based, physical lines of the file) that have it. */
export type LineList = ImportLineList;

/** Why a data row was not stored. Each rejected row is counted under exactly one reason (the first that applies). */
export const REJECT_REASONS = {
  wrong_field_count: 'the row has fewer fields than the format needs',
  unparseable: 'a timestamp or price could not be read',
  nonexistent_local_time: 'the local time does not exist in the given zone (skipped by a daylight-saving change)',
  unaligned_timestamp: 'the timestamp is not on a boundary of the timeframe (UTC)',
  non_positive_price: 'open, high, low or close is zero or negative',
  high_below_low: 'high is below low',
  ohlc_inconsistent: 'open or close lies outside [low, high]',
  negative_volume: 'volume is negative',
  suspect_price: 'open and close differ by more than the allowed factor in one bar (a corrupt print)',
  conflicting_duplicate: 'an earlier row has the same timestamp with different values; the earlier row is kept',
  out_of_order: 'the format promises time order and this row breaks it',
} as const satisfies Record<RejectReason, string>;

/** Rows that were stored but deserve a look; none of them changes what is stored. */
export const NOTICE_KINDS = {
  zero_volume: 'stored with volume 0',
  date_mismatch: 'the date column disagrees with the unix column (the unix column is used)',
  date_unparseable: 'the date column could not be read (the unix column is used)',
  ambiguous_local_time:
    'the local time occurs twice (clocks fell back); the instant that keeps the file in order was used',
  unordered: 'earlier than the row before it (the format promises no order, so the row is stored)',
  early_close: 'the bar closed before the end of its interval (Binance close_time; e.g. a trading halt)',
} as const satisfies Record<NoticeKind, string>;

export class LineCounter<K extends string> {
  readonly byKey: Partial<Record<K, LineList>> = {};
  total = 0;
  constructor(private readonly maxLines: number) {}

  add(key: K, line: number): void {
    let entry = this.byKey[key];
    if (entry === undefined) {
      entry = { count: 0, lines: [] };
      this.byKey[key] = entry;
    }
    entry.count++;
    this.total++;
    if (entry.lines.length < this.maxLines) entry.lines.push(line);
  }
}

/** A one-paragraph human summary of a report, for CLIs and logs. */
export function formatImportReport(r: ImportReport): string {
  const out: string[] = [];
  out.push(
    `${r.symbol} ${r.timeframe} (${r.format}${r.formatDetected ? ', detected' : ''}): ${r.rowsRead} rows read, ${r.stored} stored, ${r.duplicates.count} duplicates dropped, ${r.rejected.count} rejected`,
  );
  out.push(`clock: ${r.clock}`);
  if (r.range.first) out.push(`range: ${r.range.first} → ${r.range.last}`);
  for (const [reason, l] of Object.entries(r.rejected.byReason) as [RejectReason, LineList][]) {
    out.push(`rejected ${reason} (${REJECT_REASONS[reason]}): ${l.count} — lines ${listLines(l)}`);
  }
  if (r.duplicates.count > 0)
    out.push(`duplicates (identical rows): ${r.duplicates.count} — lines ${listLines(r.duplicates)}`);
  for (const [kind, l] of Object.entries(r.notices) as [NoticeKind, LineList][]) {
    out.push(`notice ${kind} (${NOTICE_KINDS[kind]}): ${l.count} — lines ${listLines(l)}`);
  }
  const g = r.gaps;
  out.push(
    `gaps (${r.calendar} calendar): ${g.gapCount} gaps, ${g.missingBars} missing bars of ${g.expectedBars} expected${g.largest ? `; largest ${g.largest.missingBars} bars after ${g.largest.after}` : ''}`,
  );
  for (const w of r.warnings) out.push(`warning: ${w}`);
  return out.join('\n');
}

function listLines(l: LineList): string {
  return l.lines.join(', ') + (l.count > l.lines.length ? `, … (${l.count - l.lines.length} more)` : '');
}
