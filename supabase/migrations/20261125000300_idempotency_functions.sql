-- Idempotency-Key bookkeeping as two functions, so that a request claims and records its key in one statement each
-- without leaving its role.

-- Idempotency-Key bookkeeping for the service role's writes (the api writes signals and consensus as the service
-- role, for vendor keys too). SECURITY DEFINER: app.idempotency_keys stays unreadable to every other role.
-- Claim: a transaction-scoped lock without waiting (false: a request with this key is in flight), then the stored
-- record of a completed request, if any.
CREATE OR REPLACE FUNCTION app.idempotency_claim(p_principal text, p_key text)
RETURNS TABLE (locked boolean, request_hash text, response_status integer, response_body jsonb)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
BEGIN
  IF NOT pg_try_advisory_xact_lock(hashtext(p_principal), hashtext(p_key)) THEN
    RETURN QUERY SELECT false, NULL::text, NULL::integer, NULL::jsonb;
    RETURN;
  END IF;
  RETURN QUERY
    SELECT true, k.request_hash, k.response_status, k.response_body
    FROM (SELECT 1) AS one
    LEFT JOIN app.idempotency_keys k ON k.principal = p_principal AND k.key = p_key;
END $$;

CREATE OR REPLACE FUNCTION app.idempotency_save(
  p_principal text, p_key text, p_request_hash text, p_status integer, p_body jsonb
) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = '' AS $$
  INSERT INTO app.idempotency_keys (principal, key, request_hash, response_status, response_body)
  VALUES (p_principal, p_key, p_request_hash, p_status, p_body)
  ON CONFLICT (principal, key) DO NOTHING
$$;

REVOKE ALL ON FUNCTION app.idempotency_claim(text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION app.idempotency_save(text, text, text, integer, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.idempotency_claim(text, text) TO service_role;
GRANT EXECUTE ON FUNCTION app.idempotency_save(text, text, text, integer, jsonb) TO service_role;
