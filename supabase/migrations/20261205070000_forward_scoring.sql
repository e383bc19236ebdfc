-- Forward scoring: a signal is scored on what the market did after the server last received it, never on the bar its
-- bar_ts names (issue 13). The previous rule (a signal for bar T scored on T's own open → close, with received_at
-- kept at the first write) let a vendor post SELL at T+3 s, rewrite it to BUY at T+55 s once the bar had risen, and be
-- scored a hit. Now:
--   * received_at is the time of the signal's last change (the api sets it on every stored change);
--   * the entry is the close of the first stored bar of its series that closes at or after received_at;
--   * each exit is the close of the first stored bar whose bar_ts is at least horizon_bars bars of its timeframe
--     after the entry bar (over a market closure: the first bar after it); horizons live in ml.score_horizons
--     (1, 5 and 20; change them, then rebuild with `npm run db:rescore`);
--   * per horizon: forward return r = (exit − entry) / entry; direction hit (BUY and r > 0, SELL and r < 0; NULL for
--     NEUTRAL and for r = 0); position return (BUY +r, SELL −r, NEUTRAL 0); its confidence-weighted form
--     (confidence × position return); the Brier score (confidence − hit)² of resolved directional calls.
-- Bars count only once closed by the database's clock. Late signals (first stored after their bar closed) are kept and
-- counted (the late share), never scored. A row exists once the entry is known; the exit columns are NULL until the
-- exit bar is stored (pending).
--
-- Scoring is set-based and idempotent: ml.score_series recomputes every row of a range of signals and writes only rows
-- whose inputs changed, so a repeated run writes nothing. Three callers: the trigger on market.ohlcv (the signals a
-- statement's bars can enter or exit), the cron's sweep (signals stored after their bars) and ml.rescore_all() (from
-- the raw rows: signals_latest, ohlcv, horizons).

CREATE OR REPLACE FUNCTION ml.timeframe_interval(p_timeframe text) RETURNS interval
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE p_timeframe WHEN '1m' THEN interval '1 minute' WHEN '5m' THEN interval '5 minutes'
                          WHEN '15m' THEN interval '15 minutes' WHEN '30m' THEN interval '30 minutes'
                          WHEN '1h' THEN interval '1 hour' WHEN '4h' THEN interval '4 hours'
                          WHEN '1d' THEN interval '1 day' END
$$;

CREATE TABLE IF NOT EXISTS ml.score_horizons (
  horizon_bars integer PRIMARY KEY CHECK (horizon_bars BETWEEN 1 AND 500)
);
INSERT INTO ml.score_horizons (horizon_bars) VALUES (1), (5), (20) ON CONFLICT DO NOTHING;

CREATE TABLE IF NOT EXISTS ml.signal_scores (
  owner text NOT NULL,
  model_id text NOT NULL,
  symbol text NOT NULL,
  timeframe text NOT NULL,
  bar_ts timestamptz NOT NULL,
  horizon_bars integer NOT NULL,
  -- Copies of the scored signal, so metrics read one table.
  decision text NOT NULL CHECK (decision IN ('BUY', 'SELL', 'NEUTRAL')),
  confidence float8 NOT NULL,
  received_at timestamptz NOT NULL,
  -- ml.signals_latest.backfilled: demo history generated over past bars (scored alike, never mixed with live records).
  backfilled boolean NOT NULL DEFAULT false,
  entry_bar_ts timestamptz NOT NULL,
  entry_close numeric NOT NULL,
  exit_bar_ts timestamptz,
  exit_close numeric,
  forward_return float8,
  hit boolean,
  position_return float8,
  weighted_return float8,
  brier float8,
  scored_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (owner, model_id, symbol, timeframe, bar_ts, horizon_bars),
  CHECK ((exit_bar_ts IS NULL) = (exit_close IS NULL))
);
-- Finds the rows whose exit a newly stored bar may be (entry bar within the longest horizon before it).
CREATE INDEX IF NOT EXISTS signal_scores_entry ON ml.signal_scores (symbol, timeframe, entry_bar_ts);

-- Every row for the on-time signals of one series with bar_ts in [p_from, p_to], computed from the raw rows. Bars sit
-- on their timeframe's UTC grid, so the first bar at or after a time is almost always the grid point at or after it:
-- an equality join finds it (a hash join over a whole series, an index probe for a few signals), and only where that
-- bar is missing (a closure, a gap) does a scalar subquery look for the next stored bar.
CREATE OR REPLACE FUNCTION ml.compute_scores(p_symbol text, p_timeframe text, p_from timestamptz, p_to timestamptz)
RETURNS TABLE (
  owner text, model_id text, symbol text, timeframe text, bar_ts timestamptz, horizon_bars integer, decision text,
  confidence float8, received_at timestamptz, backfilled boolean, entry_bar_ts timestamptz, entry_close numeric,
  exit_bar_ts timestamptz, exit_close numeric, forward_return float8, hit boolean, position_return float8,
  weighted_return float8, brier float8
)
-- jit off: the planner's generic estimate for this body is large enough to switch on JIT compilation, which then costs
-- seconds per call (measured: 20 s for 360 rows on PostgreSQL 15) and saves nothing on these joins.
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = '' SET jit = off AS $$
  WITH k AS (
    SELECT ml.timeframe_interval(p_timeframe) AS tf,
           extract(epoch FROM ml.timeframe_interval(p_timeframe))::float8 AS tf_s,
           now() - ml.timeframe_interval(p_timeframe) AS last_closed
  ), s AS (
    -- The grid bar at or after received_at − tf: the first that closes at or after received_at.
    SELECT s.owner, s.model_id, s.symbol, s.timeframe, s.bar_ts, s.decision, s.confidence::float8 AS confidence,
           s.received_at, s.backfilled,
           to_timestamp(ceil(extract(epoch FROM s.received_at - k.tf) / k.tf_s) * k.tf_s) AS entry_at
    FROM k, ml.signal_owners() AS w(owner)
    JOIN ml.signals_latest s
      ON s.owner = w.owner AND s.symbol = p_symbol AND s.timeframe = p_timeframe AND s.bar_ts BETWEEN p_from AND p_to
    WHERE NOT s.late
  ), e AS (
    SELECT s.*,
           coalesce(b.bar_ts, (SELECT min(n.bar_ts) FROM market.ohlcv n
                               WHERE n.symbol = p_symbol AND n.timeframe = p_timeframe
                                 AND n.bar_ts >= s.entry_at AND n.bar_ts <= k.last_closed)) AS entry_bar_ts,
           coalesce(b.close, (SELECT n.close FROM market.ohlcv n
                              WHERE n.symbol = p_symbol AND n.timeframe = p_timeframe
                                AND n.bar_ts >= s.entry_at AND n.bar_ts <= k.last_closed
                              ORDER BY n.bar_ts LIMIT 1)) AS entry_close
    FROM k, s
    LEFT JOIN market.ohlcv b
      ON b.symbol = p_symbol AND b.timeframe = p_timeframe AND b.bar_ts = s.entry_at
     AND b.bar_ts <= (SELECT k.last_closed FROM k)
     -- Only the bars the candidates can enter at: a few for one new bar, instead of hashing the whole series.
     AND b.bar_ts BETWEEN (SELECT min(s2.entry_at) FROM s s2) AND (SELECT max(s2.entry_at) FROM s s2)
  ), t AS (
    SELECT e.*, h.horizon_bars, e.entry_bar_ts + h.horizon_bars * k.tf AS exit_at
    FROM k, e CROSS JOIN ml.score_horizons h
    WHERE e.entry_bar_ts IS NOT NULL
  ), x AS (
    SELECT t.*,
           coalesce(b.bar_ts, (SELECT min(n.bar_ts) FROM market.ohlcv n
                               WHERE n.symbol = p_symbol AND n.timeframe = p_timeframe
                                 AND n.bar_ts >= t.exit_at AND n.bar_ts <= k.last_closed)) AS exit_bar_ts,
           coalesce(b.close, (SELECT n.close FROM market.ohlcv n
                              WHERE n.symbol = p_symbol AND n.timeframe = p_timeframe
                                AND n.bar_ts >= t.exit_at AND n.bar_ts <= k.last_closed
                              ORDER BY n.bar_ts LIMIT 1)) AS exit_close
    FROM k, t
    LEFT JOIN market.ohlcv b
      ON b.symbol = p_symbol AND b.timeframe = p_timeframe AND b.bar_ts = t.exit_at
     AND b.bar_ts <= (SELECT k.last_closed FROM k)
     AND b.bar_ts BETWEEN (SELECT min(t2.exit_at) FROM t t2) AND (SELECT max(t2.exit_at) FROM t t2)
  ), y AS (
    SELECT x.*, ((x.exit_close - x.entry_close) / x.entry_close)::float8 AS r FROM x
  ), z AS (
    SELECT y.*,
           CASE WHEN y.decision = 'NEUTRAL' OR y.r IS NULL OR y.r = 0 THEN NULL
                ELSE (y.decision = 'BUY') = (y.r > 0) END AS hit,
           -- `0 - r`, not `-r`: a SELL over a flat move earns 0, not −0.
           CASE y.decision WHEN 'BUY' THEN y.r WHEN 'SELL' THEN 0 - y.r ELSE CASE WHEN y.r IS NOT NULL THEN 0 END
           END AS position_return
    FROM y
  )
  SELECT z.owner, z.model_id, z.symbol, z.timeframe, z.bar_ts, z.horizon_bars, z.decision, z.confidence,
         z.received_at, z.backfilled, z.entry_bar_ts, z.entry_close, z.exit_bar_ts, z.exit_close, z.r, z.hit,
         z.position_return, z.confidence * z.position_return,
         CASE WHEN z.hit IS NOT NULL THEN (z.confidence - z.hit::int) ^ 2 END
  FROM z
$$;
REVOKE ALL ON FUNCTION ml.compute_scores(text, text, timestamptz, timestamptz) FROM PUBLIC;

-- Scores the on-time signals of one series with bar_ts in [p_from, p_to]: inserts new rows, rewrites rows whose inputs
-- changed (a later entry after a rewrite, an exit bar now stored, a corrected bar) and leaves the rest alone; returns
-- how many rows it wrote.
CREATE OR REPLACE FUNCTION ml.score_series(p_symbol text, p_timeframe text, p_from timestamptz, p_to timestamptz)
RETURNS integer
LANGUAGE sql SECURITY DEFINER SET search_path = '' SET jit = off AS $$
  WITH scored AS (
    INSERT INTO ml.signal_scores AS o
      (owner, model_id, symbol, timeframe, bar_ts, horizon_bars, decision, confidence, received_at, backfilled,
       entry_bar_ts, entry_close, exit_bar_ts, exit_close, forward_return, hit, position_return, weighted_return,
       brier)
    SELECT * FROM ml.compute_scores(p_symbol, p_timeframe, p_from, p_to)
    ON CONFLICT (owner, model_id, symbol, timeframe, bar_ts, horizon_bars) DO UPDATE
      SET decision = excluded.decision, confidence = excluded.confidence, received_at = excluded.received_at,
          backfilled = excluded.backfilled, entry_bar_ts = excluded.entry_bar_ts, entry_close = excluded.entry_close,
          exit_bar_ts = excluded.exit_bar_ts, exit_close = excluded.exit_close,
          forward_return = excluded.forward_return, hit = excluded.hit, position_return = excluded.position_return,
          weighted_return = excluded.weighted_return, brier = excluded.brier, scored_at = now()
      WHERE (o.decision, o.confidence, o.received_at, o.backfilled, o.entry_bar_ts, o.entry_close, o.exit_bar_ts,
             o.exit_close)
            IS DISTINCT FROM
            (excluded.decision, excluded.confidence, excluded.received_at, excluded.backfilled, excluded.entry_bar_ts,
             excluded.entry_close, excluded.exit_bar_ts, excluded.exit_close)
    RETURNING 1
  )
  SELECT count(*)::integer FROM scored
$$;
REVOKE ALL ON FUNCTION ml.score_series(text, text, timestamptz, timestamptz) FROM PUBLIC;

-- The signals that bars [p_first, p_last] of a series can enter or exit, scored. With p the newest bar stored before
-- p_first: an on-time signal (received by its bar's close) enters at one of the written bars only if it was received
-- after p closed, so its bar_ts is after p; the api's own signals are received once their bar has opened, and vendors
-- at most a bar early, so bar_ts <= p_last + 2 bars (a signal posted further ahead is scored by the cron's sweep).
-- A row exits at one of them only if its entry bar lies within the longest horizon before p_last.
CREATE OR REPLACE FUNCTION ml.score_after_bars(p_symbol text, p_timeframe text, p_first timestamptz,
                                               p_last timestamptz)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
DECLARE
  v_tf interval := ml.timeframe_interval(p_timeframe);
  v_prev timestamptz;
  v_from timestamptz;
  v_to timestamptz := p_last + 2 * v_tf;
  v_exit_from timestamptz;
  v_exit_to timestamptz;
BEGIN
  SELECT max(b.bar_ts) INTO v_prev FROM market.ohlcv b
  WHERE b.symbol = p_symbol AND b.timeframe = p_timeframe AND b.bar_ts < p_first;
  v_from := coalesce(v_prev, '-infinity'::timestamptz);
  SELECT min(o.bar_ts), max(o.bar_ts) INTO v_exit_from, v_exit_to FROM ml.signal_scores o
  WHERE o.symbol = p_symbol AND o.timeframe = p_timeframe
    AND o.entry_bar_ts > v_from - (SELECT max(h.horizon_bars) FROM ml.score_horizons h) * v_tf
    AND o.entry_bar_ts <= p_last;
  RETURN ml.score_series(p_symbol, p_timeframe, least(v_from, v_exit_from), greatest(v_to, v_exit_to));
END
$$;
REVOKE ALL ON FUNCTION ml.score_after_bars(text, text, timestamptz, timestamptz) FROM PUBLIC;

CREATE OR REPLACE FUNCTION ml.score_signals_of_bars() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
BEGIN
  PERFORM ml.score_after_bars(b.symbol, b.timeframe, min(b.bar_ts), max(b.bar_ts))
  FROM new_bars b GROUP BY b.symbol, b.timeframe;
  RETURN NULL;
END
$$;

-- Everything again from the raw rows (signals_latest, ohlcv, score_horizons): what `npm run db:rescore` runs after the
-- horizons change, and what a test compares with the incremental result.
CREATE OR REPLACE FUNCTION ml.rescore_all() RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
BEGIN
  DELETE FROM ml.signal_scores;
  RETURN ml.score_signals('-infinity', 'infinity');
END
$$;
REVOKE ALL ON FUNCTION ml.rescore_all() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ml.rescore_all() TO service_role;

-- The old outcomes table goes; its name stays as a view of the 1-bar horizon's resolved rows for existing readers
-- (RLS of ml.signal_scores applies through it).
DROP TABLE IF EXISTS ml.signal_outcomes;
CREATE OR REPLACE VIEW ml.signal_outcomes WITH (security_invoker = true) AS
  SELECT owner, model_id, symbol, timeframe, bar_ts, decision, confidence, entry_close AS open, exit_close AS close,
         position_return AS return, hit, backfilled, scored_at
  FROM ml.signal_scores
  WHERE horizon_bars = 1 AND exit_bar_ts IS NOT NULL;

-- Reads: the owner sees every row; anyone else sees a public model's rows once they are resolved at that horizon
-- (a pending row would show a live decision). Writes: only the scoring functions (and the service role).
ALTER TABLE ml.signal_scores ENABLE ROW LEVEL SECURITY;
ALTER TABLE ml.score_horizons ENABLE ROW LEVEL SECURITY;
GRANT SELECT ON ml.signal_scores, ml.signal_outcomes, ml.score_horizons TO anon, authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON ml.signal_scores, ml.score_horizons TO service_role;
GRANT SELECT ON ml.signal_outcomes TO service_role;
CREATE POLICY read_scores ON ml.signal_scores FOR SELECT TO anon, authenticated
  USING (
    owner = (SELECT app.request_owner())
    OR (exit_bar_ts IS NOT NULL
        AND EXISTS (SELECT 1 FROM ml.models m
                    WHERE m.owner = signal_scores.owner AND m.model_id = signal_scores.model_id
                      AND m.visibility = 'public'))
  );
CREATE POLICY service_scores ON ml.signal_scores FOR ALL TO service_role USING (true) WITH CHECK (true);
CREATE POLICY read_horizons ON ml.score_horizons FOR SELECT TO anon, authenticated USING (true);
CREATE POLICY service_horizons ON ml.score_horizons FOR ALL TO service_role USING (true) WITH CHECK (true);
