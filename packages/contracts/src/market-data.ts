import { z } from 'zod';
import {
  boundedIntParam,
  checkBarAlignment,
  checkTimeRange,
  SymbolSchema,
  TimeframeSchema,
  UtcTimestampSchema,
} from './primitives';

/** A price field: a number > 0 (exact decimals are kept as numeric in storage). */
export const priceSchema = (field: string) =>
  z.number({ error: `${field} must be a number greater than 0` }).gt(0, { error: `${field} must be greater than 0` });
const price = priceSchema;

/** Traded volume, >= 0; null (or absent) when the source has none. */
export const VolumeSchema = z
  .number({ error: 'volume must be a number >= 0 or null' })
  .min(0, { error: 'volume must be >= 0' })
  .nullable()
  .default(null);

/** Adds issues at `high`/`low` when they do not bound open and close; judged only when every price is valid. */
export function checkBarPrices(
  bar: { open: number; high: number; low: number; close: number },
  ctx: { addIssue: (issue: { code: 'custom'; path: string[]; message: string }) => void },
): void {
  const prices = [bar.open, bar.high, bar.low, bar.close];
  // Compare prices only when each one is valid, so one bad field is reported once.
  if (!prices.every((p) => typeof p === 'number' && p > 0)) return;
  if (bar.high < Math.max(bar.open, bar.close)) {
    ctx.addIssue({ code: 'custom', path: ['high'], message: 'high must be >= open and >= close' });
  }
  if (bar.low > Math.min(bar.open, bar.close)) {
    ctx.addIssue({ code: 'custom', path: ['low'], message: 'low must be <= open and <= close' });
  }
}

/** One OHLCV bar. Prices are positive decimals, volume is >= 0 or null when the source has none. */
export const OhlcvBarSchema = z
  .strictObject({
    symbol: SymbolSchema,
    timeframe: TimeframeSchema,
    /** Open time of the bar, UTC, on the timeframe's boundary. */
    bar_ts: UtcTimestampSchema,
    open: price('open'),
    high: price('high'),
    low: price('low'),
    close: price('close'),
    volume: VolumeSchema,
  })
  .superRefine((bar, ctx) => {
    checkBarAlignment(bar, ctx);
    checkBarPrices(bar, ctx);
  })
  .meta({ id: 'OhlcvBar' });
export type OhlcvBar = z.infer<typeof OhlcvBarSchema>;
export type OhlcvBarInput = z.input<typeof OhlcvBarSchema>;
/** The seed's style of exported name. */
export const OhlcvBar = OhlcvBarSchema;

export const OHLCV_BATCH_MAX = 10_000;
export const OhlcvUpsertSchema = z.strictObject({
  bars: z
    .array(z.unknown(), { error: 'bars must be a list' })
    .min(1, { error: 'bars must hold at least one bar' })
    .max(OHLCV_BATCH_MAX, { error: `bars may hold at most ${OHLCV_BATCH_MAX} bars; split the upload` })
    // Bars are checked one by one (a bad one is reported by index), so the array takes anything; the document says what.
    .meta({ items: { $ref: '#/components/schemas/OhlcvBarInput' } }),
});

export const OHLCV_LIMIT_MAX = 5000;
/** Query of `GET /api/marketdata/ohlcv`. */
export const OhlcvQuerySchema = z
  .strictObject({
    symbol: SymbolSchema,
    tf: TimeframeSchema,
    /** Bars returned, newest first: 1 to 5000 (default 100). */
    limit: boundedIntParam('limit', OHLCV_LIMIT_MAX, 100),
    /** Only bars at or after this time (ISO-8601 with an offset). */
    from: UtcTimestampSchema.optional(),
    /** Only bars at or before this time (ISO-8601 with an offset); not before `from`. */
    to: UtcTimestampSchema.optional(),
  })
  .superRefine(checkTimeRange);
export type OhlcvQuery = z.infer<typeof OhlcvQuerySchema>;

export const OHLCV_SERIES_MAX = 1000;
/** Body of `POST /api/marketdata/ohlcv/query`: the newest `limit` bars of many series in one request. */
export const OhlcvMultiQuerySchema = z.strictObject({
  series: z
    .array(z.strictObject({ symbol: SymbolSchema, tf: TimeframeSchema }), { error: 'series must be a list' })
    .min(1, { error: 'series must name at least one { symbol, tf }' })
    .max(OHLCV_SERIES_MAX, { error: `series may name at most ${OHLCV_SERIES_MAX} series; split the query` }),
  limit: z
    .number({ error: `limit must be a whole number from 1 to ${OHLCV_LIMIT_MAX}` })
    .int({ error: `limit must be a whole number from 1 to ${OHLCV_LIMIT_MAX}` })
    .min(1, { error: `limit must be a whole number from 1 to ${OHLCV_LIMIT_MAX}` })
    .max(OHLCV_LIMIT_MAX, { error: `limit must be a whole number from 1 to ${OHLCV_LIMIT_MAX}` })
    .default(100),
  /** Only bars at or before this time (the bar that just closed, for a cycle). */
  to: UtcTimestampSchema.optional(),
});
export type OhlcvMultiQuery = z.infer<typeof OhlcvMultiQuerySchema>;
