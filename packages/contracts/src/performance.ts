// Performance metrics of models and vendors (GET /api/performance/metrics, GET /api/performance/curve). Each figure is
// defined, with a worked example, in docs/metrics.md.
import { z } from 'zod';
import { HORIZON_BARS_MAX } from './api';
import { boundedIntParam, SlugSchema, SymbolSchema, TimeframeSchema } from './primitives';

export const METRIC_PERIODS = ['7d', '30d', 'all'] as const;
export type MetricPeriod = (typeof METRIC_PERIODS)[number];
export const METRIC_GROUPS = ['model', 'vendor'] as const;
export type MetricGroup = (typeof METRIC_GROUPS)[number];
/** Live signals, or demo history generated over past bars (`backfilled`): never mixed. */
export const SCORE_SOURCES = ['live', 'backfilled'] as const;
export type ScoreSource = (typeof SCORE_SOURCES)[number];
export const METRIC_SORTS = [
  'sharpe',
  'hit_rate',
  'hit_rate_low',
  'mean_return',
  'median_return',
  'max_drawdown',
  'profit_factor',
  'spearman',
  'late_share',
  'scored',
  'resolved',
] as const;
export type MetricSort = (typeof METRIC_SORTS)[number];
/** Fewer resolved calls than this: the figures are provisional. */
export const PROVISIONAL_BELOW_RESOLVED = 30;

const period = z.enum(METRIC_PERIODS, { error: `period must be one of ${METRIC_PERIODS.join(', ')}` }).default('30d');
const horizon = boundedIntParam('horizon', HORIZON_BARS_MAX, 1);
const source = z.enum(SCORE_SOURCES, { error: `source must be one of ${SCORE_SOURCES.join(', ')}` }).default('live');

/** Query of `GET /api/performance/metrics`: one row per model (or vendor) over a period, at one horizon. */
export const PerformanceMetricsQuerySchema = z.strictObject({
  group: z.enum(METRIC_GROUPS, { error: `group must be one of ${METRIC_GROUPS.join(', ')}` }).default('model'),
  period,
  horizon,
  source,
  owner: SlugSchema.optional(),
  model_id: SlugSchema.optional(),
  symbol: SymbolSchema.optional(),
  tf: TimeframeSchema.optional(),
  sort: z.enum(METRIC_SORTS, { error: `sort must be one of ${METRIC_SORTS.join(', ')}` }).default('sharpe'),
  order: z.enum(['asc', 'desc'], { error: 'order must be asc or desc' }).default('desc'),
  limit: boundedIntParam('limit', 100, 50),
  offset: z.coerce
    .number({ error: 'offset must be a whole number from 0' })
    .int({ error: 'offset must be a whole number from 0' })
    .min(0, { error: 'offset must be a whole number from 0' })
    .max(1_000_000, { error: 'offset must be at most 1000000' })
    .default(0),
});
export type PerformanceMetricsQuery = z.infer<typeof PerformanceMetricsQuerySchema>;

/** A model's (or a vendor's, model_id null) figures over one period at one horizon; fractions, not percent. */
export const PerformanceMetricsSchema = z.object({
  owner: SlugSchema,
  /** null on a vendor's row (all its models). */
  model_id: SlugSchema.nullable(),
  period: z.enum(METRIC_PERIODS),
  horizon_bars: z.number().int().positive(),
  source: z.enum(SCORE_SOURCES),
  /** Timeframes the figures cover (Sharpe needs exactly one). */
  timeframes: z.array(TimeframeSchema),
  /** Signals whose exit is known (NEUTRAL included). */
  scored: z.number().int().nonnegative(),
  /** BUY and SELL calls whose price moved: the hit rate's denominator. */
  resolved: z.number().int().nonnegative(),
  hits: z.number().int().nonnegative(),
  /** hits / resolved; null when nothing resolved. */
  hit_rate: z.number().min(0).max(1).nullable(),
  /** 95% Wilson score interval of the hit rate; null when nothing resolved. */
  hit_rate_low: z.number().min(0).max(1).nullable(),
  hit_rate_high: z.number().min(0).max(1).nullable(),
  /** Mean and median position return per scored signal (NEUTRAL counts 0). */
  mean_return: z.number().nullable(),
  median_return: z.number().nullable(),
  /** mean / sample standard deviation × √(horizons per year); null with one timeframe not given or < 2 signals. */
  sharpe: z.number().nullable(),
  /** Largest fall of the cumulative position return from its running peak (≥ 0, peak starts at 0). */
  max_drawdown: z.number().nonnegative().nullable(),
  /** Sum of gains / sum of losses; null without a loss. */
  profit_factor: z.number().nonnegative().nullable(),
  /** Spearman rank correlation of direction × confidence with the forward return; null without variation. */
  spearman: z.number().min(-1).max(1).nullable(),
  /** Signals with bar_ts in the period (late ones included) and the late ones among them. */
  signals: z.number().int().nonnegative(),
  late: z.number().int().nonnegative(),
  /** late / signals; null without signals. */
  late_share: z.number().min(0).max(1).nullable(),
  /** Fewer than PROVISIONAL_BELOW_RESOLVED resolved calls. */
  provisional: z.boolean(),
});
export type PerformanceMetrics = z.infer<typeof PerformanceMetricsSchema>;

export const PerformanceMetricsResponseSchema = z.object({
  success: z.literal(true),
  data: z.array(PerformanceMetricsSchema),
  /** Rows matching the filters, for pagination. */
  total: z.number().int().nonnegative(),
});
export type PerformanceMetricsResponse = z.infer<typeof PerformanceMetricsResponseSchema>;

/** Query of `GET /api/performance/curve`: one model's (or, without model_id, one vendor's) equity and drawdown. */
export const PerformanceCurveQuerySchema = z.strictObject({
  owner: SlugSchema,
  model_id: SlugSchema.optional(),
  period,
  horizon,
  source,
  symbol: SymbolSchema.optional(),
  tf: TimeframeSchema.optional(),
  /** At most this many points; longer curves keep every k-th point and the last. */
  points: boundedIntParam('points', 2000, 500),
});
export type PerformanceCurveQuery = z.infer<typeof PerformanceCurveQuerySchema>;

/** One point of a curve, after the signal entered at `entry_bar_ts` resolved. */
export const CurvePointSchema = z.object({
  /** Entry bar of the signal, ISO-8601 UTC. */
  at: z.string(),
  /** Cumulative position return so far (a fraction; returns are added, not compounded). */
  equity: z.number(),
  /** Running peak (from 0) minus equity, ≥ 0. */
  drawdown: z.number().nonnegative(),
  /** Hit rate of the resolved calls so far; null before the first. */
  hit_rate: z.number().min(0).max(1).nullable(),
  /** Signals counted so far. */
  n: z.number().int().positive(),
});
export type CurvePoint = z.infer<typeof CurvePointSchema>;

export const PerformanceCurveResponseSchema = z.object({
  success: z.literal(true),
  data: z.array(CurvePointSchema),
});
export type PerformanceCurveResponse = z.infer<typeof PerformanceCurveResponseSchema>;
