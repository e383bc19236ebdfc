-- A stored per-day summary of the resolved score rows, which the marketplace listing composes its figures from instead
-- of reading every score row on each request (100 public models × 2,000 scores: 6.6 s median before; BENCHMARKS.md).
--
-- One row per (owner, model, horizon, source, series, UTC day of the entry bar) with what composes by addition: the
-- counts, the Youngs-Cramer state {N, Σx, Σ(x−x̄)²} of the position returns that avg() and stddev_samp() keep
-- (float8_accum; merged with float8_combine, as a parallel aggregate merges its workers' states), the sums of gains
-- and losses, and the newest received_at (the delay rule). Median, maximum drawdown and Spearman do not compose from
-- sums: the listing reads them from the score rows for the page it returns.
--
-- Maintained by statement-level triggers on ml.signal_scores: every statement that writes score rows recomputes the
-- summary rows of the days it touched from the score rows themselves (ordered aggregates, so a day's row depends only
-- on its score rows, never on the order they were written in: incremental equals rebuild). A TRUNCATE (ml.rescore_all)
-- empties it; the re-insert of every row then fills it again.

CREATE TABLE IF NOT EXISTS ml.score_summary (
  owner text NOT NULL,
  model_id text NOT NULL,
  horizon_bars integer NOT NULL,
  backfilled boolean NOT NULL,
  symbol text NOT NULL,
  timeframe text NOT NULL,
  day_start timestamptz NOT NULL,
  scored integer NOT NULL,
  resolved integer NOT NULL,
  hits integer NOT NULL,
  pr_state float8[] NOT NULL,
  gains float8,
  losses float8,
  max_received_at timestamptz NOT NULL,
  PRIMARY KEY (owner, model_id, horizon_bars, backfilled, day_start, symbol, timeframe)
);
-- The days still inside the delay (ml.score_summary_fresh_from).
CREATE INDEX IF NOT EXISTS score_summary_received ON ml.score_summary (horizon_bars, max_received_at);
-- A model's score rows of one horizon by entry: what the triggers read to recompute a day, and what the listing reads
-- of the days the summary cannot serve (the window's first, partial day; the days with scores still inside the delay).
CREATE INDEX IF NOT EXISTS signal_scores_model_entry ON ml.signal_scores (owner, model_id, horizon_bars, entry_bar_ts);

-- The UTC day an entry bar falls in.
CREATE OR REPLACE FUNCTION ml.score_day(p_ts timestamptz) RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = '' AS $$
  SELECT date_trunc('day', p_ts AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
$$;

-- avg()'s and stddev_samp()'s state of float8 values (nulls skipped), and the merge of such states.
CREATE OR REPLACE AGGREGATE ml.float8_state(float8) (
  SFUNC = pg_catalog.float8_accum, STYPE = float8[], INITCOND = '{0,0,0}'
);
CREATE OR REPLACE AGGREGATE ml.float8_state_merge(float8[]) (
  SFUNC = pg_catalog.float8_combine, STYPE = float8[], INITCOND = '{0,0,0}'
);

-- Each statement's touched days (its rows' old and new keys, from the transition tables), recomputed from the score
-- rows: the days' summary rows deleted, and inserted again where resolved rows remain. One set-based statement each,
-- whatever the number of rows written (a whole rescore is one INSERT: every day in one aggregation).
CREATE OR REPLACE FUNCTION ml.score_summary_after_write() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    DELETE FROM ml.score_summary s
    USING (SELECT new_rows.owner, new_rows.model_id, new_rows.horizon_bars, new_rows.backfilled, new_rows.symbol, new_rows.timeframe,
             ml.score_day(new_rows.entry_bar_ts) AS day_start
      FROM new_rows WHERE new_rows.exit_bar_ts IS NOT NULL) k
    WHERE s.owner = k.owner AND s.model_id = k.model_id AND s.horizon_bars = k.horizon_bars
      AND s.backfilled = k.backfilled AND s.symbol = k.symbol AND s.timeframe = k.timeframe
      AND s.day_start = k.day_start;
    INSERT INTO ml.score_summary
    WITH k AS (SELECT DISTINCT * FROM (SELECT new_rows.owner, new_rows.model_id, new_rows.horizon_bars, new_rows.backfilled, new_rows.symbol, new_rows.timeframe,
             ml.score_day(new_rows.entry_bar_ts) AS day_start
      FROM new_rows WHERE new_rows.exit_bar_ts IS NOT NULL) u)
    SELECT o.owner, o.model_id, o.horizon_bars, o.backfilled, o.symbol, o.timeframe, k.day_start,
           count(*)::int, count(o.hit)::int, (count(*) FILTER (WHERE o.hit))::int,
           ml.float8_state(o.position_return ORDER BY o.bar_ts),
           sum(o.position_return ORDER BY o.bar_ts) FILTER (WHERE o.position_return > 0),
           sum(o.position_return ORDER BY o.bar_ts) FILTER (WHERE o.position_return < 0),
           max(o.received_at)
    FROM k
    JOIN ml.signal_scores o
      ON o.owner = k.owner AND o.model_id = k.model_id AND o.symbol = k.symbol AND o.timeframe = k.timeframe
     AND o.horizon_bars = k.horizon_bars AND o.backfilled = k.backfilled
     AND o.entry_bar_ts >= k.day_start AND o.entry_bar_ts < k.day_start + interval '1 day'
    WHERE o.exit_bar_ts IS NOT NULL
    GROUP BY o.owner, o.model_id, o.horizon_bars, o.backfilled, o.symbol, o.timeframe, k.day_start;
  ELSIF TG_OP = 'UPDATE' THEN
    DELETE FROM ml.score_summary s
    USING (SELECT new_rows.owner, new_rows.model_id, new_rows.horizon_bars, new_rows.backfilled, new_rows.symbol, new_rows.timeframe,
             ml.score_day(new_rows.entry_bar_ts) AS day_start
      FROM new_rows WHERE new_rows.exit_bar_ts IS NOT NULL
      UNION
      SELECT old_rows.owner, old_rows.model_id, old_rows.horizon_bars, old_rows.backfilled, old_rows.symbol, old_rows.timeframe,
             ml.score_day(old_rows.entry_bar_ts) AS day_start
      FROM old_rows WHERE old_rows.exit_bar_ts IS NOT NULL) k
    WHERE s.owner = k.owner AND s.model_id = k.model_id AND s.horizon_bars = k.horizon_bars
      AND s.backfilled = k.backfilled AND s.symbol = k.symbol AND s.timeframe = k.timeframe
      AND s.day_start = k.day_start;
    INSERT INTO ml.score_summary
    WITH k AS (SELECT DISTINCT * FROM (SELECT new_rows.owner, new_rows.model_id, new_rows.horizon_bars, new_rows.backfilled, new_rows.symbol, new_rows.timeframe,
             ml.score_day(new_rows.entry_bar_ts) AS day_start
      FROM new_rows WHERE new_rows.exit_bar_ts IS NOT NULL
      UNION
      SELECT old_rows.owner, old_rows.model_id, old_rows.horizon_bars, old_rows.backfilled, old_rows.symbol, old_rows.timeframe,
             ml.score_day(old_rows.entry_bar_ts) AS day_start
      FROM old_rows WHERE old_rows.exit_bar_ts IS NOT NULL) u)
    SELECT o.owner, o.model_id, o.horizon_bars, o.backfilled, o.symbol, o.timeframe, k.day_start,
           count(*)::int, count(o.hit)::int, (count(*) FILTER (WHERE o.hit))::int,
           ml.float8_state(o.position_return ORDER BY o.bar_ts),
           sum(o.position_return ORDER BY o.bar_ts) FILTER (WHERE o.position_return > 0),
           sum(o.position_return ORDER BY o.bar_ts) FILTER (WHERE o.position_return < 0),
           max(o.received_at)
    FROM k
    JOIN ml.signal_scores o
      ON o.owner = k.owner AND o.model_id = k.model_id AND o.symbol = k.symbol AND o.timeframe = k.timeframe
     AND o.horizon_bars = k.horizon_bars AND o.backfilled = k.backfilled
     AND o.entry_bar_ts >= k.day_start AND o.entry_bar_ts < k.day_start + interval '1 day'
    WHERE o.exit_bar_ts IS NOT NULL
    GROUP BY o.owner, o.model_id, o.horizon_bars, o.backfilled, o.symbol, o.timeframe, k.day_start;
  ELSE
    DELETE FROM ml.score_summary s
    USING (SELECT old_rows.owner, old_rows.model_id, old_rows.horizon_bars, old_rows.backfilled, old_rows.symbol, old_rows.timeframe,
             ml.score_day(old_rows.entry_bar_ts) AS day_start
      FROM old_rows WHERE old_rows.exit_bar_ts IS NOT NULL) k
    WHERE s.owner = k.owner AND s.model_id = k.model_id AND s.horizon_bars = k.horizon_bars
      AND s.backfilled = k.backfilled AND s.symbol = k.symbol AND s.timeframe = k.timeframe
      AND s.day_start = k.day_start;
    INSERT INTO ml.score_summary
    WITH k AS (SELECT DISTINCT * FROM (SELECT old_rows.owner, old_rows.model_id, old_rows.horizon_bars, old_rows.backfilled, old_rows.symbol, old_rows.timeframe,
             ml.score_day(old_rows.entry_bar_ts) AS day_start
      FROM old_rows WHERE old_rows.exit_bar_ts IS NOT NULL) u)
    SELECT o.owner, o.model_id, o.horizon_bars, o.backfilled, o.symbol, o.timeframe, k.day_start,
           count(*)::int, count(o.hit)::int, (count(*) FILTER (WHERE o.hit))::int,
           ml.float8_state(o.position_return ORDER BY o.bar_ts),
           sum(o.position_return ORDER BY o.bar_ts) FILTER (WHERE o.position_return > 0),
           sum(o.position_return ORDER BY o.bar_ts) FILTER (WHERE o.position_return < 0),
           max(o.received_at)
    FROM k
    JOIN ml.signal_scores o
      ON o.owner = k.owner AND o.model_id = k.model_id AND o.symbol = k.symbol AND o.timeframe = k.timeframe
     AND o.horizon_bars = k.horizon_bars AND o.backfilled = k.backfilled
     AND o.entry_bar_ts >= k.day_start AND o.entry_bar_ts < k.day_start + interval '1 day'
    WHERE o.exit_bar_ts IS NOT NULL
    GROUP BY o.owner, o.model_id, o.horizon_bars, o.backfilled, o.symbol, o.timeframe, k.day_start;
  END IF;
  RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION ml.score_summary_after_write() FROM PUBLIC;

-- Every summary row again from every score row (the migration's first fill).
CREATE OR REPLACE FUNCTION ml.rebuild_score_summary() RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = '' AS $$
  TRUNCATE ml.score_summary;
  INSERT INTO ml.score_summary
  WITH k AS (SELECT DISTINCT * FROM (SELECT ml.signal_scores.owner, ml.signal_scores.model_id, ml.signal_scores.horizon_bars, ml.signal_scores.backfilled, ml.signal_scores.symbol, ml.signal_scores.timeframe,
             ml.score_day(ml.signal_scores.entry_bar_ts) AS day_start
      FROM ml.signal_scores WHERE ml.signal_scores.exit_bar_ts IS NOT NULL) u)
  SELECT o.owner, o.model_id, o.horizon_bars, o.backfilled, o.symbol, o.timeframe, k.day_start,
         count(*)::int, count(o.hit)::int, (count(*) FILTER (WHERE o.hit))::int,
         ml.float8_state(o.position_return ORDER BY o.bar_ts),
         sum(o.position_return ORDER BY o.bar_ts) FILTER (WHERE o.position_return > 0),
         sum(o.position_return ORDER BY o.bar_ts) FILTER (WHERE o.position_return < 0),
         max(o.received_at)
  FROM k
  JOIN ml.signal_scores o
    ON o.owner = k.owner AND o.model_id = k.model_id AND o.symbol = k.symbol AND o.timeframe = k.timeframe
   AND o.horizon_bars = k.horizon_bars AND o.backfilled = k.backfilled
   AND o.entry_bar_ts >= k.day_start AND o.entry_bar_ts < k.day_start + interval '1 day'
  WHERE o.exit_bar_ts IS NOT NULL
  GROUP BY o.owner, o.model_id, o.horizon_bars, o.backfilled, o.symbol, o.timeframe, k.day_start;
$$;
REVOKE ALL ON FUNCTION ml.rebuild_score_summary() FROM PUBLIC;

CREATE OR REPLACE FUNCTION ml.score_summary_after_truncate() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
BEGIN
  TRUNCATE ml.score_summary;
  RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION ml.score_summary_after_truncate() FROM PUBLIC;

DROP TRIGGER IF EXISTS score_summary_insert ON ml.signal_scores;
CREATE TRIGGER score_summary_insert AFTER INSERT ON ml.signal_scores
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ml.score_summary_after_write();
DROP TRIGGER IF EXISTS score_summary_update ON ml.signal_scores;
CREATE TRIGGER score_summary_update AFTER UPDATE ON ml.signal_scores
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION ml.score_summary_after_write();
DROP TRIGGER IF EXISTS score_summary_delete ON ml.signal_scores;
CREATE TRIGGER score_summary_delete AFTER DELETE ON ml.signal_scores
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ml.score_summary_after_write();
DROP TRIGGER IF EXISTS score_summary_truncate ON ml.signal_scores;
CREATE TRIGGER score_summary_truncate AFTER TRUNCATE ON ml.signal_scores
  FOR EACH STATEMENT EXECUTE FUNCTION ml.score_summary_after_truncate();

-- The rows already scored.
SELECT ml.rebuild_score_summary();

-- The same readers as the score rows: the owner; anyone, a public model's days whose every score row is past the
-- delay (or backfilled), or all of them to its subscribers. A day with one score inside the delay stays hidden whole.
ALTER TABLE ml.score_summary ENABLE ROW LEVEL SECURITY;
GRANT SELECT ON ml.score_summary TO anon, authenticated, service_role;
DROP POLICY IF EXISTS read_score_summary ON ml.score_summary;
CREATE POLICY read_score_summary ON ml.score_summary FOR SELECT TO anon, authenticated
  USING (
    owner = (SELECT app.request_owner())
    OR ((owner, model_id) IN (SELECT m.owner, m.model_id FROM ml.models m WHERE m.visibility = 'public')
        AND (backfilled
             OR max_received_at <= now() - (SELECT app.signal_delay())
             OR (owner, model_id) IN (SELECT r.owner, r.model_id FROM app.request_subscriptions() r)))
  );
DROP POLICY IF EXISTS service_score_summary ON ml.score_summary;
CREATE POLICY service_score_summary ON ml.score_summary FOR SELECT TO service_role USING (true);

-- The first day of a horizon's live summary that holds a score still inside the delay (+infinity if none): the
-- listing composes the days before it from the summary, the same for every viewer, and reads the rest from the score
-- rows under their RLS. It tells a day, never a figure.
CREATE OR REPLACE FUNCTION ml.score_summary_fresh_from(p_horizon integer) RETURNS timestamptz
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = '' AS $$
  SELECT coalesce(min(s.day_start), 'infinity'::timestamptz) FROM ml.score_summary s
  WHERE s.horizon_bars = p_horizon AND NOT s.backfilled AND s.max_received_at > now() - app.signal_delay()
$$;
REVOKE ALL ON FUNCTION ml.score_summary_fresh_from(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ml.score_summary_fresh_from(integer) TO anon, authenticated, service_role;
