-- Forward scoring, set-based and fast (the rules are those of 20261205070000_forward_scoring.sql; the figures are in
-- BENCHMARKS.md, scoring). Before: every call of ml.compute_scores materialised its CTEs (3,000,000 wide rows, scanned
-- three times), evaluated its entry and exit look-ups once per reference, took the grid bar with numeric arithmetic
-- (extract(epoch …) is numeric) and spilled its hash joins to disk at the default work_mem; a rebuild went series by
-- series through INSERT … ON CONFLICT into a table whose indexes were maintained row by row; one new bar re-computed
-- every signal of the bars within the longest horizon before it.
--
-- Now:
--   * ml.bar_at_or_after is the one look-up of "the first stored, closed bar at or after a time" (entry and exit alike;
--     the two copies of it are gone). The common case needs no look-up: bars sit on their timeframe's UTC grid, so a
--     hash join on the grid point finds the bar, and the function runs only where that bar is missing (a closure, a gap).
--   * ml.computed_scores() is every score row, computed from the raw rows, as one inlinable query: a rebuild reads it
--     whole (two hash joins over the bars), the incremental paths join it to the keys of the signals they re-score, and
--     the planner then probes the primary keys.
--   * ml.rescore_all() empties the table and inserts everything in one statement, with the secondary index rebuilt
--     after the load (sorted once instead of maintained 3,000,000 times).
--   * One new bar re-computes only the signals it can enter and the score rows it can exit (an exit target in the
--     interval the bar opened: after the bar stored before it, up to it), found through signal_scores_entry.

-- The first stored bar of a series at or after p_at that has closed by p_last_open (the newest open time of a closed
-- bar): the entry of a signal (p_at: the grid point at or after received_at − timeframe) and each exit (p_at: the
-- entry bar + horizon × timeframe).
CREATE OR REPLACE FUNCTION ml.bar_at_or_after(p_symbol text, p_timeframe text, p_at timestamptz,
                                              p_last_open timestamptz)
RETURNS timestamptz
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = '' AS $$
  SELECT min(b.bar_ts) FROM market.ohlcv b
  WHERE b.symbol = p_symbol AND b.timeframe = p_timeframe AND b.bar_ts >= p_at AND b.bar_ts <= p_last_open
$$;
REVOKE ALL ON FUNCTION ml.bar_at_or_after(text, text, timestamptz, timestamptz) FROM PUBLIC;

-- Every score row of every on-time signal, from signals_latest, ohlcv and score_horizons. Not SECURITY DEFINER and
-- without SET clauses, so that the planner inlines it into its callers (the scoring functions, which are definers)
-- and pushes their filters and joins into it. g.entry_at: the grid bar at or after received_at − timeframe, i.e. the
-- first bar that closes at or after received_at (date_bin floors; flooring received_at − 1 µs gives the ceiling
-- of received_at − timeframe on the grid).
CREATE OR REPLACE FUNCTION ml.computed_scores(p_symbol text, p_timeframe text, p_owners text[], p_models text[],
                                              p_bar_ts timestamptz[])
