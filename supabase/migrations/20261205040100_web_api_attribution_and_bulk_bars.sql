-- Two refinements of 20261205040000_web_api.sql:
--   * Vendor attribution shows a provider's public profile only: GitHub's login, avatar and name are public on GitHub;
--     a Google account's name and picture are not, so a Google vendor is shown by owner name alone.
--   * A bulk write of bars (a CSV import of years of history) logs only the newest 100 bars of each series it wrote:
--     live viewers follow the present, and a million-bar import must not become a million events for every browser.

CREATE OR REPLACE FUNCTION app.vendor_identities(p_owners text[])
RETURNS TABLE (owner text, provider text, login text, avatar_url text, display_name text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = '' AS $$
  SELECT DISTINCT ON (u.owner) u.owner, i.provider,
         CASE WHEN i.provider = 'github' THEN i.identity_data ->> 'user_name' END,
         CASE WHEN i.provider = 'github' THEN i.identity_data ->> 'avatar_url' END,
         CASE WHEN i.provider = 'github' THEN coalesce(i.identity_data ->> 'full_name', i.identity_data ->> 'name') END
  FROM app.users u
  JOIN auth.identities i ON i.user_id = u.user_id AND i.provider IN ('github', 'google')
  WHERE u.owner = ANY (p_owners)
  ORDER BY u.owner, (i.provider = u.provider) DESC, i.created_at
$$;

CREATE OR REPLACE FUNCTION app.log_bars() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
BEGIN
  INSERT INTO app.event_log (type, symbol, timeframe, bar_ts)
  SELECT 'bar', g.symbol, g.timeframe, ARRAY(SELECT unnest(g.newest) ORDER BY 1)
  FROM (
    SELECT r.symbol, r.timeframe, (array_agg(r.bar_ts ORDER BY r.bar_ts DESC))[1:100] AS newest
    FROM changed r GROUP BY r.symbol, r.timeframe
  ) g;
  IF FOUND THEN PERFORM pg_notify('app_event_log', ''); END IF;
  RETURN NULL;
END $$;
