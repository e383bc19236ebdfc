// Wire schemas of the ML worker (apps/worker): features, predictions, the model list.
import { z } from 'zod';
import { checkBarPrices, priceSchema, VolumeSchema } from './market-data';
import {
  ConfidenceSchema,
  DecisionSchema,
  isTimestampInRange,
  SlugSchema,
  SymbolSchema,
  TIMEFRAME_MS,
  TimeframeSchema,
} from './primitives';

/** At most this many bars in one series (one symbol and timeframe). */
export const WORKER_SERIES_BARS_MAX = 10_000;
/** At most this many series in one `POST /v1/predict/batch`. */
export const WORKER_BATCH_SERIES_MAX = 5_000;
/** At most this many model ids in one `models` filter. */
export const WORKER_MODELS_MAX = 64;
/** At most this many indicators in one `POST /v1/features`. */
export const WORKER_INDICATORS_MAX = 32;

const price = priceSchema;

const ISO_WITH_OFFSET = z.iso.datetime({ offset: true });
const BAR_TS_MESSAGE = 'bar_ts must be an ISO-8601 timestamp with an explicit offset, e.g. 2025-01-03T10:30:00Z';

/**
 * Epoch milliseconds of an ISO-8601 timestamp with an explicit offset, or `NaN` when `s` is not one.
 * Accepts exactly what `UtcTimestampSchema` accepts.
 */
export function parseUtcTimestampMs(s: string): number {
  const ms = ISO_WITH_OFFSET.safeParse(s).success ? Date.parse(s) : Number.NaN;
  return isTimestampInRange(ms) ? ms : Number.NaN;
}

/**
 * One bar as the worker receives it: the fields of `OhlcvBar` without `symbol` and `timeframe` (the series names
 * those once). Same rules: prices > 0, high >= max(open, close), low <= min(open, close), volume >= 0 or null.
 */
export const WorkerBarSchema = z
  .strictObject({
    /** Open time of the bar: ISO-8601 with an explicit offset, on the series' timeframe boundary. */
    bar_ts: z.string({ error: BAR_TS_MESSAGE }),
    open: price('open'),
    high: price('high'),
    low: price('low'),
    close: price('close'),
    volume: VolumeSchema,
  })
  .superRefine((bar, ctx) => {
    if (Number.isNaN(parseUtcTimestampMs(bar.bar_ts))) {
      ctx.addIssue({ code: 'custom', path: ['bar_ts'], message: BAR_TS_MESSAGE });
    }
    checkBarPrices(bar, ctx);
  });
export type WorkerBarInput = z.input<typeof WorkerBarSchema>;
export type WorkerBar = z.infer<typeof WorkerBarSchema>;

const bars = z
  .array(WorkerBarSchema, { error: 'bars must be a list of bars' })
  .min(1, { error: 'bars must hold at least one bar' })
  .max(WORKER_SERIES_BARS_MAX, {
    error: `bars may hold at most ${WORKER_SERIES_BARS_MAX} bars per series; send only the window the models need`,
  });

const modelIds = z
  .array(SlugSchema, { error: 'models must be a list of model ids' })
  .min(1, { error: 'models must name at least one model; omit it for all models' })
  .max(WORKER_MODELS_MAX, { error: `models may name at most ${WORKER_MODELS_MAX} models` });

/** Adds issues for bars off the timeframe's boundary, out of order or repeated. */
function checkBarSequence(
  series: { timeframe: z.infer<typeof TimeframeSchema>; bars: ReadonlyArray<{ bar_ts: string }> },
  ctx: z.RefinementCtx,
): void {
  const len = TIMEFRAME_MS[series.timeframe];
  let previous = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < series.bars.length; i++) {
    const ts = series.bars[i]?.bar_ts ?? '';
    const ms = parseUtcTimestampMs(ts);
    if (Number.isNaN(ms)) continue; // already reported by the bar's own schema
    if (ms % len !== 0) {
      const start = new Date(Math.floor(ms / len) * len).toISOString();
      ctx.addIssue({
        code: 'custom',
        path: ['bars', i, 'bar_ts'],
        message: `bar_ts must sit on a ${series.timeframe} boundary in UTC; the bar containing it starts at ${start}`,
      });
    } else if (ms === previous) {
      ctx.addIssue({ code: 'custom', path: ['bars', i, 'bar_ts'], message: `bar_ts ${ts} repeats the previous bar` });
    } else if (ms < previous) {
      ctx.addIssue({
        code: 'custom',
        path: ['bars', i, 'bar_ts'],
        message: `bars must be in ascending bar_ts order; ${ts} comes after ${new Date(previous).toISOString()}`,
      });
    }
    if (ms % len === 0) previous = Math.max(previous, ms);
  }
}

