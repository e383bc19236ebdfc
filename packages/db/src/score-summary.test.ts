// The stored score summary (supabase/migrations/20261207060000_score_summary.sql) against the figures computed from
// every score row (metricsCtes, GET /api/performance/metrics): the listing must show the same figures to every kind of
// viewer, over random score rows written, rewritten and deleted statement by statement, and the summary kept by those
// writes must equal the one rebuilt from scratch.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { MarketplaceModelsQuerySchema, PerformanceMetricsQuerySchema } from '@neuronetiq/contracts';
import type { RequestContext } from './client';
import { marketplaceRepository } from './repositories/marketplace';
import { metricsRepository } from './repositories/metrics';
import { rng, seedViewers } from './summary-fixtures';
import { createTestDatabase, type TestDatabase, testBackends } from './testing';

const SEED = Number(process.env.SUMMARY_SEED ?? Date.now() % 1_000_000);

const TF_MS = { '5m': 300_000, '1h': 3_600_000 } as const;
const MODELS = [
  ['va', 'pub1', 'public'],
  ['va', 'pub2', 'public'],
  ['va', 'priv', 'private'],
  ['vb', 'pub3', 'public'],
  ['vb', 'pub4', 'public'],
] as const;

/** Equal figures: integers, flags and arrays exactly, floats to 1e-9 relative (sums added in another order). */
function assertSameFigures(got: Record<string, unknown>, want: Record<string, unknown>, where: string) {
  assert.deepEqual(Object.keys(got), Object.keys(want), where);
  for (const [k, w] of Object.entries(want)) {
    const g = got[k];
    if (typeof w === 'number' && typeof g === 'number' && !Number.isInteger(w)) {
      assert.ok(Math.abs(g - w) <= 1e-9 * Math.max(1, Math.abs(w)), `${where} ${k}: ${g} vs ${w} (seed ${SEED})`);
    } else {
      assert.deepEqual(g, w, `${where} ${k} (seed ${SEED})`);
    }
  }
}

