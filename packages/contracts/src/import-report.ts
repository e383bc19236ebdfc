// The report of the CSV importer (`importCsv` of @neuronetiq/marketdata), as `POST /api/marketdata/import` and
// `npm run import -- --json` give it. The importer's type is inferred from this schema, so the two cannot drift.
import { z } from 'zod';
import { SymbolSchema, TimeframeSchema } from './primitives';

/**
 * File layouts the importer recognises (and `--format` may force). `histdata` is also NinjaTrader's ASCII export
 * (`YYYYMMDD HHMMSS;o;h;l;c;v`); `generic` is any other file with a time and open/high/low/close columns.
 */
export const IMPORT_FORMATS = [
  'histdata',
  'ninjatrader',
  'metatrader',
  'dukascopy',
  'tradingview',
  'binance',
  'yahoo',
  'cryptodatadownload',
  'backtestingpy',
  'generic',
] as const;
export const ImportFormatSchema = z.enum(IMPORT_FORMATS);
export type ImportFormat = z.infer<typeof ImportFormatSchema>;

/** Market calendars gaps are counted against (their rules live in @neuronetiq/marketdata). */
export const MARKET_CALENDARS = [
  'continuous',
  'crypto',
  'fx',
  'weekdays',
  'us-equities',
  'us-equities-extended',
  'lse',
  'xetra',
  'tse',
] as const;
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
] as const;
export type ImportRejectReason = (typeof IMPORT_REJECT_REASONS)[number];

/** Rows stored but worth a look; @neuronetiq/marketdata (`NOTICE_KINDS`) says what each one means. */
export const IMPORT_NOTICE_KINDS = [
  'zero_volume',
  'date_mismatch',
  'date_unparseable',
  'ambiguous_local_time',
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
  /** Gaps inside a session (the market was open on both sides and throughout). */
  holes: z.object({ count, missingBars: count, largest: BarGapSchema.nullable() }),
  /** Gaps next to a closure (bars missing just before the market closed or just after it opened). */
  edges: z.object({ count, missingBars: count }),
});
export type GapReport = z.infer<typeof GapReportSchema>;

/** How the file was split into fields (sniffed from its first lines, or as given). */
export const ImportDialectSchema = z.object({
  /** The field separator: `,` `;` `\t` `|`, or ` ` for runs of spaces and tabs. */
  delimiter: z.string(),
  /** The quote character, or null when fields are not quoted. */
  quote: z.string().nullable(),
  /** True when every line is one quoted field holding the delimited values (some spreadsheet exports). */
  wholeLineQuoted: z.boolean(),
  /** True when prices are written with a decimal comma (`1,0523`). */
  decimalComma: z.boolean(),
  /** True when the file has a header line naming its columns. */
  header: z.boolean(),
  /** Field order of dates written year last: `dmy` (31.12.2024) or `mdy` (12/31/2024). */
  dateOrder: z.enum(['dmy', 'mdy']),
  /** What each column of the file was read as (`time`, `date`, `time_of_day`, `open`, …, `-` for ignored). */
  columns: z.array(z.string()),
});
export type ImportDialect = z.infer<typeof ImportDialectSchema>;

/** Whether the bars' weekly rhythm fits the market's calendar in the clock they were read in. */
export const ClockCheckSchema = z.object({
  /** `fits`; `suspect` (bars where the market is closed); `not_checked` (no calendar to check, or absolute times). */
  status: z.enum(['fits', 'suspect', 'not_checked']),
  /** Bars that fall where the calendar says the market is closed, in the clock used. */
  barsInClosedHours: count,
  /** A clock under which the bars fit better (a `--tz` value), and its count; null when none does. */
  suggestion: z.object({ tz: z.string(), barsInClosedHours: count }).nullable(),
  /** The most common time of each week's last bar in the file's clock, e.g. `Fri 16:59` (null when not checked). */
  weekEnd: z.string().nullable(),
  /** The finding in words. */
  message: z.string(),
});
export type ClockCheck = z.infer<typeof ClockCheckSchema>;

/** One target timeframe of `--resample`: buckets built from the stored bars, and the edge buckets left out. */
export const ResampleSummarySchema = z.object({
  timeframe: TimeframeSchema,
  /** Complete buckets stored (or that a dry run would store). */
  bars: count,
  /** Of them, buckets with holes inside (aggregated from the bars that exist; never filled). */
  sparseBuckets: count,
  /** Buckets at the edges of the imported range that miss part of their interval: not stored. */
  leftOut: z.array(
    z.object({
      bar_ts: utcInstant,
      /** `truncated` (the file starts inside it) or `open` (the file ends inside it). */
      status: z.enum(['truncated', 'open']),
      sourceBars: count,
      expectedSourceBars: count,
    }),
  ),
});
export type ResampleSummary = z.infer<typeof ResampleSummarySchema>;

