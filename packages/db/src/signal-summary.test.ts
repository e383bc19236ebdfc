// The stored per-series, per-day signal summary (supabase/migrations/20261208010000_signal_summary.sql) against the
// same counts computed from every signal row (ml.visible_signals, as the viewer): over several random histories written
// statement by statement (inserted, some deleted, some re-stamped), read refreshed, half-refreshed and not refreshed at
// all, every kind of viewer must get exactly the from-scratch counts; and the refreshed summary must equal one rebuilt
// from scratch. Anonymous viewers must learn nothing of a signal inside the delay (counts, window counts, last time).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { MarketplaceModelsQuerySchema } from '@neuronetiq/contracts';
import type { Queryable, RequestContext } from './client';
import { marketplaceRepository } from './repositories/marketplace';
import { rng, seedViewers } from './summary-fixtures';
import { createTestDatabase, type TestDatabase, testBackends } from './testing';

const SEED = Number(process.env.SUMMARY_SEED ?? Date.now() % 1_000_000);

const TF_MS = { '5m': 300_000, '1h': 3_600_000 } as const;
const MODELS = [
  ['va', 'pub1', 'public'],
  ['va', 'pub2', 'public'],
  ['va', 'priv', 'private'],
  ['vb', 'pub3', 'public'],
  ['vb', 'fresh', 'public'],
] as const;
const HISTORIES = 3;
const DAY = 86_400_000;

type Row = Record<string, unknown>;
const SERIES_COLUMNS = `owner, model_id, symbol, timeframe, signals::int AS signals, last_received_at::text AS last,
  window_signals::int AS window_signals, window_late::int AS window_late`;

/** From scratch: every signal the viewer may read (ml.visible_signals), grouped per series. */
const scratchSeries = (tx: Queryable, since: string) =>
  tx.query<Row>(
    `SELECT owner, model_id, symbol, timeframe, count(*)::int AS signals, max(received_at)::text AS last,
            (count(*) FILTER (WHERE bar_ts >= $1))::int AS window_signals,
            (count(*) FILTER (WHERE bar_ts >= $1 AND late))::int AS window_late
     FROM ml.visible_signals GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`,
    [since],
  );
const summarySeries = (tx: Queryable, since: string) =>
  tx.query<Row>(`SELECT ${SERIES_COLUMNS} FROM ml.visible_series(NULL, NULL, $1) ORDER BY 1, 2, 3, 4`, [since]);
const summaryTable = (db: Queryable) =>
  db.query<Row>(
    `SELECT owner, model_id, symbol, timeframe, day_start::text, backfilled, signals, late, min_received_at::text,
            max_received_at::text FROM ml.signal_summary ORDER BY 1, 2, 3, 4, 5, 6`,
  );

