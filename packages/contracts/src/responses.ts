// Success bodies of the Infrastructure API. Errors have one shape (errors.ts); every success is `{ success, … }`.
import { z } from 'zod';
import { API_KEY_SCOPES, MODEL_VISIBILITIES } from './api';
import { ErrorDetailSchema } from './errors';
import { DecisionSchema, SlugSchema, SymbolSchema, TimeframeSchema } from './primitives';
import { BatchItemResultSchema, ContributorSchema } from './signals';

/** `{ success: true, data }`: the seed's envelope of every read. */
export const dataResponse = <T extends z.ZodType>(data: T) => z.object({ success: z.literal(true), data });

/** A stored bar, as `GET /api/marketdata/ohlcv` returns it (newest first). */
export const StoredBarSchema = z.object({
  symbol: SymbolSchema,
  timeframe: TimeframeSchema,
  /** Open time of the bar, ISO-8601 UTC with milliseconds. */
  bar_ts: z.string(),
  open: z.number(),
  high: z.number(),
  low: z.number(),
  close: z.number(),
  /** null when the source has no volume. */
  volume: z.number().nullable(),
});
export type StoredBar = z.infer<typeof StoredBarSchema>;

const stored = {
  /** When the server first stored it, ISO-8601 UTC. */
  received_at: z.string(),
  /** Received after its bar closed: kept, never scored. */
  late: z.boolean(),
};

/** A stored signal, as `GET /api/signals` returns it. */
export const StoredSignalSchema = z.object({
  owner: SlugSchema,
  model_id: SlugSchema,
  symbol: SymbolSchema,
  timeframe: TimeframeSchema,
  bar_ts: z.string(),
  decision: DecisionSchema,
  confidence: z.number().min(0).max(1),
  meta: z.record(z.string(), z.unknown()),
  ...stored,
});
export type StoredSignal = z.infer<typeof StoredSignalSchema>;

/** A stored consensus, as `GET /api/consensus` returns it. */
export const StoredConsensusSchema = z.object({
  owner: SlugSchema,
  symbol: SymbolSchema,
  timeframe: TimeframeSchema,
  bar_ts: z.string(),
  decision: DecisionSchema,
  confidence: z.number().min(0).max(1),
  contributors: z.array(ContributorSchema).min(1),
  meta: z.record(z.string(), z.unknown()),
  ...stored,
});
export type StoredConsensus = z.infer<typeof StoredConsensusSchema>;

/** Body of `POST /api/signals/batch` and `POST /api/consensus/batch` (HTTP 200): one result per item, in order. */
export const BatchWriteResponseSchema = z.object({
  /** true when no item was rejected. */
  success: z.boolean(),
  stored: z.number().int().nonnegative(),
  unchanged: z.number().int().nonnegative(),
  rejected: z.number().int().nonnegative(),
  results: z.array(BatchItemResultSchema),
});
export type BatchWriteResponse = z.infer<typeof BatchWriteResponseSchema>;

/** Body of `POST /api/marketdata/ohlcv` (HTTP 200): good bars are stored, bad ones reported by index. */
export const OhlcvUpsertResponseSchema = z.object({
  /** true when no bar was rejected. */
  success: z.boolean(),
  received: z.number().int().nonnegative(),
  accepted: z.number().int().nonnegative(),
  /** Bars inserted or changed (an identical re-upload writes none). */
  written: z.number().int().nonnegative(),
  rejected: z.array(z.object({ index: z.number().int().nonnegative(), details: z.array(ErrorDetailSchema) })),
});
export type OhlcvUpsertResponse = z.infer<typeof OhlcvUpsertResponseSchema>;

/** A registered model. */
export const ModelSchema = z.object({
  owner: SlugSchema,
  model_id: SlugSchema,
  name: z.string(),
  description: z.string(),
  visibility: z.enum(MODEL_VISIBILITIES),
  created_at: z.string(),
});
export type Model = z.infer<typeof ModelSchema>;

/** A vendor API key as listed; never its secret or hash. */
export const ApiKeySchema = z.object({
  id: z.uuid(),
  owner: SlugSchema,
  user_id: z.uuid().nullable(),
  name: z.string(),
  /** Shown as `mp_<prefix>_…`; identifies the key without revealing it. */
  prefix: z.string(),
  scopes: z.array(z.enum(API_KEY_SCOPES)),
  created_at: z.string(),
  last_used_at: z.string().nullable(),
  revoked_at: z.string().nullable(),
});
export type ApiKey = z.infer<typeof ApiKeySchema>;

/** Body of `POST /api/keys` (HTTP 201): the record and, this once, the key itself. */
export const CreatedApiKeySchema = ApiKeySchema.extend({
  key: z.string().regex(/^mp_[a-z0-9]{12}_[A-Za-z0-9_-]{43}$/),
});
export type CreatedApiKey = z.infer<typeof CreatedApiKeySchema>;

/** `GET /api/me`: who the credentials belong to. */
export const MeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('service') }),
  z.object({
    kind: z.literal('vendor'),
    owner: SlugSchema,
    key: z.object({ id: z.uuid(), prefix: z.string(), scopes: z.array(z.enum(API_KEY_SCOPES)) }),
  }),
  z.object({
    kind: z.literal('user'),
    user_id: z.uuid(),
    owner: SlugSchema,
    provider: z.string(),
    username: z.string().nullable(),
  }),
]);
export type Me = z.infer<typeof MeSchema>;
