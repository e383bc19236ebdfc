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
  wrong_field_count: 'the row has fewer fields than the columns need',
  unparseable: 'a timestamp, price or volume could not be read',
  nonexistent_local_time: 'the local time does not exist in the given zone (skipped by a daylight-saving change)',
  unaligned_timestamp: 'the timestamp is not on a boundary of the timeframe (UTC)',
  non_positive_price: 'open, high, low or close is zero or negative',
  high_below_low: 'high is below low',
  ohlc_inconsistent: 'open or close lies outside [low, high]',
  negative_volume: 'volume is negative',
  suspect_price: 'open and close differ by more than the allowed factor in one bar (a corrupt print)',
} as const satisfies Record<RejectReason, string>;

/** Rows that were stored but deserve a look; none of them changes what is stored. */
export const NOTICE_KINDS = {
  zero_volume: 'stored with volume 0',
  date_mismatch: 'the date column disagrees with the unix column (the unix column is used)',
  date_unparseable: 'the date column could not be read (the unix column is used)',
  ambiguous_local_time:
    'the local time occurs twice (clocks fell back); the instant that keeps the file in order was used',
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

const fmt = (n: number) => n.toLocaleString('en-US');
const DELIMITERS: Record<string, string> = { ',': 'comma', ';': 'semicolon', '\t': 'tab', '|': 'pipe', ' ': 'spaces' };

/** The human summary of a report, for CLIs and logs: every count of the JSON report, one topic per line. */
export function formatImportReport(r: ImportReport): string {
  const out: string[] = [];
  const verb = r.refused !== null ? 'refused, nothing stored' : r.dryRun ? 'would store' : 'stored';
  out.push(
    `${r.symbol} ${r.timeframe}${r.timeframeInferred ? ' (told from the bars)' : ''} (${r.format}${r.formatDetected ? ', detected' : ''}): ${fmt(r.rowsRead)} rows read, ${r.refused !== null ? 0 : fmt(r.stored)} ${verb}, ${fmt(r.duplicates.count)} duplicates dropped, ${fmt(r.rejected.count)} rejected`,
  );
  const d = r.dialect;
  out.push(
    `dialect: ${DELIMITERS[d.delimiter] ?? JSON.stringify(d.delimiter)}-separated${d.wholeLineQuoted ? ', each line one quoted field' : d.quote ? `, quoted with ${d.quote}` : ''}${d.decimalComma ? ', decimal comma' : ''}, ${d.header ? 'header' : 'no header'}; columns ${d.columns.join(',')}`,
  );
  out.push(`clock: ${r.clock}`);
  out.push(`clock check (${r.calendar}): ${r.clockCheck.status}: ${r.clockCheck.message}`);
  out.push(`calendar: ${r.calendar} (chosen by ${r.calendarChosenBy})`);
  if (r.range.first) {
    out.push(
      `range: ${r.range.first} → ${r.range.last} (UTC); ${r.range.firstFileClock} → ${r.range.lastFileClock} (file clock)`,
    );
  }
  for (const [reason, l] of Object.entries(r.rejected.byReason) as [RejectReason, LineList][]) {
    out.push(`rejected ${reason} (${REJECT_REASONS[reason]}): ${fmt(l.count)} — lines ${listLines(l)}`);
  }
  if (r.ohlcInconsistencies.count > 0) {
    out.push(
      `OHLC inconsistencies (rejected above): ${fmt(r.ohlcInconsistencies.count)} — lines ${listLines(r.ohlcInconsistencies)}`,
    );
  }
  const dup = r.duplicates;
  out.push(
    dup.count === 0
      ? 'duplicates: none'
      : `duplicates: ${fmt(dup.timestamps)} timestamps more than once, ${fmt(dup.count)} surplus rows (${fmt(dup.identical)} identical, ${fmt(dup.conflicting)} conflicting); the first copy in the file was kept — surplus lines ${listLines(dup)}`,
  );
  const o = r.outOfOrder;
  out.push(
    `order: ${r.order === 'descending' ? 'newest first' : 'oldest first'}; ${fmt(o.backwardSteps)} backward steps, ${fmt(o.count)} rows earlier than a row before them${o.count > 0 ? ` — lines ${listLines(o)}` : ''} (counted on the file as it is; stored in time order)`,
  );
  for (const [kind, l] of Object.entries(r.notices) as [NoticeKind, LineList][]) {
    out.push(`notice ${kind} (${NOTICE_KINDS[kind]}): ${fmt(l.count)} — lines ${listLines(l)}`);
  }
  const g = r.gaps;
  const hole = g.holes.largest;
  out.push(
    `gaps (${g.calendar} calendar, closures not counted): ${fmt(g.holes.count)} in-session holes, ${fmt(g.holes.missingBars)} missing bars${hole ? ` (largest ${fmt(hole.missingBars)} bars, ${hole.after} → ${hole.before})` : ''}; ${fmt(g.edges.count)} at session edges, ${fmt(g.edges.missingBars)} missing bars`,
  );
  for (const s of r.resampled) {
    const left = s.leftOut.map((b) => `${b.bar_ts} (${b.status}, ${b.sourceBars}/${b.expectedSourceBars} bars)`);
    out.push(
      `resampled ${s.timeframe}: ${fmt(s.bars)} bars ${r.dryRun ? 'would be stored' : 'built'} (${fmt(s.sparseBuckets)} with holes); ${left.length} edge buckets left out${left.length > 0 ? `: ${left.join(', ')}` : ''}`,
    );
  }
  for (const w of r.warnings) out.push(`warning: ${w}`);
  if (r.refused !== null) out.push(`refused: ${r.refused}`);
  return out.join('\n');
}

function listLines(l: LineList): string {
  return l.lines.join(', ') + (l.count > l.lines.length ? `, … (${fmt(l.count - l.lines.length)} more)` : '');
}