/** One series to predict on: the bars of one symbol and timeframe, oldest first, the newest last. */
export const WorkerSeriesSchema = z
  .strictObject({
    symbol: SymbolSchema,
    timeframe: TimeframeSchema,
    /** Bars in ascending, unique `bar_ts` order; models decide on the last one. */
    bars,
    /** Model ids to run; all registered models when absent. */
    models: modelIds.optional(),
  })
  .superRefine(checkBarSequence);
export type WorkerSeries = z.infer<typeof WorkerSeriesSchema>;
export type WorkerSeriesInput = z.input<typeof WorkerSeriesSchema>;

/** Body of `POST /v1/predict`. */
export const PredictRequestSchema = WorkerSeriesSchema;
export type PredictRequest = WorkerSeries;

/** Body of `POST /v1/predict/batch`. */
export const PredictBatchRequestSchema = z.strictObject({
  series: z
    .array(WorkerSeriesSchema, { error: 'series must be a list' })
    .min(1, { error: 'series must hold at least one series' })
    .max(WORKER_BATCH_SERIES_MAX, {
      error: `series may hold at most ${WORKER_BATCH_SERIES_MAX} series; split the batch`,
    }),
});
export type PredictBatchRequest = z.infer<typeof PredictBatchRequestSchema>;

/** One model's answer for one series. */
export const PredictionSchema = z.object({
  model_id: SlugSchema,
  decision: DecisionSchema,
  confidence: ConfidenceSchema,
  /** Model-specific values behind the decision (e.g. `{ rsi: 27.4 }`), a JSON object. */
  meta: z.record(z.string(), z.unknown()),
});
export type Prediction = z.infer<typeof PredictionSchema>;

/** A model that could not answer because the series is shorter than the model's warm-up. */
export const PredictionErrorSchema = z.object({
  model_id: SlugSchema,
  error: z.literal('INSUFFICIENT_BARS'),
  message: z.string(),
  /** Bars the model needs. */
  required_bars: z.number().int(),
  /** Bars the series had. */
  received_bars: z.number().int(),
});
export type PredictionError = z.infer<typeof PredictionErrorSchema>;

export const PredictionResultSchema = z.union([PredictionSchema, PredictionErrorSchema]);
export type PredictionResult = z.infer<typeof PredictionResultSchema>;

/** Predictions for one series, in the order of the request's `models` (or of the registry). */
export const SeriesPredictionsSchema = z.object({
  symbol: SymbolSchema,
  timeframe: TimeframeSchema,
  /** `bar_ts` of the last bar, the bar the decisions are for, normalised to UTC. */
  bar_ts: z.string(),
  predictions: z.array(PredictionResultSchema),
});
export type SeriesPredictions = z.infer<typeof SeriesPredictionsSchema>;

/** Response of `POST /v1/predict`. */
export const PredictResponseSchema = SeriesPredictionsSchema.extend({ success: z.literal(true) });
export type PredictResponse = z.infer<typeof PredictResponseSchema>;

/** Response of `POST /v1/predict/batch`: one entry per request series, same order. */
export const PredictBatchResponseSchema = z.object({
  success: z.literal(true),
  results: z.array(SeriesPredictionsSchema),
});
export type PredictBatchResponse = z.infer<typeof PredictBatchResponseSchema>;

/** One entry of `GET /v1/models`. */
export const WorkerModelInfoSchema = z.object({
  id: SlugSchema,
  version: z.string(),
  description: z.string(),
  /** Fewest bars the model answers on; fewer gets `INSUFFICIENT_BARS`. */
  required_bars: z.number().int().positive(),
});
export type WorkerModelInfo = z.infer<typeof WorkerModelInfoSchema>;

/** Response of `GET /v1/models`. */
export const WorkerModelsResponseSchema = z.object({
  success: z.literal(true),
  models: z.array(WorkerModelInfoSchema),
});
export type WorkerModelsResponse = z.infer<typeof WorkerModelsResponseSchema>;

const period = (name: string, fallback: number) =>
  z
    .number({ error: `${name} must be a whole number from 1 to 1000` })
    .int({ error: `${name} must be a whole number from 1 to 1000` })
    .min(1, { error: `${name} must be a whole number from 1 to 1000` })
    .max(1000, { error: `${name} must be a whole number from 1 to 1000` })
    .default(fallback);

