-- Track record. Every signal that arrived on time (not late) is scored once its bar has closed and is stored: the
-- signal for bar T is a call on that bar, made when it opened, so its outcome is the bar's own move, open → close.
-- Scoring happens in the database: a trigger on market.ohlcv scores the signals waiting on the bars a statement wrote,
-- in the same transaction, whichever way the bars arrived (the api, the importer, SQL); the cron's periodic sweep
-- (ml.score_signals over the last day) catches signals whose bar was already stored when they arrived. Each outcome:
--   * hit: BUY and close > open, or SELL and close < open; a miss when the bar moved the other way; NULL for NEUTRAL
--     calls and for bars that did not move (no information either way).
--   * return: (close − open) / open, signed by the call (+ for BUY, − for SELL, 0 for NEUTRAL).
-- A corrected bar re-scores its signals. A late signal is never scored: it was made knowing the bar. A bar stored
-- while still open is not used; it scores when a version of it is stored after its close.

CREATE TABLE IF NOT EXISTS ml.signal_outcomes (
  owner text NOT NULL,
  model_id text NOT NULL,
  symbol text NOT NULL,
  timeframe text NOT NULL,
  bar_ts timestamptz NOT NULL,
  decision text NOT NULL CHECK (decision IN ('BUY', 'SELL', 'NEUTRAL')),
  confidence numeric NOT NULL,
  open numeric NOT NULL,
  close numeric NOT NULL,
  return numeric NOT NULL,
  hit boolean,
  scored_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (owner, model_id, symbol, timeframe, bar_ts),
  FOREIGN KEY (owner, model_id, symbol, timeframe, bar_ts)
    REFERENCES ml.signals_latest (owner, model_id, symbol, timeframe, bar_ts) ON DELETE CASCADE
);

-- No index is added for scoring: signals are found through the existing (owner, symbol, timeframe, bar_ts) index, one
-- probe per owner and series (owners are few; a loose index scan lists them). An index on bar_ts alone would tax every
-- signal write (measured: BENCHMARKS.md, ingest) for a lookup these probes already make cheap.
CREATE OR REPLACE FUNCTION ml.signal_owners() RETURNS SETOF text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = '' AS $$
  WITH RECURSIVE o(owner) AS (
    (SELECT s.owner FROM ml.signals_latest s ORDER BY s.owner LIMIT 1)
    UNION ALL
    SELECT (SELECT s.owner FROM ml.signals_latest s WHERE s.owner > o.owner ORDER BY s.owner LIMIT 1)
    FROM o WHERE o.owner IS NOT NULL
  )
  SELECT owner FROM o WHERE owner IS NOT NULL
$$;
REVOKE ALL ON FUNCTION ml.signal_owners() FROM PUBLIC;

-- Scores (or re-scores, when the bar changed) every on-time signal of one series with bar_ts in [p_from, p_to] whose
-- bar is stored and closed by the database's clock; returns how many outcomes it wrote. Unchanged outcomes are left
-- alone, so a repeated call is cheap and harmless.
CREATE OR REPLACE FUNCTION ml.score_series(p_symbol text, p_timeframe text, p_from timestamptz, p_to timestamptz)
RETURNS integer
LANGUAGE sql SECURITY DEFINER SET search_path = '' AS $$
  WITH scored AS (
    INSERT INTO ml.signal_outcomes AS o
      (owner, model_id, symbol, timeframe, bar_ts, decision, confidence, open, close, return, hit)
    SELECT s.owner, s.model_id, s.symbol, s.timeframe, s.bar_ts, s.decision, s.confidence, b.open, b.close,
           CASE s.decision WHEN 'BUY' THEN (b.close - b.open) / b.open
                           WHEN 'SELL' THEN (b.open - b.close) / b.open
                           ELSE 0 END,
           CASE WHEN s.decision = 'NEUTRAL' OR b.close = b.open THEN NULL
                ELSE (s.decision = 'BUY') = (b.close > b.open) END
    FROM ml.signal_owners() AS w(owner)
    JOIN ml.signals_latest s
      ON s.owner = w.owner AND s.symbol = p_symbol AND s.timeframe = p_timeframe
     AND s.bar_ts BETWEEN p_from AND p_to
    JOIN market.ohlcv b ON b.symbol = s.symbol AND b.timeframe = s.timeframe AND b.bar_ts = s.bar_ts
    WHERE NOT s.late
      AND b.bar_ts + CASE b.timeframe WHEN '1m' THEN interval '1 minute' WHEN '5m' THEN interval '5 minutes'
                                      WHEN '15m' THEN interval '15 minutes' WHEN '30m' THEN interval '30 minutes'
                                      WHEN '1h' THEN interval '1 hour' WHEN '4h' THEN interval '4 hours'
                                      ELSE interval '1 day' END <= now()
    ON CONFLICT (owner, model_id, symbol, timeframe, bar_ts) DO UPDATE
      SET open = excluded.open, close = excluded.close, return = excluded.return, hit = excluded.hit,
          scored_at = now()
      WHERE (o.open, o.close) IS DISTINCT FROM (excluded.open, excluded.close)
    RETURNING 1
  )
  SELECT count(*)::integer FROM scored
