-- Payments that fail (issue 13, docs/revenue.md "When a payment fails"). Stripe's model:
--   * A declined card at subscribe stores nothing but the declined attempt (app.payment_attempts, for audit).
--   * A renewal whose payment fails (invoice.payment_failed) makes the subscription past_due: an open row of
--     app.subscription_unpaid. While it is open the subscriber reads the model like a non-subscriber (delayed) and the
--     days are not billed. invoice.paid closes it (live again, billed again). If Stripe's retries give up it cancels
--     the subscription (customer.subscription.deleted), which ends it as before.
--   * Webhook events arrive out of order: app.subscriptions.billing_event_at keeps the provider time of the newest
--     invoice event applied, and an older one no longer changes the status (a payment wins a tie).

ALTER TABLE app.subscriptions ADD COLUMN IF NOT EXISTS billing_event_at timestamptz;

-- A subscription's unpaid stretches: from the failed renewal (since) until an invoice was paid (until; NULL: still
-- past due). At most one is open per subscription.
CREATE TABLE IF NOT EXISTS app.subscription_unpaid (
  subscription_id uuid NOT NULL REFERENCES app.subscriptions (id),
  since timestamptz NOT NULL,
  until timestamptz,
  -- The provider's id of the invoice whose payment failed.
  invoice_ref text NOT NULL,
  PRIMARY KEY (subscription_id, since),
  CHECK (until IS NULL OR until >= since)
);
CREATE UNIQUE INDEX IF NOT EXISTS subscription_unpaid_open ON app.subscription_unpaid (subscription_id)
  WHERE until IS NULL;

-- Declined payments, kept for audit: nothing else is stored for a declined subscribe (no subscription, no payment).
CREATE TABLE IF NOT EXISTS app.payment_attempts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  subscriber text NOT NULL,
  owner text NOT NULL,
  model_id text NOT NULL,
  -- The subscription it was a renewal of; NULL for a first payment (at subscribe), which never made one.
  subscription_id uuid REFERENCES app.subscriptions (id),
  amount_pence integer NOT NULL CHECK (amount_pence >= 0),
  outcome text NOT NULL CHECK (outcome IN ('declined')),
  decline_code text NOT NULL CHECK (decline_code IN ('card_declined', 'insufficient_funds', 'expired_card')),
  at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS payment_attempts_subscriber ON app.payment_attempts (subscriber, at DESC);

ALTER TABLE app.subscription_unpaid ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.payment_attempts ENABLE ROW LEVEL SECURITY;
GRANT SELECT ON app.subscription_unpaid, app.payment_attempts TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON app.subscription_unpaid, app.payment_attempts TO service_role;
-- Seen by whoever sees the subscription (its subscriber and its vendor); an attempt by the person who made it.
CREATE POLICY read_unpaid ON app.subscription_unpaid FOR SELECT TO authenticated
  USING (EXISTS (SELECT 1 FROM app.subscriptions x WHERE x.id = subscription_unpaid.subscription_id));
CREATE POLICY read_attempts ON app.payment_attempts FOR SELECT TO authenticated
  USING (subscriber = (SELECT app.request_owner()));
CREATE POLICY service_unpaid ON app.subscription_unpaid FOR ALL TO service_role USING (true) WITH CHECK (true);
CREATE POLICY service_attempts ON app.payment_attempts FOR ALL TO service_role USING (true) WITH CHECK (true);

-- Live access needs a subscription in good standing now: started, not ended, not inside an unpaid stretch. The three
-- places that decide it (the per-row probe, the set the views read, the subscribers' webhook outbox) say so alike.
CREATE OR REPLACE FUNCTION app.is_subscribed(p_owner text, p_model_id text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = '' AS $$
  SELECT EXISTS (
    SELECT 1 FROM app.subscriptions x
    WHERE x.subscriber = (SELECT app.request_owner()) AND x.owner = p_owner AND x.model_id = p_model_id
      AND x.started_at <= now() AND (x.ended_at IS NULL OR x.ended_at > now())
      AND NOT EXISTS (SELECT 1 FROM app.subscription_unpaid u
                      WHERE u.subscription_id = x.id AND u.since <= now() AND (u.until IS NULL OR u.until > now()))
  )
$$;

CREATE OR REPLACE FUNCTION app.request_subscriptions() RETURNS TABLE (owner text, model_id text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = '' AS $$
  SELECT x.owner, x.model_id FROM app.subscriptions x
  WHERE x.subscriber = (SELECT app.request_owner())
    AND x.started_at <= now() AND (x.ended_at IS NULL OR x.ended_at > now())
    AND NOT EXISTS (SELECT 1 FROM app.subscription_unpaid u
                    WHERE u.subscription_id = x.id AND u.since <= now() AND (u.until IS NULL OR u.until > now()))
$$;

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
  WHERE NOT r.backfilled AND NOT r.late
    AND NOT EXISTS (SELECT 1 FROM app.subscription_unpaid u WHERE u.subscription_id = x.id AND u.until IS NULL);
  RETURN NULL;
END
$$;
