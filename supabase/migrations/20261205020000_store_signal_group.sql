-- Single-signal requests written together (group commit): a group of requests of one principal is one call of this
-- function, which claims each request's Idempotency-Key, upserts the rows that are to be written, classifies every row
-- and records each written request's key, so that the api's whole transaction (BEGIN, role and claims, this call,
-- COMMIT) is one round trip.
--
-- SECURITY INVOKER: it runs as the request's role, so row-level security applies to the upsert as to any statement
-- of the request; the key bookkeeping goes through the SECURITY DEFINER functions below, which do for a list of keys
-- what app.idempotency_claim/_save do for one (a call each per key cost more than the upsert of the whole group).

-- Claim: each key's transaction-scoped lock without waiting, then (a second statement, so a snapshot taken after the
-- locks) the record of a completed request. NULL keys are skipped; ord is the key's position in p_keys.
CREATE OR REPLACE FUNCTION app.idempotency_claim_many(p_principal text, p_keys text[])
RETURNS TABLE (ord integer, locked boolean, request_hash text, response_status integer, response_body jsonb)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
DECLARE
  v_locked boolean[];
BEGIN
  SELECT array_agg(u.k IS NOT NULL AND pg_try_advisory_xact_lock(hashtext(p_principal), hashtext(u.k)) ORDER BY u.o)
  INTO v_locked
  FROM unnest(p_keys) WITH ORDINALITY AS u(k, o);
  RETURN QUERY
    SELECT u.o::integer, v_locked[u.o], r.request_hash, r.response_status, r.response_body
    FROM unnest(p_keys) WITH ORDINALITY AS u(k, o)
    LEFT JOIN app.idempotency_keys r ON v_locked[u.o] AND r.principal = p_principal AND r.key = u.k
    WHERE u.k IS NOT NULL;
END $$;

CREATE OR REPLACE FUNCTION app.idempotency_save_many(
  p_principal text, p_keys text[], p_hashes text[], p_status integer, p_body jsonb
) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = '' AS $$
  INSERT INTO app.idempotency_keys (principal, key, request_hash, response_status, response_body)
  SELECT p_principal, u.k, u.h, p_status, p_body FROM unnest(p_keys, p_hashes) AS u(k, h)
  ON CONFLICT (principal, key) DO NOTHING
$$;

