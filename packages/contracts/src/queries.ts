// Query strings, path parameters and headers of the Infrastructure API's routes; the bodies live beside their payloads
// (signals.ts, market-data.ts, api.ts). Routes declare these, so the validation and the OpenAPI document share them.
import { z } from 'zod';
import { IMPORT_FORMATS } from './import-report';
import { SlugSchema, SymbolSchema, TimeframeSchema } from './primitives';
import { OUTBOX_STATUSES } from './responses';

const LIMIT_ERROR = 'limit must be a whole number from 1 to 1000';

/** `limit` of the listing routes: 1-1000, default 100. */
const ListLimitSchema = z.coerce
  .number({ error: LIMIT_ERROR })
  .int({ error: LIMIT_ERROR })
  .min(1, { error: LIMIT_ERROR })
  .max(1000, { error: LIMIT_ERROR })
  .default(100);

/** Query of `GET /api/models`. */
export const ListQuerySchema = z.strictObject({
  /** Only this owner's models (public ones and, for the owner, private ones). */
  owner: SlugSchema.optional(),
  limit: ListLimitSchema,
});
export type ListQuery = z.infer<typeof ListQuerySchema>;

/** Query of `GET /api/keys`: the service principal may list another owner's keys. */
export const OwnerQuerySchema = z.strictObject({ owner: SlugSchema.optional() });
export type OwnerQuery = z.infer<typeof OwnerQuerySchema>;

/** Query of `GET /api/audit`: the newest entries first; the service principal may name an owner. */
export const AuditQuerySchema = z.strictObject({ owner: SlugSchema.optional(), limit: ListLimitSchema });
export type AuditQuery = z.infer<typeof AuditQuerySchema>;

/** Query of `GET /api/admin/outbox`. */
export const OutboxQuerySchema = z.strictObject({
  status: z.enum(OUTBOX_STATUSES, { error: `status must be one of ${OUTBOX_STATUSES.join(', ')}` }).optional(),
  limit: ListLimitSchema,
});
export type OutboxQuery = z.infer<typeof OutboxQuerySchema>;

/** Query of `POST /api/marketdata/import` (the body is the CSV file). */
export const ImportQuerySchema = z.strictObject({
  symbol: SymbolSchema,
  tf: TimeframeSchema,
  /** Detected from the header and first rows when absent. */
  format: z.enum(IMPORT_FORMATS, { error: `format must be one of ${IMPORT_FORMATS.join(', ')}` }).optional(),
  /**
   * Clock of the file's timestamps when they carry no offset (default UTC): an IANA name or a fixed offset. Which
   * spellings a zone may take is the importer's rule (`@neuronetiq/marketdata`'s ZONE_FORMS); the api checks it.
   */
  tz: z
    .string()
    .min(1, { error: 'tz must not be empty' })
    .max(64, { error: 'tz must be at most 64 characters' })
    .optional(),
});
export type ImportQuery = z.infer<typeof ImportQuerySchema>;

/** Path of `DELETE /api/keys/{id}`. Any string: an id that is not a key's is a 404, not a 400. */
export const ApiKeyIdParamsSchema = z.strictObject({ id: z.string().describe("the key's id (a UUID)") });

const IDEMPOTENCY_KEY_ERROR = 'must be 1-255 visible ASCII characters';

/** `Idempotency-Key` (IETF httpapi draft): 1-255 visible ASCII characters. */
export const IdempotencyKeySchema = z
  .string()
  .regex(/^[\x21-\x7e]{1,255}$/, { error: IDEMPOTENCY_KEY_ERROR })
  .describe(
    'Same key + same body replays the first response (Idempotent-Replayed: true); another body → 422; in flight → 409',
  );

/** Headers of the write routes that take an `Idempotency-Key`; other headers pass through. */
export const WriteHeadersSchema = z.looseObject({ 'idempotency-key': IdempotencyKeySchema.optional() });

/** Path of `GET /api/marketplace/models/{owner}/{model}`. */
export const MarketplaceModelParamsSchema = z.strictObject({ owner: SlugSchema, model: SlugSchema });
/** Path of `GET /api/marketplace/vendors/{owner}`. */
export const OwnerParamsSchema = z.strictObject({ owner: SlugSchema });
/** Path of `PATCH /api/models/{model_id}`. */
export const ModelIdParamsSchema = z.strictObject({ model_id: SlugSchema });

/** Headers of `GET /api/stream`: `Last-Event-ID` (EventSource's reconnect) wins over `?last_event_id=`. */
export const StreamHeadersSchema = z.looseObject({
  'last-event-id': z
    .string()
    .trim()
    .regex(/^\d{1,15}$/, { error: 'must be a whole number from 0' })
    .transform(Number)
    .optional()
    .describe('the id of the last event received; the stream resumes after it'),
});
