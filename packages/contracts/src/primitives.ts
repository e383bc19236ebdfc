import { z } from 'zod';
import { findUnstorable, META_DEPTH_MAX } from './storable';

export const TIMEFRAMES = ['1m', '5m', '15m', '30m', '1h', '4h', '1d'] as const;
export const TimeframeSchema = z.enum(TIMEFRAMES, {
  error: `timeframe must be one of ${TIMEFRAMES.join(', ')}`,
});
export type Timeframe = z.infer<typeof TimeframeSchema>;
/** The seed's exported name: the schema, beside the `Timeframe` type. */
export const Timeframe = TimeframeSchema;

/** Length of one bar of each timeframe, in milliseconds. Daily bars start at 00:00 UTC. */
export const TIMEFRAME_MS: Record<Timeframe, number> = {
  '1m': 60_000,
  '5m': 300_000,
  '15m': 900_000,
  '30m': 1_800_000,
  '1h': 3_600_000,
  '4h': 14_400_000,
  '1d': 86_400_000,
};

export const DECISIONS = ['BUY', 'SELL', 'NEUTRAL'] as const;
export const DecisionSchema = z.enum(DECISIONS, { error: 'decision must be one of BUY, SELL, NEUTRAL' });
export type Decision = z.infer<typeof DecisionSchema>;
/** The seed's exported name: the schema, beside the `Decision` type. */
export const Decision = DecisionSchema;

const SLUG = /^[a-z0-9_-]{1,64}$/;
/** Lower-case letters, digits, `-` and `_`, 1 to 64 characters (owner names, model ids). */
export const SlugSchema = z
  .string({ error: 'expected a string' })
  .regex(SLUG, { error: 'must be 1-64 characters of lower-case letters, digits, "-" or "_"' });

const SYMBOL = /^[A-Z0-9._-]{1,32}$/;
/** Instrument symbol: upper-case letters, digits, `.`, `_`, `-`, 1 to 32 characters (EURUSD, BTCUSDT, BRK.B). */
export const SymbolSchema = z
  .string({ error: 'expected a string' })
  .regex(SYMBOL, { error: 'must be 1-32 characters of upper-case letters, digits, ".", "_" or "-" (e.g. EURUSD)' });

const CANONICAL_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
/** Earliest instant any timestamp of the contracts may name (docs/api.md, "Limits"). */
export const TIMESTAMP_MIN = '1900-01-01T00:00:00.000Z';
/** Latest instant any timestamp of the contracts may name: `9999-12-31` is not a date the platform stores. */
export const TIMESTAMP_MAX = '2100-12-31T23:59:59.999Z';
const TIMESTAMP_MIN_MS = Date.parse(TIMESTAMP_MIN);
const TIMESTAMP_MAX_MS = Date.parse(TIMESTAMP_MAX);
/** True when epoch milliseconds `ms` lie in the contracts' range of timestamps (years 1900 to 2100, UTC). */
export function isTimestampInRange(ms: number): boolean {
  return ms >= TIMESTAMP_MIN_MS && ms <= TIMESTAMP_MAX_MS;
}
/**
 * An instant as ISO-8601 with an explicit offset (`Z` or `±hh:mm`), normalised to UTC
 * (`2025-01-03T10:30:00.000Z`), from 1900-01-01 to 2100-12-31 UTC. A timestamp without an offset is rejected: its
 * clock would be a guess.
 */
export const UtcTimestampSchema = z
  .string({ error: 'expected an ISO-8601 timestamp string' })
  .pipe(
    z.iso.datetime({
      offset: true,
      error: 'must be an ISO-8601 timestamp with an explicit offset, e.g. 2025-01-03T10:30:00Z',
    }),
  )
  // Already canonical (what every client of ours sends) is kept as is: the datetime check above has validated it.
  .transform((s) => (CANONICAL_UTC.test(s) ? s : new Date(s).toISOString()))
  .refine((s) => isTimestampInRange(Date.parse(s)), {
    error: 'must be a time from 1900-01-01T00:00:00Z to 2100-12-31T23:59:59Z',
  });

