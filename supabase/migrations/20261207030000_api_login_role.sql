-- The api's login role. The api connects as `nq_api`, a role that owns nothing, is no superuser, does not bypass RLS
-- and inherits nothing: on its own it can read or write no table. It is a member of exactly anon, authenticated and
-- service_role, so every request's transaction can `SET LOCAL ROLE` to one of them (packages/db/src/client.ts), as
-- Supabase's own `authenticator` role does for PostgREST. Migrations keep running as the owning role (postgres).
--
-- Roles are cluster-wide: the block is idempotent and tolerates a concurrent migration of another database. The
-- password is never set here: production sets it once, outside migrations (docs/deploy.md):
--   ALTER ROLE nq_api WITH PASSWORD '<secret>';

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'nq_api') THEN
    BEGIN
      CREATE ROLE nq_api LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
      NULL;
    END;
  END IF;
  -- A role of that name made by hand keeps no power it should not have. Changed only when it differs: two databases
  -- of one server migrated at once would otherwise update the same catalog row together ("tuple concurrently
  -- updated", XX000), in which case the other migration has made the same change.
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'nq_api'
             AND (rolsuper OR rolcreatedb OR rolcreaterole OR rolinherit OR rolreplication OR rolbypassrls)) THEN
    BEGIN
      ALTER ROLE nq_api NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS;
    EXCEPTION
      WHEN insufficient_privilege THEN
        RAISE WARNING 'could not reset the attributes of role nq_api (%); check them by hand (docs/deploy.md)', SQLERRM;
      WHEN internal_error THEN
        NULL;
    END;
  END IF;
  IF EXISTS (SELECT 1 FROM unnest(ARRAY['anon', 'authenticated', 'service_role']) AS r(name)
             WHERE NOT EXISTS (SELECT 1 FROM pg_auth_members m
                               WHERE m.roleid = r.name::regrole AND m.member = 'nq_api'::regrole)) THEN
    BEGIN
      GRANT anon, authenticated, service_role TO nq_api;
    EXCEPTION
      WHEN insufficient_privilege THEN
        -- A migrating role without the admin option on these roles (docs/deploy.md says how to grant them by hand).
        RAISE WARNING 'could not grant anon, authenticated, service_role to nq_api (%); see docs/deploy.md', SQLERRM;
      WHEN internal_error THEN
        NULL;
    END;
  END IF;
END $$;

-- Readiness (GET /health/ready) compares the applied migrations with the api's: the service role may read the
-- versions, nothing else of the bookkeeping table (the statements stay unreadable).
DO $$
BEGIN
  IF to_regclass('supabase_migrations.schema_migrations') IS NOT NULL THEN
    GRANT USAGE ON SCHEMA supabase_migrations TO service_role;
    GRANT SELECT (version) ON supabase_migrations.schema_migrations TO service_role;
  END IF;
END $$;

-- What the web server's OAuth sign-in verified, recorded as a Supabase sign-in would (auth.users, auth.identities),
-- then the owner assigned once (app.ensure_user()). SECURITY DEFINER: the request roles have no grant on the auth
-- schema's tables; only the service role may call it. Returns the user, their owner and whether the user is new.
CREATE OR REPLACE FUNCTION app.upsert_identity(
  p_provider text, p_provider_id text, p_email text, p_identity_data jsonb
) RETURNS TABLE (user_id uuid, owner text, created boolean)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = '' AS $$
DECLARE
  v_user uuid;
  v_created boolean := false;
  v_claims text := current_setting('request.jwt.claims', true);
  v_owner text;
BEGIN
  IF p_provider NOT IN ('github', 'google') THEN
    RAISE EXCEPTION 'provider must be github or google, got %', p_provider USING ERRCODE = '22023';
  END IF;
  -- Two first sign-ins of one identity at once must not create two users: serialise per identity.
  PERFORM pg_advisory_xact_lock(hashtextextended('identity:' || p_provider || ':' || p_provider_id, 0));
  SELECT i.user_id INTO v_user FROM auth.identities i WHERE i.provider = p_provider AND i.provider_id = p_provider_id;
  IF v_user IS NOT NULL THEN
    UPDATE auth.identities i SET identity_data = p_identity_data, email = p_email, updated_at = now()
    WHERE i.provider = p_provider AND i.provider_id = p_provider_id;
    UPDATE auth.users u SET email = coalesce(p_email, u.email), raw_user_meta_data = p_identity_data, updated_at = now()
    WHERE u.id = v_user;
  ELSE
    INSERT INTO auth.users (id, email, raw_app_meta_data, raw_user_meta_data)
    VALUES (gen_random_uuid(), p_email,
            jsonb_build_object('provider', p_provider, 'providers', jsonb_build_array(p_provider)), p_identity_data)
    RETURNING id INTO v_user;
    INSERT INTO auth.identities (provider_id, user_id, identity_data, provider, email)
    VALUES (p_provider_id, v_user, p_identity_data, p_provider, p_email);
    v_created := true;
  END IF;
  -- ensure_user() maps auth.uid(), read from the request claims: act as that user for this one call.
  PERFORM set_config('request.jwt.claims', json_build_object('sub', v_user, 'role', 'authenticated')::text, true);
  v_owner := app.ensure_user();
  PERFORM set_config('request.jwt.claims', coalesce(v_claims, ''), true);
  RETURN QUERY SELECT v_user, v_owner, v_created;
END $$;
REVOKE ALL ON FUNCTION app.upsert_identity(text, text, text, jsonb) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION app.upsert_identity(text, text, text, jsonb) TO service_role;
