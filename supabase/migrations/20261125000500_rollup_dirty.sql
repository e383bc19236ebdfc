-- Roll-up of corrected and late 1m bars. The cron rolls 1m bars up into larger timeframes from each series' newest
-- rolled-up bucket onward; a 1m bar written into an older bucket (a corrected bar, a late one, a re-import) would leave
-- the larger bars built from it stale. So, as scoring does, a trigger on market.ohlcv records what each statement
-- wrote: per symbol, the first and last bar_ts of the 1m bars it inserted or changed (one row per symbol and statement,
-- nothing for other timeframes; an upsert that changed nothing writes no row). The cron's roll-up claims these ranges,
-- rebuilds the buckets that hold them and deletes the rows it claimed once that succeeded; a claim is a lease, so a
-- range whose roll-up failed (or whose cron died) is rolled up again by a later pass.

CREATE TABLE IF NOT EXISTS market.rollup_dirty (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  symbol text NOT NULL,
  -- bar_ts of the first and of the last 1m bar written (both included).
  from_ts timestamptz NOT NULL,
  to_ts timestamptz NOT NULL,
  marked_at timestamptz NOT NULL DEFAULT now(),
  -- Set by a roll-up pass that claimed the row; another pass takes it only once this has passed.
  claimed_until timestamptz,
  CHECK (from_ts <= to_ts)
);

CREATE OR REPLACE FUNCTION market.mark_rollup_dirty() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
BEGIN
  INSERT INTO market.rollup_dirty (symbol, from_ts, to_ts)
  SELECT b.symbol, min(b.bar_ts), max(b.bar_ts) FROM new_bars b WHERE b.timeframe = '1m' GROUP BY b.symbol;
  RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION market.mark_rollup_dirty() FROM PUBLIC;

-- Transition tables allow one event per trigger: one for new bars, one for corrected ones.
CREATE OR REPLACE TRIGGER mark_rollup_dirty_on_insert AFTER INSERT ON market.ohlcv
  REFERENCING NEW TABLE AS new_bars FOR EACH STATEMENT EXECUTE FUNCTION market.mark_rollup_dirty();
CREATE OR REPLACE TRIGGER mark_rollup_dirty_on_update AFTER UPDATE ON market.ohlcv
  REFERENCING NEW TABLE AS new_bars FOR EACH STATEMENT EXECUTE FUNCTION market.mark_rollup_dirty();

-- Internal bookkeeping: no access for anon and authenticated; the service role may read and write it.
ALTER TABLE market.rollup_dirty ENABLE ROW LEVEL SECURITY;
GRANT SELECT, INSERT, UPDATE, DELETE ON market.rollup_dirty TO service_role;
CREATE POLICY write_rollup_dirty ON market.rollup_dirty FOR ALL TO service_role USING (true) WITH CHECK (true);
