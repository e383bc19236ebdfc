import { z } from 'zod';
import { HORIZON_BARS_MAX, MODEL_VISIBILITIES } from './api';
import { CurvePointSchema, METRIC_PERIODS, METRIC_SORTS, PerformanceMetricsSchema, SCORE_SOURCES } from './performance';
import {
  boundedIntParam,
  checkTimeRange,
  SlugSchema,
  SymbolSchema,
  TIMEFRAMES,
  TimeframeSchema,
  UtcTimestampSchema,
} from './primitives';
import { StoredConsensusSchema, StoredSignalSchema } from './responses';
import { isStorableText, UNSTORABLE_TEXT_MESSAGE } from './storable';

// Contracts between the api and its user-facing clients (the web app and the mp CLI): sign-in identities, the
// device flow of `mp login`, the marketplace listing and the live event stream. Additive changes only.

/** Free text of at most `max` characters, without NUL characters or lone UTF-16 surrogates (`isStorableText`). */
export function plainText(field: string, max: number) {
  return z
    .string({ error: `${field} must be a string` })
    .max(max, { error: `${field} must be at most ${max} characters` })
    .refine(isStorableText, { error: `${field} ${UNSTORABLE_TEXT_MESSAGE}` });
}

export const IDENTITY_PROVIDERS = ['github', 'google'] as const;
export type IdentityProvider = (typeof IDENTITY_PROVIDERS)[number];

/**
 * Body of `POST /api/auth/identity` (service principal only): the web server reports an identity the OAuth provider
 * verified. The api upserts `auth.users` and `auth.identities` (keyed on provider + provider_user_id, so a GitHub
 * rename keeps the user) and assigns the owner once, on the server (GitHub: login; Google: e-mail local part).
 */
export const IdentityUpsertSchema = z.strictObject({
  provider: z.enum(IDENTITY_PROVIDERS, { error: 'provider must be github or google' }),
  /** GitHub's numeric user id as a string, or Google's `sub`. Never the login: logins can be renamed. */
  provider_user_id: z
    .string({ error: 'provider_user_id must be a string' })
    .regex(/^[A-Za-z0-9_.:-]{1,128}$/, { error: 'provider_user_id must be 1-128 characters of [A-Za-z0-9_.:-]' }),
  /** GitHub login (required for github). */
  user_name: z
    .string()
    .regex(/^[A-Za-z0-9-]{1,39}$/, { error: 'user_name must be a GitHub login (1-39 letters, digits or "-")' })
    .optional(),
  /** Verified e-mail (required for google). */
  email: z.email({ error: 'email must be an e-mail address' }).max(320).optional(),
  /** Display name as the provider has it. */
  name: plainText('name', 200).optional(),
  /** https URL of the avatar. */
  avatar_url: z
    .url({ protocol: /^https?$/, error: 'avatar_url must be an http(s) URL' })
    .max(2000)
    .optional(),
});
export type IdentityUpsert = z.infer<typeof IdentityUpsertSchema>;

/** Response of `POST /api/auth/identity` (HTTP 200). `user_id` is the `sub` of the session tokens the web mints. */
export const IdentityUpsertResultSchema = z.object({
  user_id: z.uuid(),
  owner: SlugSchema,
  /** true on the first sign-in of this identity. */
  created: z.boolean(),
});
export type IdentityUpsertResult = z.infer<typeof IdentityUpsertResultSchema>;

// --- mp login: OAuth 2.0 device authorization grant (RFC 8628) -------------------------------------------------

/** Body of `POST /api/cli/device/code` (anonymous). */
export const DeviceCodeRequestSchema = z.strictObject({
  /** Shown to the person approving, e.g. "mp on laptop". */
  client_name: z.string().trim().min(1).max(80).default('mp CLI'),
});
export type DeviceCodeRequest = z.infer<typeof DeviceCodeRequestSchema>;

/** Response of `POST /api/cli/device/code` (HTTP 200), RFC 8628 §3.2 field names. */
export const DeviceCodeResponseSchema = z.object({
  device_code: z.string().min(32),
  /** Eight letters shown as `ABCD-EFGH`. */
  user_code: z.string().regex(/^[A-Z]{4}-[A-Z]{4}$/),
  /** The web app's approval page, `<web>/cli/authorize`. */
  verification_uri: z.url(),
  verification_uri_complete: z.url(),
  expires_in: z.number().int().positive(),
  /** Seconds the CLI waits between polls. */
  interval: z.number().int().positive(),
});
export type DeviceCodeResponse = z.infer<typeof DeviceCodeResponseSchema>;

