// The report of the CSV importer (`importCsv` of @neuronetiq/marketdata), as `POST /api/marketdata/import` and
// `npm run import -- --json` give it. The importer's type is inferred from this schema, so the two cannot drift.
import { z } from 'zod';
import { SymbolSchema, TimeframeSchema } from './primitives';

/** File formats the importer reads. */
export const IMPORT_FORMATS = ['histdata', 'binance', 'yahoo', 'cryptodatadownload', 'generic'] as const;
export const ImportFormatSchema = z.enum(IMPORT_FORMATS);
export type ImportFormat = z.infer<typeof ImportFormatSchema>;

/** Market calendars gaps are counted against (their rules live in @neuronetiq/marketdata). */
export const MARKET_CALENDARS = ['continuous', 'fx', 'weekdays'] as const;
export const MarketCalendarSchema = z.enum(MARKET_CALENDARS);
export type MarketCalendarName = z.infer<typeof MarketCalendarSchema>;

/** Why a data row was not stored; @neuronetiq/marketdata (`REJECT_REASONS`) says what each one means. */
export const IMPORT_REJECT_REASONS = [
  'wrong_field_count',
  'unparseable',
  'nonexistent_local_time',
  'unaligned_timestamp',
  'non_positive_price',
  'high_below_low',
  'ohlc_inconsistent',
  'negative_volume',
  'suspect_price',
  'conflicting_duplicate',
  'out_of_order',
] as const;
export type ImportRejectReason = (typeof IMPORT_REJECT_REASONS)[number];

/** Rows stored but worth a look; @neuronetiq/marketdata (`NOTICE_KINDS`) says what each one means. */
export const IMPORT_NOTICE_KINDS = [
  'zero_volume',
  'date_mismatch',
  'date_unparseable',
  'ambiguous_local_time',
  'unordered',
  'early_close',
] as const;
export type ImportNoticeKind = (typeof IMPORT_NOTICE_KINDS)[number];

const count = z.number().int().nonnegative();
/** An ISO-8601 UTC instant with milliseconds, e.g. `2025-01-03T10:30:00.000Z`. */
const utcInstant = z.iso.datetime();

/** An exact count and the first line numbers that have it. */
export const ImportLineListSchema = z.object({
  /** Exact number of rows, >= 0. */
  count,
  /** The first of them (at most `maxLinesPerReason`, default 20), ascending: 1-based physical lines of the file. */
  lines: z.array(z.number().int().min(1)),
});
export type ImportLineList = z.infer<typeof ImportLineListSchema>;

/** A hole in a series: bars the calendar expected between two stored bars. */
export const BarGapSchema = z.object({
  /** bar_ts of the last bar before the gap, ISO-8601 UTC with milliseconds. */
  after: utcInstant,
  /** bar_ts of the first bar after the gap, ISO-8601 UTC with milliseconds. */
  before: utcInstant,
  /** Bars the calendar expected between the two and that are absent, >= 1. */
  missingBars: z.number().int().min(1),
});
export type BarGap = z.infer<typeof BarGapSchema>;

/** The gaps of the stored bars against a market calendar. Gaps are reported, never filled. */
export const GapReportSchema = z.object({
  /** The calendar the gaps were counted against. */
  calendar: MarketCalendarSchema,
  /** Bars present in the series. */
  presentBars: count,
  /** presentBars + missingBars: the bars a complete series over the same span would hold. */
  expectedBars: count,
  /** Bars absent over all gaps (exact). */
  missingBars: count,
  /** Number of gaps (exact). */
  gapCount: count,
  /** The first gaps in time order (at most `maxGapsListed`, default 20). */
  gaps: z.array(BarGapSchema),
  /** The gap with the most missing bars (the first of equals); null when there is none. */
  largest: BarGapSchema.nullable(),
});
export type GapReport = z.infer<typeof GapReportSchema>;

/** The report of one CSV import. Every data row is counted in exactly one of stored, duplicates and rejected. */
export const ImportReportSchema = z.object({
  /** Instrument stored on every bar. */
  symbol: SymbolSchema,
  timeframe: TimeframeSchema,
  format: ImportFormatSchema,
  /** True when the format was recognised from the file rather than given. */
  formatDetected: z.boolean(),
  /** Which clock the timestamps were read in, in words (e.g. `local times read as America/New_York …`); always set. */
  clock: z.string().min(1),
  /** The market calendar gaps were counted against. */
  calendar: MarketCalendarSchema,
  /** Data rows read: every line except the header and blank lines. rowsRead = stored + duplicates + rejected. */
  rowsRead: count,
  /** Lines skipped at the top as headers (a banner and a column header; 0 for headerless formats such as HistData). */
  headerLines: count,
  /** Empty lines skipped. */
  blankLines: count,
  /** Bars handed to the sink (stored, or upserted unchanged). */
  stored: count,
  /** Rows identical to an earlier row with the same timestamp: dropped, counted here. */
  duplicates: ImportLineListSchema,
  rejected: z.object({
    /** All rejected rows (exact). */
    count,
    /** Each rejected row under exactly one reason (the first that applies); reasons with no row are absent. */
    byReason: z.partialRecord(z.enum(IMPORT_REJECT_REASONS), ImportLineListSchema),
  }),
  /** Stored rows worth a look, by kind; kinds with no row are absent. None changes what is stored. */
  notices: z.partialRecord(z.enum(IMPORT_NOTICE_KINDS), ImportLineListSchema),
  /** The time order the rows came in (as the format promises it; `unordered` for generic files). */
  order: z.enum(['ascending', 'descending', 'unordered']),
  /** Gaps of the stored bars (counted, never filled). */
  gaps: GapReportSchema,
  /** First and last stored bar_ts (ISO-8601 UTC with milliseconds); both null when nothing was stored. */
  range: z.object({ first: utcInstant.nullable(), last: utcInstant.nullable() }),
  /** Things the person importing should know (e.g. a clock that is probably wrong for this format). */
  warnings: z.array(z.string()),
  /** Wall time of the import in milliseconds (fractional), >= 0. */
  durationMs: z.number().nonnegative(),
});
export type ImportReport = z.infer<typeof ImportReportSchema>;

/** Body of `POST /api/marketdata/import` (HTTP 200): bad rows are in the report, not an error. */
export const ImportCsvResponseSchema = z.object({
  /** true when no row was rejected. */
  success: z.boolean(),
  data: ImportReportSchema,
});
export type ImportCsvResponse = z.infer<typeof ImportCsvResponseSchema>;
