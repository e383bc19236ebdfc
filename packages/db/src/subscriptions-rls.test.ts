// Who reads which signals, from SQL (supabase/migrations/*_subscriptions_revenue.sql): a subscriber reads a model's
// signals live, anyone else a public model's only once older than the platform's delay; closed statements never change.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { RequestContext } from './client';
import { repos } from './repositories/index';
import { createTestDatabase, type TestDatabase, testBackends } from './testing';

for (const backend of testBackends()) {
  describe(`subscriptions and delayed signals under RLS [${backend}]`, () => {
    let t: TestDatabase;
    const users = { vendor: randomUUID(), fan: randomUUID(), other: randomUUID() };
    const asUser = (id: string): RequestContext => ({ role: 'authenticated', claims: { sub: id } });
    const anon: RequestContext = { role: 'anon', claims: {} };

    before(async () => {
      t = await createTestDatabase(backend);
      for (const [name, id] of Object.entries(users)) {
        await t.db.query('INSERT INTO auth.users (id, email) VALUES ($1, $2)', [id, `${name}@example.org`]);
        await t.db.query('INSERT INTO app.users (user_id, owner, provider, username) VALUES ($1, $2, $3, $4)', [
          id,
          name,
          'github',
          name,
        ]);
      }
      await t.db.query(
        `INSERT INTO ml.models (owner, model_id, name, visibility)
         VALUES ('vendor', 'pub', 'Public', 'public'), ('vendor', 'priv', 'Private', 'private')`,
      );
      // For each model: a signal received just now, one two days ago, and a backfilled one received just now.
      for (const model of ['pub', 'priv']) {
        await t.db.query(
          `INSERT INTO ml.signals_latest (owner, model_id, symbol, timeframe, bar_ts, decision, confidence, received_at,
                                          backfilled)
           VALUES ('vendor', $1, 'NOW', '1m', date_trunc('minute', now()), 'BUY', 0.6, now(), false),
                  ('vendor', $1, 'OLD', '1m', date_trunc('minute', now() - interval '2 days'), 'SELL', 0.6,
                   now() - interval '2 days', false),
                  ('vendor', $1, 'BACKFILL', '1m', date_trunc('minute', now()), 'BUY', 0.6, now(), true)`,
          [model],
        );
      }
    });
    after(() => t.close());

    const visible = async (ctx: RequestContext) =>
      (
        await t.db.asRequest(ctx, (tx) =>
          tx.query<{ k: string }>(
            `SELECT model_id || ':' || symbol AS k FROM ml.visible_signals WHERE owner = 'vendor' ORDER BY 1`,
          ),
        )
      ).map((r) => r.k);

    test("non-subscribers and anonymous see a public model's signals only after the delay (backfills at once)", async () => {
      const delayed = ['pub:BACKFILL', 'pub:OLD'];
      assert.deepEqual(await visible(anon), delayed);
      assert.deepEqual(await visible(asUser(users.other)), delayed);
      assert.deepEqual(await visible(asUser(users.fan)), delayed);
      assert.deepEqual(await visible(asUser(users.vendor)), [
        'priv:BACKFILL',
        'priv:NOW',
        'priv:OLD',
        'pub:BACKFILL',
        'pub:NOW',
        'pub:OLD',
      ]);
    });

    test('an active subscription shows the live signal; cancelled, it is hidden again; never a private model', async () => {
      const [sub] = await t.db.query<{ id: string }>(
        `INSERT INTO app.subscriptions (subscriber, owner, model_id, started_at, provider, provider_ref)
         VALUES ('fan', 'vendor', 'pub', now() - interval '1 minute', 'test', 'sub_1') RETURNING id`,
      );
      assert.deepEqual(await visible(asUser(users.fan)), ['pub:BACKFILL', 'pub:NOW', 'pub:OLD']);
      assert.deepEqual(await visible(asUser(users.other)), ['pub:BACKFILL', 'pub:OLD'], 'only the subscriber');
      // A subscription row to a private model (say the vendor made it private since) shows nothing of it.
      await t.db.query(
        `INSERT INTO app.subscriptions (subscriber, owner, model_id, started_at, provider, provider_ref)
         VALUES ('fan', 'vendor', 'priv', now() - interval '1 minute', 'test', 'sub_2')`,
      );
      assert.deepEqual(await visible(asUser(users.fan)), ['pub:BACKFILL', 'pub:NOW', 'pub:OLD']);
      await t.db.query(`UPDATE app.subscriptions SET ended_at = now() WHERE id = $1`, [sub?.id]);
      assert.deepEqual(await visible(asUser(users.fan)), ['pub:BACKFILL', 'pub:OLD']);
    });

    test('past_due (a renewal payment failed): delayed like a non-subscriber, in the view, the stream and the webhook outbox; paid again: live', async () => {
      const [sub] = await t.db.query<{ id: string }>(
        `INSERT INTO app.subscriptions (subscriber, owner, model_id, started_at, provider, provider_ref)
         VALUES ('fan', 'vendor', 'pub', now() - interval '1 minute', 'test', 'sub_past_due') RETURNING id`,
      );
      const id = sub?.id as string;
      await t.db.query(
        `INSERT INTO app.webhook_endpoints (subscriber, url, secret) VALUES ('fan', 'https://example.org/h', 'whsec_x')`,
      );
      const [{ id: logBefore } = { id: 0 }] = await t.db.query<{ id: number }>(
        'SELECT coalesce(max(id), 0)::int AS id FROM app.event_log',
      );
      const streamed = async () =>
        (
          await t.db.asRequest(asUser(users.fan), (tx) =>
            repos.eventLog.read(tx, { after: logBefore, upto: logBefore + 100, limit: 100, role: 'authenticated' }),
          )
        ).events.map((e) => `${e.data.model_id}:${e.data.symbol}`);
      const outbox = async () =>
        (
          await t.db.query<{ symbol: string }>(
            `SELECT payload->'data'->>'symbol' AS symbol FROM app.webhook_deliveries WHERE subscriber = 'fan'
             ORDER BY created_at, id`,
          )
        ).map((r) => r.symbol);
      const store = (symbol: string) =>
        t.db.query(
          `INSERT INTO ml.signals_latest (owner, model_id, symbol, timeframe, bar_ts, decision, confidence, received_at)
           VALUES ('vendor', 'pub', $1, '1m', date_trunc('minute', now()), 'SELL', 0.7, now())`,
          [symbol],
        );
      try {
        assert.deepEqual(await visible(asUser(users.fan)), ['pub:BACKFILL', 'pub:NOW', 'pub:OLD'], 'paid: live');
        const failedAt = Date.now() - 30_000;
        assert.equal(
          await t.db.asRequest({ role: 'service_role', claims: {} }, (tx) =>
            repos.subscriptions.markPastDue(tx, { id, atMs: failedAt, invoiceRef: 'in_1' }),
          ),
          true,
        );
        assert.deepEqual(await visible(asUser(users.fan)), ['pub:BACKFILL', 'pub:OLD'], 'past_due: delayed');
        await store('UNPAID');
        assert.deepEqual(await streamed(), [], 'the stream holds the fresh signal back');
        assert.deepEqual(await outbox(), [], 'no webhook delivery while past_due');
        const probe = () =>
          t.db.asRequest(asUser(users.fan), (tx) =>
            tx.query<{ one: boolean; n: number }>(
              `SELECT app.is_subscribed('vendor', 'pub') AS one,
                      (SELECT count(*)::int FROM app.request_subscriptions() WHERE model_id = 'pub') AS n`,
            ),
          );
        assert.deepEqual(await probe(), [{ one: false, n: 0 }], 'both access tests say not subscribed');
        // The subscriber and the vendor see the subscription past_due; nobody else sees it or its unpaid stretch.
        const [mine] = await t.db.asRequest(asUser(users.fan), (tx) => repos.subscriptions.list(tx));
        assert.equal(mine?.status, 'past_due');
        assert.equal(mine?.past_due_since, new Date(failedAt).toISOString());
        const theirs = await t.db.asRequest(asUser(users.vendor), (tx) => repos.subscriptions.list(tx));
        assert.equal(theirs.find((x) => x.id === id)?.status, 'past_due');
        const seen = await t.db.asRequest(asUser(users.other), (tx) =>
          tx.query('SELECT 1 FROM app.subscription_unpaid'),
        );
        assert.equal(seen.length, 0);
        // Authenticated users cannot write their way out of it.
        await assert.rejects(
          t.db.asRequest(asUser(users.fan), (tx) => tx.query('UPDATE app.subscription_unpaid SET until = now()')),
          /permission denied/,
        );

        assert.equal(
          await t.db.asRequest({ role: 'service_role', claims: {} }, (tx) =>
            repos.subscriptions.markPaid(tx, { id, atMs: Date.now() - 1_000 }),
          ),
          true,
        );
        assert.deepEqual(await visible(asUser(users.fan)), ['pub:BACKFILL', 'pub:NOW', 'pub:OLD', 'pub:UNPAID']);
        assert.deepEqual(await probe(), [{ one: true, n: 1 }]);
        await store('PAID');
        // The log is read as the viewer now: live again, the signal held back while unpaid is readable too.
        assert.deepEqual(await streamed(), ['pub:UNPAID', 'pub:PAID'], 'live again on the stream');
        assert.deepEqual(await outbox(), ['PAID'], 'and to its webhook');
      } finally {
        await t.db.query(`DELETE FROM app.webhook_deliveries WHERE subscriber = 'fan'`);
        await t.db.query(`DELETE FROM app.webhook_endpoints WHERE subscriber = 'fan'`);
        await t.db.query(`DELETE FROM app.subscription_unpaid WHERE subscription_id = $1`, [id]);
        await t.db.query(`DELETE FROM app.subscriptions WHERE id = $1`, [id]);
        await t.db.query(`DELETE FROM ml.signals_latest WHERE symbol IN ('UNPAID', 'PAID')`);
      }
    });

    test('the stream (the event log read as the viewer) gives a fresh signal to the subscriber only', async () => {
      await t.db.query(
        `INSERT INTO app.subscriptions (subscriber, owner, model_id, started_at, provider, provider_ref)
         VALUES ('fan', 'vendor', 'pub', now() - interval '1 minute', 'test', 'sub_stream')`,
      );
      const [{ id: before } = { id: 0 }] = await t.db.query<{ id: number }>(
        'SELECT coalesce(max(id), 0)::int AS id FROM app.event_log',
      );
      await t.db.query(
        `INSERT INTO ml.signals_latest (owner, model_id, symbol, timeframe, bar_ts, decision, confidence, received_at)
         VALUES ('vendor', 'pub', 'LIVE', '1m', date_trunc('minute', now()), 'SELL', 0.7, now())`,
      );
      const streamed = async (ctx: RequestContext) =>
        (
          await t.db.asRequest(ctx, (tx) =>
            repos.eventLog.read(tx, { after: before, upto: before + 100, limit: 100, role: ctx.role }),
          )
        ).events.map((e) => `${e.data.model_id}:${e.data.symbol}`);
      assert.deepEqual(await streamed(asUser(users.fan)), ['pub:LIVE']);
      assert.deepEqual(await streamed(asUser(users.other)), []);
      assert.deepEqual(await streamed(anon), []);
      // Leave the fixtures as the other tests expect them.
      await t.db.query(`DELETE FROM app.subscriptions WHERE provider_ref = 'sub_stream'`);
      await t.db.query(`DELETE FROM ml.signals_latest WHERE symbol = 'LIVE'`);
    });

    test("a public model's scores (1-bar outcomes tell the direction) lag the delay like its signals", async () => {
      // A signal received two hours ago (inside the delay), and bars under every signal and after it: the RECENT and
      // OLD signals get resolved 1-bar rows (the NOW and BACKFILL ones' bars are still open).
      await t.db.query(
        `INSERT INTO ml.signals_latest (owner, model_id, symbol, timeframe, bar_ts, decision, confidence, received_at)
         VALUES ('vendor', 'pub', 'RECENT', '1m', date_trunc('minute', now() - interval '2 hours'), 'BUY', 0.6,
                 now() - interval '2 hours')`,
      );
      await t.db.query(
        `INSERT INTO market.ohlcv (symbol, timeframe, bar_ts, open, high, low, close, volume)
         SELECT s.symbol, '1m', s.bar_ts + k * interval '1 minute', 1, 2, 0.5, 1 + k * 0.1, 1
         FROM (SELECT DISTINCT symbol, bar_ts FROM ml.signals_latest WHERE owner = 'vendor') s
         CROSS JOIN generate_series(-1, 1) AS k
         ON CONFLICT DO NOTHING`,
      );
      await t.db.query(`SELECT ml.score_signals('-infinity', 'infinity')`);
      const scored = async (ctx: RequestContext) =>
        (
          await t.db.asRequest(ctx, (tx) =>
            tx.query<{ k: string }>(
              `SELECT model_id || ':' || symbol AS k FROM ml.signal_scores
               WHERE owner = 'vendor' AND horizon_bars = 1 AND exit_bar_ts IS NOT NULL ORDER BY 1`,
            ),
          )
        ).map((r) => r.k);
      const counted = async (ctx: RequestContext) =>
        (
          await t.db.asRequest(ctx, (tx) =>
            tx.query<{ k: string }>(
              `SELECT model_id || ':' || signals AS k FROM ml.visible_signal_counts('-infinity', NULL, NULL)
               WHERE owner = 'vendor' ORDER BY 1`,
            ),
          )
        ).map((r) => r.k);
      try {
        assert.deepEqual(await scored(asUser(users.vendor)), ['priv:OLD', 'pub:OLD', 'pub:RECENT']);
        assert.deepEqual(await scored(anon), ['pub:OLD'], 'the outcome inside the delay is hidden');
        assert.deepEqual(await scored(asUser(users.other)), ['pub:OLD']);
        assert.deepEqual(await counted(anon), ['pub:2'], 'the counts leave out the signals inside the delay');
        const [sub] = await t.db.query<{ id: string }>(
          `INSERT INTO app.subscriptions (subscriber, owner, model_id, started_at, provider, provider_ref)
           VALUES ('fan', 'vendor', 'pub', now() - interval '1 minute', 'test', 'sub_scores') RETURNING id`,
        );
        assert.deepEqual(await scored(asUser(users.fan)), ['pub:OLD', 'pub:RECENT'], 'a subscriber sees it at once');
        assert.deepEqual(await counted(asUser(users.fan)), ['pub:4']);
        assert.deepEqual(await scored(asUser(users.other)), ['pub:OLD'], 'only the subscriber');
        await t.db.query('DELETE FROM app.subscriptions WHERE id = $1', [sub?.id]);
        await t.db.query(`UPDATE app.platform_settings SET signal_delay = interval '0'`);
        assert.deepEqual(await scored(anon), ['pub:OLD', 'pub:RECENT'], 'without a delay, at once');
      } finally {
        await t.db.query(`UPDATE app.platform_settings SET signal_delay = interval '24 hours'`);
        // Leave the fixtures as the other tests expect them.
        await t.db.query(`DELETE FROM ml.signals_latest WHERE symbol = 'RECENT'`);
        await t.db.query(`DELETE FROM ml.signal_scores WHERE symbol = 'RECENT'`);
      }
    });

    test('the delay is a platform setting, applied at once', async () => {
      await t.db.query(`UPDATE app.platform_settings SET signal_delay = interval '0'`);
      try {
        assert.deepEqual(await visible(anon), ['pub:BACKFILL', 'pub:NOW', 'pub:OLD']);
      } finally {
        await t.db.query(`UPDATE app.platform_settings SET signal_delay = interval '24 hours'`);
      }
    });

    test('a subscription is seen by its subscriber and the vendor, nobody else; nobody writes one directly', async () => {
      const seen = async (ctx: RequestContext) =>
        (
          await t.db.asRequest(ctx, (tx) =>
            tx.query<{ subscriber: string }>('SELECT subscriber FROM app.subscriptions ORDER BY provider_ref'),
          )
        ).map((r) => r.subscriber);
      assert.deepEqual(await seen(asUser(users.fan)), ['fan', 'fan']);
      assert.deepEqual(await seen(asUser(users.vendor)), ['fan', 'fan']);
      assert.deepEqual(await seen(asUser(users.other)), []);
      await assert.rejects(
        t.db.asRequest(asUser(users.other), (tx) =>
          tx.query(`INSERT INTO app.subscriptions (subscriber, owner, model_id, started_at, provider, provider_ref)
                    VALUES ('other', 'vendor', 'pub', now(), 'test', 'sub_x')`),
        ),
        /permission denied/,
      );
    });

    test('a closed statement can be neither changed nor deleted, even by the database owner', async () => {
      await t.db.query(
        `INSERT INTO app.revenue_statements (owner, month, platform_fee_bps, gross_pence, fee_pence, vendor_pence, body, csv)
         VALUES ('vendor', '2026-01', 2000, 100, 20, 80, '{}', 'x')`,
      );
      await assert.rejects(
        t.db.query(`UPDATE app.revenue_statements SET gross_pence = 1 WHERE owner = 'vendor'`),
        /is closed and cannot change/,
      );
      await assert.rejects(t.db.query(`DELETE FROM app.revenue_statements`), /is closed and cannot change/);
      await assert.rejects(
        t.db.query(
          `INSERT INTO app.revenue_statements (owner, month, platform_fee_bps, gross_pence, fee_pence, vendor_pence, body, csv)
           VALUES ('vendor', '2026-02', 2000, 100, 30, 80, '{}', 'x')`,
        ),
        /check constraint/,
        'fee + vendor must be the gross',
      );
    });
  });
}