/** The report of one CSV import. Every data row is counted in exactly one of stored, duplicates and rejected. */
export const ImportReportSchema = z.object({
  /** Instrument stored on every bar. */
  symbol: SymbolSchema,
  timeframe: TimeframeSchema,
  /** True when the timeframe was told from the spacing of the bars rather than given. */
  timeframeInferred: z.boolean(),
  format: ImportFormatSchema,
  /** True when the format was recognised from the file rather than given. */
  formatDetected: z.boolean(),
  dialect: ImportDialectSchema,
  /** Which clock the timestamps were read in, in words (e.g. `local times read as America/New_York …`); always set. */
  clock: z.string().min(1),
  /** The zone wall-clock times were read in (`UTC` unless given), as normalised (`UTC+5:30`, `America/New_York`). */
  tz: z.string(),
  /** True when the zone was given (`--tz`, `tz=`) rather than assumed. */
  tzGiven: z.boolean(),
  clockCheck: ClockCheckSchema,
  /** The market calendar gaps were counted against. */
  calendar: MarketCalendarSchema,
  /** Why that calendar: given, by the file's format, by the symbol, by the timeframe, or the default. */
  calendarChosenBy: z.enum(['option', 'format', 'symbol', 'timeframe', 'default']),
  /** Data rows read: every line except the header and blank lines. rowsRead = stored + duplicates + rejected. */
  rowsRead: count,
  /** Lines skipped at the top as headers (a banner and a column header; 0 for headerless formats such as HistData). */
  headerLines: count,
  /** Empty lines skipped. */
  blankLines: count,
  /** True when nothing was written on purpose (`--dry-run`): `stored` then counts the bars that would be stored. */
  dryRun: z.boolean(),
  /** Bars handed to the sink (stored, or upserted unchanged), in time order; 0 when the import was refused. */
  stored: count,
  /** Why nothing was stored although rows were good (the clock check), or null. */
  refused: z.string().nullable(),
  /**
   * Surplus rows: rows whose timestamp an earlier row of the file already had (`count`, with their lines). One copy
   * per timestamp is stored: the first in the file.
   */
  duplicates: ImportLineListSchema.extend({
    /** Distinct timestamps that occur more than once. */
    timestamps: count,
    /** Surplus rows equal to the kept copy in every value. */
    identical: count,
    /** Surplus rows whose values differ from the kept copy. */
    conflicting: count,
    /** Which copy was stored. */
    kept: z.literal('first'),
  }),
  rejected: z.object({
    /** All rejected rows (exact). */
    count,
    /** Each rejected row under exactly one reason (the first that applies); reasons with no row are absent. */
    byReason: z.partialRecord(z.enum(IMPORT_REJECT_REASONS), ImportLineListSchema),
  }),
  /** Rejected rows whose prices contradict each other (high below low, open or close outside [low, high]). */
  ohlcInconsistencies: ImportLineListSchema,
  /** Stored rows worth a look, by kind; kinds with no row are absent. None changes what is stored. */
  notices: z.partialRecord(z.enum(IMPORT_NOTICE_KINDS), ImportLineListSchema),
  /** The file's time order (the direction most of its steps go; bars are stored in ascending order whatever it is). */
  order: z.enum(['ascending', 'descending', 'unordered']),
  /**
   * Rows against that order, counted on the file as it is, before any sort or de-duplication: `backwardSteps` rows
   * earlier than the row before them (later, for a newest-first file); `count` rows earlier than the latest row
   * seen before them (with their lines).
   */
  outOfOrder: ImportLineListSchema.extend({ backwardSteps: count }),
  /** Gaps of the stored bars (counted, never filled). */
  gaps: GapReportSchema,
  /**
   * First and last stored bar_ts (ISO-8601 UTC with milliseconds), and the same instants in the file's clock
   * (ISO-8601 with the offset, e.g. `2017-01-02T02:00:00.000-05:00`); all null when nothing was stored.
   */
  range: z.object({
    first: utcInstant.nullable(),
    last: utcInstant.nullable(),
    firstFileClock: z.string().nullable(),
    lastFileClock: z.string().nullable(),
  }),
  /** `--resample`: per target timeframe; empty when none was asked for. */
  resampled: z.array(ResampleSummarySchema),
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
