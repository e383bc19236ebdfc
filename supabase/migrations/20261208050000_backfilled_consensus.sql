-- Backfilled consensus: `npm start`'s demo history (apps/orchestrator/src/backfill) now also stores the consensus of
-- the built-in models over the backfilled bars, so that the trading view has a consensus strip on a fresh start.
-- Like a backfilled signal (ml.visible_signals, 20261206040000) such a row is history computed after the fact, never
-- a call anyone could have traded on: it is flagged `backfilled` and readable at once under the same public-models
-- rule, instead of only after the platform's delay (24 h: an anonymous visitor saw no consensus for a day).
-- A live consensus stored later for the same bar (on time) replaces it and clears the flag.

ALTER TABLE ml.consensus_latest ADD COLUMN IF NOT EXISTS backfilled boolean NOT NULL DEFAULT false;

DROP POLICY IF EXISTS read_consensus ON ml.consensus_latest;
CREATE POLICY read_consensus ON ml.consensus_latest FOR SELECT TO anon, authenticated
  USING (
    owner = (SELECT app.request_owner())
    OR ((backfilled
         OR received_at <= now() - (SELECT app.signal_delay())
         OR ((SELECT app.request_has_subscriptions())
             AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(contributors) e
                             WHERE (owner, e ->> 'model_id') NOT IN (SELECT r.owner, r.model_id
                                                                    FROM app.request_subscriptions() r))))
        AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(contributors) e
                        WHERE (owner, e ->> 'model_id') NOT IN (SELECT m.owner, m.model_id FROM ml.models m
                                                               WHERE m.visibility = 'public')))
  );

-- History is not news: a backfilled consensus goes to no live stream (as app.log_signals does for signals).
CREATE OR REPLACE FUNCTION app.log_consensus() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
BEGIN
  INSERT INTO app.event_log (type, owner, symbol, timeframe, bar_ts)
  SELECT 'consensus', r.owner, r.symbol, r.timeframe, array_agg(r.bar_ts ORDER BY r.bar_ts)
  FROM changed r WHERE NOT r.backfilled GROUP BY r.owner, r.symbol, r.timeframe;
  IF FOUND THEN PERFORM pg_notify('app_event_log', ''); END IF;
  RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION app.log_consensus() FROM PUBLIC;
