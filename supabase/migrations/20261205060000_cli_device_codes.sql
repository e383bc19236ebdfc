-- `mp login`: the OAuth 2.0 device authorization grant (RFC 8628). One row per code the CLI asked for. Both codes are
-- stored as sha256 only (the device code is a 256-bit secret; the user code is looked up by its hash). Approval
-- records who approved; the vendor key is created when the CLI collects it with the device code, so its plaintext
-- exists only in that one response and a login approved but never collected leaves no key behind. Only the service
-- role (the api, after checking the caller) touches the table.
CREATE TABLE IF NOT EXISTS app.cli_device_codes (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  device_code_hash text NOT NULL UNIQUE CHECK (device_code_hash ~ '^[0-9a-f]{64}$'),
  user_code_hash text NOT NULL CHECK (user_code_hash ~ '^[0-9a-f]{64}$'),
  client_name text NOT NULL CHECK (length(client_name) BETWEEN 1 AND 80),
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'denied', 'delivered')),
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL CHECK (expires_at > created_at),
  -- RFC 8628 §3.5: the poll interval in seconds, raised by 5 at each slow_down.
  interval_s integer NOT NULL CHECK (interval_s BETWEEN 1 AND 300),
  last_polled_at timestamptz,
  decided_at timestamptz,
  user_id uuid REFERENCES auth.users (id) ON DELETE CASCADE,
  owner text CHECK (owner ~ '^[a-z0-9_-]{1,64}$'),
  key_id uuid REFERENCES app.api_keys (id) ON DELETE SET NULL,
  CHECK (status = 'pending' OR (user_id IS NOT NULL AND owner IS NOT NULL AND decided_at IS NOT NULL))
);
-- A user code is unique among the codes still pending; old rows may repeat it.
CREATE UNIQUE INDEX IF NOT EXISTS cli_device_codes_pending_user_code
  ON app.cli_device_codes (user_code_hash) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS cli_device_codes_expires ON app.cli_device_codes (expires_at);

ALTER TABLE app.cli_device_codes ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON app.cli_device_codes FROM anon, authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON app.cli_device_codes TO service_role;
CREATE POLICY service_device_codes ON app.cli_device_codes FOR ALL TO service_role USING (true) WITH CHECK (true);
