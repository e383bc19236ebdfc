import { z } from 'zod';
import {
  boundedIntParam,
  checkTimeRange,
  SlugSchema,
  SymbolSchema,
  TimeframeSchema,
  UtcTimestampSchema,
} from './primitives';

export const QUERY_LIMIT_MAX = 5000;
const limit = boundedIntParam('limit', QUERY_LIMIT_MAX, 100);

/** Query of `GET /api/signals`. */
export const SignalsQuerySchema = z
  .strictObject({
    /** Only the service principal reads other owners; others see their own rows whatever they ask. */
    owner: SlugSchema.optional(),
    symbol: SymbolSchema.optional(),
    tf: TimeframeSchema.optional(),
    model_id: SlugSchema.optional(),
    from: UtcTimestampSchema.optional(),
    to: UtcTimestampSchema.optional(),
    limit,
  })
  .superRefine(checkTimeRange);
export type SignalsQuery = z.infer<typeof SignalsQuerySchema>;

/** Query of `GET /api/consensus`. */
export const ConsensusQuerySchema = z
  .strictObject({
    owner: SlugSchema.optional(),
    symbol: SymbolSchema.optional(),
    tf: TimeframeSchema.optional(),
    from: UtcTimestampSchema.optional(),
    to: UtcTimestampSchema.optional(),
    limit,
  })
  .superRefine(checkTimeRange);
export type ConsensusQuery = z.infer<typeof ConsensusQuerySchema>;

export const MODEL_VISIBILITIES = ['public', 'private'] as const;
/** Body of `POST /api/models`. */
export const RegisterModelSchema = z.strictObject({
  model_id: SlugSchema,
  name: z
    .string({ error: 'name must be a string' })
    .trim()
    .min(1, { error: 'name must not be empty' })
    .max(120, { error: 'name must be at most 120 characters' }),
  description: z.string().max(2000, { error: 'description must be at most 2000 characters' }).default(''),
  visibility: z.enum(MODEL_VISIBILITIES, { error: 'visibility must be public or private' }).default('public'),
  /** Only the service principal may name another owner; a vendor key or user registers for itself. */
  owner: SlugSchema.optional(),
});
export type RegisterModel = z.infer<typeof RegisterModelSchema>;

export const API_KEY_SCOPES = ['signals:write', 'signals:read', 'models:write'] as const;
/** Body of `POST /api/keys`. */
export const CreateApiKeySchema = z.strictObject({
  name: z
    .string({ error: 'name must be a string' })
    .trim()
    .min(1, { error: 'name must not be empty' })
    .max(80, { error: 'name must be at most 80 characters' }),
  scopes: z
    .array(z.enum(API_KEY_SCOPES, { error: `scopes may hold ${API_KEY_SCOPES.join(', ')}` }))
    .min(1, { error: 'scopes must hold at least one scope' })
    .default([...API_KEY_SCOPES]),
  /** Only the service principal may create a key for another owner. */
  owner: SlugSchema.optional(),
});
export type CreateApiKey = z.infer<typeof CreateApiKeySchema>;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export const PERFORMANCE_WINDOW_MAX = 5000;
/** Query of `GET /api/performance`: each series' track record over its newest `window` scored signals. */
export const PerformanceQuerySchema = z.strictObject({
  owner: SlugSchema.optional(),
  model_id: SlugSchema.optional(),
  symbol: SymbolSchema.optional(),
  tf: TimeframeSchema.optional(),
  window: boundedIntParam('window', PERFORMANCE_WINDOW_MAX, 200),
});
export type PerformanceQuery = z.infer<typeof PerformanceQuerySchema>;

/** One model's track record on one series (see supabase/migrations/*_signal_outcomes.sql for how signals are scored). */
export const TrackRecordSchema = z.object({
  owner: SlugSchema,
  model_id: SlugSchema,
  symbol: SymbolSchema,
  timeframe: TimeframeSchema,
  /** Scored signals in the window, NEUTRAL ones included. */
  scored: z.number().int().nonnegative(),
  /** BUY and SELL calls whose bar moved: the ones a hit rate is taken over. */
  resolved: z.number().int().nonnegative(),
  hits: z.number().int().nonnegative(),
  /** hits / resolved; null when nothing resolved. */
  hit_rate: z.number().min(0).max(1).nullable(),
  /** Mean of the signed bar return over BUY and SELL calls; null without any. */
  avg_return: z.number().nullable(),
  first_bar_ts: z.string(),
  last_bar_ts: z.string(),
});
export type TrackRecord = z.infer<typeof TrackRecordSchema>;
