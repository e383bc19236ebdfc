import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createWorkerClient } from '@neuronetiq/client';
import { repos } from '@neuronetiq/db';
import { createTestDatabase, type TestDatabase, testBackends } from '@neuronetiq/db/testing';
import { computeConsensus } from '../consensus/compute-consensus';
import { FAKE_MODELS, fakePredictions, startFakeWorker, walkBars } from '../testing';
import { backfillSignals } from './backfill-signals';

const MINUTE = 60_000;

for (const backend of testBackends()) {
  describe(`backfill of demo signals [${backend}]`, () => {
    let t: TestDatabase;
    let worker: Awaited<ReturnType<typeof startFakeWorker>>;
    before(async () => {
      t = await createTestDatabase(backend);
      worker = await startFakeWorker();
    });
    after(async () => {
      await worker.close();
      await t.close();
    });

    test('stores each model’s call on every closed stored bar, flagged backfilled and on time, scored, once', async () => {
      const owner = `demo-${backend}`;
      const symbol = `BF${backend === 'pglite' ? 'L' : 'P'}`;
      const nowMs = Date.parse('2026-03-02T10:00:30Z');
      // 40 bars; the newest (09:59) has closed by 10:00:30, the one at 10:00 (still open) is not stored.
      const bars = walkBars('1m', nowMs - 30_000 - MINUTE, 40);
      await repos.ohlcv.upsert(
        t.db,
        bars.map((b) => ({ ...b, volume: b.volume ?? null, symbol, timeframe: '1m' as const })),
      );
      // A live call already stored for one bar is kept as it is.
      const liveBar = bars[20]?.bar_ts as string;
      await t.db.query(
        `INSERT INTO ml.signals_latest (owner, model_id, symbol, timeframe, bar_ts, decision, confidence)
         VALUES ($1, 'fake-trend', $2, '1m', $3, 'NEUTRAL', 0.1)`,
        [owner, symbol, liveBar],
      );
      const before = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM app.event_log');

      const workerClient = createWorkerClient({ baseUrl: worker.url });
      const report = await backfillSignals(
        { db: t.db, worker: workerClient },
        {
          owner,
          series: [{ symbol, timeframe: '1m' }],
          maxBars: 5000,
          nowMs,
          windowsPerRequest: 7,
          registerModels: true,
        },
      );

      // The expected calls, computed from the same rules over the same windows (window = 10 bars, the largest need).
      const expected = new Map<string, { decision: string; confidence: number }>();
      for (let i = 0; i + 1 < bars.length; i++) {
        const window = bars.slice(Math.max(0, i + 1 - 10), i + 1);
        const target = new Date(Date.parse(bars[i + 1]?.bar_ts as string)).toISOString();
        for (const p of fakePredictions(window)) {
          if ('decision' in p && p.decision !== undefined && p.confidence !== undefined) {
            expected.set(`${p.model_id} ${target}`, { decision: p.decision, confidence: p.confidence });
          }
        }
      }
      const rows = await t.db.query<{
        model_id: string;
        bar_ts: string;
        decision: string;
        confidence: number;
        received_at: string;
        late: boolean;
        backfilled: boolean;
      }>(
        `SELECT model_id, bar_ts, decision, confidence::float8 AS confidence, received_at, late, backfilled
         FROM ml.signals_latest WHERE owner = $1 ORDER BY bar_ts, model_id`,
        [owner],
      );
      const backfilled = rows.filter((r) => r.backfilled);
      assert.equal(report.stored, expected.size - 1, 'every expected call but the live one');
      assert.equal(backfilled.length, expected.size - 1);
      for (const r of backfilled) {
        assert.deepEqual(
          { decision: r.decision, confidence: r.confidence },
          expected.get(`${r.model_id} ${r.bar_ts}`),
          `${r.model_id} ${r.bar_ts}`,
        );
        assert.equal(r.received_at, r.bar_ts, 'a simulated on-time call');
        assert.equal(r.late, false);
      }
      const live = rows.find((r) => r.bar_ts === new Date(liveBar).toISOString() && r.model_id === 'fake-trend');
      assert.deepEqual([live?.decision, live?.backfilled], ['NEUTRAL', false]);

      const [outcomes] = await t.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM ml.signal_outcomes o JOIN ml.signals_latest s USING (owner, model_id, symbol, timeframe, bar_ts)
         WHERE o.owner = $1 AND s.backfilled`,
        [owner],
      );
      assert.equal(outcomes?.n, backfilled.length, 'every backfilled call on a closed bar is scored');
      assert.equal(report.scored >= backfilled.length, true);

      const models = await t.db.query<{ model_id: string; visibility: string }>(
        'SELECT model_id, visibility FROM ml.models WHERE owner = $1 ORDER BY model_id',
        [owner],
      );
      assert.deepEqual(
        models,
        FAKE_MODELS.map((m) => ({ model_id: m.id, visibility: 'public' })).sort((a, b) =>
          a.model_id.localeCompare(b.model_id),
        ),
      );
      const afterRun = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM app.event_log');
      assert.equal(afterRun[0]?.n, before[0]?.n, 'history is not news: nothing goes to the live stream');

      const again = await backfillSignals(
        { db: t.db, worker: workerClient },
        { owner, series: [{ symbol, timeframe: '1m' }], maxBars: 5000, nowMs },
      );
      assert.equal(again.stored, 0, 'a second run resumes after the newest backfilled bar');
      assert.equal(again.series[0]?.windows, 0);
    });

    test('stores the consensus of each backfilled bar, flagged backfilled, that an anonymous visitor reads at once', async () => {
      const owner = `cons-${backend}`;
      const symbol = `BC${backend === 'pglite' ? 'L' : 'P'}`;
      // Now: the bars are minutes old, far inside the platform's 24 h delay.
      const nowMs = Math.floor(Date.now() / MINUTE) * MINUTE + 30_000;
      const bars = walkBars('1m', nowMs - 30_000 - MINUTE, 30);
      await repos.ohlcv.upsert(
        t.db,
        bars.map((b) => ({ ...b, volume: b.volume ?? null, symbol, timeframe: '1m' as const })),
      );
      // A live consensus already stored for one bar is kept as it is.
      const liveBar = new Date(Date.parse(bars[15]?.bar_ts as string)).toISOString();
      await t.db.query(
        `INSERT INTO ml.consensus_latest (owner, symbol, timeframe, bar_ts, decision, confidence, contributors)
         VALUES ($1, $2, '1m', $3, 'NEUTRAL', 0.1, $4)`,
        [
          owner,
          symbol,
          liveBar,
          JSON.stringify([{ model_id: 'fake-trend', decision: 'NEUTRAL', confidence: 0.1, weight: 1 }]),
        ],
      );
      const events = async () =>
        (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM app.event_log WHERE symbol = $1`, [symbol]))[0]
          ?.n;
      const eventsBefore = await events();
      const report = await backfillSignals(
        { db: t.db, worker: createWorkerClient({ baseUrl: worker.url }) },
        {
          owner,
          series: [{ symbol, timeframe: '1m' }],
          maxBars: 5000,
          nowMs,
          windowsPerRequest: 4,
          registerModels: true,
        },
      );

      // Expected: the live rule over the same windows' calls, every weight 1.
      const expected = new Map<string, ReturnType<typeof computeConsensus>>();
      for (let i = 0; i + 1 < bars.length; i++) {
        const votes = fakePredictions(bars.slice(Math.max(0, i + 1 - 10), i + 1)).flatMap((p) =>
          'decision' in p && p.decision !== undefined && p.confidence !== undefined
            ? [{ model_id: p.model_id, decision: p.decision, confidence: p.confidence }]
            : [],
        );
        if (votes.length)
          expected.set(new Date(Date.parse(bars[i + 1]?.bar_ts as string)).toISOString(), computeConsensus(votes));
      }
      const rows = await t.db.query<{
        bar_ts: string;
        decision: string;
        confidence: number;
        contributors: unknown;
        meta: Record<string, unknown>;
        received_at: string;
        backfilled: boolean;
      }>(
        `SELECT bar_ts, decision, confidence::float8 AS confidence, contributors, meta, received_at, backfilled
         FROM ml.consensus_latest WHERE owner = $1 AND symbol = $2 ORDER BY bar_ts`,
        [owner, symbol],
      );
      const backfilled = rows.filter((r) => r.backfilled);
      assert.ok(expected.size > 10, `${expected.size} bars with calls`);
      assert.equal(report.consensus, expected.size - 1, 'a consensus for every bar with calls but the live one');
      assert.equal(backfilled.length, expected.size - 1);
      for (const r of backfilled) {
        const e = expected.get(r.bar_ts);
        assert.deepEqual(
          { decision: r.decision, confidence: r.confidence, contributors: r.contributors },
          { decision: e?.decision, confidence: e?.confidence, contributors: e?.contributors },
          r.bar_ts,
        );
        assert.equal(r.meta.backfilled, true, 'marked backfilled for the page');
        assert.equal(r.received_at, r.bar_ts, 'made at its bar, like the backfilled signals');
      }
      const live = rows.find((r) => r.bar_ts === liveBar);
      assert.deepEqual([live?.decision, live?.backfilled], ['NEUTRAL', false]);
      assert.equal(await events(), eventsBefore, 'history is not news: no consensus event for the live stream');

      // Inside the delay, yet an anonymous visitor reads every backfilled row (not the live one).
      const anonymous = await t.db.asRequest({ role: 'anon', claims: {} }, (tx) =>
        repos.consensus.findVisible(tx, { symbol, tf: '1m', limit: 1000 }),
      );
      assert.equal(anonymous.rows.length, backfilled.length, 'every backfilled row, not the live one inside the delay');
      assert.deepEqual(
        anonymous.rows.filter((r) => r.live === true || r.meta.backfilled !== true),
        [],
        'shown as backfilled history, not live',
      );
      // A live consensus later stored on time for a backfilled bar replaces it and is delayed again.
      const bar = backfilled.at(-1)?.bar_ts as string;
      await repos.consensus.store(
        t.db,
        [
          {
            owner,
            symbol,
            timeframe: '1m',
            bar_ts: bar,
            decision: 'BUY',
            confidence: 0.9,
            contributors: [{ model_id: 'fake-trend', decision: 'BUY', confidence: 0.9, weight: 1 }],
            meta: {},
          },
        ],
        { receivedAtMs: Date.parse(bar) + 1_000 },
      );
      const [replaced] = await t.db.query<{ backfilled: boolean }>(
        'SELECT backfilled FROM ml.consensus_latest WHERE owner = $1 AND symbol = $2 AND bar_ts = $3',
        [owner, symbol, bar],
      );
      assert.equal(replaced?.backfilled, false);
    });
  });
}
