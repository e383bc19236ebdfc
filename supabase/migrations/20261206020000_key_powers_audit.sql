-- Issue 9, powers: API keys may expire, an owner holds at most 20 active keys, revocation is one-way, and an audit log
-- records who created and revoked keys and registered models.

ALTER TABLE app.api_keys ADD COLUMN IF NOT EXISTS expires_at timestamptz;
GRANT SELECT (expires_at) ON app.api_keys TO authenticated;

-- Revocation is one-way for everyone, the owning role included (a trigger fires for superusers too): once set,
-- revoked_at never changes again, and a key's identity (owner, hash, prefix, scopes, expiry) never changes at all.
CREATE OR REPLACE FUNCTION app.api_keys_guard() RETURNS trigger
LANGUAGE plpgsql SET search_path = '' AS $$
BEGIN
  IF OLD.revoked_at IS NOT NULL AND NEW.revoked_at IS DISTINCT FROM OLD.revoked_at THEN
    RAISE EXCEPTION 'API key % is revoked; revocation cannot be undone or changed', OLD.id USING ERRCODE = '42501';
  END IF;
  IF NEW.owner IS DISTINCT FROM OLD.owner OR NEW.key_hash IS DISTINCT FROM OLD.key_hash
     OR NEW.prefix IS DISTINCT FROM OLD.prefix OR NEW.scopes IS DISTINCT FROM OLD.scopes
     OR NEW.expires_at IS DISTINCT FROM OLD.expires_at OR NEW.id IS DISTINCT FROM OLD.id
     OR NEW.user_id IS DISTINCT FROM OLD.user_id THEN
    RAISE EXCEPTION 'API key % may only be revoked, not changed', OLD.id USING ERRCODE = '42501';
  END IF;
  RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS api_keys_guard ON app.api_keys;
CREATE TRIGGER api_keys_guard BEFORE UPDATE ON app.api_keys FOR EACH ROW EXECUTE FUNCTION app.api_keys_guard();

-- At most 20 active (not revoked, not expired) keys per owner, counted under a per-owner transaction lock so that
-- concurrent creations cannot pass the check together. The api checks first and answers 409 naming the limit.
CREATE OR REPLACE FUNCTION app.api_keys_limit() RETURNS trigger
LANGUAGE plpgsql SET search_path = '' AS $$
DECLARE
  n integer;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended('app.api_keys:' || NEW.owner, 0));
  SELECT count(*) INTO n FROM app.api_keys k
  WHERE k.owner = NEW.owner AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now());
  IF n >= 20 THEN
    RAISE EXCEPTION 'owner % already has 20 active API keys; revoke one first', NEW.owner
      USING ERRCODE = '54000', HINT = 'api_key_limit';
  END IF;
  RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS api_keys_limit ON app.api_keys;
CREATE TRIGGER api_keys_limit BEFORE INSERT ON app.api_keys FOR EACH ROW EXECUTE FUNCTION app.api_keys_limit();

-- Append-only: rows are written by the triggers below (SECURITY DEFINER), never by a request role. The owner reads
-- their own rows under RLS.
CREATE TABLE IF NOT EXISTS app.audit_log (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  owner text NOT NULL,
  action text NOT NULL CHECK (action IN ('key.created', 'key.revoked', 'model.registered')),
  -- Who did it: `user:<uuid>`, `key:<uuid>`, `service`, or `db:<role>` for a statement outside the api.
  principal text NOT NULL,
  -- What it was done to: a key's id, or a model's id.
  subject text NOT NULL,
  detail jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS audit_log_owner ON app.audit_log (owner, id DESC);
ALTER TABLE app.audit_log ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON app.audit_log FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT ON app.audit_log TO authenticated, service_role;
DROP POLICY IF EXISTS own_audit_read ON app.audit_log;
CREATE POLICY own_audit_read ON app.audit_log FOR SELECT TO authenticated USING (owner = (SELECT app.request_owner()));
DROP POLICY IF EXISTS service_audit_read ON app.audit_log;
CREATE POLICY service_audit_read ON app.audit_log FOR SELECT TO service_role USING (true);

-- The acting principal, from the claims the api sets for the request (`key_id` for a vendor key, `sub` for a user,
-- role service_role for the service key); a statement outside the api is recorded as its session's role.
CREATE OR REPLACE FUNCTION app.audit_principal() RETURNS text
LANGUAGE sql STABLE SET search_path = '' AS $$
  SELECT CASE
    WHEN nullif(auth.jwt() ->> 'key_id', '') IS NOT NULL THEN 'key:' || (auth.jwt() ->> 'key_id')
    WHEN nullif(auth.jwt() ->> 'sub', '') IS NOT NULL THEN 'user:' || (auth.jwt() ->> 'sub')
    WHEN auth.jwt() ->> 'role' = 'service_role' THEN 'service'
    ELSE 'db:' || session_user
  END
$$;

CREATE OR REPLACE FUNCTION app.audit_api_keys() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO app.audit_log (owner, action, principal, subject, detail)
    VALUES (NEW.owner, 'key.created', app.audit_principal(), NEW.id::text,
            jsonb_build_object('prefix', NEW.prefix, 'name', NEW.name, 'scopes', to_jsonb(NEW.scopes),
                               'expires_at', NEW.expires_at));
  ELSIF OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL THEN
    INSERT INTO app.audit_log (owner, action, principal, subject, detail)
    VALUES (NEW.owner, 'key.revoked', app.audit_principal(), NEW.id::text,
            jsonb_build_object('prefix', NEW.prefix, 'name', NEW.name));
  END IF;
  RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION app.audit_api_keys() FROM PUBLIC;
DROP TRIGGER IF EXISTS audit_api_keys ON app.api_keys;
CREATE TRIGGER audit_api_keys AFTER INSERT OR UPDATE OF revoked_at ON app.api_keys
  FOR EACH ROW EXECUTE FUNCTION app.audit_api_keys();

CREATE OR REPLACE FUNCTION app.audit_models() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
BEGIN
  INSERT INTO app.audit_log (owner, action, principal, subject, detail)
  VALUES (NEW.owner, 'model.registered', app.audit_principal(), NEW.model_id,
          jsonb_build_object('name', NEW.name, 'visibility', NEW.visibility));
  RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION app.audit_models() FROM PUBLIC;
DROP TRIGGER IF EXISTS audit_models ON ml.models;
CREATE TRIGGER audit_models AFTER INSERT ON ml.models FOR EACH ROW EXECUTE FUNCTION app.audit_models();
