-- ml.visible_signals, set-based: the same rule as 20261205070200 (own signals; the service role; a public model's
-- signals once backfilled, older than the platform's delay, or of a model the caller subscribes to now), but every
-- test is decided once per query instead of once per row. Before, each row of a public model inside the delay called
-- app.is_subscribed() (a SECURITY DEFINER function that cannot be inlined, re-reading the JWT claims each time) and
-- probed ml.models: listing the marketplace over 100,000 signals took seconds (BENCHMARKS.md, web). Now the public
-- models and the caller's active subscriptions are two uncorrelated sub-selects the planner hashes once.

-- The caller's active subscriptions (SECURITY DEFINER: anon has no grant on app.subscriptions; it answers only
-- about the caller, like app.is_subscribed).
CREATE OR REPLACE FUNCTION app.request_subscriptions() RETURNS TABLE (owner text, model_id text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = '' AS $$
  SELECT x.owner, x.model_id FROM app.subscriptions x
  WHERE x.subscriber = (SELECT app.request_owner())
    AND x.started_at <= now() AND (x.ended_at IS NULL OR x.ended_at > now())
$$;
REVOKE ALL ON FUNCTION app.request_subscriptions() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.request_subscriptions() TO anon, authenticated, service_role;

CREATE OR REPLACE VIEW ml.visible_signals WITH (security_barrier) AS
SELECT s.owner, s.model_id, s.symbol, s.timeframe, s.bar_ts, s.decision, s.confidence, s.meta, s.received_at, s.late,
       s.backfilled, s.updated_at
FROM ml.signals_latest s
WHERE s.owner = (SELECT app.request_owner())
   OR (SELECT auth.role()) = 'service_role'
   OR current_setting('role', true) = 'service_role'
   OR ((s.owner, s.model_id) IN (SELECT m.owner, m.model_id FROM ml.models m WHERE m.visibility = 'public')
       AND (s.backfilled
            OR s.received_at <= now() - (SELECT app.signal_delay())
            OR (s.owner, s.model_id) IN (SELECT r.owner, r.model_id FROM app.request_subscriptions() r)));
