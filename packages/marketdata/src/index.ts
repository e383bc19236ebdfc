// The package surface. Everything here is pure (no database, no env); the clock is injected where time matters.

export { type Clock, systemClock } from '@neuronetiq/service/clock';
export { ImportArgsError, type ImportCliOptions, type ParsedImportArgs, parseImportArgs } from './cli/import-args';
export { createImportProgressBar, type ImportProgressBar, type ImportProgressBarOptions } from './cli/progress-bar';
export { COLUMN_ROLES, type DialectOverrides } from './import/dialect';
export {
  type BarSink,
  type CheckedImport,
  ImportError,
  type ImportOptions,
  type ImportProgress,
  importCsv,
  readCsv,
} from './import/import-csv';
export {
  formatImportReport,
  IMPORT_FORMATS,
  type ImportFormat,
  type ImportReport,
  type LineList,
  NOTICE_KINDS,
  type NoticeKind,
  REJECT_REASONS,
  type RejectReason,
} from './import/report';
export {
  CALENDAR_NAMES,
  type CalendarName,
  calendarForSymbol,
  getCalendar,
  type MarketCalendar,
} from './resample/calendars';
export { type FindGapsOptions, findGaps, type Gap, type GapReport } from './resample/gaps';
export {
  type BucketInfo,
  type BucketStatus,
  type ClosedBucket,
  createResampler,
  type ResampleOptions,
  type ResampleResult,
  type Resampler,
  resampleBars,
} from './resample/resample';
export {
  type BarFeed,
  createLiveFeed,
  type LiveFeedOptions,
  type ReplayOptions,
  replayBars,
} from './synthetic/feeds';
export { replayCsv } from './synthetic/replay-csv';
export {
  type BackfillOptions,
  createSyntheticSeries,
  DEFAULT_REGIMES,
  generateBackfill,
  type SyntheticSeries,
  type SyntheticSeriesOptions,
  type VolatilityRegime,
} from './synthetic/synthetic-series';
export { epochToMs, type ParsedDateTime, parseDateTime } from './time/timestamps';
export {
  createZoneClock,
  isValidZone,
  normalizeZone,
  type WallTimeResolution,
  ZONE_FORMS,
  type ZoneClock,
} from './time/zone-clock';
