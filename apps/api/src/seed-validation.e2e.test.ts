// The seed's "Production Validation Tests" (section 1 and 3), run against a listening api over real HTTP, with the
// service key added to the curls (the seed's /api/signals/store had no authentication: a defect we fix).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestDatabase, type TestDatabase, testBackends } from '@neuronetiq/db/testing';
import { parseEnv } from './env';
import { type ApiServer, startApiServer } from './server';
import { createUser, JWT_SECRET, SERVICE_KEY } from './test-helpers';

for (const backend of testBackends()) {
  describe(`seed validation curls against a listening api [${backend}]`, () => {
    let database: TestDatabase;
    let server: ApiServer;
    let base: string;

    before(async () => {
      database = await createTestDatabase(backend);
      server = await startApiServer(
        parseEnv({
          PORT: '0',
          HOST: '127.0.0.1',
          SERVICE_ROLE_KEY: SERVICE_KEY,
          SUPABASE_JWT_SECRET: JWT_SECRET,
          LOG_LEVEL: 'silent',
        }),
        { db: database.db },
      );
      base = server.url;
    });
    after(async () => {
      await server?.stop();
      await database?.close();
    });

    test("1. the schema has the seed's tables in market, ml and app", async () => {
      const rows = await database.db.query<{ schemaname: string; tablename: string }>(
        "SELECT schemaname, tablename FROM pg_tables WHERE schemaname IN ('market', 'ml', 'app') ORDER BY 1, 2",
      );
      const names = rows.map((r) => `${r.schemaname}.${r.tablename}`);
      for (const t of ['market.ohlcv', 'ml.signals_latest', 'ml.consensus_latest', 'app.users', 'ml.ingest_outbox']) {
        assert.ok(names.includes(t), `${t} missing`);
      }
    });

    test('3a. GET /api/marketdata/ohlcv?symbol=EURUSD&tf=5m&limit=10 answers { success, data }: the newest 10', async () => {
      const start = Date.parse('2025-01-03T09:00:00Z');
      const bars = Array.from({ length: 12 }, (_, i) => ({
        symbol: 'EURUSD',
        timeframe: '5m',
        bar_ts: new Date(start + i * 300_000).toISOString(),
        open: 1.0345,
        high: 1.0351,
        low: 1.034,
        close: 1.0348,
        volume: 120,
      }));
      const post = await fetch(`${base}/api/marketdata/ohlcv`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${SERVICE_KEY}` },
        body: JSON.stringify({ bars }),
      });
      assert.equal(post.status, 200);
      const res = await fetch(`${base}/api/marketdata/ohlcv?symbol=EURUSD&tf=5m&limit=10`, {
        headers: { authorization: `Bearer ${SERVICE_KEY}` },
      });
      assert.equal(res.status, 200);
      const body = (await res.json()) as { success: boolean; data: { bar_ts: string; close: number }[] };
      assert.equal(body.success, true);
      assert.deepEqual(
        body.data.map((b) => b.bar_ts),
        bars
          .slice(2)
          .reverse()
          .map((b) => b.bar_ts),
      );
      assert.equal(body.data[0]?.close, 1.0348);
    });

    test('3a′. the same curl with limit=100000000 is 400 naming limit (the seed read the whole table)', async () => {
      const res = await fetch(`${base}/api/marketdata/ohlcv?symbol=EURUSD&tf=5m&limit=100000000`, {
        headers: { authorization: `Bearer ${SERVICE_KEY}` },
      });
      assert.equal(res.status, 400);
      const body = (await res.json()) as { error: string; details: { path: string }[]; request_id: string };
      assert.equal(body.error, 'VALIDATION_ERROR');
      assert.equal(body.details[0]?.path, 'limit');
      assert.equal(body.request_id, res.headers.get('x-request-id'));
    });

    test("3b. the seed's v0.16.4 signal curl is stored with 204, and is readable afterwards", async () => {
      const res = await fetch(`${base}/api/signals/store`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'X-Contracts-Version': '0.16.4',
          Authorization: `Bearer ${SERVICE_KEY}`,
        },
        body: JSON.stringify({
          owner: 'pacey999',
          model_id: 'test-model',
          symbol: 'EURUSD',
          timeframe: '5m',
          bar_ts: '2025-01-03T10:30:00Z',
          decision: 'BUY',
          confidence: 0.8,
          meta: {},
        }),
      });
      assert.equal(res.status, 204);
      assert.equal(res.headers.get('x-contracts-version'), '0.16.4');
      const read = await fetch(`${base}/api/signals?owner=pacey999&symbol=EURUSD&tf=5m`, {
        headers: { authorization: `Bearer ${SERVICE_KEY}` },
      });
      const body = (await read.json()) as { data: { bar_ts: string; decision: string; late: boolean }[] };
      assert.deepEqual(
        body.data.map((s) => [s.bar_ts, s.decision, s.late]),
        [['2025-01-03T10:30:00.000Z', 'BUY', true]],
      );
    });

    test('3c. the same curl without credentials is refused with 401 (the seed stored it)', async () => {
      const res = await fetch(`${base}/api/signals/store`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Contracts-Version': '0.16.4' },
        body: JSON.stringify({ owner: 'pacey999' }),
      });
      assert.equal(res.status, 401);
    });

    test('4. signing in with GitHub as pacey999 creates the app.users row with owner "pacey999"', async () => {
      const user = await createUser({ database }, { provider: 'github', login: 'pacey999' });
      const res = await fetch(`${base}/api/me`, { headers: user.auth });
      assert.equal(res.status, 200);
      const body = (await res.json()) as { data: { owner: string; provider: string } };
      assert.equal(body.data.owner, 'pacey999');
      const rows = await database.db.query<{ owner: string; provider: string }>(
        'SELECT owner, provider FROM app.users WHERE user_id = $1',
        [user.userId],
      );
      assert.deepEqual(rows, [{ owner: 'pacey999', provider: 'github' }]);
    });

    test('health and readiness answer over HTTP', async () => {
      assert.equal((await fetch(`${base}/health`)).status, 200);
      assert.equal((await fetch(`${base}/health/ready`)).status, 200);
    });
  });
}
