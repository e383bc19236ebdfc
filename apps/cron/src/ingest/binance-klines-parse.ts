// The edge of the Binance adapter: what `GET /api/v3/klines` answers, parsed with zod, and the mapping of a kline to
// the contracts' OhlcvBar. Pure: no fetch, no clock.
import type { OhlcvBar, Timeframe } from '@neuronetiq/contracts';
import { z } from 'zod';

/** Our timeframes as Binance kline intervals (all of ours exist there under the same name). */
export const BINANCE_INTERVALS = {
  '1m': '1m',
  '5m': '5m',
  '15m': '15m',
  '30m': '30m',
  '1h': '1h',
  '4h': '4h',
  '1d': '1d',
} as const satisfies Record<Timeframe, string>;

/** Most klines one request may ask for. */
export const BINANCE_KLINES_LIMIT = 1000;

/** Binance sends prices and volumes as decimal strings ("16541.77000000") so they stay exact. */
const decimal = z.string().regex(/^\d+(\.\d+)?$/, { error: 'expected a decimal string' });
const epochMs = z.number().int().nonnegative();

/**
 * One kline: [openTime ms, open, high, low, close, volume, closeTime ms (openTime + interval − 1), quoteVolume,
 * trades, takerBuyBase, takerBuyQuote, ignore]. Extra trailing fields are tolerated (Binance may append some).
 */
export const BinanceKlineSchema = z
  .tuple([epochMs, decimal, decimal, decimal, decimal, decimal, epochMs, decimal, z.number().int(), decimal, decimal])
  .rest(z.unknown())
  .transform(([openTimeMs, open, high, low, close, volume, closeTimeMs]) => ({
    openTimeMs,
    closeTimeMs,
    open,
    high,
    low,
    close,
    volume,
  }));
export type BinanceKline = z.infer<typeof BinanceKlineSchema>;

export const BinanceKlinesSchema = z.array(BinanceKlineSchema);

/** Binance's error body, e.g. `{"code":-1121,"msg":"Invalid symbol."}`. */
export const BinanceErrorSchema = z.object({ code: z.number().int(), msg: z.string() });
export type BinanceError = z.infer<typeof BinanceErrorSchema>;

export type ParsedKlines = { ok: true; klines: BinanceKline[] } | { ok: false; error: string };

/** Parses a klines body (text); never throws: a malformed body comes back as `{ ok: false }` with the first issue. */
export function parseKlinesBody(text: string): ParsedKlines {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, error: `not JSON: ${text.slice(0, 80)}` };
  }
  const parsed = BinanceKlinesSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, error: `${issue?.path.join('.') || '(body)'}: ${issue?.message ?? 'invalid'}` };
  }
  return { ok: true, klines: parsed.data };
}

/** The `{code, msg}` of an error body, when it is one. */
export function parseBinanceError(text: string): BinanceError | undefined {
  try {
    const parsed = BinanceErrorSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A kline has closed when its closeTime (the last millisecond it covers) is before `nowMs`. Usually closeTime is
 * open + interval − 1; a kline cut short by a trading halt (BTCUSDT 2023-03-24 12:00 closed at 12:39:41.646) has an
 * earlier one and is still a closed bar of its open time.
 */
export function isClosedKline(kline: BinanceKline, nowMs: number): boolean {
  return kline.closeTimeMs < nowMs;
}

/**
 * Maps a kline to a bar. Prices go through Number: the api takes numbers and stores numeric, and every decimal of at
 * most 15 significant digits (all Binance prices) survives that round trip exactly.
 */
export function klineToBar(kline: BinanceKline, symbol: string, timeframe: Timeframe): OhlcvBar {
  return {
    symbol,
    timeframe,
    bar_ts: new Date(kline.openTimeMs).toISOString(),
    open: Number(kline.open),
    high: Number(kline.high),
    low: Number(kline.low),
    close: Number(kline.close),
    volume: Number(kline.volume),
  };
}
