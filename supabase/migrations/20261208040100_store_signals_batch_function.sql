-- A batch of signals (POST /api/signals/batch) in one call: the multi-row upsert of packages/db signals.ts, then, only
-- when it skipped some rows, their classification (a new statement, so a new snapshot: rows another transaction
-- committed meanwhile are seen; those this transaction did not write (xmin) are identical (same) or not). The rows
-- come as one JSON array, which the api makes with JSON.stringify and sends inlined with BEGIN, the role and claims
-- and the COMMIT: the batch is one round trip instead of three (BEGIN; the upsert bound as ten arrays, serialised
-- element by element by the driver; COMMIT).
--
-- p_rows: objects with owner, model_id, symbol, timeframe, bar_ts, decision, confidence, meta, late (its bar had
-- closed when the request was received) and received_at; natural keys distinct. Returns the skipped rows only: idx
-- (0-based position) and same (identical to what is stored: unchanged; else immutable).
--
-- SECURITY INVOKER: row-level security applies to the upsert as to any statement of the request.
CREATE OR REPLACE FUNCTION app.store_signals(p_rows jsonb)
RETURNS TABLE (idx integer, same boolean)
LANGUAGE plpgsql SET search_path = '' AS $$
DECLARE
  v_written integer;
BEGIN
  -- A conflicting row is updated only while its bar is open and only when something changed; a change moves
  -- received_at to its own time (scoring enters a signal after its last change).
  INSERT INTO ml.signals_latest AS s
    (owner, model_id, symbol, timeframe, bar_ts, decision, confidence, meta, received_at, late, updated_at)
  SELECT t.owner, t.model_id, t.symbol, t.timeframe, t.bar_ts, t.decision, t.confidence, t.meta, t.received_at, t.late,
         t.received_at
  FROM jsonb_to_recordset(p_rows) AS t(owner text, model_id text, symbol text, timeframe text, bar_ts timestamptz,
         decision text, confidence numeric, meta jsonb, late boolean, received_at timestamptz)
  ON CONFLICT (owner, model_id, symbol, timeframe, bar_ts) DO UPDATE
    SET decision = excluded.decision, confidence = excluded.confidence, meta = excluded.meta,
        received_at = excluded.received_at, updated_at = excluded.received_at
    WHERE NOT excluded.late
      AND (s.decision, s.confidence, s.meta) IS DISTINCT FROM (excluded.decision, excluded.confidence, excluded.meta);
  GET DIAGNOSTICS v_written = ROW_COUNT;
  IF v_written < jsonb_array_length(p_rows) THEN
    RETURN QUERY
      SELECT (i.ord - 1)::integer, (s.decision, s.confidence, s.meta) = (i.decision, i.confidence, i.meta)
      FROM ROWS FROM (jsonb_to_recordset(p_rows) AS (owner text, model_id text, symbol text, timeframe text,
             bar_ts timestamptz, decision text, confidence numeric, meta jsonb))
           WITH ORDINALITY AS i(owner, model_id, symbol, timeframe, bar_ts, decision, confidence, meta, ord)
      JOIN ml.signals_latest s
        ON s.owner = i.owner AND s.model_id = i.model_id AND s.symbol = i.symbol AND s.timeframe = i.timeframe
       AND s.bar_ts = i.bar_ts
      WHERE s.xmin <> pg_current_xact_id()::xid;
  END IF;
END $$;

REVOKE ALL ON FUNCTION app.store_signals(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.store_signals(jsonb) TO service_role;
