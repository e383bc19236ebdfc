// Who reads which consensus rows, from SQL (supabase/migrations/*_visible_consensus.sql): the owner always; anyone
// else only rows whose every contributor is a public model, live with a subscription to every contributor, otherwise
// once older than the platform's delay. Anonymous callers never read ml.consensus_latest itself.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { RequestContext } from './client';
import { repos } from './repositories/index';
import { createTestDatabase, type TestDatabase, testBackends } from './testing';

const contributors = (...models: string[]) =>
  JSON.stringify(models.map((model_id) => ({ model_id, decision: 'BUY', confidence: 0.6, weight: 1 })));

for (const backend of testBackends()) {
  describe(`consensus under the delay rule, from SQL [${backend}]`, () => {
    let t: TestDatabase;
    const users = { vendor: randomUUID(), fan: randomUUID(), other: randomUUID() };
    const asUser = (id: string): RequestContext => ({ role: 'authenticated', claims: { sub: id } });
    const anon: RequestContext = { role: 'anon', claims: {} };
    const subscribe = async (model: string, ref: string) =>
      t.db.query(
        `INSERT INTO app.subscriptions (subscriber, owner, model_id, started_at, provider, provider_ref)
         VALUES ('fan', 'vendor', $1, now() - interval '1 minute', 'test', $2)`,
        [model, ref],
      );

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
         VALUES ('vendor', 'pub1', 'Public 1', 'public'), ('vendor', 'pub2', 'Public 2', 'public'),
                ('vendor', 'priv', 'Private', 'private')`,
      );
      // Per series: a consensus received just now and one two days ago; of two public models, or with a private one.
      await t.db.query(
        `INSERT INTO ml.consensus_latest (owner, symbol, timeframe, bar_ts, decision, confidence, contributors, received_at)
         VALUES ('vendor', 'NOW', '1m', date_trunc('minute', now()), 'BUY', 0.6, $1, now()),
                ('vendor', 'OLD', '1m', date_trunc('minute', now() - interval '2 days'), 'BUY', 0.6, $1,
                 now() - interval '2 days'),
                ('vendor', 'PRIVNOW', '1m', date_trunc('minute', now()), 'BUY', 0.6, $2, now()),
                ('vendor', 'PRIVOLD', '1m', date_trunc('minute', now() - interval '2 days'), 'BUY', 0.6, $2,
                 now() - interval '2 days')`,
        [contributors('pub1', 'pub2'), contributors('pub1', 'priv')],
      );
    });
    after(() => t.close());

    const visible = async (ctx: RequestContext) =>
      (
        await t.db.asRequest(ctx, (tx) =>
          tx.query<{ k: string }>(
            `SELECT symbol || ':' || CASE WHEN live THEN 'live' ELSE 'delayed' END AS k
             FROM ml.visible_consensus WHERE owner = 'vendor' ORDER BY 1`,
          ),
        )
      ).map((r) => r.k);

    test('anonymous and signed-in non-subscribers read only rows of public models older than the delay', async () => {
      assert.deepEqual(await visible(anon), ['OLD:delayed']);
      assert.deepEqual(await visible(asUser(users.other)), ['OLD:delayed']);
      assert.deepEqual(await visible(asUser(users.fan)), ['OLD:delayed']);
    });

    test('the owner reads every row live, private contributors included', async () => {
      assert.deepEqual(await visible(asUser(users.vendor)), ['NOW:live', 'OLD:live', 'PRIVNOW:live', 'PRIVOLD:live']);
    });

    test('the table itself answers under the same rule (RLS), for anonymous and signed-in callers', async () => {
      for (const ctx of [anon, asUser(users.other)]) {
        const rows = await t.db.asRequest(ctx, (tx) =>
          tx.query<{ symbol: string }>(`SELECT symbol FROM ml.consensus_latest WHERE owner = 'vendor' ORDER BY 1`),
        );
        assert.deepEqual(
          rows.map((r) => r.symbol),
          ['OLD'],
        );
      }
      await assert.rejects(
        t.db.asRequest(anon, (tx) =>
          tx.query(`UPDATE ml.consensus_latest SET decision = 'SELL' WHERE owner = 'vendor'`),
        ),
        /permission denied/,
        'reading is all anyone but the service role may do',
      );
    });

    test('a newest-rows read of one series walks the series index and stops (no sort of the whole series)', async () => {
      // Tiny tables are best read in full; turn that off to see the plan the planner has for a large table.
      const plan = await t.db.asRequest(anon, async (tx) => {
        await tx.query(
          `SELECT set_config('enable_seqscan', 'off', true), set_config('enable_bitmapscan', 'off', true)`,
        );
        return tx.query<Record<string, string>>(
          `EXPLAIN SELECT owner, bar_ts, live FROM ml.visible_consensus WHERE symbol = 'OLD' AND timeframe = '1m'
           ORDER BY bar_ts DESC, owner LIMIT 120`,
        );
      });
      const text = plan.map((r) => Object.values(r)[0]).join('\n');
      assert.match(text, /Index Scan using consensus_latest_series_newest/, text);
      assert.doesNotMatch(text, /Sort/, text);
    });

    test('live only with a paid-up subscription to every contributor (past_due: delayed); a private contributor hides the row anyway', async () => {
      await subscribe('pub1', 'sub_a');
      try {
        assert.deepEqual(await visible(asUser(users.fan)), ['OLD:delayed'], 'one of two contributors: still delayed');
        await subscribe('pub2', 'sub_b');
        assert.deepEqual(await visible(asUser(users.fan)), ['NOW:live', 'OLD:live']);
        // A subscription row to the private model (say it was made private since) does not reveal its rows.
        await subscribe('priv', 'sub_c');
        assert.deepEqual(await visible(asUser(users.fan)), ['NOW:live', 'OLD:live']);
        assert.deepEqual(await visible(asUser(users.other)), ['OLD:delayed'], 'only the subscriber');
        assert.deepEqual(await visible(anon), ['OLD:delayed']);
        // One contributor's renewal payment fails (past_due): delayed until it is paid again.
        await t.db.query(
          `INSERT INTO app.subscription_unpaid (subscription_id, since, invoice_ref)
           SELECT id, now() - interval '10 seconds', 'in_b' FROM app.subscriptions WHERE provider_ref = 'sub_b'`,
        );
        assert.deepEqual(await visible(asUser(users.fan)), ['OLD:delayed'], 'past_due: delayed');
        await t.db.query(
          `UPDATE app.subscription_unpaid SET until = now() - interval '1 second' WHERE invoice_ref = 'in_b'`,
        );
        assert.deepEqual(await visible(asUser(users.fan)), ['NOW:live', 'OLD:live'], 'paid again: live');
        await t.db.query(`UPDATE app.subscriptions SET ended_at = now() WHERE provider_ref = 'sub_b'`);
        assert.deepEqual(await visible(asUser(users.fan)), ['OLD:delayed'], 'cancelled: delayed again');
      } finally {
        await t.db.query(`DELETE FROM app.subscription_unpaid WHERE invoice_ref = 'in_b'`);
        await t.db.query(`DELETE FROM app.subscriptions WHERE provider_ref IN ('sub_a', 'sub_b', 'sub_c')`);
      }
    });

    test('the stream gives a fresh consensus to the full subscriber only', async () => {
      await subscribe('pub1', 'sub_s1');
      await subscribe('pub2', 'sub_s2');
      const [{ id: before } = { id: 0 }] = await t.db.query<{ id: number }>(
        'SELECT coalesce(max(id), 0)::int AS id FROM app.event_log',
      );
      await t.db.query(
        `INSERT INTO ml.consensus_latest (owner, symbol, timeframe, bar_ts, decision, confidence, contributors, received_at)
         VALUES ('vendor', 'LIVE', '1m', date_trunc('minute', now()), 'SELL', 0.7, $1, now())`,
        [contributors('pub1', 'pub2')],
      );
      const streamed = async (ctx: RequestContext) =>
        (
          await t.db.asRequest(ctx, (tx) =>
            repos.eventLog.read(tx, {
              after: before,
              upto: before + 100,
              limit: 100,
              role: ctx.role,
              types: ['consensus'],
            }),
          )
        ).events.map((e) => `${e.type}:${e.data.symbol}`);
      try {
        assert.deepEqual(await streamed(asUser(users.fan)), ['consensus:LIVE']);
        assert.deepEqual(await streamed(asUser(users.vendor)), ['consensus:LIVE']);
        assert.deepEqual(await streamed(asUser(users.other)), []);
        assert.deepEqual(await streamed(anon), []);
      } finally {
        await t.db.query(`DELETE FROM app.subscriptions WHERE provider_ref IN ('sub_s1', 'sub_s2')`);
        await t.db.query(`DELETE FROM ml.consensus_latest WHERE symbol = 'LIVE'`);
      }
    });

    test('the delay is the platform setting; a model made private hides its old rows again', async () => {
      await t.db.query(`UPDATE app.platform_settings SET signal_delay = interval '0'`);
      try {
        assert.deepEqual(await visible(anon), ['NOW:delayed', 'OLD:delayed']);
        const [row] = await t.db.asRequest(anon, (tx) =>
          tx.query<{ s: number }>('SELECT app.signal_delay_seconds() AS s'),
        );
        assert.equal(row?.s, 0);
      } finally {
        await t.db.query(`UPDATE app.platform_settings SET signal_delay = interval '24 hours'`);
      }
      await t.db.query(`UPDATE ml.models SET visibility = 'private' WHERE model_id = 'pub2'`);
      try {
        assert.deepEqual(await visible(anon), []);
        assert.deepEqual(await visible(asUser(users.vendor)), ['NOW:live', 'OLD:live', 'PRIVNOW:live', 'PRIVOLD:live']);
      } finally {
        await t.db.query(`UPDATE ml.models SET visibility = 'public' WHERE model_id = 'pub2'`);
      }
    });
  });
}
