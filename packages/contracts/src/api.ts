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

/**
 * What a vendor key may do. `keys:manage` (create, list and revoke the owner's keys) is never given by default: ask
 * for it explicitly. A key may always revoke itself (`mp logout`).
 */
export const API_KEY_SCOPES = ['signals:write', 'signals:read', 'models:write', 'keys:manage'] as const;
/** The scopes of a key created without `scopes` (and of `mp login`'s key): everything but `keys:manage`. */
export const DEFAULT_API_KEY_SCOPES = ['signals:write', 'signals:read', 'models:write'] as const;
/** Most active (not revoked, not expired) keys one owner may hold; creating one more is a 409. */
export const MAX_ACTIVE_API_KEYS = 20;
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
    .default([...DEFAULT_API_KEY_SCOPES]),
  /** When the key stops working (401 after it); must be in the future. Unset: until revoked. */
  expires_at: UtcTimestampSchema.optional(),
  /** Only the service principal may create a key for another owner. */
  owner: SlugSchema.optional(),
});
export type CreateApiKey = z.infer<typeof CreateApiKeySchema>;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export const PERFORMANCE_WINDOW_MAX = 5000;
export const HORIZON_BARS_MAX = 500;
/** Query of `GET /api/performance`: each series' track record over its newest `window` scored signals. */
export const PerformanceQuerySchema = z.strictObject({
  owner: SlugSchema.optional(),
  model_id: SlugSchema.optional(),
  symbol: SymbolSchema.optional(),
  tf: TimeframeSchema.optional(),
  window: boundedIntParam('window', PERFORMANCE_WINDOW_MAX, 200),
  /** Bars from entry to exit; one of the scored horizons (1, 5 and 20 unless configured otherwise). */
  horizon: boundedIntParam('horizon', HORIZON_BARS_MAX, 1),
});
export type PerformanceQuery = z.infer<typeof PerformanceQuerySchema>;

/**
 * One model's track record on one series at one horizon, over live signals (see
 * supabase/migrations/*_forward_scoring.sql: entered at the close of the first bar closing after the signal's last
 * change, exited `horizon_bars` bars later).
 */
export const TrackRecordSchema = z.object({
  owner: SlugSchema,
  model_id: SlugSchema,
  symbol: SymbolSchema,
  timeframe: TimeframeSchema,
  /** Signals in the window whose exit is known, NEUTRAL ones included. */
  scored: z.number().int().nonnegative(),
  /** BUY and SELL calls whose price moved between entry and exit: the ones a hit rate is taken over. */
  resolved: z.number().int().nonnegative(),
  hits: z.number().int().nonnegative(),
  /** hits / resolved; null when nothing resolved. */
  hit_rate: z.number().min(0).max(1).nullable(),
  /** Mean position return (BUY +r, SELL −r) over BUY and SELL calls, a fraction; null without any. */
  avg_return: z.number().nullable(),
  first_bar_ts: z.string(),
  last_bar_ts: z.string(),
  /** Bars from entry to exit. */
  horizon_bars: z.number().int().positive().optional(),
  /** Mean of confidence × position return over every scored signal (NEUTRAL counts 0); null without any. */
  avg_weighted_return: z.number().nullable().optional(),
  /** Mean Brier score (confidence − hit)² over resolved calls, 0 best, 1 worst; null when nothing resolved. */
  brier: z.number().nullable().optional(),
});
export type TrackRecord = z.infer<typeof TrackRecordSchema>;