for (const backend of testBackends()) {
  describe(`signal summary equals the counts from every signal row [${backend}]`, () => {
    let t: TestDatabase;
    const users = { va: randomUUID(), vb: randomUUID(), fan: randomUUID(), other: randomUUID() };
    const asUser = (id: string): RequestContext => ({ role: 'authenticated', claims: { sub: id } });
    const viewers: [string, RequestContext][] = [
      ['anonymous', { role: 'anon', claims: {} }],
      ['non-subscriber', asUser(users.other)],
      ['subscriber of pub1', asUser(users.fan)],
      ['owner va', asUser(users.va)],
      ['service role', { role: 'service_role', claims: {} }],
    ];
    const now = Date.now();
    const rand = rng(SEED);

    /** Random signals: a sixth backfilled, some late, received over the last 40 days, dense in the last two. */
    async function insertSignals(n: number) {
      const rows: unknown[][] = [];
      for (let i = 0; i < n; i++) {
        const [owner, model] = MODELS[Math.floor(rand() * MODELS.length)] ?? MODELS[0];
        const symbol = rand() < 0.5 ? 'AAA' : 'BBB';
        const tf = rand() < 0.5 ? '5m' : '1h';
        const tfMs = TF_MS[tf];
        // `fresh` only ever stores inside the delay: an anonymous viewer must see nothing of it.
        const ago = model === 'fresh' ? rand() * 0.9 * DAY : rand() < 0.4 ? rand() * 2 * DAY : rand() * 40 * DAY;
        const bar = Math.floor((now - ago) / tfMs) * tfMs;
        const late = rand() < 0.15;
        const backfilled = model !== 'fresh' && rand() < 0.17;
        const received = backfilled ? now - rand() * DAY : bar + Math.floor(rand() * tfMs * (late ? 5 : 1));
        rows.push([
          owner,
          model,
          symbol,
          tf,
          new Date(bar).toISOString(),
          new Date(received).toISOString(),
          late,
          backfilled,
        ]);
      }
      const values = rows.map((_, r) => `(${Array.from({ length: 8 }, (_, c) => `$${r * 8 + c + 1}`).join(', ')})`);
      await t.db.query(
        `INSERT INTO ml.signals_latest (owner, model_id, symbol, timeframe, bar_ts, decision, confidence, received_at,
           late, backfilled)
         SELECT v.owner, v.model_id, v.symbol, v.timeframe, v.bar_ts::timestamptz, 'BUY', 0.5, v.received_at::timestamptz,
                v.late::boolean, v.backfilled::boolean
         FROM (VALUES ${values.join(', ')}) AS v(owner, model_id, symbol, timeframe, bar_ts, received_at, late, backfilled)
         ON CONFLICT DO NOTHING`,
        rows.flat(),
      );
    }

    async function assertEveryViewerExact(when: string) {
      let compared = 0;
      for (const [who, ctx] of viewers) {
        for (const since of [
          '-infinity',
          new Date(now - 7 * DAY).toISOString(),
          new Date(now - 30 * DAY).toISOString(),
        ]) {
          const [want, got] = await t.db.asRequest(ctx, async (tx) => [
            await scratchSeries(tx, since),
            await summarySeries(tx, since),
          ]);
          assert.deepEqual(got, want, `${when}, ${who}, since ${since} (seed ${SEED})`);
          compared += want.length;
          // The figures' counts (ml.visible_signal_counts) per model, from the same rows.
          const [wantCounts, gotCounts] = await t.db.asRequest(ctx, async (tx) => [
            await tx.query<Row>(
              `SELECT owner, model_id, count(*)::int AS signals, (count(*) FILTER (WHERE late))::int AS late
               FROM ml.visible_signals WHERE bar_ts >= $1 GROUP BY 1, 2 ORDER BY 1, 2`,
              [since],
            ),
            await tx.query<Row>(
              `SELECT owner, model_id, signals::int AS signals, late::int AS late
               FROM ml.visible_signal_counts($1, NULL, NULL) ORDER BY 1, 2`,
              [since],
            ),
          ]);
          assert.deepEqual(gotCounts, wantCounts, `${when}, ${who}, counts since ${since} (seed ${SEED})`);
        }
      }
      assert.ok(compared > 20, `${when}: compared ${compared} series`);
    }

    before(async () => {
      t = await createTestDatabase(backend);
      await seedViewers(t.db, users, MODELS);
    });
    after(() => t.close());

    test(`every viewer gets the from-scratch counts, refreshed or not, over ${HISTORIES} random histories`, async () => {
      for (let h = 0; h < HISTORIES; h++) {
        await t.db.query('DELETE FROM ml.signals_latest');
        await t.db.query('SELECT ml.refresh_signal_summary()');
        assert.deepEqual(await summaryTable(t.db), [], 'no signal, no summary row');
        for (let i = 0; i < 4; i++) await insertSignals(120);
        await assertEveryViewerExact(`history ${h}, never refreshed`);
        await t.db.query('SELECT ml.refresh_signal_summary()');
        await assertEveryViewerExact(`history ${h}, refreshed`);
        // Written after the refresh: more signals, some deleted, some re-stamped (received again just now).
        await insertSignals(100);
        await t.db.query(
          `DELETE FROM ml.signals_latest WHERE bar_ts::text LIKE '%:05:00%' OR bar_ts::text LIKE '%3:00:00%'`,
        );
        await t.db.query(
          `UPDATE ml.signals_latest SET received_at = now() - interval '1 minute'
           WHERE model_id = 'pub3' AND bar_ts::text LIKE '%:10:00%'`,
        );
        await assertEveryViewerExact(`history ${h}, written since the refresh`);
        await t.db.query('SELECT ml.refresh_signal_summary()');
        await assertEveryViewerExact(`history ${h}, refreshed again`);
        // The kept summary equals one rebuilt from every signal row.
        const kept = await summaryTable(t.db);
        await t.db.query('TRUNCATE ml.signal_summary, ml.signal_summary_dirty');
        await t.db.query(
          `INSERT INTO ml.signal_summary_dirty (owner, model_id, symbol, timeframe, day_start)
           SELECT DISTINCT owner, model_id, symbol, timeframe, ml.score_day(bar_ts) FROM ml.signals_latest`,
        );
        await t.db.query('SELECT ml.refresh_signal_summary()');
        assert.deepEqual(await summaryTable(t.db), kept, `history ${h}: kept = rebuilt (seed ${SEED})`);
        assert.ok(kept.length > 30, `history ${h}: ${kept.length} summary rows`);
      }
    });

    test('an anonymous viewer learns nothing of signals inside the delay: counts, window counts, last signal', async () => {
      await t.db.query('SELECT ml.refresh_signal_summary()');
      const anon: RequestContext = { role: 'anon', claims: {} };
      const stats = await t.db.query<{ inside: number; newest: string }>(
        `SELECT (count(*) FILTER (WHERE NOT backfilled AND received_at > now() - interval '24 hours'))::int AS inside,
                max(received_at)::text AS newest
         FROM ml.signals_latest WHERE model_id = 'pub1'`,
      );
      assert.ok((stats[0]?.inside ?? 0) > 0, `pub1 has signals inside the delay (seed ${SEED})`);
      const anonSeries = await t.db.asRequest(anon, (tx) => summarySeries(tx, '-infinity'));
      assert.ok(
        anonSeries.every((r) => r.model_id !== 'fresh' && r.model_id !== 'priv'),
        'nothing of a model whose every signal is inside the delay, nor of a private one',
      );
      const cut = await t.db.query<{ cut: string }>(`SELECT (now() - interval '24 hours')::text AS cut`);
      const live = await t.db.query<{ last: string }>(
        `SELECT max(received_at)::text AS last FROM ml.signals_latest
         WHERE model_id = 'pub1' AND NOT backfilled AND received_at <= now() - interval '24 hours'`,
      );
      for (const r of anonSeries.filter((x) => x.model_id === 'pub1')) {
        const backfilledNewer = await t.db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM ml.signals_latest
           WHERE model_id = 'pub1' AND symbol = $1 AND timeframe = $2 AND backfilled AND received_at::text = $3`,
          [r.symbol, r.timeframe, r.last],
        );
        assert.ok(
          String(r.last) <= String(cut[0]?.cut) || (backfilledNewer[0]?.n ?? 0) > 0,
          `pub1 ${r.symbol} ${r.timeframe}: the last signal shown (${r.last}) is past the delay or backfilled`,
        );
      }
      assert.ok(live[0]?.last, 'pub1 has live signals past the delay');
      // The listing: the fresh model shows no count and no last signal to an anonymous viewer, all of them to its owner.
      const list = (ctx: RequestContext) =>
        t.db.asRequest(ctx, (tx) =>
          marketplaceRepository.list(tx, {
            ...MarketplaceModelsQuerySchema.parse({ sort: 'signal_count', limit: '100' }),
            nowMs: now,
          }),
        );
      const anonFresh = (await list(anon)).rows.find((r) => r.model_id === 'fresh');
      assert.equal(anonFresh?.signal_count, 0);
      assert.equal(anonFresh?.last_signal_at, null);
      assert.deepEqual(anonFresh?.series, []);
      const ownerFresh = (await list(asUser(users.vb))).rows.find((r) => r.model_id === 'fresh');
      const stored = await t.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM ml.signals_latest WHERE model_id = 'fresh'`,
      );
      assert.ok((stored[0]?.n ?? 0) > 0);
      assert.equal(ownerFresh?.signal_count, stored[0]?.n, 'the owner sees every signal of theirs');
    });
  });
}
