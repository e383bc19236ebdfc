-- The consensus delay rule of 20261207040000 moves from the security-barrier view into row-level security on
-- ml.consensus_latest itself. Same rows visible to the same callers; the reason is the plan. PostgreSQL never
-- flattens a security-barrier view into the query that reads it, so the trading view's "newest 120 rows of one series"
-- filtered and sorted every row of the series (about 1 s for 20,000 rows: EXPLAIN ANALYZE in the commit message).
-- A policy is applied at the table scan instead: one backward walk of the new (symbol, timeframe, bar_ts DESC, owner)
-- index that stops after the rows asked for.
--
-- The rule (ARCHITECTURE.md, "Performance metrics, subscriptions and revenue"): the owner reads its rows; anyone else,
-- anonymous included, a row only when every contributor is a public model of its owner, and then once it is older
-- than the platform's delay (from received_at, its last change) or, live, with an active subscription to every
-- contributor. The service role bypasses RLS. Cheap tests first: for a row inside the delay the contributors are
-- looked at only if the caller has any subscription at all (one initplan), and the public-models test only once the
-- time or subscription test passed.

CREATE INDEX IF NOT EXISTS consensus_latest_series_newest
  ON ml.consensus_latest (symbol, timeframe, bar_ts DESC, owner);

-- Whether the caller holds any active subscription (so per-row subscription tests are skipped for everyone else).
CREATE OR REPLACE FUNCTION app.request_has_subscriptions() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = '' AS $$
  SELECT EXISTS (SELECT 1 FROM app.request_subscriptions())
$$;
REVOKE ALL ON FUNCTION app.request_has_subscriptions() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.request_has_subscriptions() TO anon, authenticated, service_role;

DROP POLICY IF EXISTS read_consensus ON ml.consensus_latest;
CREATE POLICY read_consensus ON ml.consensus_latest FOR SELECT TO anon, authenticated
  USING (
    owner = (SELECT app.request_owner())
    OR ((received_at <= now() - (SELECT app.signal_delay())
         OR ((SELECT app.request_has_subscriptions())
             AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(contributors) e
                             WHERE (owner, e ->> 'model_id') NOT IN (SELECT r.owner, r.model_id
                                                                    FROM app.request_subscriptions() r))))
        AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(contributors) e
                        WHERE (owner, e ->> 'model_id') NOT IN (SELECT m.owner, m.model_id FROM ml.models m
                                                               WHERE m.visibility = 'public')))
  );
GRANT SELECT ON ml.consensus_latest TO anon;

-- ml.visible_consensus stays the one place readers go (the stream, GET /api/marketplace/consensus): now a plain view
-- run with the caller's rights (security_invoker), so the policy above decides and the view only adds `live`: true
-- for the owner, the service role and a subscriber of every contributor, false for a row shown only because it is
-- older than the delay.
DROP VIEW IF EXISTS ml.visible_consensus;
CREATE VIEW ml.visible_consensus WITH (security_invoker = true) AS
SELECT c.owner, c.symbol, c.timeframe, c.bar_ts, c.decision, c.confidence, c.contributors, c.meta, c.received_at,
       c.late, c.updated_at,
       (c.owner = (SELECT app.request_owner())
        OR (SELECT auth.role()) = 'service_role'
        OR current_setting('role', true) = 'service_role'
        OR ((SELECT app.request_has_subscriptions())
            AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(c.contributors) e
                            WHERE (c.owner, e ->> 'model_id') NOT IN (SELECT r.owner, r.model_id
                                                                     FROM app.request_subscriptions() r)))) AS live
FROM ml.consensus_latest c;
GRANT SELECT ON ml.visible_consensus TO anon, authenticated, service_role;