$$;
REVOKE ALL ON FUNCTION ml.score_series(text, text, timestamptz, timestamptz) FROM PUBLIC;

-- The sweep: every series with bars (a loose index scan of market.ohlcv's primary key), over [p_from, p_to].
CREATE OR REPLACE FUNCTION ml.score_signals(p_from timestamptz, p_to timestamptz) RETURNS integer
LANGUAGE sql SECURITY DEFINER SET search_path = '' AS $$
  WITH RECURSIVE series(symbol, timeframe) AS (
    (SELECT b.symbol, b.timeframe FROM market.ohlcv b ORDER BY b.symbol, b.timeframe LIMIT 1)
    UNION ALL
    SELECT n.symbol, n.timeframe
    FROM series p
    CROSS JOIN LATERAL (
      SELECT b.symbol, b.timeframe FROM market.ohlcv b
      WHERE (b.symbol, b.timeframe) > (p.symbol, p.timeframe)
      ORDER BY b.symbol, b.timeframe LIMIT 1
    ) n
  )
  SELECT coalesce(sum(ml.score_series(symbol, timeframe, p_from, p_to)), 0)::integer FROM series
$$;
REVOKE ALL ON FUNCTION ml.score_signals(timestamptz, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ml.score_signals(timestamptz, timestamptz) TO service_role;

-- The trigger: the signals of the bars a statement wrote, scored in the same transaction, per series over the range
-- of bars written. (The cron's sweep catches bars stored before their signals, e.g. while they were still forming.)
CREATE OR REPLACE FUNCTION ml.score_signals_of_bars() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
BEGIN
  PERFORM ml.score_series(b.symbol, b.timeframe, min(b.bar_ts), max(b.bar_ts))
  FROM new_bars b GROUP BY b.symbol, b.timeframe;
  RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION ml.score_signals_of_bars() FROM PUBLIC;

-- Transition tables allow one event per trigger: one for new bars, one for corrected ones.
CREATE OR REPLACE TRIGGER score_signals_on_insert AFTER INSERT ON market.ohlcv
  REFERENCING NEW TABLE AS new_bars FOR EACH STATEMENT EXECUTE FUNCTION ml.score_signals_of_bars();
CREATE OR REPLACE TRIGGER score_signals_on_update AFTER UPDATE ON market.ohlcv
  REFERENCING NEW TABLE AS new_bars FOR EACH STATEMENT EXECUTE FUNCTION ml.score_signals_of_bars();

-- Reads: a model's track record is public when the model is (the marketplace shows it; the signals themselves stay
-- private to their owner); the owner always sees their own. Writes: only the trigger (and the service role).
ALTER TABLE ml.signal_outcomes ENABLE ROW LEVEL SECURITY;
GRANT SELECT ON ml.signal_outcomes TO anon, authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON ml.signal_outcomes TO service_role;
CREATE POLICY read_outcomes ON ml.signal_outcomes FOR SELECT TO anon, authenticated
  USING (
    owner = (SELECT app.request_owner())
    OR EXISTS (SELECT 1 FROM ml.models m
               WHERE m.owner = signal_outcomes.owner AND m.model_id = signal_outcomes.model_id
                 AND m.visibility = 'public')
  );
CREATE POLICY service_outcomes ON ml.signal_outcomes FOR ALL TO service_role USING (true) WITH CHECK (true);
