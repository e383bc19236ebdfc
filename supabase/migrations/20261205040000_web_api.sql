-- What the web app needs from the database: backfilled (demo) signals kept apart from live ones, who may read which
-- signals outside their own (public models' signals), market data for anonymous viewers, and the event log behind
-- GET /api/stream.

-- Signals a backfill run computed over history (`npm start` runs the built-in models over the backfilled bars so that
-- a first start has track records). They are stored as on-time calls (received_at = bar_ts), scored like live ones,
-- and always flagged: track records and listings show them apart from live calls. Adding a column with a constant
-- default rewrites nothing.
ALTER TABLE ml.signals_latest ADD COLUMN IF NOT EXISTS backfilled boolean NOT NULL DEFAULT false;

-- The signals a request may read beyond its own: those of public models (the marketplace shows them). RLS on
-- ml.signals_latest keeps answering "my signals" for GET /api/signals; this view answers "every signal I may see".
-- It runs with its owner's rights (it reads past the table's RLS) and applies its own rule instead, evaluated in the
-- request's context: the caller's own signals, public models' signals, everything for the service role.
CREATE OR REPLACE VIEW ml.visible_signals WITH (security_barrier) AS
SELECT s.owner, s.model_id, s.symbol, s.timeframe, s.bar_ts, s.decision, s.confidence, s.meta, s.received_at, s.late,
       s.backfilled, s.updated_at
FROM ml.signals_latest s
WHERE s.owner = (SELECT app.request_owner())
   OR (SELECT auth.role()) = 'service_role'
   OR EXISTS (SELECT 1 FROM ml.models m
              WHERE m.owner = s.owner AND m.model_id = s.model_id AND m.visibility = 'public');
GRANT SELECT ON ml.visible_signals TO anon, authenticated, service_role;

-- Market data is public: an anonymous marketplace visitor sees the charts and the live bars.
GRANT SELECT ON market.ohlcv TO anon;
CREATE POLICY read_ohlcv_anon ON market.ohlcv FOR SELECT TO anon USING (true);

-- Vendor attribution: what the provider says about an owner's user now (a GitHub login may have been renamed since
-- the owner was assigned). Only public fields leave this function: login, avatar, name; never the e-mail.
CREATE OR REPLACE FUNCTION app.vendor_identities(p_owners text[])
RETURNS TABLE (owner text, provider text, login text, avatar_url text, display_name text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = '' AS $$
  SELECT DISTINCT ON (u.owner) u.owner, i.provider,
         CASE WHEN i.provider = 'github' THEN i.identity_data ->> 'user_name' END,
         i.identity_data ->> 'avatar_url',
         coalesce(i.identity_data ->> 'full_name', i.identity_data ->> 'name')
  FROM app.users u
  JOIN auth.identities i ON i.user_id = u.user_id AND i.provider IN ('github', 'google')
  WHERE u.owner = ANY (p_owners)
  ORDER BY u.owner, (i.provider = u.provider) DESC, i.created_at
$$;
REVOKE ALL ON FUNCTION app.vendor_identities(text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.vendor_identities(text[]) TO anon, authenticated, service_role;

-- The event log: every statement that stores signals, consensus or bars appends one row per (owner, series) it
-- touched, holding the keys of the rows (never their data). GET /api/stream reads the log joined to the source tables
-- as the viewer, so each viewer gets exactly what RLS (and ml.visible_signals) lets them read. `id` is monotonic;
-- the streamer hands ids out only once every smaller id is committed or known rolled back (see
-- apps/api/src/stream/event-log-tail.ts). Backfilled signals are history, not news: they are not logged.
CREATE TABLE IF NOT EXISTS app.event_log (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  type text NOT NULL CHECK (type IN ('signal', 'consensus', 'bar')),
  owner text,
  symbol text NOT NULL,
  timeframe text NOT NULL,
  model_ids text[],
  bar_ts timestamptz[] NOT NULL,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS event_log_at ON app.event_log (at);
ALTER TABLE app.event_log ENABLE ROW LEVEL SECURITY;
-- Rows carry keys only; what a viewer receives is decided by the source tables' visibility in the stream's join.
GRANT SELECT ON app.event_log TO anon, authenticated;
GRANT SELECT, DELETE ON app.event_log TO service_role;
CREATE POLICY read_event_log ON app.event_log FOR SELECT TO anon, authenticated, service_role USING (true);
CREATE POLICY trim_event_log ON app.event_log FOR DELETE TO service_role USING (true);

-- One NOTIFY per transaction (identical notifications are folded), delivered at commit: it wakes every api process's
-- streamer on PostgreSQL. The embedded database polls instead.
CREATE OR REPLACE FUNCTION app.log_signals() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
BEGIN
  INSERT INTO app.event_log (type, owner, symbol, timeframe, model_ids, bar_ts)
  SELECT 'signal', r.owner, r.symbol, r.timeframe,
         array_agg(r.model_id ORDER BY r.model_id, r.bar_ts), array_agg(r.bar_ts ORDER BY r.model_id, r.bar_ts)
  FROM changed r WHERE NOT r.backfilled
  GROUP BY r.owner, r.symbol, r.timeframe;
  IF FOUND THEN PERFORM pg_notify('app_event_log', ''); END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION app.log_consensus() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
BEGIN
  INSERT INTO app.event_log (type, owner, symbol, timeframe, bar_ts)
  SELECT 'consensus', r.owner, r.symbol, r.timeframe, array_agg(r.bar_ts ORDER BY r.bar_ts)
  FROM changed r GROUP BY r.owner, r.symbol, r.timeframe;
  IF FOUND THEN PERFORM pg_notify('app_event_log', ''); END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION app.log_bars() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
BEGIN
  INSERT INTO app.event_log (type, symbol, timeframe, bar_ts)
  SELECT 'bar', r.symbol, r.timeframe, array_agg(r.bar_ts ORDER BY r.bar_ts)
  FROM changed r GROUP BY r.symbol, r.timeframe;
  IF FOUND THEN PERFORM pg_notify('app_event_log', ''); END IF;
  RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION app.log_signals(), app.log_consensus(), app.log_bars() FROM PUBLIC;

-- Statement-level with transition tables: one INSERT … SELECT per write statement, whatever its size.
CREATE OR REPLACE TRIGGER log_signals_on_insert AFTER INSERT ON ml.signals_latest
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION app.log_signals();
CREATE OR REPLACE TRIGGER log_signals_on_update AFTER UPDATE ON ml.signals_latest
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION app.log_signals();
CREATE OR REPLACE TRIGGER log_consensus_on_insert AFTER INSERT ON ml.consensus_latest
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION app.log_consensus();
CREATE OR REPLACE TRIGGER log_consensus_on_update AFTER UPDATE ON ml.consensus_latest
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION app.log_consensus();
CREATE OR REPLACE TRIGGER log_bars_on_insert AFTER INSERT ON market.ohlcv
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION app.log_bars();
CREATE OR REPLACE TRIGGER log_bars_on_update AFTER UPDATE ON market.ohlcv
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION app.log_bars();
