-- The score rows' and the signal counts' delay rule of 20261206030100, decided once per query like ml.visible_signals
-- (20261206040000): the caller's active subscriptions are one uncorrelated sub-select (app.request_subscriptions())
-- instead of a call of the SECURITY DEFINER app.is_subscribed() per row, which the planner cannot inline and which
-- re-reads the JWT claims each time. Same rows visible as before.

DROP POLICY IF EXISTS read_scores ON ml.signal_scores;
CREATE POLICY read_scores ON ml.signal_scores FOR SELECT TO anon, authenticated
  USING (
    owner = (SELECT app.request_owner())
    OR (exit_bar_ts IS NOT NULL
        AND (owner, model_id) IN (SELECT m.owner, m.model_id FROM ml.models m WHERE m.visibility = 'public')
        AND (backfilled
             OR received_at <= now() - (SELECT app.signal_delay())
             OR (owner, model_id) IN (SELECT r.owner, r.model_id FROM app.request_subscriptions() r)))
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
                  OR (s.owner, s.model_id) IN (SELECT r.owner, r.model_id FROM app.request_subscriptions() r))))
  GROUP BY s.owner, s.model_id
$$;
REVOKE ALL ON FUNCTION ml.visible_signal_counts(timestamptz, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ml.visible_signal_counts(timestamptz, text, text) TO anon, authenticated, service_role;
