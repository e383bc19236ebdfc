import type { OhlcvBar, OhlcvQuery, StoredBar } from '@neuronetiq/contracts';
import type { Queryable } from '../client';

// Bulk upsert of any number of bars in one statement: re-importing the same file is harmless, a corrected bar wins.
const UPSERT_BARS = `
INSERT INTO market.ohlcv AS o (symbol, timeframe, bar_ts, open, high, low, close, volume)
SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::numeric[], $5::numeric[], $6::numeric[],
                     $7::numeric[], $8::numeric[])
ON CONFLICT (symbol, timeframe, bar_ts) DO UPDATE
  SET open = excluded.open, high = excluded.high, low = excluded.low, close = excluded.close,
      volume = excluded.volume, ingested_at = now()
  WHERE (o.open, o.high, o.low, o.close, o.volume)
        IS DISTINCT FROM (excluded.open, excluded.high, excluded.low, excluded.close, excluded.volume)`;

// numeric → float8 in SQL: prices with up to 15 significant digits round-trip exactly through a JSON number.
const BAR_COLUMNS = `symbol, timeframe, bar_ts, open::float8 AS open, high::float8 AS high, low::float8 AS low,
  close::float8 AS close, volume::float8 AS volume`;

export const ohlcvRepository = {
  /** Upserts bars (distinct keys per call); returns how many rows were inserted or changed. */
  async upsert(tx: Queryable, bars: readonly OhlcvBar[]): Promise<number> {
    if (bars.length === 0) return 0;
    const rows = await tx.query<{ n: number }>(`WITH w AS (${UPSERT_BARS} RETURNING 1) SELECT count(*) AS n FROM w`, [
      bars.map((b) => b.symbol),
      bars.map((b) => b.timeframe),
      bars.map((b) => b.bar_ts),
      bars.map((b) => String(b.open)),
      bars.map((b) => String(b.high)),
      bars.map((b) => String(b.low)),
      bars.map((b) => String(b.close)),
      bars.map((b) => (b.volume === null ? null : String(b.volume))),
    ]);
    return rows[0]?.n ?? 0;
  },

  /** Bars of one series, newest first. */
  async find(tx: Queryable, q: OhlcvQuery): Promise<StoredBar[]> {
    const params: unknown[] = [q.symbol, q.tf];
    const where = ['symbol = $1', 'timeframe = $2'];
    if (q.from) where.push(`bar_ts >= $${params.push(q.from)}`);
    if (q.to) where.push(`bar_ts <= $${params.push(q.to)}`);
    return tx.query<StoredBar>(
      `SELECT ${BAR_COLUMNS} FROM market.ohlcv WHERE ${where.join(' AND ')} ORDER BY bar_ts DESC LIMIT $${params.push(q.limit)}`,
      params,
    );
  },

  /**
   * The newest `limit` bars (at or before `to`) of each series, newest first, in one statement, as one JSON array
   * text per series, in the order asked: the database builds the JSON, so a cycle's 200,000 bars cross the api
   * without being turned into objects and back.
   */
  async findManyJson(
    tx: Queryable,
    q: { series: readonly { symbol: string; tf: string }[]; limit: number; to?: string | undefined },
  ): Promise<{ symbol: string; tf: string; bars: string }[]> {
    return tx.query(
      `SELECT s.symbol, s.tf, coalesce(b.bars, '[]') AS bars
       FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS s(symbol, tf, ord)
       CROSS JOIN LATERAL (
         SELECT json_agg(json_build_object(
                  'symbol', o.symbol, 'timeframe', o.timeframe,
                  'bar_ts', to_char(o.bar_ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                  'open', o.open::float8, 'high', o.high::float8, 'low', o.low::float8, 'close', o.close::float8,
                  'volume', o.volume::float8) ORDER BY o.bar_ts DESC)::text AS bars
         FROM (SELECT * FROM market.ohlcv
               WHERE symbol = s.symbol AND timeframe = s.tf AND ($4::timestamptz IS NULL OR bar_ts <= $4)
               ORDER BY bar_ts DESC LIMIT $3) o) b
       ORDER BY s.ord`,
      [q.series.map((s) => s.symbol), q.series.map((s) => s.tf), q.limit, q.to ?? null],
    );
  },

  /** Bars of one series with `from <= bar_ts < to`, oldest first (a page of a range scan). */
  async findRange(
    tx: Queryable,
    q: { symbol: string; timeframe: string; from: string; to: string },
  ): Promise<StoredBar[]> {
    return tx.query<StoredBar>(
      `SELECT ${BAR_COLUMNS} FROM market.ohlcv
       WHERE symbol = $1 AND timeframe = $2 AND bar_ts >= $3 AND bar_ts < $4 ORDER BY bar_ts`,
      [q.symbol, q.timeframe, q.from, q.to],
    );
  },

  /**
   * The roll-ups that may be behind: for each symbol with `source` bars and each target timeframe, the newest
   * target bar (null: none yet), listed when a source bar exists past the end of that bar's bucket. Symbols are
   * walked on the primary key (a loose index scan) and each newest bar is an index probe, so the cost follows the
   * number of series, not of bars.
   */
  async findRollUpBacklog(
    tx: Queryable,
    q: { source: string; targets: readonly { timeframe: string; ms: number }[] },
  ): Promise<{ symbol: string; timeframe: string; newest: string | null }[]> {
    return tx.query(
      `WITH RECURSIVE symbols(symbol) AS (
         SELECT min(symbol) FROM market.ohlcv
         UNION ALL
         SELECT (SELECT min(o.symbol) FROM market.ohlcv o WHERE o.symbol > s.symbol) FROM symbols s
         WHERE s.symbol IS NOT NULL
       ), sources AS (
         SELECT s.symbol,
                (SELECT max(o.bar_ts) FROM market.ohlcv o WHERE o.symbol = s.symbol AND o.timeframe = $1) AS newest
         FROM symbols s WHERE s.symbol IS NOT NULL
       )
       SELECT src.symbol, t.tf AS timeframe, r.newest
       FROM sources src
       CROSS JOIN unnest($2::text[], $3::float8[]) AS t(tf, step_ms)
       CROSS JOIN LATERAL (SELECT max(o.bar_ts) AS newest FROM market.ohlcv o
                           WHERE o.symbol = src.symbol AND o.timeframe = t.tf) r
       WHERE src.newest IS NOT NULL
         AND (r.newest IS NULL OR src.newest >= r.newest + make_interval(secs => t.step_ms / 1000))
       ORDER BY 1, 2`,
      [q.source, q.targets.map((t) => t.timeframe), q.targets.map((t) => t.ms)],
    );
  },

  /** Newest bar time of each series (for catch-up and gap checks). */
  async latest(tx: Queryable): Promise<{ symbol: string; timeframe: string; bar_ts: string }[]> {
    return tx.query(
      `SELECT symbol, timeframe, max(bar_ts) AS bar_ts FROM market.ohlcv GROUP BY symbol, timeframe ORDER BY 1, 2`,
    );
  },
};