RETURNS TABLE (
  owner text, model_id text, symbol text, timeframe text, bar_ts timestamptz, horizon_bars integer, decision text,
  confidence float8, received_at timestamptz, backfilled boolean, entry_bar_ts timestamptz, entry_close numeric,
  exit_bar_ts timestamptz, exit_close numeric, forward_return float8, hit boolean, position_return float8,
  weighted_return float8, brier float8
)
LANGUAGE sql STABLE AS $$
  SELECT z.owner, z.model_id, z.symbol, z.timeframe, z.bar_ts, z.horizon_bars, z.decision, z.confidence,
         z.received_at, z.backfilled, z.entry_bar_ts, z.entry_close, z.exit_bar_ts, z.exit_close, z.r, z.hit,
         z.position_return, z.confidence * z.position_return,
         CASE WHEN z.hit IS NOT NULL THEN (z.confidence - z.hit::int) ^ 2 END
  FROM (
    SELECT y.*,
           CASE WHEN y.decision = 'NEUTRAL' OR y.r IS NULL OR y.r = 0 THEN NULL
                ELSE (y.decision = 'BUY') = (y.r > 0) END AS hit,
           -- `0 - r`, not `-r`: a SELL over a flat move earns 0, not −0.
           CASE y.decision WHEN 'BUY' THEN y.r WHEN 'SELL' THEN 0 - y.r ELSE CASE WHEN y.r IS NOT NULL THEN 0 END
           END AS position_return
  FROM (
    SELECT x.*, ((x.exit_close - x.entry_close) / x.entry_close)::float8 AS r
    FROM (
      SELECT e.owner, e.model_id, e.symbol, e.timeframe, e.bar_ts, h.horizon_bars, e.decision, e.confidence,
             e.received_at, e.backfilled, e.entry_bar_ts, e.entry_close,
             coalesce(xb.bar_ts, ml.bar_at_or_after(e.symbol, e.timeframe, e.entry_bar_ts + h.horizon_bars * e.tf,
                                                    e.last_open)) AS exit_bar_ts,
             coalesce(xb.close, (SELECT n.close FROM market.ohlcv n
                                 WHERE n.symbol = e.symbol AND n.timeframe = e.timeframe
                                   AND n.bar_ts = ml.bar_at_or_after(e.symbol, e.timeframe,
                                                                     e.entry_bar_ts + h.horizon_bars * e.tf,
                                                                     e.last_open))) AS exit_close
      FROM (
        SELECT s.owner, s.model_id, s.symbol, s.timeframe, s.bar_ts, s.decision, s.confidence::float8 AS confidence,
               s.received_at, s.backfilled, g.tf, g.last_open,
               coalesce(eb.bar_ts, ml.bar_at_or_after(s.symbol, s.timeframe, g.entry_at, g.last_open)) AS entry_bar_ts,
               coalesce(eb.close, (SELECT n.close FROM market.ohlcv n
                                   WHERE n.symbol = s.symbol AND n.timeframe = s.timeframe
                                     AND n.bar_ts = ml.bar_at_or_after(s.symbol, s.timeframe, g.entry_at,
                                                                       g.last_open))) AS entry_close
        FROM (
          -- Every signal (no keys given: a rebuild), or the given ones of one series (an index probe each).
          SELECT a.* FROM ml.signals_latest a WHERE p_owners IS NULL
          UNION ALL
          SELECT a.*
          FROM unnest(p_owners, p_models, p_bar_ts) AS k(owner, model_id, bar_ts)
          JOIN ml.signals_latest a
            ON a.owner = k.owner AND a.model_id = k.model_id AND a.symbol = p_symbol AND a.timeframe = p_timeframe
           AND a.bar_ts = k.bar_ts
        ) s
        CROSS JOIN LATERAL (
          SELECT ml.timeframe_interval(s.timeframe) AS tf, now() - ml.timeframe_interval(s.timeframe) AS last_open,
                 date_bin(ml.timeframe_interval(s.timeframe), s.received_at - interval '1 microsecond',
                          timestamptz '1970-01-01 00:00:00+00') AS entry_at
        ) g
        LEFT JOIN market.ohlcv eb
          ON eb.symbol = s.symbol AND eb.timeframe = s.timeframe AND eb.bar_ts = g.entry_at AND eb.bar_ts <= g.last_open
        WHERE NOT s.late
        OFFSET 0
      ) e
      CROSS JOIN ml.score_horizons h
      LEFT JOIN market.ohlcv xb
        ON xb.symbol = e.symbol AND xb.timeframe = e.timeframe AND xb.bar_ts = e.entry_bar_ts + h.horizon_bars * e.tf
       AND xb.bar_ts <= e.last_open
      WHERE e.entry_bar_ts IS NOT NULL
      OFFSET 0
    ) x
  ) y
  ) z
$$;
REVOKE ALL ON FUNCTION ml.computed_scores(text, text, text[], text[], timestamptz[]) FROM PUBLIC;

-- The score rows of the given signals of one series (keys as arrays, duplicates allowed): inserts new rows, rewrites
-- rows whose inputs changed (a later entry after a rewrite, an exit bar now stored, a corrected bar) and leaves the
-- rest alone, so a repeated run writes nothing; returns how many rows it wrote. EXECUTE plans the statement for the
-- keys at hand (a few: index probes for the signals and their bars).
CREATE OR REPLACE FUNCTION ml.write_scores(p_symbol text, p_timeframe text, p_owners text[], p_models text[],
                                           p_bar_ts timestamptz[])
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' SET jit = off AS $$
DECLARE
  v_written integer;
