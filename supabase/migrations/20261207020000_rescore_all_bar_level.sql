-- A rebuild from scratch computes each forward return once per entry bar, not once per signal (issue 13's benchmark:
-- from scratch < 30 s; figures in BENCHMARKS.md, scoring). Until now ml.rescore_all read ml.computed_scores whole:
-- 3,000,000 rows (1,000,000 signals × 3 horizons) each joined to its exit bar and each doing the numeric division of
-- its return, through four projection fences; about 18 s of backend CPU before the first row was written. But a
-- row's exit bar, exit close and return depend only on its series, its entry bar and its horizon, and the signals of
-- a series share their entry bars (the benchmark: 1,000,000 signals over 166,667 entry bars). So the rebuild now
--   1. finds each signal's entry once (the grid-point hash join over the bars, ml.bar_at_or_after only over gaps:
--      the rule of ml.computed_scores, unchanged), kept in a materialised CTE;
--   2. computes the exits and returns of the distinct entry bars × horizons (500,000 here, not 3,000,000);
--   3. hash-joins the two (enable_mergejoin off: the planner otherwise sorts the 3,000,000 rows to merge them) and
--      derives the per-signal figures (hit, position and weighted return, Brier), which are cheap float arithmetic.
-- The rows are written (nearly) in primary-key order: the signals sorted by their key (1,000,000 rows, not 3,000,000)
-- probe a hash of the entry bars whose chains hold the horizons in ascending order (a bucket's chain is last in,
-- first out, so f is stored in descending horizon order). The primary key's build then sorts presorted runs, which
-- PostgreSQL's sort finishes in a fraction of the time (the key's build on the benchmark's rows: 10 s instead of 26 s
-- wall at load 26). The order is only a matter of speed: whatever order a plan produces, the rows are the same.
-- Same rows, same values (the expressions are ml.computed_scores's): the incremental paths keep ml.computed_scores,
-- and scoring.test.ts and the benchmark check that the incremental result equals this rebuild, row by row.
-- work_mem 256MB keeps the entry-bar hash (~120 MB for 500,000 rows) in one batch; maintenance_work_mem 1GB sorts the
-- primary key (3,000,000 six-column keys) in memory instead of on disk. Both apply to this call only.
CREATE OR REPLACE FUNCTION ml.rescore_all() RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' SET jit = off SET work_mem = '256MB'
SET maintenance_work_mem = '1GB' SET enable_mergejoin = off AS $$
DECLARE
  v_written integer;
BEGIN
  -- The horizons may just have changed (a rebuild is what follows that): keep the planner's count of them true.
  ANALYZE ml.score_horizons;
  TRUNCATE ml.signal_scores;
  DROP INDEX IF EXISTS ml.signal_scores_entry;
  ALTER TABLE ml.signal_scores DROP CONSTRAINT signal_scores_pkey;
  WITH e AS MATERIALIZED (
    SELECT s.owner, s.model_id, s.symbol, s.timeframe, s.bar_ts, s.decision, s.confidence::float8 AS confidence,
           s.received_at, s.backfilled, g.tf, g.last_open,
           coalesce(eb.bar_ts, ml.bar_at_or_after(s.symbol, s.timeframe, g.entry_at, g.last_open)) AS entry_bar_ts,
           coalesce(eb.close, (SELECT n.close FROM market.ohlcv n
                               WHERE n.symbol = s.symbol AND n.timeframe = s.timeframe
                                 AND n.bar_ts = ml.bar_at_or_after(s.symbol, s.timeframe, g.entry_at,
                                                                   g.last_open))) AS entry_close
    FROM ml.signals_latest s
    CROSS JOIN LATERAL (
      SELECT ml.timeframe_interval(s.timeframe) AS tf, now() - ml.timeframe_interval(s.timeframe) AS last_open,
             date_bin(ml.timeframe_interval(s.timeframe), s.received_at - interval '1 microsecond',
                      timestamptz '1970-01-01 00:00:00+00') AS entry_at
    ) g
    LEFT JOIN market.ohlcv eb
      ON eb.symbol = s.symbol AND eb.timeframe = s.timeframe AND eb.bar_ts = g.entry_at AND eb.bar_ts <= g.last_open
    WHERE NOT s.late
    ORDER BY s.owner, s.model_id, s.symbol, s.timeframe, s.bar_ts
  ),
  f AS MATERIALIZED (
    SELECT x.*, ((x.exit_close - x.entry_close) / x.entry_close)::float8 AS r
    FROM (
      SELECT d.symbol, d.timeframe, d.entry_bar_ts, d.entry_close, h.horizon_bars,
             coalesce(xb.bar_ts, ml.bar_at_or_after(d.symbol, d.timeframe, d.entry_bar_ts + h.horizon_bars * d.tf,
                                                    d.last_open)) AS exit_bar_ts,
             coalesce(xb.close, (SELECT n.close FROM market.ohlcv n
                                 WHERE n.symbol = d.symbol AND n.timeframe = d.timeframe
                                   AND n.bar_ts = ml.bar_at_or_after(d.symbol, d.timeframe,
                                                                     d.entry_bar_ts + h.horizon_bars * d.tf,
                                                                     d.last_open))) AS exit_close
      FROM (
        SELECT DISTINCT e.symbol, e.timeframe, e.entry_bar_ts, e.entry_close, e.tf, e.last_open
        FROM e WHERE e.entry_bar_ts IS NOT NULL
      ) d
      CROSS JOIN ml.score_horizons h
      LEFT JOIN market.ohlcv xb
        ON xb.symbol = d.symbol AND xb.timeframe = d.timeframe AND xb.bar_ts = d.entry_bar_ts + h.horizon_bars * d.tf
       AND xb.bar_ts <= d.last_open
    ) x
    ORDER BY x.horizon_bars DESC
  )
  INSERT INTO ml.signal_scores
    (owner, model_id, symbol, timeframe, bar_ts, horizon_bars, decision, confidence, received_at, backfilled,
     entry_bar_ts, entry_close, exit_bar_ts, exit_close, forward_return, hit, position_return, weighted_return, brier)
  SELECT e.owner, e.model_id, e.symbol, e.timeframe, e.bar_ts, f.horizon_bars, e.decision, e.confidence,
         e.received_at, e.backfilled, e.entry_bar_ts, e.entry_close, f.exit_bar_ts, f.exit_close, f.r, v.hit,
         v.position_return, e.confidence * v.position_return,
         CASE WHEN v.hit IS NOT NULL THEN (e.confidence - v.hit::int) ^ 2 END
  FROM e
  JOIN f ON f.symbol = e.symbol AND f.timeframe = e.timeframe AND f.entry_bar_ts = e.entry_bar_ts
  CROSS JOIN LATERAL (
    SELECT CASE WHEN e.decision = 'NEUTRAL' OR f.r IS NULL OR f.r = 0 THEN NULL
                ELSE (e.decision = 'BUY') = (f.r > 0) END AS hit,
           -- `0 - r`, not `-r`: a SELL over a flat move earns 0, not −0.
           CASE e.decision WHEN 'BUY' THEN f.r WHEN 'SELL' THEN 0 - f.r ELSE CASE WHEN f.r IS NOT NULL THEN 0 END
           END AS position_return
  ) v;
  GET DIAGNOSTICS v_written = ROW_COUNT;
  ALTER TABLE ml.signal_scores ADD PRIMARY KEY (owner, model_id, symbol, timeframe, bar_ts, horizon_bars);
  CREATE INDEX signal_scores_entry ON ml.signal_scores (symbol, timeframe, entry_bar_ts);
  RETURN v_written;
END
$$;
REVOKE ALL ON FUNCTION ml.rescore_all() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ml.rescore_all() TO service_role;

-- One new bar cost ~60 ms of backend CPU (the benchmark's figure) for scoring a few dozen rows: ml.score_horizons (3
-- rows) had never been analysed (autovacuum analyses a table only after 50 changed rows, so it never would), the
-- planner took it for 2,550 rows, and ml.write_scores then hashed every stored bar of the series (a sequential scan of
-- market.ohlcv, 186,348 rows in the benchmark) to find the exits of 69 rows, instead of probing the primary key. With
-- its true size the same call probes the index: ~7 ms of CPU on the benchmark's data.
ANALYZE ml.score_horizons;