const noParams = z.strictObject({}).default({});
const periodParams = (fallback: number) =>
  z.strictObject({ period: period('period', fallback) }).default({ period: fallback });

/**
 * One indicator asked of `POST /v1/features`, with its parameters (defaults are TA-Lib's customary ones).
 * Output series, by name: `value` for single-line indicators; `macd`/`signal`/`histogram`;
 * `upper`/`middle`/`lower`; `k`/`d`.
 */
export const IndicatorRequestSchema = z.discriminatedUnion(
  'name',
  [
    z.strictObject({ name: z.literal('sma'), params: periodParams(20) }),
    z.strictObject({ name: z.literal('ema'), params: periodParams(20) }),
    z.strictObject({ name: z.literal('wma'), params: periodParams(20) }),
    z.strictObject({ name: z.literal('rsi'), params: periodParams(14) }),
    z.strictObject({
      name: z.literal('macd'),
      params: z
        .strictObject({
          fast: period('fast', 12),
          slow: period('slow', 26),
          signal: period('signal', 9),
        })
        .refine((p) => p.fast < p.slow, { error: 'fast must be shorter than slow', path: ['fast'] })
        .default({ fast: 12, slow: 26, signal: 9 }),
    }),
    z.strictObject({
      name: z.literal('bollinger'),
      params: z
        .strictObject({
          period: period('period', 20),
          /** Band width in population standard deviations. */
          stddev: z
            .number({ error: 'stddev must be a number from 0 to 10' })
            .gt(0, { error: 'stddev must be a number from 0 to 10' })
            .max(10, { error: 'stddev must be a number from 0 to 10' })
            .default(2),
        })
        .default({ period: 20, stddev: 2 }),
    }),
    z.strictObject({ name: z.literal('atr'), params: periodParams(14) }),
    z.strictObject({
      name: z.literal('stochastic'),
      params: z
        .strictObject({
          k_period: period('k_period', 14),
          k_smoothing: period('k_smoothing', 3),
          d_period: period('d_period', 3),
        })
        .default({ k_period: 14, k_smoothing: 3, d_period: 3 }),
    }),
    z.strictObject({ name: z.literal('adx'), params: periodParams(14) }),
    z.strictObject({ name: z.literal('obv'), params: noParams }),
    z.strictObject({ name: z.literal('vwap'), params: noParams }),
    z.strictObject({ name: z.literal('roc'), params: periodParams(10) }),
    z.strictObject({ name: z.literal('cci'), params: periodParams(20) }),
    z.strictObject({ name: z.literal('williamsR'), params: periodParams(14) }),
  ],
  {
    error:
      'name must be one of sma, ema, wma, rsi, macd, bollinger, atr, stochastic, adx, obv, vwap, roc, cci, williamsR',
  },
);
export type IndicatorRequest = z.infer<typeof IndicatorRequestSchema>;
export type IndicatorName = IndicatorRequest['name'];

/** Body of `POST /v1/features`. */
export const FeaturesRequestSchema = z
  .strictObject({
    symbol: SymbolSchema,
    timeframe: TimeframeSchema,
    bars,
    indicators: z
      .array(IndicatorRequestSchema, { error: 'indicators must be a list of { name, params }' })
      .min(1, { error: 'indicators must name at least one indicator' })
      .max(WORKER_INDICATORS_MAX, { error: `indicators may name at most ${WORKER_INDICATORS_MAX} indicators` }),
  })
  .superRefine(checkBarSequence);
export type FeaturesRequest = z.infer<typeof FeaturesRequestSchema>;
export type FeaturesRequestInput = z.input<typeof FeaturesRequestSchema>;

/** One computed indicator: its request with defaults filled in, and its output series aligned with the bars. */
export const IndicatorResultSchema = z.object({
  name: z.string(),
  params: z.record(z.string(), z.number()),
  /** Output series by name, each as long as `bars`; `null` where undefined (warm-up, or a NaN in the input). */
  series: z.record(z.string(), z.array(z.number().nullable())),
});
export type IndicatorResult = z.infer<typeof IndicatorResultSchema>;

/** Response of `POST /v1/features`. */
export const FeaturesResponseSchema = z.object({
  success: z.literal(true),
  symbol: SymbolSchema,
  timeframe: TimeframeSchema,
  /** `bar_ts` of every bar, normalised to UTC. */
  bar_ts: z.array(z.string()),
  indicators: z.array(IndicatorResultSchema),
});
export type FeaturesResponse = z.infer<typeof FeaturesResponseSchema>;
