-- The seed's v0.16.4 baseline schema, with its defects fixed (see DESIGN.md, "Seed defects"):
-- prices are checked, every signal records when the server received it and whether that was late, the owner of a
-- user is derived from the verified identity only (no app.upsert_user(p_owner, …)), and writes are service-only.

CREATE SCHEMA IF NOT EXISTS market;
CREATE SCHEMA IF NOT EXISTS ml;
CREATE SCHEMA IF NOT EXISTS app;
GRANT USAGE ON SCHEMA market, ml, app TO anon, authenticated, service_role;

CREATE TABLE IF NOT EXISTS market.ohlcv (
  symbol text NOT NULL,
  timeframe text NOT NULL CHECK (timeframe IN ('1m', '5m', '15m', '30m', '1h', '4h', '1d')),
  bar_ts timestamptz NOT NULL,
  open numeric NOT NULL CHECK (open > 0),
  high numeric NOT NULL,
  low numeric NOT NULL CHECK (low > 0),
  close numeric NOT NULL CHECK (close > 0),
  volume numeric CHECK (volume >= 0),
  ingested_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (symbol, timeframe, bar_ts),
  CHECK (high >= greatest(open, close) AND low <= least(open, close))
);
-- The primary key already serves (symbol, timeframe, bar_ts DESC) scans backwards; the seed's extra index is redundant.

CREATE TABLE IF NOT EXISTS ml.signals_latest (
  owner text NOT NULL,
  model_id text NOT NULL,
  symbol text NOT NULL,
  timeframe text NOT NULL,
  bar_ts timestamptz NOT NULL,
  decision text NOT NULL CHECK (decision IN ('BUY', 'SELL', 'NEUTRAL')),
  confidence numeric NOT NULL CHECK (confidence >= 0 AND confidence <= 1),
  meta jsonb NOT NULL DEFAULT '{}'::jsonb,
  -- When the server first stored this decision, and whether that was after the bar closed (then it is never scored).
  received_at timestamptz NOT NULL DEFAULT now(),
  late boolean NOT NULL DEFAULT false,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (owner, model_id, symbol, timeframe, bar_ts)
);
CREATE INDEX IF NOT EXISTS signals_latest_series ON ml.signals_latest (owner, symbol, timeframe, bar_ts DESC);

CREATE TABLE IF NOT EXISTS ml.consensus_latest (
  owner text NOT NULL,
  symbol text NOT NULL,
  timeframe text NOT NULL,
  bar_ts timestamptz NOT NULL,
  decision text NOT NULL CHECK (decision IN ('BUY', 'SELL', 'NEUTRAL')),
  confidence numeric NOT NULL CHECK (confidence >= 0 AND confidence <= 1),
  contributors jsonb NOT NULL CHECK (jsonb_typeof(contributors) = 'array' AND jsonb_array_length(contributors) > 0),
  meta jsonb NOT NULL DEFAULT '{}'::jsonb,
  received_at timestamptz NOT NULL DEFAULT now(),
  late boolean NOT NULL DEFAULT false,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (owner, symbol, timeframe, bar_ts)
);

CREATE TABLE IF NOT EXISTS app.users (
  user_id uuid PRIMARY KEY REFERENCES auth.users (id) ON DELETE CASCADE,
  owner text NOT NULL CHECK (owner ~ '^[a-z0-9_-]{1,64}$'),
  provider text NOT NULL,
  username text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX IF NOT EXISTS app_users_owner_idx ON app.users (owner);

CREATE TABLE IF NOT EXISTS ml.ingest_outbox (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('signal', 'consensus')),
  payload jsonb NOT NULL,
  idempotency_key text NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error text,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'dead')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (kind, idempotency_key)
);
CREATE INDEX IF NOT EXISTS ingest_outbox_due ON ml.ingest_outbox (next_attempt_at) WHERE status = 'pending';

-- The owner whose rows the current request may see: the `owner` claim that the api puts in the claims of a request
-- authenticated with a vendor key (users cannot set top-level JWT claims), or else the owner mapped to auth.uid().
CREATE OR REPLACE FUNCTION app.request_owner() RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = '' AS $$
  SELECT coalesce(
    nullif(auth.jwt() ->> 'owner', ''),
    (SELECT u.owner FROM app.users u WHERE u.user_id = auth.uid())
  )
$$;
REVOKE ALL ON FUNCTION app.request_owner() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.request_owner() TO anon, authenticated, service_role;

ALTER TABLE market.ohlcv ENABLE ROW LEVEL SECURITY;
ALTER TABLE ml.signals_latest ENABLE ROW LEVEL SECURITY;
ALTER TABLE ml.consensus_latest ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.users ENABLE ROW LEVEL SECURITY;
ALTER TABLE ml.ingest_outbox ENABLE ROW LEVEL SECURITY;

GRANT SELECT ON market.ohlcv, ml.signals_latest, ml.consensus_latest, app.users TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON market.ohlcv, ml.signals_latest, ml.consensus_latest, app.users, ml.ingest_outbox
  TO service_role;

-- Reads: market data to signed-in callers; signals and consensus only to their owner. `(SELECT …)` makes the planner
-- evaluate the owner once per statement instead of once per row.
CREATE POLICY read_ohlcv ON market.ohlcv FOR SELECT TO authenticated USING (auth.role() = 'authenticated');
CREATE POLICY read_signals ON ml.signals_latest FOR SELECT TO authenticated
  USING (owner = (SELECT app.request_owner()));
CREATE POLICY read_consensus ON ml.consensus_latest FOR SELECT TO authenticated
  USING (owner = (SELECT app.request_owner()));
CREATE POLICY own_user_read ON app.users FOR SELECT TO authenticated USING (user_id = auth.uid());

-- Writes: the service role only (it also bypasses RLS, as on Supabase; these keep the intent explicit).
CREATE POLICY write_ohlcv ON market.ohlcv FOR ALL TO service_role USING (true) WITH CHECK (true);
CREATE POLICY write_signals ON ml.signals_latest FOR ALL TO service_role USING (true) WITH CHECK (true);
CREATE POLICY write_consensus ON ml.consensus_latest FOR ALL TO service_role USING (true) WITH CHECK (true);
CREATE POLICY write_outbox ON ml.ingest_outbox FOR ALL TO service_role USING (true) WITH CHECK (true);