for (const backend of testBackends()) {
  describe(`score summary equals the figures from every score row [${backend}]`, () => {
    let t: TestDatabase;
    const users = { va: randomUUID(), vb: randomUUID(), fan: randomUUID(), other: randomUUID() };
    const asUser = (id: string): RequestContext => ({ role: 'authenticated', claims: { sub: id } });
    const viewers: [string, RequestContext][] = [
      ['anonymous', { role: 'anon', claims: {} }],
      ['non-subscriber', asUser(users.other)],
      ['subscriber of pub1', asUser(users.fan)],
      ['owner va', asUser(users.va)],
    ];
    const now = Date.now();
    const rand = rng(SEED);

    /** Random resolved and unresolved score rows, a fifth backfilled, received over the last 40 days. */
    function scoreRows(n: number) {
      const rows: unknown[][] = [];
      for (let i = 0; i < n; i++) {
        const [owner, model] = MODELS[Math.floor(rand() * MODELS.length)] ?? MODELS[0];
        const symbol = rand() < 0.5 ? 'AAA' : 'BBB';
        // pub2 has two timeframes (no Sharpe), the others one.
        const tf = model === 'pub2' && rand() < 0.5 ? '5m' : model === 'pub4' ? '5m' : '1h';
        const tfMs = TF_MS[tf];
        // Recent days are dense, so some rows fall inside the 24 h delay.
        const ago = rand() < 0.3 ? rand() * 2 * 86_400_000 : rand() * 40 * 86_400_000;
        const bar = Math.floor((now - ago) / tfMs) * tfMs - tfMs;
        const received = bar + Math.floor(rand() * tfMs);
        const horizon = rand() < 0.6 ? 1 : 5;
        const resolved = rand() < 0.9;
        const decision = ['BUY', 'SELL', 'NEUTRAL'][Math.floor(rand() * 3)];
        const pr = resolved ? (rand() < 0.1 ? 0 : Math.round((rand() - 0.48) * 2e6) / 1e8) : null;
        rows.push([
          owner,
          model,
          symbol,
          tf,
          new Date(bar).toISOString(),
          horizon,
          decision,
          [0.5, 0.6, 0.75, 0.9][Math.floor(rand() * 4)],
          new Date(received).toISOString(),
          rand() < 0.2,
          new Date(bar + tfMs).toISOString(),
          resolved ? new Date(bar + (1 + horizon) * tfMs).toISOString() : null,
          resolved ? 1 : null,
          resolved ? Math.round((rand() - 0.5) * 2e6) / 1e8 : null,
          resolved && decision !== 'NEUTRAL' ? rand() < 0.55 : null,
          pr,
        ]);
      }
      return rows;
    }

    async function insert(rows: unknown[][]) {
      const cols = rows[0]?.length ?? 0;
      const values = rows.map(
        (_, r) => `(${Array.from({ length: cols }, (_, c) => `$${r * cols + c + 1}`).join(', ')})`,
      );
      await t.db.query(
        `INSERT INTO ml.signal_scores (owner, model_id, symbol, timeframe, bar_ts, horizon_bars, decision, confidence,
           received_at, backfilled, entry_bar_ts, exit_bar_ts, exit_close, forward_return, hit, position_return,
           entry_close)
         SELECT v.owner, v.model_id, v.symbol, v.timeframe, v.bar_ts::timestamptz, v.horizon_bars::int, v.decision,
                v.confidence::float8, v.received_at::timestamptz, v.backfilled::boolean, v.entry_bar_ts::timestamptz,
                v.exit_bar_ts::timestamptz, v.exit_close::numeric, v.forward_return::float8, v.hit::boolean,
                v.position_return::float8, 1
         FROM (VALUES ${values.join(', ')}) AS v(owner, model_id, symbol, timeframe, bar_ts, horizon_bars,
           decision, confidence, received_at, backfilled, entry_bar_ts, exit_bar_ts, exit_close, forward_return, hit,
           position_return)
         ON CONFLICT DO NOTHING`,
        rows.flat(),
      );
    }

    const summary = () =>
      t.db.query<Record<string, unknown>>(
        `SELECT owner, model_id, horizon_bars, backfilled, symbol, timeframe, day_start::text, scored, resolved, hits,
                pr_state::text, gains::text, losses::text, max_received_at::text
         FROM ml.score_summary ORDER BY owner, model_id, horizon_bars, backfilled, day_start, symbol, timeframe`,
      );

    before(async () => {
      t = await createTestDatabase(backend);
      await seedViewers(t.db, users, MODELS);
      // Written in several statements, then some rows rewritten (a new return, received again just now, a new
      // entry day) and some deleted: every kind of change the triggers must follow.
      for (let i = 0; i < 6; i++) await insert(scoreRows(150));
      await t.db.query(
        `UPDATE ml.signal_scores SET position_return = position_return * 2 WHERE hit AND bar_ts::text LIKE '%5:00%'`,
      );
      await t.db.query(
        `UPDATE ml.signal_scores SET received_at = now() - interval '1 minute', entry_bar_ts = entry_bar_ts + interval '1 day'
         WHERE forward_return > 0.009`,
      );
      await t.db.query(`DELETE FROM ml.signal_scores WHERE forward_return < -0.009`);
      await t.db.query(
        `UPDATE ml.signal_scores SET exit_bar_ts = NULL, exit_close = NULL, hit = NULL, position_return = NULL
         WHERE confidence = 0.6 AND horizon_bars = 5`,
      );
    });
    after(() => t.close());

    test('the listing shows each viewer the same figures as the score rows give, in every window, horizon and source', async () => {
      const market = marketplaceRepository;
      const metrics = metricsRepository;
      let compared = 0;
      for (const [who, ctx] of viewers) {
        for (const window of ['all', '30d', '7d'] as const) {
          for (const horizon of ['1', '5']) {
            for (const source of ['live', 'backfilled'] as const) {
              for (const symbol of [undefined, 'AAA']) {
                const where = `${who} ${window} h${horizon} ${source} ${symbol ?? ''}`;
                const listed = await t.db.asRequest(ctx, (tx) =>
                  market.list(tx, {
                    ...MarketplaceModelsQuerySchema.parse({ window, horizon, source, symbol, limit: '100' }),
                    nowMs: now,
                  }),
                );
                const found = await t.db.asRequest(ctx, (tx) =>
                  metrics.find(tx, {
                    ...PerformanceMetricsQuerySchema.parse({ period: window, horizon, source, symbol, limit: '100' }),
                    nowMs: now,
                  }),
                );
                const want = new Map(found.rows.map((r) => [`${r.owner}/${r.model_id}`, r]));
                for (const row of listed.rows) {
                  const w = want.get(`${row.owner}/${row.model_id}`);
                  if (!w || !row.metrics) {
                    assert.equal(row.metrics, null, `${where} ${row.model_id} has figures the rows do not give`);
                    assert.equal(w, undefined, `${where} ${row.model_id} lacks figures (seed ${SEED})`);
                    continue;
                  }
                  const { period: _p, horizon_bars: _h, source: _s, ...figures } = w;
                  assertSameFigures(row.metrics, figures, `${where} ${row.model_id}`);
                  compared++;
                }
                assert.ok(
                  listed.rows.every((r) => r.model_id !== 'priv'),
                  `${where}: a private model is never listed`,
                );
              }
            }
          }
        }
      }
      assert.ok(compared > 100, `compared ${compared} models' figures`);
    });

    test('a non-subscriber reads no summary day holding a score inside the delay; the subscriber and owner do', async () => {
      const fresh = (ctx: RequestContext) =>
        t.db.asRequest(ctx, (tx) =>
          tx.query<{ model_id: string }>(
            `SELECT DISTINCT model_id FROM ml.score_summary
             WHERE NOT backfilled AND max_received_at > now() - interval '24 hours' ORDER BY 1`,
          ),
        );
      const all = await t.db.query<{ model_id: string }>(
        `SELECT DISTINCT model_id FROM ml.score_summary
         WHERE NOT backfilled AND max_received_at > now() - interval '24 hours' ORDER BY 1`,
      );
      assert.ok(
        all.some((r) => r.model_id === 'pub1'),
        `the data has fresh days of pub1 (seed ${SEED})`,
      );
      assert.deepEqual(await fresh(viewers[0]?.[1] as RequestContext), []);
      assert.deepEqual(await fresh(asUser(users.other)), []);
      assert.deepEqual(
        (await fresh(asUser(users.fan))).map((r) => r.model_id),
        ['pub1'],
        'the subscriber reads only their model live',
      );
      assert.ok(
        (await fresh(asUser(users.va))).every((r) => ['pub1', 'pub2', 'priv'].includes(r.model_id)),
        'the owner reads their own, private included, live',
      );
      const privateDays = await t.db.asRequest(asUser(users.other), (tx) =>
        tx.query(`SELECT 1 FROM ml.score_summary WHERE model_id = 'priv'`),
      );
      assert.deepEqual(privateDays, [], 'no day of a private model to anyone but its owner');
    });

    test('the stored median, drawdown and Spearman (the cron pass) equal the score rows as an anonymous viewer read them at their as_of; a subscriber and the owner get them live', async () => {
      const stored = await marketplaceRepository.refreshRowFigures(t.db);
      assert.ok(stored > 0, 'the pass stored figures');
      let compared = 0;
      for (const window of ['all', '30d', '7d'] as const) {
        for (const horizon of ['1', '5']) {
          const listed = await t.db.asRequest(viewers[0]?.[1] as RequestContext, (tx) =>
            marketplaceRepository.list(tx, {
              ...MarketplaceModelsQuerySchema.parse({ window, horizon, sort: 'median_return', limit: '100' }),
              nowMs: Date.now(),
            }),
          );
          for (const row of listed.rows.filter((r) => r.metrics)) {
            assert.ok(
              row.row_figures_as_of,
              `${window} h${horizon} ${row.model_id}: stored figures for an anonymous viewer`,
            );
            const found = await t.db.asRequest({ role: 'anon', claims: {} }, (tx) =>
              metricsRepository.find(tx, {
                ...PerformanceMetricsQuerySchema.parse({
                  period: window,
                  horizon,
                  model_id: row.model_id,
                  limit: '10',
                }),
                owner: row.owner,
                nowMs: Date.parse(row.row_figures_as_of as string),
              }),
            );
            const w = found.rows[0];
            for (const k of ['median_return', 'max_drawdown', 'spearman'] as const) {
              const got = row.metrics?.[k] ?? null;
              const want = w?.[k] ?? null;
              if (typeof want === 'number' && typeof got === 'number') {
                assert.ok(
                  Math.abs(got - want) <= 1e-9 * Math.max(1, Math.abs(want)),
                  `${window} h${horizon} ${k} (seed ${SEED})`,
                );
              } else assert.equal(got, want, `${window} h${horizon} ${row.model_id} ${k} (seed ${SEED})`);
            }
            compared++;
          }
          // pub1 to its subscriber, and the owner's models to the owner: computed on the request.
          for (const [who, ctx] of [viewers[2], viewers[3]] as [string, RequestContext][]) {
            const mine = await t.db.asRequest(ctx, (tx) =>
              marketplaceRepository.list(tx, {
                ...MarketplaceModelsQuerySchema.parse({ window, horizon, limit: '100' }),
                nowMs: Date.now(),
              }),
            );
            const live = mine.rows.filter(
              (r) => r.metrics && r.owner === 'va' && (who.startsWith('owner') || r.model_id === 'pub1'),
            );
            assert.ok(
              live.every((r) => r.row_figures_as_of === null),
              `${who}: live figures for the models they read live`,
            );
          }
        }
      }
      assert.ok(compared > 10, `compared ${compared} models' stored figures`);
    });

    test('the summary kept statement by statement equals the one rebuilt from every score row (TRUNCATE, INSERT)', async () => {
      const incremental = await summary();
      assert.ok(incremental.length > 50);
      await t.db.query('CREATE TABLE public.scores_copy AS SELECT * FROM ml.signal_scores');
      await t.db.query('TRUNCATE ml.signal_scores');
      assert.deepEqual(await summary(), [], 'TRUNCATE (ml.rescore_all) empties the summary');
      await t.db.query('INSERT INTO ml.signal_scores SELECT * FROM public.scores_copy');
      assert.deepEqual(await summary(), incremental);
    });
  });
}