BEGIN
  IF coalesce(cardinality(p_owners), 0) = 0 THEN
    RETURN 0;
  END IF;
  SELECT array_agg(k.o), array_agg(k.m), array_agg(k.b) INTO p_owners, p_models, p_bar_ts
  FROM (SELECT DISTINCT * FROM unnest(p_owners, p_models, p_bar_ts) AS u(o, m, b)) k;
  EXECUTE $q$
    WITH scored AS (
      INSERT INTO ml.signal_scores AS o
        (owner, model_id, symbol, timeframe, bar_ts, horizon_bars, decision, confidence, received_at, backfilled,
         entry_bar_ts, entry_close, exit_bar_ts, exit_close, forward_return, hit, position_return, weighted_return,
         brier)
      SELECT * FROM ml.computed_scores($1, $2, $3, $4, $5)
      ON CONFLICT (owner, model_id, symbol, timeframe, bar_ts, horizon_bars) DO UPDATE
        SET decision = excluded.decision, confidence = excluded.confidence, received_at = excluded.received_at,
            backfilled = excluded.backfilled, entry_bar_ts = excluded.entry_bar_ts,
            entry_close = excluded.entry_close, exit_bar_ts = excluded.exit_bar_ts, exit_close = excluded.exit_close,
            forward_return = excluded.forward_return, hit = excluded.hit,
            position_return = excluded.position_return, weighted_return = excluded.weighted_return,
            brier = excluded.brier, scored_at = now()
        WHERE (o.decision, o.confidence, o.received_at, o.backfilled, o.entry_bar_ts, o.entry_close, o.exit_bar_ts,
               o.exit_close)
              IS DISTINCT FROM
              (excluded.decision, excluded.confidence, excluded.received_at, excluded.backfilled,
               excluded.entry_bar_ts, excluded.entry_close, excluded.exit_bar_ts, excluded.exit_close)
      RETURNING 1
    )
    SELECT count(*)::integer FROM scored
  $q$ INTO v_written USING p_symbol, p_timeframe, p_owners, p_models, p_bar_ts;
  RETURN v_written;
END
$$;
REVOKE ALL ON FUNCTION ml.write_scores(text, text, text[], text[], timestamptz[]) FROM PUBLIC;

-- Scores the on-time signals of one series with bar_ts in [p_from, p_to] (the cron's sweep, through
-- ml.score_signals): their keys through the (owner, symbol, timeframe, bar_ts) index, one probe per owner.
CREATE OR REPLACE FUNCTION ml.score_series(p_symbol text, p_timeframe text, p_from timestamptz, p_to timestamptz)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
DECLARE
  v_owners text[];
  v_models text[];
  v_bars timestamptz[];
BEGIN
  SELECT array_agg(s.owner), array_agg(s.model_id), array_agg(s.bar_ts) INTO v_owners, v_models, v_bars
  FROM ml.signal_owners() AS w(owner)
  JOIN ml.signals_latest s
    ON s.owner = w.owner AND s.symbol = p_symbol AND s.timeframe = p_timeframe AND s.bar_ts BETWEEN p_from AND p_to
  WHERE NOT s.late;
  RETURN ml.write_scores(p_symbol, p_timeframe, v_owners, v_models, v_bars);
END
$$;
REVOKE ALL ON FUNCTION ml.score_series(text, text, timestamptz, timestamptz) FROM PUBLIC;

