import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadMigrations, migrate, pendingMigrations } from './migrate';
import { createTestDatabase, testBackends } from './testing';

for (const backend of testBackends()) {
  describe(`migrations [${backend}]`, () => {
    test('apply every file once, record it where the Supabase CLI looks, and are a no-op the second time', async () => {
      const t = await createTestDatabase(backend, { migrate: false });
      try {
        const first = await migrate(t.db);
        assert.equal(first.applied.length, loadMigrations().length);
        const second = await migrate(t.db);
        assert.deepEqual(second.applied, []);
        assert.deepEqual(await pendingMigrations(t.db), []);
        const rows = await t.db.query<{ version: string }>(
          'SELECT version FROM supabase_migrations.schema_migrations ORDER BY version',
        );
        assert.deepEqual(
          rows.map((r) => r.version),
          loadMigrations().map((m) => m.version),
        );
        const tables = await t.db.query<{ t: string }>(
          `SELECT schemaname || '.' || tablename AS t FROM pg_tables WHERE schemaname IN ('market', 'ml', 'app') ORDER BY 1`,
        );
        assert.deepEqual(
          tables.map((r) => r.t),
          [
            'app.api_keys',
            'app.audit_log',
            'app.cli_device_codes',
            'app.event_log',
            'app.idempotency_keys',
            'app.model_prices',
            'app.payment_attempts',
            'app.payment_events',
            'app.payments',
            'app.platform_settings',
            'app.revenue_statements',
            'app.subscription_unpaid',
            'app.subscriptions',
            'app.users',
            'app.webhook_deliveries',
            'app.webhook_endpoints',
            'market.ohlcv',
            'market.rollup_dirty',
            'ml.consensus_latest',
            'ml.ingest_outbox',
            'ml.model_row_figures',
            'ml.models',
            'ml.score_horizons',
            'ml.score_summary',
            'ml.signal_scores',
            'ml.signal_summary',
            'ml.signal_summary_dirty',
            'ml.signals_latest',
          ],
        );
      } finally {
        await t.close();
      }
    });

    test('a failing migration applies nothing: the schema is as it was and the error names the file', async () => {
      const t = await createTestDatabase(backend, { migrate: false });
      try {
        const good = loadMigrations();
        const broken = [
          ...good,
          { version: '29990101000000', name: 'adds_then_fails', sql: 'CREATE TABLE ml.half_done (x int); SELECT 1/0;' },
        ];
        await assert.rejects(migrate(t.db, broken), /29990101000000_adds_then_fails\.sql failed: division by zero/);
        const [row] = await t.db.query<{ t: string | null }>(`SELECT to_regclass('ml.signals_latest')::text AS t`);
        assert.equal(row?.t, null, 'even the earlier, valid files were rolled back');
        assert.equal((await pendingMigrations(t.db, good)).length, good.length);
      } finally {
        await t.close();
      }
    });
  });
}
