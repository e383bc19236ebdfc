-- Stats keep the delay of the signals they come from (issue 13): a non-subscriber sees a public model's signals only
-- once older than the platform's delay (ml.visible_signals), but its score rows were public as soon as their exit was
-- known, and a 1-bar outcome of a signal received a minute ago tells its direction (a hit on a rising bar was a BUY).
-- So a score row reaches anyone but the owner under the signals' own rule: a public model's resolved row once its
-- signal is backfilled, older than the delay, or of a model the caller subscribes to now. Every figure and curve read
-- through RLS (GET /api/performance/*, the marketplace's records, stats and curves) therefore lags the delay for
-- non-subscribers; the owner and subscribers see them at once. The late share's counts follow the same rule.

DROP POLICY IF EXISTS read_scores ON ml.signal_scores;
CREATE POLICY read_scores ON ml.signal_scores FOR SELECT TO anon, authenticated
  USING (
    owner = (SELECT app.request_owner())
    OR (exit_bar_ts IS NOT NULL
        AND (owner, model_id) IN (SELECT m.owner, m.model_id FROM ml.models m WHERE m.visibility = 'public')
        AND (backfilled
             OR received_at <= now() - (SELECT app.signal_delay())
             OR app.is_subscribed(owner, model_id)))
  );

CREATE OR REPLACE FUNCTION ml.visible_signal_counts(p_since timestamptz, p_symbol text, p_timeframe text)
RETURNS TABLE (owner text, model_id text, signals bigint, late bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = '' AS $$
  SELECT s.owner, s.model_id, count(*), count(*) FILTER (WHERE s.late)
  FROM ml.signals_latest s
  WHERE s.bar_ts >= p_since
    AND (p_symbol IS NULL OR s.symbol = p_symbol)
    AND (p_timeframe IS NULL OR s.timeframe = p_timeframe)
    AND (current_setting('role', true) = 'service_role'
         OR s.owner = (SELECT app.request_owner())
         OR ((s.owner, s.model_id) IN (SELECT m.owner, m.model_id FROM ml.models m WHERE m.visibility = 'public')
             AND (s.backfilled
                  OR s.received_at <= now() - (SELECT app.signal_delay())
                  OR app.is_subscribed(s.owner, s.model_id))))
  GROUP BY s.owner, s.model_id
$$;
REVOKE ALL ON FUNCTION ml.visible_signal_counts(timestamptz, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ml.visible_signal_counts(timestamptz, text, text) TO anon, authenticated, service_role;
