-- What the Infrastructure API needs beyond the seed: registered models, vendor API keys, idempotency records and the
-- owner mapping that replaces the seed's app.upsert_user(p_owner, …) (callable by anyone with any owner).

CREATE TABLE IF NOT EXISTS ml.models (
  owner text NOT NULL CHECK (owner ~ '^[a-z0-9_-]{1,64}$'),
  model_id text NOT NULL CHECK (model_id ~ '^[a-z0-9_-]{1,64}$'),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
  description text NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
  visibility text NOT NULL DEFAULT 'public' CHECK (visibility IN ('public', 'private')),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (owner, model_id)
);

-- A vendor key is `mp_<prefix>_<secret>`; only sha256(key) is kept. The prefix is shown in lists and finds the row.
CREATE TABLE IF NOT EXISTS app.api_keys (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  owner text NOT NULL CHECK (owner ~ '^[a-z0-9_-]{1,64}$'),
  user_id uuid REFERENCES auth.users (id) ON DELETE CASCADE,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
  prefix text NOT NULL UNIQUE,
  key_hash text NOT NULL,
  scopes text[] NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);
CREATE INDEX IF NOT EXISTS api_keys_owner ON app.api_keys (owner);

-- One row per (principal, Idempotency-Key): the request's body hash and the response it got, replayed on retries.
CREATE TABLE IF NOT EXISTS app.idempotency_keys (
  principal text NOT NULL,
  key text NOT NULL,
  request_hash text NOT NULL,
  response_status integer NOT NULL,
  response_body jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (principal, key)
);
CREATE INDEX IF NOT EXISTS idempotency_keys_created ON app.idempotency_keys (created_at);

ALTER TABLE ml.models ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.api_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.idempotency_keys ENABLE ROW LEVEL SECURITY;

GRANT SELECT ON ml.models TO anon, authenticated;
GRANT INSERT (owner, model_id, name, description, visibility) ON ml.models TO authenticated;
GRANT UPDATE (name, description, visibility) ON ml.models TO authenticated;
-- key_hash is never readable by a signed-in user, even for their own keys.
GRANT SELECT (id, owner, user_id, name, prefix, scopes, created_at, last_used_at, revoked_at) ON app.api_keys TO authenticated;
GRANT UPDATE (revoked_at) ON app.api_keys TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON ml.models, app.api_keys, app.idempotency_keys TO service_role;

CREATE POLICY read_models ON ml.models FOR SELECT TO anon, authenticated
  USING (visibility = 'public' OR owner = (SELECT app.request_owner()));
CREATE POLICY register_models ON ml.models FOR INSERT TO authenticated
  WITH CHECK (owner = (SELECT app.request_owner()));
CREATE POLICY update_models ON ml.models FOR UPDATE TO authenticated
  USING (owner = (SELECT app.request_owner())) WITH CHECK (owner = (SELECT app.request_owner()));
CREATE POLICY own_keys_read ON app.api_keys FOR SELECT TO authenticated USING (owner = (SELECT app.request_owner()));
CREATE POLICY own_keys_revoke ON app.api_keys FOR UPDATE TO authenticated
  USING (owner = (SELECT app.request_owner())) WITH CHECK (owner = (SELECT app.request_owner()));
CREATE POLICY service_models ON ml.models FOR ALL TO service_role USING (true) WITH CHECK (true);
CREATE POLICY service_keys ON app.api_keys FOR ALL TO service_role USING (true) WITH CHECK (true);
CREATE POLICY service_idempotency ON app.idempotency_keys FOR ALL TO service_role USING (true) WITH CHECK (true);

-- Owner mapping. The owner is derived on the server from what the identity provider verified (auth.identities, which
-- the user cannot edit), assigned once at first sign-in and never changed:
--   * GitHub: the lower-cased login (`pacey999`). GitHub logins never contain `_`.
--   * Google: the e-mail's local part, slugged, plus `_google` (`pacey999@gmail.com` → `pacey999_google`), so that a
--     Google account can never take a GitHub login's owner.
--   * If that owner is already held by another user (a GitHub login renamed and reused, two Google accounts with the
--     same local part), the newcomer gets the first free `<owner>_2`, `<owner>_3`, … — never the existing owner.
CREATE OR REPLACE FUNCTION app.ensure_user() RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = '' AS $$
DECLARE
  v_uid uuid := auth.uid();
  v_owner text;
  v_provider text;
  v_identity jsonb;
  v_base text;
  v_username text;
  v_candidate text;
  n integer := 1;
BEGIN
  IF v_uid IS NULL THEN
    RAISE EXCEPTION 'app.ensure_user() needs a signed-in user' USING ERRCODE = '42501';
  END IF;
  SELECT u.owner INTO v_owner FROM app.users u WHERE u.user_id = v_uid;
  IF v_owner IS NOT NULL THEN
    RETURN v_owner;
  END IF;

  SELECT i.provider, i.identity_data INTO v_provider, v_identity
  FROM auth.identities i
  WHERE i.user_id = v_uid AND i.provider IN ('github', 'google')
  ORDER BY (i.provider = 'github') DESC, i.created_at
  LIMIT 1;

  IF v_provider = 'github' THEN
    v_username := v_identity ->> 'user_name';
    v_base := lower(coalesce(v_username, ''));
    IF v_base !~ '^[a-z0-9-]{1,39}$' THEN
      RAISE EXCEPTION 'GitHub identity of user % has no usable login', v_uid USING ERRCODE = '22023';
    END IF;
  ELSIF v_provider = 'google' THEN
    v_username := coalesce(v_identity ->> 'full_name', v_identity ->> 'name', v_identity ->> 'email');
    v_base := regexp_replace(lower(split_part(coalesce(v_identity ->> 'email', ''), '@', 1)), '[^a-z0-9_-]+', '-', 'g');
    v_base := left(trim(both '-' from v_base), 48);
    IF v_base = '' THEN
      RAISE EXCEPTION 'Google identity of user % has no e-mail', v_uid USING ERRCODE = '22023';
    END IF;
    v_base := v_base || '_google';
  ELSE
    RAISE EXCEPTION 'user % has no GitHub or Google identity', v_uid USING ERRCODE = '22023';
  END IF;

  LOOP
    v_candidate := CASE WHEN n = 1 THEN v_base ELSE v_base || '_' || n END;
    INSERT INTO app.users (user_id, owner, provider, username)
    VALUES (v_uid, v_candidate, v_provider, v_username)
    ON CONFLICT DO NOTHING;
    IF FOUND THEN
      RETURN v_candidate;
    END IF;
    -- Lost a race for our own row (two first sign-ins at once): return what the other one stored.
    SELECT u.owner INTO v_owner FROM app.users u WHERE u.user_id = v_uid;
    IF v_owner IS NOT NULL THEN
      RETURN v_owner;
    END IF;
    n := n + 1;
  END LOOP;
END $$;
REVOKE ALL ON FUNCTION app.ensure_user() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.ensure_user() TO authenticated, service_role;