/** Confidence in [0, 1], finite. */
export const ConfidenceSchema = z
  .number({ error: 'confidence must be a number between 0 and 1' })
  .min(0, { error: 'confidence must be between 0 and 1' })
  .max(1, { error: 'confidence must be between 0 and 1' });

/** A whole-number query parameter in [1, max] (query strings are text: coerced), with one message naming it. */
export function boundedIntParam(name: string, max: number, fallback: number) {
  const error = `${name} must be a whole number from 1 to ${max}`;
  return z.coerce.number({ error }).int({ error }).min(1, { error }).max(max, { error }).default(fallback);
}

export const META_MAX_BYTES = 8 * 1024;
/**
 * Free-form JSON object, at most 8 KiB when serialised and `META_DEPTH_MAX` (16) levels deep, whose keys and strings
 * PostgreSQL can store (no NUL, no unpaired surrogate). Depth and text are checked first, without recursion: only
 * then is it serialised to measure its size.
 */
export const MetaSchema = z
  .record(z.string(), z.unknown(), { error: 'meta must be a JSON object' })
  .superRefine((m, ctx) => {
    const unstorable = findUnstorable(m, { maxDepth: META_DEPTH_MAX });
    for (const d of unstorable) {
      ctx.addIssue({ code: 'custom', path: d.path === '' ? [] : d.path.split('.'), message: d.message, input: m });
    }
    if (unstorable.length === 0 && Buffer.byteLength(JSON.stringify(m), 'utf8') > META_MAX_BYTES) {
      ctx.addIssue({
        code: 'custom',
        message: `meta must be at most ${META_MAX_BYTES} bytes of JSON; move bulky data elsewhere`,
        input: m,
      });
    }
  });

/** True when `ms` (epoch milliseconds) sits on a boundary of `timeframe` in UTC. */
export function isAlignedTo(ms: number, timeframe: Timeframe): boolean {
  return ms % TIMEFRAME_MS[timeframe] === 0;
}

/** Start of the bar of `timeframe` that contains `ms`. */
export function barStart(ms: number, timeframe: Timeframe): number {
  const len = TIMEFRAME_MS[timeframe];
  return Math.floor(ms / len) * len;
}

/** Adds an issue at `bar_ts` when it is not on its timeframe's boundary. */
export function checkBarAlignment(
  value: { bar_ts: string; timeframe: Timeframe },
  ctx: { addIssue: (issue: { code: 'custom'; path: string[]; message: string; input?: unknown }) => void },
): void {
  const ms = Date.parse(value.bar_ts);
  // Object refinements run even when a field already failed: judge alignment only on a valid time and timeframe.
  if (Number.isNaN(ms) || !(value.timeframe in TIMEFRAME_MS)) return;
  if (!isAlignedTo(ms, value.timeframe)) {
    const start = new Date(barStart(ms, value.timeframe)).toISOString();
    ctx.addIssue({
      code: 'custom',
      path: ['bar_ts'],
      message: `bar_ts must sit on a ${value.timeframe} boundary in UTC; the bar containing it starts at ${start}`,
      input: value.bar_ts,
    });
  }
}

/** Adds an issue at `from` when a query's range is empty (`from` after `to`); judged only when both are valid times. */
export function checkTimeRange(
  value: { from?: string | undefined; to?: string | undefined },
  ctx: { addIssue: (issue: { code: 'custom'; path: string[]; message: string; input?: unknown }) => void },
): void {
  if (value.from === undefined || value.to === undefined) return;
  const from = Date.parse(value.from);
  const to = Date.parse(value.to);
  if (Number.isNaN(from) || Number.isNaN(to) || from <= to) return;
  ctx.addIssue({
    code: 'custom',
    path: ['from'],
    message: `from (${value.from}) must not be after to (${value.to})`,
    input: value.from,
  });
}