/** Body of `POST /api/cli/device/token` (anonymous; polled by the CLI). */
export const DeviceTokenRequestSchema = z.strictObject({
  device_code: z.string().min(1).max(200),
});
export type DeviceTokenRequest = z.infer<typeof DeviceTokenRequestSchema>;

/** RFC 8628 §3.5 errors of `POST /api/cli/device/token`, as `error` of the 400 body. */
export const DEVICE_TOKEN_ERRORS = ['authorization_pending', 'slow_down', 'expired_token', 'access_denied'] as const;
export type DeviceTokenError = (typeof DEVICE_TOKEN_ERRORS)[number];

/** Response of `POST /api/cli/device/token` once approved (HTTP 200): a new vendor key, delivered once. */
export const DeviceTokenResponseSchema = z.object({
  owner: SlugSchema,
  key_id: z.uuid(),
  api_key: z.string().regex(/^mp_[a-z0-9]{12}_[A-Za-z0-9_-]{43}$/),
});
export type DeviceTokenResponse = z.infer<typeof DeviceTokenResponseSchema>;

/**
 * Body of the HTTP 400 of `POST /api/cli/device/token` while no key can be given (RFC 8628 §3.5): keep polling on
 * `authorization_pending`, add 5 s to the interval on `slow_down` (`interval` says the new one), start again on
 * `expired_token` (also an unknown or already collected code), stop on `access_denied`.
 */
export const DeviceTokenErrorResponseSchema = z.object({
  success: z.literal(false),
  error: z.enum(DEVICE_TOKEN_ERRORS),
  /** RFC 8628's human-readable text; the same as `message`. */
  error_description: z.string(),
  message: z.string(),
  /** Seconds to wait before the next poll (raised after `slow_down`). */
  interval: z.number().int().positive().optional(),
  request_id: z.string(),
});
export type DeviceTokenErrorResponse = z.infer<typeof DeviceTokenErrorResponseSchema>;

/** Body of `POST /api/cli/device/approve` (a signed-in user): approve or deny the code shown by the CLI. */
export const DeviceApproveSchema = z.strictObject({
  user_code: z
    .string()
    .transform((s) => s.trim().toUpperCase())
    .pipe(z.string().regex(/^[A-Z]{4}-?[A-Z]{4}$/, { error: 'user_code must look like ABCD-EFGH' })),
  approve: z.boolean(),
});
export type DeviceApprove = z.infer<typeof DeviceApproveSchema>;

/** Response of `POST /api/cli/device/approve` (HTTP 200). */
export const DeviceApproveResultSchema = z.object({
  success: z.literal(true),
  data: z.object({
    status: z.enum(['approved', 'denied']),
    /** The owner the CLI's key will act as. */
    owner: SlugSchema,
    /** What the CLI called itself (`client_name` of the code request). */
    client_name: z.string(),
  }),
});
export type DeviceApproveResult = z.infer<typeof DeviceApproveResultSchema>;

// --- marketplace -----------------------------------------------------------------------------------------------

/** A vendor's public face: GitHub attribution where the owner signed in with GitHub. */
export const VendorSchema = z.object({
  owner: SlugSchema,
  provider: z.enum(IDENTITY_PROVIDERS).nullable(),
  /** GitHub login as GitHub spells it now; null for Google vendors and the platform's own owner. */
  github_login: z.string().nullable(),
  avatar_url: z.string().nullable(),
  /** `https://github.com/<login>` for GitHub vendors. */
  profile_url: z.string().nullable(),
  display_name: z.string().nullable(),
});
export type Vendor = z.infer<typeof VendorSchema>;

/** Track record over the newest scored signals (`GET /api/performance`'s figures, summed over series). */
export const TrackRecordSummarySchema = z.object({
  scored: z.number().int().nonnegative(),
  resolved: z.number().int().nonnegative(),
  hits: z.number().int().nonnegative(),
  /** hits / resolved, null when nothing resolved. */
  hit_rate: z.number().nullable(),
  /** Mean signed return per resolved call, as a fraction (0.001 = 0.1%), null when nothing resolved. */
  mean_return: z.number().nullable(),
  /** true when every scored signal of the record came from a backfill run, not live. */
  backfilled: z.boolean(),
});
export type TrackRecordSummary = z.infer<typeof TrackRecordSummarySchema>;

