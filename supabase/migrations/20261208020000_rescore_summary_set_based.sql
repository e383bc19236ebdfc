-- A rebuild from scratch (ml.rescore_all) no longer keeps the score summary row by row, and the summary's triggers
-- share one refresh (issue 13's benchmark: from scratch < 30 s; BENCHMARKS.md, scoring).
--
-- Measured on the benchmark's data with 300,000 signals (900,000 score rows), backend CPU at load 10–15: the rebuild
-- took 21.6 s with the summary triggers of 20261207060000 against 8.6 s without them and without the
-- signal_scores_model_entry index (which the INSERT kept entry by entry; built afterwards: 1.6 s). The triggers' cost
-- was mostly ml.score_day: a SQL function with a SET clause is never inlined, so each of its calls went through the
-- function manager and a GUC save and restore (900,000 calls: 4.9 s of a 5.8 s aggregation; inlined: 0.8 s).
--   1. ml.score_day is inlinable: no SET clause (its body names pg_catalog only), the same value.
--   2. One set-based statement computes the summary rows of given days, or of every day (ml.score_summary_rows): what
--      the triggers' refresh and ml.rebuild_score_summary both use. The trigger function collects the touched days of
--      its statement (new rows, old rows or both) and calls one refresh, instead of repeating its DELETE and INSERT
--      for each TG_OP.
--   3. ml.rescore_all drops the summary's INSERT trigger and the secondary indexes for its own run, and rebuilds the
--      indexes and the summary set-based at the end (then analyses both tables), in the same transaction: a crash or an error leaves the table,
--      the summary and the triggers as they were (a disabled trigger would not do: PostgreSQL still collects the
--      transition table of a disabled trigger, all 3,000,000 rows). The rows and figures are the same as the
--      incremental path's: the summary's aggregates are ordered by bar_ts, so a day's row depends only on its score
--      rows (score-summary.test.ts).

CREATE OR REPLACE FUNCTION ml.score_day(p_ts timestamptz) RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT pg_catalog.date_trunc('day', p_ts AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
$$;

-- The key of one summary row: a model's horizon, source and series on one UTC day.
CREATE TYPE ml.score_summary_day AS (
  owner text, model_id text, horizon_bars integer, backfilled boolean, symbol text, timeframe text,
  day_start timestamptz
);

-- The summary rows of the given days (distinct keys; their resolved score rows through signal_scores_model_entry), or
-- of every day when p_days is NULL (one scan and sort of the whole table). A day without resolved rows has none.
-- jit off: the plan always holds the whole-table branch (skipped by a one-time filter when days are given), whose
-- cost made each refresh of a few days compile its expressions (~400 ms of CPU per new bar in the benchmark).
CREATE OR REPLACE FUNCTION ml.score_summary_rows(p_days ml.score_summary_day[])
RETURNS SETOF ml.score_summary
LANGUAGE sql STABLE SET search_path = '' SET jit = off AS $$
  SELECT o.owner, o.model_id, o.horizon_bars, o.backfilled, o.symbol, o.timeframe, o.day_start,
         count(*)::int, count(o.hit)::int, (count(*) FILTER (WHERE o.hit))::int,
         ml.float8_state(o.position_return ORDER BY o.bar_ts),
         sum(o.position_return ORDER BY o.bar_ts) FILTER (WHERE o.position_return > 0),
         sum(o.position_return ORDER BY o.bar_ts) FILTER (WHERE o.position_return < 0),
         max(o.received_at)
  FROM (
    SELECT a.owner, a.model_id, a.horizon_bars, a.backfilled, a.symbol, a.timeframe, ml.score_day(a.entry_bar_ts),
           a.bar_ts, a.hit, a.position_return, a.received_at
    FROM ml.signal_scores a
    WHERE p_days IS NULL AND a.exit_bar_ts IS NOT NULL
    UNION ALL
    SELECT a.owner, a.model_id, a.horizon_bars, a.backfilled, a.symbol, a.timeframe, k.day_start,
           a.bar_ts, a.hit, a.position_return, a.received_at
    FROM unnest(p_days) k
    JOIN ml.signal_scores a
      ON a.owner = k.owner AND a.model_id = k.model_id AND a.horizon_bars = k.horizon_bars
     AND a.entry_bar_ts >= k.day_start AND a.entry_bar_ts < k.day_start + interval '1 day'
     AND a.backfilled = k.backfilled AND a.symbol = k.symbol AND a.timeframe = k.timeframe
    WHERE a.exit_bar_ts IS NOT NULL
  ) o (owner, model_id, horizon_bars, backfilled, symbol, timeframe, day_start, bar_ts, hit, position_return,
       received_at)
  -- The day first: the sort compares timestamps before text, and each group's rows reach its ordered aggregates
  -- nearly in bar_ts order (900,000 rows: 1.6 s of CPU instead of 3.6 s in the key's column order).
  GROUP BY o.day_start, o.horizon_bars, o.backfilled, o.owner, o.model_id, o.symbol, o.timeframe
$$;
REVOKE ALL ON FUNCTION ml.score_summary_rows(ml.score_summary_day[]) FROM PUBLIC;

-- The given days' summary rows recomputed from the score rows: deleted, and inserted again where resolved rows remain.
CREATE OR REPLACE FUNCTION ml.refresh_score_summary(p_days ml.score_summary_day[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
BEGIN
  SELECT array_agg(DISTINCT d) INTO p_days FROM unnest(p_days) d;
  IF p_days IS NULL THEN
    RETURN;
  END IF;
  DELETE FROM ml.score_summary s
  USING unnest(p_days) k
  WHERE s.owner = k.owner AND s.model_id = k.model_id AND s.horizon_bars = k.horizon_bars
    AND s.backfilled = k.backfilled AND s.symbol = k.symbol AND s.timeframe = k.timeframe
    AND s.day_start = k.day_start;
  INSERT INTO ml.score_summary SELECT * FROM ml.score_summary_rows(p_days);
END
$$;
REVOKE ALL ON FUNCTION ml.refresh_score_summary(ml.score_summary_day[]) FROM PUBLIC;

-- Each statement's touched days (the resolved rows' old and new keys, from the transition tables), refreshed.
CREATE OR REPLACE FUNCTION ml.score_summary_after_write() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
DECLARE
  v_new ml.score_summary_day[];
  v_old ml.score_summary_day[];
BEGIN
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    SELECT array_agg(d::ml.score_summary_day) INTO v_new
    FROM (SELECT DISTINCT n.owner, n.model_id, n.horizon_bars, n.backfilled, n.symbol, n.timeframe,
                          ml.score_day(n.entry_bar_ts)
          FROM new_rows n WHERE n.exit_bar_ts IS NOT NULL) d;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    SELECT array_agg(d::ml.score_summary_day) INTO v_old
    FROM (SELECT DISTINCT o.owner, o.model_id, o.horizon_bars, o.backfilled, o.symbol, o.timeframe,
                          ml.score_day(o.entry_bar_ts)
          FROM old_rows o WHERE o.exit_bar_ts IS NOT NULL) d;
  END IF;
  PERFORM ml.refresh_score_summary(v_new || v_old);
  RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION ml.score_summary_after_write() FROM PUBLIC;

-- Every summary row again from every score row: one scan, one sort, one aggregation.
CREATE OR REPLACE FUNCTION ml.rebuild_score_summary() RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = '' SET work_mem = '256MB' AS $$
  TRUNCATE ml.score_summary;
  INSERT INTO ml.score_summary SELECT * FROM ml.score_summary_rows(NULL);
$$;
REVOKE ALL ON FUNCTION ml.rebuild_score_summary() FROM PUBLIC;

-- The summary's triggers on ml.signal_scores (again, where they are): what this migration and ml.rescore_all run.
CREATE OR REPLACE FUNCTION ml.attach_score_summary() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
BEGIN
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
END
$$;
REVOKE ALL ON FUNCTION ml.attach_score_summary() FROM PUBLIC;
SELECT ml.attach_score_summary();

-- The rebuild of 20261207020000 (analyse the horizons, empty the table, drop its key and entry index, insert every row
-- in one statement, build the two again) runs as it was, renamed, inside the new ml.rescore_all: that one drops the
-- summary's INSERT trigger and the signal_scores_model_entry index before it, and builds the index, the summary and
-- the trigger again after it.
ALTER FUNCTION ml.rescore_all() RENAME TO rescore_rows;
REVOKE ALL ON FUNCTION ml.rescore_rows() FROM PUBLIC, service_role;

CREATE OR REPLACE FUNCTION ml.rescore_all() RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' SET jit = off SET work_mem = '256MB'
SET maintenance_work_mem = '1GB' AS $$
DECLARE
  v_written integer;
BEGIN
  -- The lock TRUNCATE would take first: nothing reads or writes the score rows until this transaction ends.
  LOCK TABLE ml.signal_scores IN ACCESS EXCLUSIVE MODE;
  DROP TRIGGER IF EXISTS score_summary_insert ON ml.signal_scores;
  DROP INDEX IF EXISTS ml.signal_scores_model_entry;
  v_written := ml.rescore_rows();
  CREATE INDEX signal_scores_model_entry ON ml.signal_scores (owner, model_id, horizon_bars, entry_bar_ts);
  PERFORM ml.rebuild_score_summary();
  PERFORM ml.attach_score_summary();
  -- Every row is new: the planner's statistics of the old ones would mislead the next statements (the triggers'
  -- refresh of a few days then read a series through the primary key instead of signal_scores_model_entry).
  ANALYZE ml.signal_scores;
  ANALYZE ml.score_summary;
  RETURN v_written;
END
$$;
REVOKE ALL ON FUNCTION ml.rescore_all() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ml.rescore_all() TO service_role;
