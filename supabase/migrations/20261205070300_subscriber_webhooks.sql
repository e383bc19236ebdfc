-- Webhooks to subscribers (issue 13): a subscriber registers a URL; every new or changed live signal of a model they
-- subscribe to is put in an outbox in the same transaction as the signal, one delivery per endpoint, and the cron
-- POSTs it signed like Stripe (`NeuronetIQ-Signature: t=<unix s>,v1=<hex HMAC-SHA256 of "<t>.<body>">`) with the
-- delivery's id (`NeuronetIQ-Delivery`) for the receiver to de-duplicate on; failures back off exponentially and a
-- delivery that keeps failing is dead-lettered. Deliveries are the subscriber's log: readable and replayable.

CREATE TABLE IF NOT EXISTS app.webhook_endpoints (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  subscriber text NOT NULL,
  url text NOT NULL CHECK (url ~ '^https?://' AND length(url) <= 2000),
  -- Shown once at registration; the receiver checks signatures with it.
  secret text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  disabled_at timestamptz
);
CREATE INDEX IF NOT EXISTS webhook_endpoints_subscriber ON app.webhook_endpoints (subscriber) WHERE disabled_at IS NULL;

CREATE TABLE IF NOT EXISTS app.webhook_deliveries (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  endpoint_id uuid NOT NULL REFERENCES app.webhook_endpoints (id) ON DELETE CASCADE,
  subscriber text NOT NULL,
  payload jsonb NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead')),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_status integer,
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  delivered_at timestamptz
);
CREATE INDEX IF NOT EXISTS webhook_deliveries_due ON app.webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS webhook_deliveries_subscriber ON app.webhook_deliveries (subscriber, created_at DESC);

-- Statement-level, from the signals a statement stored: one delivery per (signal, endpoint of an active subscriber).
-- Backfilled history is not news. With no endpoints registered the join finds nothing and costs one probe.
CREATE OR REPLACE FUNCTION app.enqueue_signal_webhooks() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
BEGIN
  INSERT INTO app.webhook_deliveries (endpoint_id, subscriber, payload)
  SELECT e.id, e.subscriber,
         jsonb_build_object('type', 'signal', 'data', jsonb_build_object(
           'owner', r.owner, 'model_id', r.model_id, 'symbol', r.symbol, 'timeframe', r.timeframe,
           'bar_ts', to_char(r.bar_ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'decision', r.decision,
           'confidence', r.confidence::float8,
           'received_at', to_char(r.received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')))
  FROM changed r
  JOIN app.subscriptions x
    ON x.owner = r.owner AND x.model_id = r.model_id AND x.ended_at IS NULL AND x.started_at <= now()
  JOIN app.webhook_endpoints e ON e.subscriber = x.subscriber AND e.disabled_at IS NULL
  WHERE NOT r.backfilled AND NOT r.late;
  RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION app.enqueue_signal_webhooks() FROM PUBLIC;
CREATE OR REPLACE TRIGGER signal_webhooks_on_insert AFTER INSERT ON ml.signals_latest
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION app.enqueue_signal_webhooks();
CREATE OR REPLACE TRIGGER signal_webhooks_on_update AFTER UPDATE ON ml.signals_latest
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION app.enqueue_signal_webhooks();

ALTER TABLE app.webhook_endpoints ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.webhook_deliveries ENABLE ROW LEVEL SECURITY;
-- The secret is never readable back, even by its subscriber.
GRANT SELECT (id, subscriber, url, created_at, disabled_at) ON app.webhook_endpoints TO authenticated;
GRANT SELECT ON app.webhook_deliveries TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON app.webhook_endpoints, app.webhook_deliveries TO service_role;
CREATE POLICY own_endpoints ON app.webhook_endpoints FOR SELECT TO authenticated
  USING (subscriber = (SELECT app.request_owner()));
CREATE POLICY own_deliveries ON app.webhook_deliveries FOR SELECT TO authenticated
  USING (subscriber = (SELECT app.request_owner()));
CREATE POLICY service_endpoints ON app.webhook_endpoints FOR ALL TO service_role USING (true) WITH CHECK (true);
CREATE POLICY service_deliveries ON app.webhook_deliveries FOR ALL TO service_role USING (true) WITH CHECK (true);