/** One public model in the marketplace listing. */
export const MarketplaceModelSchema = z.object({
  owner: SlugSchema,
  model_id: SlugSchema,
  name: z.string(),
  description: z.string(),
  vendor: VendorSchema,
  /** Series it has published signals on, most recent first. */
  series: z.array(z.object({ symbol: SymbolSchema, tf: TimeframeSchema })),
  signal_count: z.number().int().nonnegative(),
  last_signal_at: z.string().nullable(),
  track_record: TrackRecordSummarySchema,
  created_at: z.string(),
  /** The figures over the query's window and horizon (docs/metrics.md); null when no call of it resolved there. */
  metrics: PerformanceMetricsSchema.nullable().optional(),
  /** Signals in the window (scored or not, late ones included) that the viewer may see. */
  window_signals: z.number().int().nonnegative().optional(),
  /** Fewer than PROVISIONAL_BELOW_RESOLVED resolved calls in the window: the figures are provisional. */
  provisional: z.boolean().optional(),
  /**
   * When `metrics`' median_return, max_drawdown and spearman were computed by the platform's periodic pass (as a
   * viewer without a subscription saw them then); null or absent: computed for this request, like the other figures.
   */
  row_figures_as_of: z.string().nullable().optional(),
});
export type MarketplaceModel = z.infer<typeof MarketplaceModelSchema>;

/**
 * Sort keys of `GET /api/marketplace/models`: every figure of `metrics` (over `window` at `horizon`, docs/metrics.md),
 * `signals` (signals in the window), and the listing's own `signal_count` (all time), `last_signal_at` and `name`.
 */
export const MARKETPLACE_SORTS = [...METRIC_SORTS, 'signals', 'signal_count', 'last_signal_at', 'name'] as const;
export type MarketplaceSort = (typeof MARKETPLACE_SORTS)[number];
const marketplaceTimeframe = (field: string) =>
  z.enum(TIMEFRAMES, { error: `${field} must be one of ${TIMEFRAMES.join(', ')}` }).optional();
/**
 * Query of `GET /api/marketplace/models` (public). Sorted by `sort` then owner and model id (a total order, so pages
 * neither repeat nor skip a model); `limit` + `offset` page it and the response carries the total.
 */
export const MarketplaceModelsQuerySchema = z
  .strictObject({
    sort: z
      .enum(MARKETPLACE_SORTS, { error: `sort must be one of ${MARKETPLACE_SORTS.join(', ')}` })
      .default('hit_rate'),
    order: z.enum(['asc', 'desc'], { error: 'order must be asc or desc' }).default('desc'),
    /** Period of the figures (and of `signals`): the last 7 or 30 days, or all time. */
    window: z.enum(METRIC_PERIODS, { error: `window must be one of ${METRIC_PERIODS.join(', ')}` }).default('all'),
    /** Horizon of the figures in bars of each signal's timeframe (ml.score_horizons: 1, 5, 20 by default). */
    horizon: boundedIntParam('horizon', HORIZON_BARS_MAX, 1),
    /** Live calls (default) or backfilled history: never mixed. */
    source: z.enum(SCORE_SOURCES, { error: `source must be one of ${SCORE_SOURCES.join(', ')}` }).default('live'),
    /** Case-insensitive match on model id, name, owner. */
    q: plainText('q', 100).optional(),
    /** Models with a signal on this symbol; the figures count only its signals. */
    symbol: SymbolSchema.optional(),
    /** Models with a signal on this timeframe; the figures count only its signals. `tf` is the same filter. */
    timeframe: marketplaceTimeframe('timeframe'),
    tf: marketplaceTimeframe('tf'),
    owner: SlugSchema.optional(),
    limit: boundedIntParam('limit', 100, 24),
    offset: z.coerce
      .number({ error: 'offset must be a whole number from 0' })
      .int({ error: 'offset must be a whole number from 0' })
      .min(0, { error: 'offset must be a whole number from 0' })
      .max(1_000_000, { error: 'offset must be at most 1000000' })
      .default(0),
  })
  .refine((v) => !v.tf || !v.timeframe || v.tf === v.timeframe, {
    error: 'timeframe and tf name the same filter: send one, or the same value',
    path: ['timeframe'],
  });
