// Row-level security straight from SQL: the database itself, not handler code, keeps owners apart.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { RequestContext } from './client';
import { createTestDatabase, type TestDatabase, testBackends } from './testing';

for (const backend of testBackends()) {
  describe(`row-level security between two owners [${backend}]`, () => {
    let t: TestDatabase;
    const users = { a: randomUUID(), b: randomUUID() };
    const asUser = (id: string): RequestContext => ({ role: 'authenticated', claims: { sub: id } });

    before(async () => {
      t = await createTestDatabase(backend);
      for (const [name, id] of Object.entries(users)) {
        await t.db.query('INSERT INTO auth.users (id, email) VALUES ($1, $2)', [id, `${name}@example.org`]);
        await t.db.query('INSERT INTO app.users (user_id, owner, provider, username) VALUES ($1, $2, $3, $4)', [
          id,
          `owner-${name}`,
          'github',
          name,
        ]);
        await t.db.query(
          `INSERT INTO ml.signals_latest (owner, model_id, symbol, timeframe, bar_ts, decision, confidence, received_at)
           VALUES ($1, 'm1', 'EURUSD', '5m', '2026-01-05T10:00:00Z', 'BUY', 0.7, '2026-01-05T10:00:05Z')`,
          [`owner-${name}`],
        );
        await t.db.query(
          `INSERT INTO ml.consensus_latest (owner, symbol, timeframe, bar_ts, decision, confidence, contributors)
           VALUES ($1, 'EURUSD', '5m', '2026-01-05T10:00:00Z', 'BUY', 0.7, '[{"model_id":"m1"}]')`,
          [`owner-${name}`],
        );
        await t.db.query(
          `INSERT INTO ml.models (owner, model_id, name, visibility) VALUES ($1, 'private-m', 'P', 'private')`,
          [`owner-${name}`],
        );
        await t.db.query(
          `INSERT INTO app.api_keys (owner, user_id, name, prefix, key_hash, scopes)
           VALUES ($1, $2, 'k', $3, repeat('0', 64), '{signals:write}')`,
          [`owner-${name}`, id, `p${name}${'0'.repeat(10)}`],
        );
      }
      await t.db.query(`INSERT INTO ml.ingest_outbox (kind, payload, idempotency_key) VALUES ('signal', '{}', 'k1')`);
      await t.db.query(
        `INSERT INTO app.idempotency_keys (principal, key, request_hash, response_status) VALUES ('service', 'k', 'h', 204)`,
      );
    });
    after(() => t.close());

    const ownerOnlyTables = ['ml.signals_latest', 'ml.consensus_latest', 'app.users', 'app.api_keys'] as const;

    for (const table of ownerOnlyTables) {
      test(`an authenticated session of owner A reads only A's rows of ${table}, zero of B's`, async () => {
        const rows = await t.db.asRequest(asUser(users.a), (tx) =>
          tx.query<{ owner: string }>(`SELECT owner FROM ${table}`),
        );
        assert.deepEqual(
          rows.map((r) => r.owner),
          ['owner-a'],
        );
        const [b] = await t.db.asRequest(asUser(users.a), (tx) =>
          tx.query<{ n: number }>(`SELECT count(*) AS n FROM ${table} WHERE owner = 'owner-b'`),
        );
        assert.equal(b?.n, 0);
      });
    }

    test("a vendor key's session (the owner claim the api sets, no user) reads zero rows of owner B", async () => {
      const asKeyOfA: RequestContext = { role: 'authenticated', claims: { owner: 'owner-a', key_id: randomUUID() } };
      for (const table of ['ml.signals_latest', 'ml.consensus_latest', 'app.api_keys']) {
        const rows = await t.db.asRequest(asKeyOfA, (tx) => tx.query<{ owner: string }>(`SELECT owner FROM ${table}`));
        assert.deepEqual(
          rows.map((r) => r.owner),
          ['owner-a'],
          table,
        );
      }
      const models = await t.db.asRequest(asKeyOfA, (tx) =>
        tx.query<{ owner: string }>(`SELECT owner FROM ml.models WHERE visibility = 'private'`),
      );
      assert.deepEqual(
        models.map((r) => r.owner),
        ['owner-a'],
      );
    });

    test("owner A cannot change owner B's rows: key revocation and model edits reach zero rows", async () => {
      const revoked = await t.db.asRequest(asUser(users.a), (tx) =>
        tx.query(`UPDATE app.api_keys SET revoked_at = now() WHERE owner = 'owner-b' RETURNING id`),
      );
      assert.deepEqual(revoked, []);
      const renamed = await t.db.asRequest(asUser(users.a), (tx) =>
        tx.query(`UPDATE ml.models SET name = 'pwned' WHERE owner = 'owner-b' RETURNING model_id`),
      );
      assert.deepEqual(renamed, []);
      await assert.rejects(
        t.db.asRequest(asUser(users.a), (tx) =>
          tx.query(`UPDATE ml.models SET owner = 'owner-b' WHERE owner = 'owner-a' RETURNING model_id`),
        ),
        /permission denied/,
        'owner is not an updatable column',
      );
      const [b] = await t.db.query<{ revoked: boolean; name: string }>(
        `SELECT k.revoked_at IS NOT NULL AS revoked, m.name FROM app.api_keys k JOIN ml.models m USING (owner)
         WHERE owner = 'owner-b'`,
      );
      assert.deepEqual(b, { revoked: false, name: 'P' });
    });

    test('an authenticated session may not write market data, user mappings, keys or idempotency records', async () => {
      const attempts = [
        `INSERT INTO market.ohlcv (symbol, timeframe, bar_ts, open, high, low, close)
         VALUES ('EURUSD', '5m', '2026-01-05T10:05:00Z', 1, 1, 1, 1)`,
        `INSERT INTO app.users (user_id, owner, provider) VALUES ('${users.b}', 'owner-b-2', 'github')`,
        `UPDATE app.users SET owner = 'owner-b' WHERE user_id = '${users.a}'`,
        `INSERT INTO app.api_keys (owner, name, prefix, key_hash, scopes)
         VALUES ('owner-b', 'k', 'pwned0000000', repeat('0', 64), '{signals:write}')`,
        `SELECT * FROM app.idempotency_claim('service', 'k')`,
        `SELECT app.idempotency_save('service', 'k2', 'h', 204, NULL)`,
      ];
      for (const sql of attempts) {
        await assert.rejects(
          t.db.asRequest(asUser(users.a), (tx) => tx.query(sql)),
          /permission denied/,
          sql,
        );
      }
    });

    test("app.ensure_user() returns the caller's own owner; it takes no owner to choose", async () => {
      const [row] = await t.db.asRequest(asUser(users.a), (tx) =>
        tx.query<{ o: string }>('SELECT app.ensure_user() AS o'),
      );
      assert.equal(row?.o, 'owner-a');
    });

    test('every table of the market, ml and app schemas has row-level security enabled', async () => {
      const rows = await t.db.query<{ t: string }>(
        `SELECT n.nspname || '.' || c.relname AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relkind IN ('r', 'p') AND n.nspname IN ('market', 'ml', 'app') AND NOT c.relrowsecurity`,
      );
      assert.deepEqual(
        rows.map((r) => r.t),
        [],
      );
    });

    test("private models of another owner are invisible; the owner's own are visible", async () => {
      const rows = await t.db.asRequest(asUser(users.a), (tx) =>
        tx.query<{ owner: string }>(`SELECT owner FROM ml.models WHERE visibility = 'private'`),
      );
      assert.deepEqual(
        rows.map((r) => r.owner),
        ['owner-a'],
      );
    });

    test('server-internal tables (outbox, idempotency records) are not readable by a signed-in user at all', async () => {
      for (const table of ['ml.ingest_outbox', 'app.idempotency_keys']) {
        await assert.rejects(
          t.db.asRequest(asUser(users.a), (tx) => tx.query(`SELECT * FROM ${table}`)),
          /permission denied/,
        );
      }
    });

    test('a signed-in user may not read key hashes, even of their own keys', async () => {
      await assert.rejects(
        t.db.asRequest(asUser(users.a), (tx) => tx.query('SELECT key_hash FROM app.api_keys')),
        /permission denied/,
      );
    });

    test('an authenticated session may not insert signals or consensus at all, for any owner', async () => {
      for (const owner of ['owner-a', 'owner-b']) {
        await assert.rejects(
          t.db.asRequest(asUser(users.a), (tx) =>
            tx.query(
              `INSERT INTO ml.signals_latest (owner, model_id, symbol, timeframe, bar_ts, decision, confidence)
               VALUES ($1, 'm2', 'EURUSD', '5m', '2026-01-05T10:05:00Z', 'SELL', 0.5)`,
              [owner],
            ),
          ),
          /permission denied|row-level security/,
        );
      }
      await assert.rejects(
        t.db.asRequest(asUser(users.a), (tx) =>
          tx.query(
            `INSERT INTO ml.consensus_latest (owner, symbol, timeframe, bar_ts, decision, confidence, contributors)
             VALUES ('owner-a', 'EURUSD', '5m', '2026-01-05T10:05:00Z', 'SELL', 0.5, '[{}]')`,
          ),
        ),
        /permission denied|row-level security/,
      );
    });

    test('an authenticated session may not update or delete signals', async () => {
      const updated = await t.db
        .asRequest(asUser(users.a), (tx) => tx.query(`UPDATE ml.signals_latest SET confidence = 0.1 RETURNING 1`))
        .catch((e: Error) => e);
      assert.ok(updated instanceof Error && /permission denied/.test(updated.message));
      const [row] = await t.db.query<{ c: string }>(
        `SELECT confidence::text AS c FROM ml.signals_latest WHERE owner = 'owner-a'`,
      );
      assert.equal(row?.c, '0.7');
    });

    test('a user may register a model only for their own owner (RLS WITH CHECK)', async () => {
      await assert.rejects(
        t.db.asRequest(asUser(users.a), (tx) =>
          tx.query(`INSERT INTO ml.models (owner, model_id, name) VALUES ('owner-b', 'hijack', 'H')`),
        ),
        /row-level security/,
      );
      const ok = await t.db.asRequest(asUser(users.a), (tx) =>
        tx.query<{ owner: string }>(
          `INSERT INTO ml.models (owner, model_id, name) VALUES ('owner-a', 'mine', 'M') RETURNING owner`,
        ),
      );
      assert.deepEqual(ok, [{ owner: 'owner-a' }]);
    });

    test('anon reads no signal table and none of these consensus rows, but market data (public charts); the service role sees every owner', async () => {
      const anon: RequestContext = { role: 'anon', claims: {} };
      await assert.rejects(
        t.db.asRequest(anon, (tx) => tx.query('SELECT * FROM ml.signals_latest')),
        /permission denied/,
      );
      // Anyone may read a consensus whose every contributor is a public model once it is older than the delay
      // (consensus-rls.test.ts); these rows name an unregistered model, so anon reads none of them.
      assert.deepEqual(await t.db.asRequest(anon, (tx) => tx.query('SELECT owner FROM ml.consensus_latest')), []);
      await t.db.asRequest(anon, (tx) => tx.query('SELECT * FROM market.ohlcv LIMIT 1'));
      // Reading market data is all anon may do with it.
      for (const write of [
        `INSERT INTO market.ohlcv (symbol, timeframe, bar_ts, open, high, low, close, volume)
         VALUES ('ANONX', '1m', '2026-01-05T10:00:00Z', 1, 1, 1, 1, 1)`,
        `UPDATE market.ohlcv SET close = close + 1`,
        `DELETE FROM market.ohlcv`,
      ]) {
        await assert.rejects(
          t.db.asRequest(anon, (tx) => tx.query(write)),
          /permission denied/,
          write,
        );
      }
      const all = await t.db.asRequest({ role: 'service_role', claims: {} }, (tx) =>
        tx.query<{ owner: string }>('SELECT owner FROM ml.signals_latest ORDER BY owner'),
      );
      assert.deepEqual(
        all.map((r) => r.owner),
        ['owner-a', 'owner-b'],
      );
    });

    test("track records: an owner reads their own, another owner's only for public models; only the database writes them", async () => {
      await t.db.query(
        `INSERT INTO ml.models (owner, model_id, name, visibility) VALUES ('owner-b', 'm1', 'M', 'public')`,
      );
      // Storing the entry and exit bars scores both owners' signals (the trigger), whoever stores them.
      await t.db.query(
        `INSERT INTO market.ohlcv (symbol, timeframe, bar_ts, open, high, low, close, volume)
         VALUES ('EURUSD', '5m', '2026-01-05T10:00:00Z', 1.1, 1.2, 1.0, 1.15, 1),
                ('EURUSD', '5m', '2026-01-05T10:05:00Z', 1.15, 1.2, 1.1, 1.18, 1)`,
      );
      const all = await t.db.query<{ owner: string; hit: boolean }>(
        'SELECT owner, hit FROM ml.signal_scores WHERE horizon_bars = 1 ORDER BY owner',
      );
      assert.deepEqual(all, [
        { owner: 'owner-a', hit: true },
        { owner: 'owner-b', hit: true },
      ]);
      const seen = async (ctx: RequestContext) =>
        (
          await t.db.asRequest(ctx, (tx) =>
            tx.query<{ owner: string }>('SELECT owner FROM ml.signal_scores ORDER BY owner, horizon_bars'),
          )
        ).map((r) => r.owner);
      // A sees all three horizons of its own (two pending) and only the resolved 1-bar row of B's public model.
      assert.deepEqual(
        await seen(asUser(users.a)),
        ['owner-a', 'owner-a', 'owner-a', 'owner-b'],
        "A's own, and B's public model once resolved",
      );
      assert.deepEqual(await seen(asUser(users.b)), ['owner-b', 'owner-b', 'owner-b'], "A's m1 is not public: hidden");
      assert.deepEqual(await seen({ role: 'anon', claims: {} }), ['owner-b']);
      await assert.rejects(
        t.db.asRequest(asUser(users.a), (tx) => tx.query(`UPDATE ml.signal_scores SET hit = false RETURNING 1`)),
        /permission denied/,
      );
      await assert.rejects(
        t.db.asRequest(asUser(users.a), (tx) => tx.query('SELECT ml.rescore_all()')),
        /permission denied/,
      );
      await assert.rejects(
        t.db.asRequest(asUser(users.a), (tx) => tx.query(`SELECT ml.score_signals(now() - interval '1 day', now())`)),
        /permission denied/,
      );
    });

    test('claims and role do not leak to the next transaction on the same pool', async () => {
      await t.db.asRequest(asUser(users.a), (tx) => tx.query('SELECT 1'));
      const [who] = await t.db.query<{ role: string; claims: string | null }>(
        `SELECT current_user AS role, nullif(current_setting('request.jwt.claims', true), '') AS claims`,
      );
      assert.equal(who?.claims, null);
      assert.notEqual(who?.role, 'authenticated');
    });

    test("the seed's app.upsert_user(p_owner, …) does not exist: nobody can pick their owner", async () => {
      const [row] = await t.db.query<{ f: string | null }>(
        `SELECT to_regprocedure('app.upsert_user(text,text,text)')::text AS f`,
      );
      assert.equal(row?.f, null);
    });
  });
}
