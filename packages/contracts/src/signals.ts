import { z } from 'zod';
import { ErrorCodeSchema } from './errors';
import {
  ConfidenceSchema,
  checkBarAlignment,
  DecisionSchema,
  MetaSchema,
  SlugSchema,
  SymbolSchema,
  TimeframeSchema,
  UtcTimestampSchema,
} from './primitives';

/** One model's decision for one bar of one series. */
export const SignalPayloadSchema = z
  .strictObject({
    /** Vendor that owns the model (slug). */
    owner: SlugSchema,
    /** Model id, unique within the owner (slug), e.g. `baseline-rsi-001`. */
    model_id: SlugSchema,
    /** Instrument, e.g. `EURUSD`. */
    symbol: SymbolSchema,
    timeframe: TimeframeSchema,
    /** Open time of the bar the decision is for, UTC, on the timeframe's boundary. */
    bar_ts: UtcTimestampSchema,
    decision: DecisionSchema,
    /** 0 (no conviction) to 1 (certain). */
    confidence: ConfidenceSchema,
    /** Optional JSON object, at most 8 KiB (e.g. `{ "rsi": 34.2 }`). */
    meta: MetaSchema.default({}),
  })
  .superRefine(checkBarAlignment)
  // The id names it in the OpenAPI document's components.
  .meta({ id: 'SignalPayload' });
export type SignalPayload = z.infer<typeof SignalPayloadSchema>;
export type SignalPayloadInput = z.input<typeof SignalPayloadSchema>;
/** The seed's exported name. */
export const SignalPayload = SignalPayloadSchema;

export const ContributorSchema = z.strictObject({
  model_id: SlugSchema,
  decision: DecisionSchema,
  confidence: ConfidenceSchema,
  /** Weight of this model in the vote, >= 0 (from its track record, or equal weights). */
  weight: z
    .number({ error: 'weight must be a non-negative number' })
    .min(0, { error: 'weight must be a non-negative number' }),
});
export type Contributor = z.infer<typeof ContributorSchema>;

/** The combined decision of several models for one bar. */
export const ConsensusPayloadSchema = z
  .strictObject({
    owner: SlugSchema,
    symbol: SymbolSchema,
    timeframe: TimeframeSchema,
    bar_ts: UtcTimestampSchema,
    decision: DecisionSchema,
    confidence: ConfidenceSchema,
    /** Every model that took part, with its weight; at least one. */
    contributors: z
      .array(ContributorSchema, { error: 'contributors must be a list' })
      .min(1, { error: 'contributors must list at least one model' })
      .max(256, { error: 'contributors may list at most 256 models' }),
    meta: MetaSchema.default({}),
  })
  .superRefine(checkBarAlignment)
  .meta({ id: 'ConsensusPayload' });
export type ConsensusPayload = z.infer<typeof ConsensusPayloadSchema>;
export type ConsensusPayloadInput = z.input<typeof ConsensusPayloadSchema>;
export const ConsensusPayload = ConsensusPayloadSchema;

/**
 * The seed's idempotency key: `owner:model_id:symbol:timeframe:floor(bar_ts_ms / 5000)`.
 * A consensus has no model, so its key uses `~consensus` in that place (`~` is never in a slug, so it cannot collide).
 */
export function idempotencyKeyFor(
  payload: Pick<SignalPayload, 'owner' | 'symbol' | 'timeframe' | 'bar_ts'> & { model_id?: string },
): string {
  const model = payload.model_id ?? '~consensus';
  return `${payload.owner}:${model}:${payload.symbol}:${payload.timeframe}:${Math.floor(Date.parse(payload.bar_ts) / 5000)}`;
}

export const SIGNAL_BATCH_MAX = 1000;
export const SignalBatchSchema = z.strictObject({
  signals: z
    .array(z.unknown(), { error: 'signals must be a list' })
    .min(1, { error: 'signals must hold at least one signal' })
    .max(SIGNAL_BATCH_MAX, { error: `signals may hold at most ${SIGNAL_BATCH_MAX} signals; split the batch` })
    // Items are checked one by one (a bad one is reported by index), so the array takes anything; the document says what.
    .meta({ items: { $ref: '#/components/schemas/SignalPayloadInput' } }),
});

export const ConsensusBatchSchema = z.strictObject({
  consensus: z
    .array(z.unknown(), { error: 'consensus must be a list' })
    .min(1, { error: 'consensus must hold at least one row' })
    .max(SIGNAL_BATCH_MAX, { error: `consensus may hold at most ${SIGNAL_BATCH_MAX} rows; split the batch` })
    .meta({ items: { $ref: '#/components/schemas/ConsensusPayloadInput' } }),
});

/** Per-item outcome of a batch write. */
export const BatchItemResultSchema = z.object({
  index: z.number().int(),
  status: z.enum(['stored', 'unchanged', 'rejected']),
  /** Why a rejected item was refused: VALIDATION_ERROR, FORBIDDEN or SIGNAL_IMMUTABLE. */
  error: ErrorCodeSchema.optional(),
  message: z.string().optional(),
  details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
export type BatchItemResult = z.infer<typeof BatchItemResultSchema>;
