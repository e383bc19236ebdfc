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
  /** When the server stored its current values (its last change), ISO-8601 UTC: scoring enters it after this. */
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
  /** After this instant the key is refused (401); null: until revoked. */
  expires_at: z.string().nullable(),
});
export type ApiKey = z.infer<typeof ApiKeySchema>;

export const AUDIT_ACTIONS = ['key.created', 'key.revoked', 'model.registered'] as const;
/** One entry of `GET /api/audit`: what was done to the owner's keys and models, by whom and when. */
export const AuditEntrySchema = z.object({
  id: z.number().int(),
  owner: SlugSchema,
  action: z.enum(AUDIT_ACTIONS),
  /** Who: `user:<uuid>` (a signed-in user), `key:<uuid>` (a vendor key), `service`, or `db:<role>` (SQL outside the api). */
  principal: z.string(),
  /** What: the key's id, or the model's id. */
  subject: z.string(),
  /** The key's prefix, name, scopes and expiry, or the model's name and visibility. */
  detail: z.record(z.string(), z.unknown()),
  created_at: z.string(),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

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

/** One series of `POST /api/marketdata/ohlcv/query`, in the order the query named them. */
export const OhlcvSeriesSchema = z.object({
  /** As asked. */
  symbol: SymbolSchema,
  /** As asked (the query's `tf`). */
  tf: TimeframeSchema,
  /** The newest `limit` bars at or before `to`, newest first; empty when the series has none. */
  bars: z.array(StoredBarSchema),
});
export type OhlcvSeries = z.infer<typeof OhlcvSeriesSchema>;

/** Body of `POST /api/marketdata/ohlcv/query` (HTTP 200): one entry per series asked, in order. */
export const OhlcvSeriesResponseSchema = dataResponse(z.array(OhlcvSeriesSchema));
export type OhlcvSeriesResponse = z.infer<typeof OhlcvSeriesResponseSchema>;

export const OUTBOX_KINDS = ['signal', 'consensus'] as const;
export type OutboxKind = (typeof OUTBOX_KINDS)[number];
export const OUTBOX_STATUSES = ['pending', 'dead'] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

/** A write parked in the ingest outbox for re-delivery by the cron. */
export const OutboxItemSchema = z.object({
  /** Database id, >= 1, in order of parking. */
  id: z.number().int().min(1),
  /** Which endpoint it is re-posted to (`/api/signals/store` or `/api/consensus/store`). */
  kind: z.enum(OUTBOX_KINDS),
  /** The body as it will be re-posted (JSON, not validated here: a dead letter may hold an invalid one). */
  payload: z.unknown(),
  /** Sent as Idempotency-Key on every attempt; unique per kind. */
  idempotency_key: z.string(),
  /** Failed deliveries so far, >= 0. */
  attempts: z.number().int().nonnegative(),
  /** When the next attempt is due (or a lease ends), ISO-8601 UTC with milliseconds. */
  next_attempt_at: z.iso.datetime(),
  /** The last delivery error (or why it was parked), at most 2,000 characters; null when none was recorded. */
  last_error: z.string().nullable(),
  /** `pending`: will be retried at next_attempt_at; `dead`: no longer retried (a permanent error or out of attempts). */
  status: z.enum(OUTBOX_STATUSES),
  /** When it was parked, ISO-8601 UTC with milliseconds. */
  created_at: z.iso.datetime(),
});
export type OutboxItem = z.infer<typeof OutboxItemSchema>;

/** `data` of `GET /api/admin/outbox`: counts by status, and the oldest items (filtered by `status`, `limit` of them). */
export const OutboxListingSchema = z.object({
  /** Items by status over the whole outbox (exact, not limited). */
  counts: z.object({ pending: z.number().int().nonnegative(), dead: z.number().int().nonnegative() }),
  /** Oldest first (by id). */
  items: z.array(OutboxItemSchema),
});
export type OutboxListing = z.infer<typeof OutboxListingSchema>;
