-- The late share of docs/metrics.md needs every signal of a model, late ones included, and ml.signals_latest shows a
-- signal only to its owner. This counts them (never shows them) for the models the caller may see the record of: its
-- own, public ones, every one for the service role (whose RLS bypass a SECURITY DEFINER function would otherwise hide;
-- `role` is the setting the api's request transaction sets).
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
         OR EXISTS (SELECT 1 FROM ml.models m
                    WHERE m.owner = s.owner AND m.model_id = s.model_id AND m.visibility = 'public'))
  GROUP BY s.owner, s.model_id
$$;
REVOKE ALL ON FUNCTION ml.visible_signal_counts(timestamptz, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ml.visible_signal_counts(timestamptz, text, text) TO anon, authenticated, service_role;