-- What bars [p_first, p_last] of a series (one statement's) change, re-scored; p is the newest bar stored before
-- p_first. Entries: an on-time signal enters at one of these bars only if it was received after p closed, so its
-- bar_ts is after p; the api's own signals are received once their bar has opened, and vendors at most a bar early,
-- so bar_ts <= p_last + 2 bars (a signal posted further ahead is scored by the cron's sweep). Exits: a row's exit is
-- the first bar at or after its target (entry + horizon bars), so it changes only when the target lies in (p, p_last]
-- (its entry then lies within the longest horizon before p_last: the range read from signal_scores_entry).
-- Corrections: rows entering or exiting at one of the bars (an UPDATE of market.ohlcv).
CREATE OR REPLACE FUNCTION ml.score_after_bars(p_symbol text, p_timeframe text, p_first timestamptz,
                                               p_last timestamptz)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
DECLARE
  v_tf interval := ml.timeframe_interval(p_timeframe);
  v_prev timestamptz;
  v_longest integer;
  v_owners text[];
  v_models text[];
  v_bars timestamptz[];
BEGIN
  SELECT max(b.bar_ts) INTO v_prev FROM market.ohlcv b
  WHERE b.symbol = p_symbol AND b.timeframe = p_timeframe AND b.bar_ts < p_first;
  v_prev := coalesce(v_prev, '-infinity'::timestamptz);
  SELECT max(h.horizon_bars) INTO v_longest FROM ml.score_horizons h;
  SELECT array_agg(k.owner), array_agg(k.model_id), array_agg(k.bar_ts) INTO v_owners, v_models, v_bars
  FROM (
    SELECT s.owner, s.model_id, s.bar_ts
    FROM ml.signal_owners() AS w(owner)
    JOIN ml.signals_latest s
      ON s.owner = w.owner AND s.symbol = p_symbol AND s.timeframe = p_timeframe
     AND s.bar_ts > v_prev AND s.bar_ts <= p_last + 2 * v_tf
    WHERE NOT s.late
    UNION
    SELECT o.owner, o.model_id, o.bar_ts
    FROM ml.signal_scores o
    WHERE o.symbol = p_symbol AND o.timeframe = p_timeframe
      AND o.entry_bar_ts > v_prev - coalesce(v_longest, 0) * v_tf AND o.entry_bar_ts <= p_last
      AND ((o.entry_bar_ts + o.horizon_bars * v_tf > v_prev AND o.entry_bar_ts + o.horizon_bars * v_tf <= p_last)
           OR o.entry_bar_ts >= p_first
           OR o.exit_bar_ts BETWEEN p_first AND p_last)
  ) k;
  RETURN ml.write_scores(p_symbol, p_timeframe, v_owners, v_models, v_bars);
END
$$;
REVOKE ALL ON FUNCTION ml.score_after_bars(text, text, timestamptz, timestamptz) FROM PUBLIC;

-- Everything again from the raw rows (signals_latest, ohlcv, score_horizons): what `npm run db:rescore` runs after the
-- horizons change, and what a test compares with the incremental result. One INSERT of every row into the emptied
-- table (TRUNCATE: the rebuild holds the table exclusively until its transaction ends), the secondary index built
-- once afterwards. work_mem: the hash tables of the bars (two, ~15 MB each for 186,000 bars) stay in memory.
CREATE OR REPLACE FUNCTION ml.rescore_all() RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' SET jit = off SET work_mem = '64MB'
SET maintenance_work_mem = '256MB' AS $$
DECLARE
  v_written integer;
BEGIN
  TRUNCATE ml.signal_scores;
  DROP INDEX IF EXISTS ml.signal_scores_entry;
  ALTER TABLE ml.signal_scores DROP CONSTRAINT signal_scores_pkey;
  INSERT INTO ml.signal_scores
    (owner, model_id, symbol, timeframe, bar_ts, horizon_bars, decision, confidence, received_at, backfilled,
     entry_bar_ts, entry_close, exit_bar_ts, exit_close, forward_return, hit, position_return, weighted_return, brier)
  SELECT * FROM ml.computed_scores(NULL, NULL, NULL, NULL, NULL);
  GET DIAGNOSTICS v_written = ROW_COUNT;
  ALTER TABLE ml.signal_scores ADD PRIMARY KEY (owner, model_id, symbol, timeframe, bar_ts, horizon_bars);
  CREATE INDEX signal_scores_entry ON ml.signal_scores (symbol, timeframe, entry_bar_ts);
  RETURN v_written;
END
$$;
REVOKE ALL ON FUNCTION ml.rescore_all() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ml.rescore_all() TO service_role;

-- The per-series copy of the computation is gone (ml.computed_scores replaces it).
DROP FUNCTION IF EXISTS ml.compute_scores(text, text, timestamptz, timestamptz);