export type MarketplaceModelsQuery = z.infer<typeof MarketplaceModelsQuerySchema>;

/** Body of `GET /api/marketplace/models` (HTTP 200). */
export const MarketplaceModelsResponseSchema = z.object({
  success: z.literal(true),
  data: z.array(MarketplaceModelSchema),
  /** Models matching the filters, for pagination. */
  total: z.number().int().nonnegative(),
});
export type MarketplaceModelsResponse = z.infer<typeof MarketplaceModelsResponseSchema>;

/** A signal as the marketplace shows it: `backfilled` when a backfill run made it over history (not a live call). */
export const MarketplaceSignalSchema = StoredSignalSchema.extend({
  backfilled: z.boolean().optional(),
});
export type MarketplaceSignal = z.infer<typeof MarketplaceSignalSchema>;

/** A model's track record on one series. */
export const SeriesTrackRecordSchema = TrackRecordSummarySchema.extend({
  symbol: SymbolSchema,
  tf: TimeframeSchema,
});
export type SeriesTrackRecord = z.infer<typeof SeriesTrackRecordSchema>;

/**
 * `data` of `GET /api/marketplace/models/:owner/:model` (public; a private model only for its owner, else 404).
 * `track_record` counts live calls when there are any, else the backfilled ones (then `backfilled: true`);
 * `track_record_live` and `track_record_backfilled` keep the two apart.
 */
export const MarketplaceModelDetailSchema = MarketplaceModelSchema.extend({
  visibility: z.enum(MODEL_VISIBILITIES),
  track_record_live: TrackRecordSummarySchema,
  track_record_backfilled: TrackRecordSummarySchema,
  /** Per series, live and backfilled apart (one entry each where both exist). */
  track_records: z.array(SeriesTrackRecordSchema),
  /** Newest first, at most `signals` (query, default 50, at most 500). */
  latest_signals: z.array(MarketplaceSignalSchema),
  /** Live figures per period (7d, 30d, all) and horizon (docs/metrics.md). */
  stats: z.array(PerformanceMetricsSchema).optional(),
  /** Equity, drawdown and running hit rate over the query's window, horizon and source (default: live, 1 bar, all time). */
  curve: z.array(CurvePointSchema).optional(),
  /** Monthly price in GBP pence now (0 = free); null when never priced. */
  price_pence: z.number().int().nonnegative().nullable().optional(),
  /** The platform's delay, in seconds, after which non-subscribers read this model's signals. */
  delay_seconds: z.number().int().nonnegative().optional(),
});
export type MarketplaceModelDetail = z.infer<typeof MarketplaceModelDetailSchema>;

/** Query of `GET /api/marketplace/models/:owner/:model`. */
export const MarketplaceModelQuerySchema = z.strictObject({
  signals: boundedIntParam('signals', 500, 50),
  /** Period, horizon and source of `curve` (`stats` carries every period and horizon). */
  window: z.enum(METRIC_PERIODS, { error: `window must be one of ${METRIC_PERIODS.join(', ')}` }).default('all'),
  horizon: boundedIntParam('horizon', HORIZON_BARS_MAX, 1),
  source: z.enum(SCORE_SOURCES, { error: `source must be one of ${SCORE_SOURCES.join(', ')}` }).default('live'),
});
export type MarketplaceModelQuery = z.infer<typeof MarketplaceModelQuerySchema>;

/** `data` of `GET /api/marketplace/vendors/:owner` (public): the vendor and their public models. */
export const MarketplaceVendorSchema = z.object({
  vendor: VendorSchema,
  models: z.array(MarketplaceModelSchema),
  /** The vendor's live figures over all its public models, per period and horizon (docs/metrics.md). */
  stats: z.array(PerformanceMetricsSchema).optional(),
});
export type MarketplaceVendor = z.infer<typeof MarketplaceVendorSchema>;

/**
 * Query of `GET /api/marketplace/consensus` (anyone): one series' consensus rows as the caller may read them. `owner`
 * narrows to one consensus publisher; without it every readable publisher's rows come, newest bar first.
 */
