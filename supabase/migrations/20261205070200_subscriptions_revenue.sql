-- Subscriptions and revenue (issue 13). A vendor prices each model per month in integer pence (0 = free); a signed-in
-- user subscribes and cancels; a subscriber reads the model's signals live, everyone else a public model's signals only
-- once they are older than the platform's delay (24 h by default), and the stats at once. Row-level security enforces
-- it. Revenue: a monthly statement per vendor, computed by the api from these rows (apps/api/src/revenue), stored when
-- the month is closed and never changed afterwards.

-- One row: the platform's settings (a change applies to months closed afterwards and to reads at once).
CREATE TABLE IF NOT EXISTS app.platform_settings (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  -- Platform fee in basis points of the gross (2000 = 20%).
  platform_fee_bps integer NOT NULL DEFAULT 2000 CHECK (platform_fee_bps BETWEEN 0 AND 10000),
  -- How long after it was received a signal becomes readable by non-subscribers of a public model.
  signal_delay interval NOT NULL DEFAULT interval '24 hours' CHECK (signal_delay >= interval '0')
);
INSERT INTO app.platform_settings (id) VALUES (true) ON CONFLICT DO NOTHING;

-- Price history: a model's price on a day is the newest row with effective_from before the day's end (UTC).
CREATE TABLE IF NOT EXISTS app.model_prices (
  owner text NOT NULL,
  model_id text NOT NULL,
  effective_from timestamptz NOT NULL,
  price_pence integer NOT NULL CHECK (price_pence BETWEEN 0 AND 100000000),
  PRIMARY KEY (owner, model_id, effective_from),
  FOREIGN KEY (owner, model_id) REFERENCES ml.models (owner, model_id) ON DELETE CASCADE
);

-- A subscription is active from started_at until ended_at (NULL: still active). subscriber is the subscribing user's
-- owner (app.request_owner()), never taken from the client.
CREATE TABLE IF NOT EXISTS app.subscriptions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  subscriber text NOT NULL,
  owner text NOT NULL,
  model_id text NOT NULL,
  started_at timestamptz NOT NULL,
  ended_at timestamptz,
  -- The payment provider's name and its id of the subscription.
  provider text NOT NULL,
  provider_ref text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (ended_at IS NULL OR ended_at >= started_at),
  UNIQUE (provider, provider_ref),
  FOREIGN KEY (owner, model_id) REFERENCES ml.models (owner, model_id)
);
CREATE UNIQUE INDEX IF NOT EXISTS subscriptions_one_active ON app.subscriptions (subscriber, owner, model_id)
  WHERE ended_at IS NULL;
CREATE INDEX IF NOT EXISTS subscriptions_vendor ON app.subscriptions (owner, started_at);

-- Money that moved through the provider: charges and refunds, in pence (a refund is counted in the month it is made).
CREATE TABLE IF NOT EXISTS app.payments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  subscription_id uuid NOT NULL REFERENCES app.subscriptions (id),
  kind text NOT NULL CHECK (kind IN ('charge', 'refund')),
  amount_pence integer NOT NULL CHECK (amount_pence > 0),
  at timestamptz NOT NULL,
  provider_ref text NOT NULL UNIQUE
);
CREATE INDEX IF NOT EXISTS payments_subscription ON app.payments (subscription_id, at);

-- Provider webhook events already handled: a redelivered event id is acknowledged and ignored.
CREATE TABLE IF NOT EXISTS app.payment_events (
  provider text NOT NULL,
  event_id text NOT NULL,
  type text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (provider, event_id)
);

