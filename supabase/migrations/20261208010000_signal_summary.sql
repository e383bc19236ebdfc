-- A stored per-series, per-day summary of the stored signals, so the marketplace listing and the figures' signal counts
-- read a bounded number of rows instead of grouping every signal of every listed model on each request (100 models ×
-- 2,000 signals: 0.5 s of the listing's statement; BENCHMARKS.md, "marketplace listing over stored scores").
--
-- One row per (owner, model, series, UTC day of bar_ts, backfilled) with the signal count, the late count and the
-- earliest and newest received_at (the delay rule). A signal's received_at, late and backfilled are fixed when it is
-- first stored (the store path's ON CONFLICT changes only decision, confidence and meta), so only an INSERT or a DELETE
-- (or an UPDATE naming one of those columns or a key column) changes a day's row.
--
-- Off the write path's locks: a write only appends to ml.signal_summary_dirty (statement-level trigger, one INSERT …
-- SELECT per statement, no unique key, so concurrent writers never wait for each other); the cron's refresh
-- (ml.refresh_signal_summary) recomputes the dirty days from the signal rows and deletes the dirty rows it read, in one
-- transaction. A reader (ml.visible_series) takes a day from the summary only when no dirty row names it; a dirty day,
-- and a day whose signals straddle the viewer's delay cut, are read from the signal rows by primary-key range. So a
-- read equals the from-scratch count over the signal rows whenever it runs, refreshed or not.

CREATE TABLE IF NOT EXISTS ml.signal_summary (
  owner text NOT NULL,
  model_id text NOT NULL,
  symbol text NOT NULL,
  timeframe text NOT NULL,
  day_start timestamptz NOT NULL,
  backfilled boolean NOT NULL,
  signals integer NOT NULL,
  late integer NOT NULL,
  min_received_at timestamptz NOT NULL,
  max_received_at timestamptz NOT NULL,
  PRIMARY KEY (owner, model_id, symbol, timeframe, day_start, backfilled)
);

CREATE TABLE IF NOT EXISTS ml.signal_summary_dirty (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  owner text NOT NULL,
  model_id text NOT NULL,
  symbol text NOT NULL,
  timeframe text NOT NULL,
  day_start timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS signal_summary_dirty_day
  ON ml.signal_summary_dirty (owner, model_id, symbol, timeframe, day_start);

-- Internal: read through ml.visible_series only (SECURITY DEFINER, applying the delay rule); the service role may read.
ALTER TABLE ml.signal_summary ENABLE ROW LEVEL SECURITY;
ALTER TABLE ml.signal_summary_dirty ENABLE ROW LEVEL SECURITY;
GRANT SELECT ON ml.signal_summary, ml.signal_summary_dirty TO service_role;
DROP POLICY IF EXISTS service_signal_summary ON ml.signal_summary;
CREATE POLICY service_signal_summary ON ml.signal_summary FOR SELECT TO service_role USING (true);
DROP POLICY IF EXISTS service_signal_summary_dirty ON ml.signal_summary_dirty;
CREATE POLICY service_signal_summary_dirty ON ml.signal_summary_dirty FOR SELECT TO service_role USING (true);

CREATE OR REPLACE FUNCTION ml.signal_summary_mark_new() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
BEGIN
  INSERT INTO ml.signal_summary_dirty (owner, model_id, symbol, timeframe, day_start)
  SELECT DISTINCT r.owner, r.model_id, r.symbol, r.timeframe, ml.score_day(r.bar_ts) FROM new_rows r;
  RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION ml.signal_summary_mark_old() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
BEGIN
  INSERT INTO ml.signal_summary_dirty (owner, model_id, symbol, timeframe, day_start)
  SELECT DISTINCT r.owner, r.model_id, r.symbol, r.timeframe, ml.score_day(r.bar_ts) FROM old_rows r;
  RETURN NULL;
END $$;
-- An UPDATE that names a counted column (never the store path's): both the old and the new day, row by row.
CREATE OR REPLACE FUNCTION ml.signal_summary_mark_row() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
BEGIN
  INSERT INTO ml.signal_summary_dirty (owner, model_id, symbol, timeframe, day_start)
  VALUES (OLD.owner, OLD.model_id, OLD.symbol, OLD.timeframe, ml.score_day(OLD.bar_ts)),
         (NEW.owner, NEW.model_id, NEW.symbol, NEW.timeframe, ml.score_day(NEW.bar_ts));
  RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION ml.signal_summary_mark_new(), ml.signal_summary_mark_old(), ml.signal_summary_mark_row()
  FROM PUBLIC;

DROP TRIGGER IF EXISTS signal_summary_insert ON ml.signals_latest;
CREATE TRIGGER signal_summary_insert AFTER INSERT ON ml.signals_latest
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ml.signal_summary_mark_new();
DROP TRIGGER IF EXISTS signal_summary_delete ON ml.signals_latest;
CREATE TRIGGER signal_summary_delete AFTER DELETE ON ml.signals_latest
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ml.signal_summary_mark_old();
DROP TRIGGER IF EXISTS signal_summary_update ON ml.signals_latest;
CREATE TRIGGER signal_summary_update
  AFTER UPDATE OF owner, model_id, symbol, timeframe, bar_ts, received_at, late, backfilled ON ml.signals_latest
  FOR EACH ROW EXECUTE FUNCTION ml.signal_summary_mark_row();

-- The cron's pass: the dirty days it can see, recomputed from the signal rows, and those dirty rows deleted (a dirty
-- row committed meanwhile stays, so its day is read from the signal rows until the next pass). Returns how many days.
CREATE OR REPLACE FUNCTION ml.refresh_signal_summary() RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
DECLARE
  v_ids bigint[];
  v_days integer;
BEGIN
  SELECT array_agg(d.id) INTO v_ids FROM ml.signal_summary_dirty d;
  IF v_ids IS NULL THEN RETURN 0; END IF;
  CREATE TEMPORARY TABLE IF NOT EXISTS signal_summary_keys (
    owner text, model_id text, symbol text, timeframe text, day_start timestamptz
  ) ON COMMIT DROP;
  TRUNCATE signal_summary_keys;
  INSERT INTO signal_summary_keys
  SELECT DISTINCT d.owner, d.model_id, d.symbol, d.timeframe, d.day_start
  FROM ml.signal_summary_dirty d WHERE d.id = ANY (v_ids);
  GET DIAGNOSTICS v_days = ROW_COUNT;
  DELETE FROM ml.signal_summary g USING signal_summary_keys k
  WHERE (g.owner, g.model_id, g.symbol, g.timeframe, g.day_start) = (k.owner, k.model_id, k.symbol, k.timeframe, k.day_start);
  INSERT INTO ml.signal_summary
  SELECT s.owner, s.model_id, s.symbol, s.timeframe, k.day_start, s.backfilled, count(*)::int,
         (count(*) FILTER (WHERE s.late))::int, min(s.received_at), max(s.received_at)
  FROM signal_summary_keys k
  JOIN ml.signals_latest s
    ON s.owner = k.owner AND s.model_id = k.model_id AND s.symbol = k.symbol AND s.timeframe = k.timeframe
   AND s.bar_ts >= k.day_start AND s.bar_ts < k.day_start + interval '1 day'
  GROUP BY s.owner, s.model_id, s.symbol, s.timeframe, k.day_start, s.backfilled
  ON CONFLICT (owner, model_id, symbol, timeframe, day_start, backfilled) DO UPDATE
    SET signals = excluded.signals, late = excluded.late, min_received_at = excluded.min_received_at,
        max_received_at = excluded.max_received_at;
  DELETE FROM ml.signal_summary_dirty d WHERE d.id = ANY (v_ids);
  RETURN v_days;
END $$;
REVOKE ALL ON FUNCTION ml.refresh_signal_summary() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ml.refresh_signal_summary() TO service_role;

-- Per series the caller may see: every visible signal (count, newest received_at) and those with bar_ts >= p_since
-- (count, late count), under ml.visible_signals' rule: all of a series to the service role, its owner and a current
-- subscriber; of another public model, its backfilled signals and those received at least the platform's delay ago.
-- p_owners / p_models (paired, or NULL for every model) narrow the models. A series with nothing visible is left out.
-- From the summary for the days it serves; the rest (dirty days, the days whose signals straddle the delay's cut for a
-- delayed viewer, the part of p_since's day at or after p_since) from the signal rows by primary-key range.
CREATE OR REPLACE FUNCTION ml.visible_series(p_owners text[], p_models text[], p_since timestamptz)
RETURNS TABLE (owner text, model_id text, symbol text, timeframe text, signals bigint, last_received_at timestamptz,
               window_signals bigint, window_late bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = '' AS $$
  WITH
  cut AS (SELECT now() - app.signal_delay() AS t),
  full_models AS (
    SELECT r.owner, r.model_id FROM app.request_subscriptions() r
  ),
  g AS (
    SELECT g.*,
           (current_setting('role', true) = 'service_role' OR g.owner = (SELECT app.request_owner())
            OR (g.owner, g.model_id) IN (SELECT f.owner, f.model_id FROM full_models f)) AS full_access,
           (g.owner, g.model_id) IN (SELECT m.owner, m.model_id FROM ml.models m WHERE m.visibility = 'public')
             AS public_model
    FROM ml.signal_summary g
    WHERE (p_owners IS NULL OR (g.owner, g.model_id) IN (SELECT * FROM unnest(p_owners, p_models)))
  ),
  gv AS (
    SELECT g.*,
           CASE WHEN g.full_access OR g.backfilled OR g.max_received_at <= (SELECT t FROM cut) THEN 'whole'
                WHEN g.min_received_at > (SELECT t FROM cut) THEN 'none'
                ELSE 'rows' END AS use
    FROM g WHERE g.full_access OR g.public_model
  ),
  dirty AS (
    SELECT DISTINCT d.owner, d.model_id, d.symbol, d.timeframe, d.day_start FROM ml.signal_summary_dirty d
    WHERE (p_owners IS NULL OR (d.owner, d.model_id) IN (SELECT * FROM unnest(p_owners, p_models)))
  ),
  -- The days read from the signal rows.
  raw_days AS (
    SELECT gv.owner, gv.model_id, gv.symbol, gv.timeframe, gv.day_start FROM gv WHERE gv.use = 'rows'
    UNION
    SELECT * FROM dirty
  ),
  whole AS (
    SELECT gv.* FROM gv
    WHERE gv.use = 'whole'
      AND NOT EXISTS (SELECT 1 FROM raw_days r
                      WHERE (r.owner, r.model_id, r.symbol, r.timeframe, r.day_start)
                          = (gv.owner, gv.model_id, gv.symbol, gv.timeframe, gv.day_start))
  ),
  -- Of the days taken whole, the one holding p_since counts in the window only from p_since on: its rows.
  edge AS (
    SELECT DISTINCT w.owner, w.model_id, w.symbol, w.timeframe, w.day_start FROM whole w
    WHERE w.day_start < p_since AND w.day_start + interval '1 day' > p_since
  ),
  visible AS (
    SELECT s.owner, s.model_id, s.symbol, s.timeframe, s.bar_ts, s.received_at, s.late, s.backfilled, true AS counted
    FROM raw_days r
    JOIN ml.signals_latest s
      ON s.owner = r.owner AND s.model_id = r.model_id AND s.symbol = r.symbol AND s.timeframe = r.timeframe
     AND s.bar_ts >= r.day_start AND s.bar_ts < r.day_start + interval '1 day'
    UNION ALL
    SELECT s.owner, s.model_id, s.symbol, s.timeframe, s.bar_ts, s.received_at, s.late, s.backfilled, false
    FROM edge r
    JOIN ml.signals_latest s
      ON s.owner = r.owner AND s.model_id = r.model_id AND s.symbol = r.symbol AND s.timeframe = r.timeframe
     AND s.bar_ts >= p_since AND s.bar_ts < r.day_start + interval '1 day'
  ),
  rows_part AS (
    SELECT v.owner, v.model_id, v.symbol, v.timeframe,
           count(*) FILTER (WHERE v.counted) AS signals,
           max(v.received_at) FILTER (WHERE v.counted) AS last_received_at,
           count(*) FILTER (WHERE v.bar_ts >= p_since) AS window_signals,
           count(*) FILTER (WHERE v.bar_ts >= p_since AND v.late) AS window_late
    FROM visible v
    WHERE current_setting('role', true) = 'service_role'
       OR v.owner = (SELECT app.request_owner())
       OR ((v.owner, v.model_id) IN (SELECT m.owner, m.model_id FROM ml.models m WHERE m.visibility = 'public')
           AND (v.backfilled OR v.received_at <= (SELECT t FROM cut)
                OR (v.owner, v.model_id) IN (SELECT f.owner, f.model_id FROM full_models f)))
    GROUP BY v.owner, v.model_id, v.symbol, v.timeframe
  ),
  whole_part AS (
    SELECT w.owner, w.model_id, w.symbol, w.timeframe, sum(w.signals)::bigint AS signals,
           max(w.max_received_at) AS last_received_at,
           (sum(w.signals) FILTER (WHERE w.day_start >= p_since))::bigint AS window_signals,
           (sum(w.late) FILTER (WHERE w.day_start >= p_since))::bigint AS window_late
    FROM whole w
    GROUP BY w.owner, w.model_id, w.symbol, w.timeframe
  )
  SELECT u.owner, u.model_id, u.symbol, u.timeframe, sum(u.signals)::bigint, max(u.last_received_at),
         coalesce(sum(u.window_signals), 0)::bigint, coalesce(sum(u.window_late), 0)::bigint
  FROM (SELECT * FROM rows_part UNION ALL SELECT * FROM whole_part) u
  GROUP BY u.owner, u.model_id, u.symbol, u.timeframe
  HAVING sum(u.signals) > 0
$$;
REVOKE ALL ON FUNCTION ml.visible_series(text[], text[], timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ml.visible_series(text[], text[], timestamptz) TO anon, authenticated, service_role;

-- The figures' signal counts (20261206040100) from the same summary: same rows, same rule.
CREATE OR REPLACE FUNCTION ml.visible_signal_counts(p_since timestamptz, p_symbol text, p_timeframe text)
RETURNS TABLE (owner text, model_id text, signals bigint, late bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = '' AS $$
  SELECT v.owner, v.model_id, sum(v.window_signals)::bigint, sum(v.window_late)::bigint
  FROM ml.visible_series(NULL, NULL, p_since) v
  WHERE (p_symbol IS NULL OR v.symbol = p_symbol) AND (p_timeframe IS NULL OR v.timeframe = p_timeframe)
  GROUP BY v.owner, v.model_id
  HAVING sum(v.window_signals) > 0
$$;

-- The signals already stored: every day marked, then summarised.
INSERT INTO ml.signal_summary_dirty (owner, model_id, symbol, timeframe, day_start)
SELECT DISTINCT s.owner, s.model_id, s.symbol, s.timeframe, ml.score_day(s.bar_ts) FROM ml.signals_latest s;
SELECT ml.refresh_signal_summary();

-- The figures that do not compose from per-day sums (median return, maximum drawdown, Spearman), as a viewer who reads a
-- public model delayed (anonymous, a non-subscriber) saw them at `as_of`: one row per model, horizon, source and
-- period, written by the cron's pass (repos.marketplace.refreshRowFigures: the same SQL as the figures on request,
-- run as the anonymous role at as_of). The listing shows them, with their as_of, to such viewers when no symbol or
-- timeframe narrows it; the owner, a subscriber and narrowed listings get them computed on the request.
CREATE TABLE IF NOT EXISTS ml.model_row_figures (
  owner text NOT NULL,
  model_id text NOT NULL,
  horizon_bars integer NOT NULL,
  backfilled boolean NOT NULL,
  period text NOT NULL CHECK (period IN ('7d', '30d', 'all')),
  as_of timestamptz NOT NULL,
  median_return float8,
  max_drawdown float8,
  spearman float8,
  PRIMARY KEY (horizon_bars, backfilled, period, owner, model_id)
);
-- What the anonymous role saw of public models: readable by anyone for a public model.
ALTER TABLE ml.model_row_figures ENABLE ROW LEVEL SECURITY;
GRANT SELECT ON ml.model_row_figures TO anon, authenticated, service_role;
DROP POLICY IF EXISTS read_model_row_figures ON ml.model_row_figures;
CREATE POLICY read_model_row_figures ON ml.model_row_figures FOR SELECT TO anon, authenticated, service_role
  USING ((owner, model_id) IN (SELECT m.owner, m.model_id FROM ml.models m WHERE m.visibility = 'public'));

-- The models the caller reads live (their own, their active subscriptions; every model for the service role): these
-- never get the delayed view's stored figures.
CREATE OR REPLACE FUNCTION ml.request_live_models() RETURNS TABLE (owner text, model_id text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = '' AS $$
  SELECT m.owner, m.model_id FROM ml.models m
  WHERE current_setting('role', true) = 'service_role'
     OR m.owner = (SELECT app.request_owner())
     OR (m.owner, m.model_id) IN (SELECT r.owner, r.model_id FROM app.request_subscriptions() r)
$$;
REVOKE ALL ON FUNCTION ml.request_live_models() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ml.request_live_models() TO anon, authenticated, service_role;