export const MarketplaceConsensusQuerySchema = z
  .strictObject({
    symbol: SymbolSchema,
    tf: z.enum(TIMEFRAMES, { error: `tf must be one of ${TIMEFRAMES.join(', ')}` }),
    owner: SlugSchema.optional(),
    from: UtcTimestampSchema.optional(),
    to: UtcTimestampSchema.optional(),
    limit: boundedIntParam('limit', 500, 120),
  })
  .superRefine(checkTimeRange);
export type MarketplaceConsensusQuery = z.infer<typeof MarketplaceConsensusQuerySchema>;

/**
 * A consensus row as the marketplace shows it. `live` is true when the caller reads it as it happens (its owner, or a
 * subscriber of every contributing model); false when it is shown only because it is older than the platform's delay.
 */
export const MarketplaceConsensusSchema = StoredConsensusSchema.extend({ live: z.boolean() });
export type MarketplaceConsensus = z.infer<typeof MarketplaceConsensusSchema>;

/** Body of `GET /api/marketplace/consensus` (HTTP 200). */
export const MarketplaceConsensusResponseSchema = z.object({
  success: z.literal(true),
  /** Newest bar first. */
  data: z.array(MarketplaceConsensusSchema),
  /** The platform's delay, in seconds, after which a consensus of public models is readable by non-subscribers. */
  delay_seconds: z.number().int().nonnegative(),
});
export type MarketplaceConsensusResponse = z.infer<typeof MarketplaceConsensusResponseSchema>;

/** Body of `PATCH /api/models/:model_id` (the model's owner): what to change; at least one field. */
export const UpdateModelSchema = z
  .strictObject({
    name: plainText('name', 120)
      .transform((v) => v.trim())
      .pipe(z.string().min(1, { error: 'name must not be empty' }))
      .optional(),
    description: plainText('description', 2000).optional(),
    visibility: z.enum(MODEL_VISIBILITIES, { error: 'visibility must be public or private' }).optional(),
    /** Only the service principal may name the owner whose model it edits. */
    owner: SlugSchema.optional(),
  })
  .refine((v) => v.name !== undefined || v.description !== undefined || v.visibility !== undefined, {
    error: 'send at least one of name, description, visibility',
    path: ['name'],
  });
export type UpdateModel = z.infer<typeof UpdateModelSchema>;

// --- live stream ------------------------------------------------------------------------------------------------

export const STREAM_EVENT_TYPES = ['signal', 'consensus', 'bar'] as const;
export type StreamEventType = (typeof STREAM_EVENT_TYPES)[number];

/**
 * One server-sent event of `GET /api/stream` (`text/event-stream`): `id:` is the event log's monotonic id (resume
 * with `Last-Event-ID`), `event:` the type, `data:` this object as JSON. A viewer receives only rows it may read.
 */
export const StreamEventSchema = z.object({
  id: z.number().int().positive(),
  type: z.enum(STREAM_EVENT_TYPES),
  /** The stored row as its read endpoint returns it (a signal, a consensus, or a bar with symbol and tf). */
  data: z.record(z.string(), z.unknown()),
  /** When it was appended to the log, ISO-8601 UTC. */
  at: z.string(),
});
export type StreamEvent = z.infer<typeof StreamEventSchema>;

/** Query of `GET /api/stream`: which series to follow (all the viewer may see when absent). */
export const StreamQuerySchema = z.strictObject({
  symbol: SymbolSchema.optional(),
  tf: TimeframeSchema.optional(),
  types: z
    .string()
    .regex(/^(signal|consensus|bar)(,(signal|consensus|bar))*$/, {
      error: 'types must be a comma-separated list of signal, consensus, bar',
    })
    .optional(),
  /** Resume after this event id, for clients that cannot send the `Last-Event-ID` header (the header wins). */
  last_event_id: z.coerce
    .number({ error: 'last_event_id must be a whole number from 0' })
    .int({ error: 'last_event_id must be a whole number from 0' })
    .min(0, { error: 'last_event_id must be a whole number from 0' })
    .max(Number.MAX_SAFE_INTEGER, { error: 'last_event_id is too large' })
    .optional(),
});
export type StreamQuery = z.infer<typeof StreamQuerySchema>;
