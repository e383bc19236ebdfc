// Fixtures of the roll-up tests: 1m bars with exact-pip prices, the stored bars of a series read back as numbers, and
// an aggregation written here independently of resample(), so a test compares the roll-up with something it did not
// compute itself.
import type { OhlcvBar } from '@neuronetiq/contracts';
import type { Queryable } from '@neuronetiq/db';

export const MIN = 60_000;
export const iso = (ms: number) => new Date(ms).toISOString();

/** 1m bars from `startIso`, prices in exact pips: open 1.1000 + i pip, high +5, low −3, close +1, volume i + 1. */
export function minuteBars(symbol: string, startIso: string, count: number, firstIndex = 0): OhlcvBar[] {
  const start = Date.parse(startIso);
  return Array.from({ length: count }, (_, k) => {
    const i = firstIndex + k;
    return {
      symbol,
      timeframe: '1m',
      bar_ts: iso(start + k * MIN),
      open: (11_000 + i) / 10_000,
      high: (11_005 + i) / 10_000,
      low: (10_997 + i) / 10_000,
      close: (11_001 + i) / 10_000,
      volume: i + 1,
    };
  });
}

export interface StoredRow {
  bar_ts: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number | null;
}

/** The stored bars of one series, oldest first, prices and volume as numbers. */
export function storedBars(db: Queryable, symbol: string, timeframe: string): Promise<StoredRow[]> {
  return db.query<StoredRow>(
    `SELECT bar_ts, open::float8 AS open, high::float8 AS high, low::float8 AS low, close::float8 AS close,
            volume::float8 AS volume
     FROM market.ohlcv WHERE symbol = $1 AND timeframe = $2 ORDER BY bar_ts`,
    [symbol, timeframe],
  );
}

/** The bar `rows` (one bucket's 1m bars, oldest first) make: first open, max high, min low, last close, summed volume. */
export function aggregate(rows: readonly StoredRow[]): Omit<StoredRow, 'bar_ts'> {
  const volumes = rows.map((r) => r.volume);
  return {
    open: rows[0]?.open ?? Number.NaN,
    high: Math.max(...rows.map((r) => r.high)),
    low: Math.min(...rows.map((r) => r.low)),
    close: rows.at(-1)?.close ?? Number.NaN,
    volume: volumes.includes(null) ? null : volumes.reduce<number>((a, v) => a + (v ?? 0), 0),
  };
}
