-- ml.visible_consensus: the consensus rows a request may read, with the signals' delay rule (issue 13) applied to
-- consensus (issue 11's trading view for anonymous visitors). A consensus row carries each contributor's decision and
-- confidence for its bar (its `contributors`), so it may be shown to no one who could not read those signals:
--   * its owner reads it always, live, and the service role reads everything;
--   * anyone else (anonymous included) reads it only if EVERY contributor is a public model of its owner (one private
--     contributor hides the row from everyone but the owner, whatever its age), and then
--       - live, if the caller holds an active subscription to every contributor (one missing subscription: delayed),
--       - otherwise once the row is older than the platform's delay (app.signal_delay(), 24 h by default), counted
--         from its received_at, the time of its last change (a rewrite restarts the delay).
-- The stored row is shown whole or not at all: no partial consensus is recomputed from a subset of contributors (it
-- would be a different number than the one its owner published, and its weights would still tell the rest).
-- `live` says why a row is readable: true for the owner, the service role and full subscribers, false for a row shown
-- only because it is older than the delay.
-- Set-based like ml.visible_signals (20261206040000): the public models and the caller's active subscriptions are two
-- uncorrelated sub-selects the planner hashes once per query; each row's contributors are checked against them.

CREATE OR REPLACE VIEW ml.visible_consensus WITH (security_barrier) AS
SELECT c.owner, c.symbol, c.timeframe, c.bar_ts, c.decision, c.confidence, c.contributors, c.meta, c.received_at,
       c.late, c.updated_at,
       (c.owner = (SELECT app.request_owner())
        OR (SELECT auth.role()) = 'service_role'
        OR current_setting('role', true) = 'service_role'
        OR NOT EXISTS (SELECT 1 FROM jsonb_array_elements(c.contributors) e
                       WHERE (c.owner, e ->> 'model_id') NOT IN (SELECT r.owner, r.model_id
                                                                FROM app.request_subscriptions() r))) AS live
FROM ml.consensus_latest c
WHERE c.owner = (SELECT app.request_owner())
   OR (SELECT auth.role()) = 'service_role'
   OR current_setting('role', true) = 'service_role'
   OR (NOT EXISTS (SELECT 1 FROM jsonb_array_elements(c.contributors) e
                   WHERE (c.owner, e ->> 'model_id') NOT IN (SELECT m.owner, m.model_id FROM ml.models m
                                                            WHERE m.visibility = 'public'))
       AND (c.received_at <= now() - (SELECT app.signal_delay())
            OR NOT EXISTS (SELECT 1 FROM jsonb_array_elements(c.contributors) e
                           WHERE (c.owner, e ->> 'model_id') NOT IN (SELECT r.owner, r.model_id
                                                                    FROM app.request_subscriptions() r))));

GRANT SELECT ON ml.visible_consensus TO anon, authenticated, service_role;

-- The platform's delay in seconds, for readers that tell the viewer how late a delayed row is.
CREATE OR REPLACE FUNCTION app.signal_delay_seconds() RETURNS integer
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = '' AS $$
  SELECT extract(epoch FROM (SELECT app.signal_delay()))::integer
$$;
REVOKE ALL ON FUNCTION app.signal_delay_seconds() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.signal_delay_seconds() TO anon, authenticated, service_role;
