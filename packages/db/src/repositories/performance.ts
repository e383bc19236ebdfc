import type { PerformanceQuery, TrackRecord } from '@neuronetiq/contracts';
import type { Queryable } from '../client';

/**
 * Track records from ml.signal_scores (filled by the scoring trigger on market.ohlcv and the cron's sweep): per owner,
 * model and series, over the newest `window` live signals whose exit at `horizon` bars is known. Runs under the
 * caller's RLS: own models and public ones.
 */
export const performanceRepository = {
  async find(tx: Queryable, q: PerformanceQuery): Promise<TrackRecord[]> {
    const params: unknown[] = [q.horizon];
    const where = ['horizon_bars = $1', 'exit_bar_ts IS NOT NULL', 'NOT backfilled'];
    if (q.owner) where.push(`owner = $${params.push(q.owner)}`);
    if (q.model_id) where.push(`model_id = $${params.push(q.model_id)}`);
    if (q.symbol) where.push(`symbol = $${params.push(q.symbol)}`);
    if (q.tf) where.push(`timeframe = $${params.push(q.tf)}`);
    const sql = `
      SELECT owner, model_id, symbol, timeframe,
             count(*)::int AS scored,
             count(hit)::int AS resolved,
             (count(*) FILTER (WHERE hit))::int AS hits,
             CASE WHEN count(hit) > 0 THEN (count(*) FILTER (WHERE hit))::float8 / count(hit) END AS hit_rate,
             avg(position_return) FILTER (WHERE decision <> 'NEUTRAL') AS avg_return,
             to_char(min(bar_ts) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS first_bar_ts,
             to_char(max(bar_ts) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS last_bar_ts,
             min(horizon_bars) AS horizon_bars,
             avg(weighted_return) AS avg_weighted_return,
             avg(brier) AS brier
      FROM (
        SELECT o.*, row_number() OVER (PARTITION BY owner, model_id, symbol, timeframe ORDER BY bar_ts DESC) AS rn
        FROM ml.signal_scores o WHERE ${where.join(' AND ')}
      ) w
      WHERE rn <= $${params.push(q.window)}
      GROUP BY owner, model_id, symbol, timeframe
      ORDER BY owner, model_id, symbol, timeframe`;
    return tx.query<TrackRecord>(sql, params);
  },
  scoreSignals,
  rescoreAll,
};

/**
 * Scores (or re-scores) the on-time signals with bar_ts in [fromMs, toMs] against the closed bars stored now (see
 * ml.score_signals); returns how many score rows it wrote (none when nothing changed).
 */
async function scoreSignals(db: Queryable, fromMs: number, toMs: number): Promise<number> {
  const [row] = await db.query<{ n: number }>('SELECT ml.score_signals($1, $2) AS n', [
    new Date(fromMs).toISOString(),
    new Date(toMs).toISOString(),
  ]);
  return row?.n ?? 0;
}

/** Deletes every score and computes all of them again from the raw rows (signals, bars, horizons). */
async function rescoreAll(db: Queryable): Promise<number> {
  const [row] = await db.query<{ n: number }>('SELECT ml.rescore_all() AS n');
  return row?.n ?? 0;
}