-- A closed month's statement, exactly as served: the JSON body and the CSV, byte for byte.
CREATE TABLE IF NOT EXISTS app.revenue_statements (
  owner text NOT NULL,
  month text NOT NULL CHECK (month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
  platform_fee_bps integer NOT NULL,
  gross_pence bigint NOT NULL,
  fee_pence bigint NOT NULL,
  vendor_pence bigint NOT NULL CHECK (fee_pence + vendor_pence = gross_pence),
  body text NOT NULL,
  csv text NOT NULL,
  closed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (owner, month)
);

CREATE OR REPLACE FUNCTION app.refuse_statement_change() RETURNS trigger
LANGUAGE plpgsql SET search_path = '' AS $$
BEGIN
  RAISE EXCEPTION 'revenue statement % of % is closed and cannot change', OLD.month, OLD.owner
    USING ERRCODE = 'integrity_constraint_violation';
END
$$;
CREATE OR REPLACE TRIGGER revenue_statements_immutable BEFORE UPDATE OR DELETE ON app.revenue_statements
  FOR EACH ROW EXECUTE FUNCTION app.refuse_statement_change();

ALTER TABLE app.platform_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.model_prices ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.subscriptions ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.payments ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.payment_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.revenue_statements ENABLE ROW LEVEL SECURITY;

GRANT SELECT ON app.platform_settings, app.model_prices TO anon, authenticated;
GRANT SELECT ON app.subscriptions, app.payments, app.revenue_statements TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON app.platform_settings, app.model_prices, app.subscriptions, app.payments,
  app.payment_events, app.revenue_statements TO service_role;

CREATE POLICY read_settings ON app.platform_settings FOR SELECT TO anon, authenticated USING (true);
CREATE POLICY read_prices ON app.model_prices FOR SELECT TO anon, authenticated
  USING (owner = (SELECT app.request_owner())
         OR EXISTS (SELECT 1 FROM ml.models m WHERE m.owner = model_prices.owner AND m.model_id = model_prices.model_id
                      AND m.visibility = 'public'));
-- A subscription is seen by its subscriber and by the vendor it pays.
CREATE POLICY read_subscriptions ON app.subscriptions FOR SELECT TO authenticated
  USING (subscriber = (SELECT app.request_owner()) OR owner = (SELECT app.request_owner()));
CREATE POLICY read_payments ON app.payments FOR SELECT TO authenticated
  USING (EXISTS (SELECT 1 FROM app.subscriptions x WHERE x.id = payments.subscription_id));
CREATE POLICY read_statements ON app.revenue_statements FOR SELECT TO authenticated
  USING (owner = (SELECT app.request_owner()));
CREATE POLICY service_settings ON app.platform_settings FOR ALL TO service_role USING (true) WITH CHECK (true);
CREATE POLICY service_prices ON app.model_prices FOR ALL TO service_role USING (true) WITH CHECK (true);
CREATE POLICY service_subscriptions ON app.subscriptions FOR ALL TO service_role USING (true) WITH CHECK (true);
CREATE POLICY service_payments ON app.payments FOR ALL TO service_role USING (true) WITH CHECK (true);
CREATE POLICY service_payment_events ON app.payment_events FOR ALL TO service_role USING (true) WITH CHECK (true);
CREATE POLICY service_statements ON app.revenue_statements FOR ALL TO service_role USING (true) WITH CHECK (true);

-- Whether the caller holds an active subscription to the model now (SECURITY DEFINER: one indexed probe, whoever
-- asks; it answers only about the caller).
CREATE OR REPLACE FUNCTION app.is_subscribed(p_owner text, p_model_id text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = '' AS $$
  SELECT EXISTS (
    SELECT 1 FROM app.subscriptions x
    WHERE x.subscriber = (SELECT app.request_owner()) AND x.owner = p_owner AND x.model_id = p_model_id
      AND x.started_at <= now() AND (x.ended_at IS NULL OR x.ended_at > now())
  )
$$;
REVOKE ALL ON FUNCTION app.is_subscribed(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.is_subscribed(text, text) TO anon, authenticated, service_role;

CREATE OR REPLACE FUNCTION app.signal_delay() RETURNS interval
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = '' AS $$
  SELECT coalesce((SELECT s.signal_delay FROM app.platform_settings s), interval '24 hours')
$$;
REVOKE ALL ON FUNCTION app.signal_delay() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.signal_delay() TO anon, authenticated, service_role;

-- The signals a request may read beyond its own (ml.visible_signals, which the marketplace and GET /api/stream read as
-- the viewer): a subscriber's models live; any other public model's only once older than the platform's delay, except
-- backfilled history (generated over past bars, never news). Same columns as before, so readers are unchanged.
CREATE OR REPLACE VIEW ml.visible_signals WITH (security_barrier) AS
SELECT s.owner, s.model_id, s.symbol, s.timeframe, s.bar_ts, s.decision, s.confidence, s.meta, s.received_at, s.late,
       s.backfilled, s.updated_at
FROM ml.signals_latest s
WHERE s.owner = (SELECT app.request_owner())
   OR (SELECT auth.role()) = 'service_role'
   OR current_setting('role', true) = 'service_role'
   OR (EXISTS (SELECT 1 FROM ml.models m
               WHERE m.owner = s.owner AND m.model_id = s.model_id AND m.visibility = 'public')
       AND (s.backfilled OR s.received_at <= now() - (SELECT app.signal_delay()) OR app.is_subscribed(s.owner, s.model_id)));