REVOKE ALL ON FUNCTION app.idempotency_claim_many(text, text[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION app.idempotency_save_many(text, text[], text[], integer, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.idempotency_claim_many(text, text[]) TO service_role;
GRANT EXECUTE ON FUNCTION app.idempotency_save_many(text, text[], text[], integer, jsonb) TO service_role;

--
-- p_items: one object per request, in order: owner, model_id, symbol, timeframe, bar_ts, decision, confidence, meta,
-- late (its bar had closed when the request was received), received_at, and key + hash (absent without a key). Keys
-- and natural keys must be distinct within a group (the api's group commit keeps them so).
-- One row per item, in order: result is
--   stored | unchanged | immutable (as WriteOutcome), in_flight (another request holds the key), or
--   recorded (a completed request used the key: its hash and response are returned for a replay or a 422).
CREATE OR REPLACE FUNCTION app.store_signal_group(p_principal text, p_items jsonb)
RETURNS TABLE (idx integer, result text, request_hash text, response_status integer, response_body jsonb)
LANGUAGE plpgsql SET search_path = '' AS $$
DECLARE
  v_claims jsonb := '{}'::jsonb;
  v_keys text[];
  v_save_keys text[] := '{}';
  v_save_hashes text[] := '{}';
  r record;
BEGIN
  v_keys := ARRAY(SELECT i.item->>'key' FROM jsonb_array_elements(p_items) WITH ORDINALITY AS i(item, ord) ORDER BY i.ord);
  IF cardinality(array_remove(v_keys, NULL)) > 0 THEN
    SELECT coalesce(jsonb_object_agg(c.ord::text, to_jsonb(c)), '{}'::jsonb) INTO v_claims
    FROM app.idempotency_claim_many(p_principal, v_keys) AS c;
  END IF;

  -- As ml's multi-row write (packages/db signals.ts): a conflicting row changes only while its bar is open and only
  -- when something differs. Rows go in the order given (the api sorts them), so writers lock rows in one order.
  INSERT INTO ml.signals_latest AS s
    (owner, model_id, symbol, timeframe, bar_ts, decision, confidence, meta, received_at, late, updated_at)
  SELECT t.owner, t.model_id, t.symbol, t.timeframe, t.bar_ts, t.decision, t.confidence, t.meta, t.received_at, t.late,
         t.received_at
  FROM ROWS FROM (jsonb_to_recordset(p_items) AS (owner text, model_id text, symbol text, timeframe text,
         bar_ts timestamptz, decision text, confidence numeric, meta jsonb, late boolean, received_at timestamptz,
         key text)) WITH ORDINALITY AS t(owner, model_id, symbol, timeframe, bar_ts, decision, confidence, meta, late,
         received_at, key, ord)
  WHERE t.key IS NULL
     OR ((v_claims->(t.ord::text)->>'locked')::boolean AND v_claims->(t.ord::text)->>'request_hash' IS NULL)
  ORDER BY t.ord
  ON CONFLICT (owner, model_id, symbol, timeframe, bar_ts) DO UPDATE
    SET decision = excluded.decision, confidence = excluded.confidence, meta = excluded.meta,
        updated_at = excluded.received_at
    WHERE NOT excluded.late
      AND (s.decision, s.confidence, s.meta) IS DISTINCT FROM (excluded.decision, excluded.confidence, excluded.meta);

  -- A new statement, so a new snapshot: rows another transaction committed meanwhile are seen. A row this
  -- transaction wrote (xmin) was stored; any other is identical (unchanged) or not (immutable).
  FOR r IN
    SELECT t.ord, t.key, t.hash, c.locked AS c_locked, c.request_hash AS c_hash, c.response_status AS c_status,
           c.response_body AS c_body,
           CASE
             WHEN t.key IS NOT NULL AND NOT c.locked THEN 'in_flight'
             WHEN c.request_hash IS NOT NULL THEN 'recorded'
             WHEN s.xmin = pg_current_xact_id()::xid THEN 'stored'
             WHEN (s.decision, s.confidence, s.meta) = (t.decision, t.confidence, t.meta) THEN 'unchanged'
             ELSE 'immutable'
           END AS result
    FROM ROWS FROM (jsonb_to_recordset(p_items) AS (owner text, model_id text, symbol text, timeframe text,
           bar_ts timestamptz, decision text, confidence numeric, meta jsonb, key text, hash text))
         WITH ORDINALITY AS t(owner, model_id, symbol, timeframe, bar_ts, decision, confidence, meta, key, hash, ord)
    LEFT JOIN LATERAL jsonb_to_record(v_claims->(t.ord::text))
         AS c(locked boolean, request_hash text, response_status integer, response_body jsonb) ON true
    LEFT JOIN ml.signals_latest s
      ON (s.owner, s.model_id, s.symbol, s.timeframe, s.bar_ts) = (t.owner, t.model_id, t.symbol, t.timeframe, t.bar_ts)
    ORDER BY t.ord
  LOOP
    -- Only requests that are answered 204 leave a record, as when each had its own transaction.
    IF r.key IS NOT NULL AND r.result IN ('stored', 'unchanged') THEN
      v_save_keys := v_save_keys || r.key;
      v_save_hashes := v_save_hashes || r.hash;
    END IF;
    idx := r.ord - 1;
    result := r.result;
    request_hash := r.c_hash;
    response_status := r.c_status;
    response_body := r.c_body;
    RETURN NEXT;
  END LOOP;
  IF cardinality(v_save_keys) > 0 THEN
    PERFORM app.idempotency_save_many(p_principal, v_save_keys, v_save_hashes, 204, 'null'::jsonb);
  END IF;
END $$;

REVOKE ALL ON FUNCTION app.store_signal_group(text, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.store_signal_group(text, jsonb) TO service_role;
