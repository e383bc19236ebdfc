// The orchestrator against the real api on loopback (`startTestApi`, over this file's database) and the model worker's
// double: what the api stores, refuses (401, 409 after the close) and logs is what the assertions read.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestApi } from '@neuronetiq/api/testing';
import { silentLogger } from '@neuronetiq/client';
import {
  idempotencyKeyFor,
  type SignalPayload,
  type StoredConsensus,
  type StoredSignal,
  type Timeframe,
  type TrackRecord,
  type WorkerBarInput,
} from '@neuronetiq/contracts';
import { repos } from '@neuronetiq/db';
import { createTestDatabase, type TestDatabase, testBackends } from '@neuronetiq/db/testing';
import { createManualClock } from '@neuronetiq/service/clock';
import type { OrchestratorConfigInput } from './config';
import { computeConsensus } from './consensus/compute-consensus';
import { createOrchestrator, type OrchestratorDeps } from './orchestrator';
import { FAKE_MODELS, fakePredictions, startFakeWorker, walkBars } from './testing/fake-worker';

const KEY = 'test-service-role-key-0123456789';
const T = Date.parse('2025-01-06T10:05:00Z'); // a Monday bar close
const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

for (const backend of testBackends()) {
  describe(`orchestrator on ${backend}`, () => {
    let tdb: TestDatabase;
    before(async () => {
      tdb = await createTestDatabase(backend);
    });
    after(async () => {
      await tdb?.close();
    });

    // Every test starts from empty tables: the real api on loopback and this database are shared by the file's tests.
    async function reset(): Promise<void> {
      await tdb.db.query(
        `TRUNCATE ml.signals_latest, ml.consensus_latest, ml.signal_scores, market.ohlcv, market.rollup_dirty,
                  ml.ingest_outbox, app.idempotency_keys, ml.models CASCADE`,
      );
    }

    /** Bars as a data feed writes them: straight into the database the api reads. */
    async function addBars(symbol: string, timeframe: Timeframe, bars: readonly WorkerBarInput[]): Promise<void> {
      await repos.ohlcv.upsert(
        tdb.db,
        bars.map((b) => ({ ...b, volume: b.volume ?? null, symbol, timeframe })),
      );
    }

    /** The stored signals, keyed `owner/model/symbol/tf/bar_ts`. */
    async function signals(): Promise<Map<string, StoredSignal>> {
      const rows = await repos.signals.find(tdb.db, { limit: 10_000 });
      return new Map(rows.map((s) => [`${s.owner}/${s.model_id}/${s.symbol}/${s.timeframe}/${s.bar_ts}`, s]));
    }

    /** The stored consensus rows, keyed `owner/symbol/tf/bar_ts`. */
    async function consensus(): Promise<Map<string, StoredConsensus>> {
      const rows = await repos.consensus.find(tdb.db, { limit: 10_000 });
      return new Map(rows.map((c) => [`${c.owner}/${c.symbol}/${c.timeframe}/${c.bar_ts}`, c]));
    }

    /**
     * Scores at the 1-bar horizon that make GET /api/performance answer each record: `resolved` scored calls on
     * consecutive past bars, the newest `hits` of them right.
     */
    async function addTrackRecords(
      ...records: Pick<TrackRecord, 'owner' | 'model_id' | 'symbol' | 'resolved' | 'hits'>[]
    ) {
      for (const r of records) {
        await tdb.db.query(
          `INSERT INTO ml.signal_scores (owner, model_id, symbol, timeframe, bar_ts, horizon_bars, decision, confidence,
             received_at, entry_bar_ts, entry_close, exit_bar_ts, exit_close, hit)
           SELECT $1, $2, $3, '1m', t, 1, 'BUY', 0.6, t, t + interval '1 minute', 1, t + interval '2 minutes', 1, g <= $5
           FROM generate_series(1, $4::int) g, LATERAL (SELECT $6::timestamptz - g * interval '1 minute' AS t) x`,
          [r.owner, r.model_id, r.symbol, r.resolved, r.hits, iso(T - 3 * MIN)],
        );
      }
    }

    async function setup(
      over: Partial<OrchestratorConfigInput> = {},
      startMs = T + 2_000,
      deps: Partial<OrchestratorDeps> = {},
    ) {
      const clock = createManualClock(startMs);
      await reset();
      const api = await startTestApi({ db: tdb.db, serviceRoleKey: KEY, now: clock.now });
      const worker = await startFakeWorker();
      const config: OrchestratorConfigInput = {
        owner: 'pacey999',
        series: [
          { symbol: 'EURUSD', timeframe: '1m' },
          { symbol: 'GBPUSD', timeframe: '1m' },
        ],
        infraApiUrl: api.url,
        workerUrl: worker.url,
        serviceRoleKey: KEY,
        databaseUrl: tdb.url,
        settleMs: 2_000,
        catchUpBars: 0,
        windowBars: 20,
        retry: { attempts: 3, baseMs: 1, maxMs: 2 },
        host: '127.0.0.1',
        port: 0,
        metricsPort: 0,
        ...over,
      };
      const orch = createOrchestrator(config, { clock, db: tdb.db, logger: silentLogger, ...deps });
      const close = async () => {
        await orch.stop();
        await api.close();
        await worker.close();
      };
      return { clock, api, worker, orch, close };
    }

    const seed = async (lastBarMs: number, count = 30) => {
      await addBars('EURUSD', '1m', walkBars('1m', lastBarMs, count, 7));
      await addBars('GBPUSD', '1m', walkBars('1m', lastBarMs, count, 11));
    };

    test('at a bar close it stores every model signal FOR the bar now opening, on time, then the consensus', async () => {
      const { orch, close } = await setup();
      try {
        await seed(T - MIN);
        const reports = await orch.tick();
        assert.equal(reports.length, 1);
        assert.equal(reports[0]?.barTs, iso(T));
        assert.equal((await signals()).size, 2 * FAKE_MODELS.length);
        for (const symbol of ['EURUSD', 'GBPUSD']) {
          const window = walkBars('1m', T - MIN, 30, symbol === 'EURUSD' ? 7 : 11).slice(-20);
          const expected = fakePredictions(window);
          for (const p of expected) {
            assert.ok(!('error' in p));
            const s = (await signals()).get(`pacey999/${p.model_id}/${symbol}/1m/${iso(T)}`);
            assert.ok(s, `signal of ${p.model_id} for ${symbol}`);
            assert.equal(s.decision, p.decision);
            assert.equal(s.confidence, p.confidence);
            assert.equal(s.late, false);
          }
          const c = (await consensus()).get(`pacey999/${symbol}/1m/${iso(T)}`);
          assert.ok(c);
          const want = computeConsensus(expected.map((p) => ({ ...p, meta: undefined }) as never));
          assert.equal(c.decision, want.decision);
          assert.equal(c.confidence, want.confidence);
          assert.deepEqual(c.contributors, want.contributors);
          assert.equal(c.late, false);
        }
        // Same time again: nothing is due.
        assert.deepEqual(await orch.tick(), []);
      } finally {
        await close();
      }
    });

    test('the consensus weighs each model by its track record on the series; too little history is weight 1', async () => {
      const { api, orch, close } = await setup({ trackRecordMinResolved: 20 });
      try {
        await seed(T - MIN);
        const record = (symbol: string, model_id: string, resolved: number, hits: number) => ({
          owner: 'pacey999',
          model_id,
          symbol,
          resolved,
          hits,
        });
        await addTrackRecords(
          record('EURUSD', 'fake-trend', 200, 150), // weight 2 × 151/202
          record('EURUSD', 'fake-revert', 200, 40), // weight 2 × 41/202
          record('EURUSD', 'fake-slow', 10, 10), // under 20 resolved: weight 1
          record('GBPUSD', 'fake-trend', 200, 20),
          record('OTHER', 'fake-trend', 200, 200),
        );
        await orch.tick();
        const eur = (await consensus()).get(`pacey999/EURUSD/1m/${iso(T)}`);
        assert.deepEqual(
          eur?.contributors.map((c) => [c.model_id, c.weight]),
          [
            ['fake-revert', (2 * 41) / 202],
            ['fake-slow', 1],
            ['fake-trend', (2 * 151) / 202],
          ],
        );
        const window = walkBars('1m', T - MIN, 30, 7).slice(-20);
        const votes = fakePredictions(window).map((p) => ({ ...p, meta: undefined }) as never);
        const want = computeConsensus(votes, {
          weights: { 'fake-trend': (2 * 151) / 202, 'fake-revert': (2 * 41) / 202 },
        });
        assert.equal(eur?.decision, want.decision);
        assert.equal(eur?.confidence, want.confidence);
        const gbp = (await consensus()).get(`pacey999/GBPUSD/1m/${iso(T)}`);
        assert.deepEqual(
          gbp?.contributors.map((c) => [c.model_id, c.weight]),
          [
            ['fake-revert', 1],
            ['fake-slow', 1],
            ['fake-trend', (2 * 21) / 202],
          ],
        );
        assert.equal(api.requests.filter((r) => r.path === '/api/performance').length, 1);
      } finally {
        await close();
      }
    });

    test('a cycle costs four requests per chunk of series: bars query, worker batch, signals batch, consensus batch', async () => {
      const series = Array.from({ length: 5 }, (_, i) => ({ symbol: `SYM${i}`, timeframe: '1m' as const }));
      const { api, worker, orch, close } = await setup({ series, workerBatchSeries: 2 });
      try {
        for (const [i, s] of series.entries()) await addBars(s.symbol, '1m', walkBars('1m', T - MIN, 30, i + 1));
        const [r] = await orch.tick();
        assert.equal(r?.signals.stored, 5 * FAKE_MODELS.length);
        assert.equal(r?.consensus.stored, 5);
        const count = (path: string) => api.requests.filter((x) => x.path === path).length;
        assert.equal(count('/api/marketdata/ohlcv/query'), 3);
        assert.equal(count('/api/signals/batch'), 3);
        assert.equal(count('/api/consensus/batch'), 3);
        assert.equal(count('/api/marketdata/ohlcv') + count('/api/signals/store') + count('/api/consensus/store'), 0);
        assert.equal(worker.calls(), 3);
        for (const p of ['barsMs', 'workerMs', 'signalsMs', 'consensusMs'] as const) {
          assert.ok((r?.phases[p] ?? 0) > 0, `${p} is measured`);
        }
      } finally {
        await close();
      }
    });

    test('a later close reads only the new bars (plus two it checks) and decides on the same window as a whole read', async () => {
      const { api, clock, orch, close } = await setup({ catchUpBars: 0 });
      try {
        await seed(T - MIN);
        await orch.tick();
        await addBars('EURUSD', '1m', walkBars('1m', T, 31, 7).slice(-1));
        await addBars('GBPUSD', '1m', walkBars('1m', T, 31, 11).slice(-1));
        await clock.advanceTo(T + MIN + 2_000);
        const [r] = await orch.tick();
        assert.equal(r?.signals.stored, 2 * FAKE_MODELS.length);
        const limits = api.requests
          .filter((x) => x.path === '/api/marketdata/ohlcv/query')
          .map((x) => (x.body as { limit: number }).limit);
        assert.deepEqual(limits, [20, 4], 'the whole window, then 1 new bar + 2 checked, rounded up to 4');
        for (const [symbol, seedOf] of [
          ['EURUSD', 7],
          ['GBPUSD', 11],
        ] as const) {
          const window = walkBars('1m', T, 31, seedOf).slice(-20);
          for (const p of fakePredictions(window)) {
            if ('error' in p) continue;
            assert.equal(
              (await signals()).get(`pacey999/${p.model_id}/${symbol}/1m/${iso(T + MIN)}`)?.confidence,
              p.confidence,
            );
          }
        }
      } finally {
        await close();
      }
    });

    test('a recent bar corrected in the database since the last close makes the series read whole again', async () => {
      const { api, clock, orch, close } = await setup({
        catchUpBars: 0,
        series: [{ symbol: 'EURUSD', timeframe: '1m' }],
      });
      try {
        await seed(T - MIN);
        await orch.tick();
        // The bar that closed at T is corrected, then the next bar arrives.
        const corrected = { bar_ts: iso(T - MIN), open: 1.1, high: 1.3, low: 1.1, close: 1.3, volume: 1 };
        await addBars('EURUSD', '1m', [corrected, { ...corrected, bar_ts: iso(T), close: 1.2, low: 1.1 }]);
        await clock.advanceTo(T + MIN + 2_000);
        await orch.tick();
        const limits = api.requests
          .filter((x) => x.path === '/api/marketdata/ohlcv/query')
          .map((x) => (x.body as { limit: number }).limit);
        assert.deepEqual(limits, [20, 4, 20]);
        const window = [
          ...walkBars('1m', T - MIN, 30, 7).slice(-19, -1),
          corrected,
          { ...corrected, bar_ts: iso(T), close: 1.2, low: 1.1 },
        ];
        for (const p of fakePredictions(window)) {
          if ('error' in p) continue;
          assert.equal(
            (await signals()).get(`pacey999/${p.model_id}/EURUSD/1m/${iso(T + MIN)}`)?.confidence,
            p.confidence,
          );
        }
      } finally {
        await close();
      }
    });

    test('with the bar cache off every close reads the whole window', async () => {
      const { api, clock, orch, close } = await setup({ catchUpBars: 0, barCacheRefreshCloses: 0 });
      try {
        await seed(T - MIN);
        await orch.tick();
        await addBars('EURUSD', '1m', walkBars('1m', T, 31, 7).slice(-1));
        await clock.advanceTo(T + MIN + 2_000);
        await orch.tick();
        const limits = api.requests
          .filter((x) => x.path === '/api/marketdata/ohlcv/query')
          .map((x) => (x.body as { limit: number }).limit);
        assert.deepEqual(limits, [20, 20]);
      } finally {
        await close();
      }
    });

    test('single-store mode sends one request per signal and per consensus, each with its idempotency key', async () => {
      const { api, orch, close } = await setup({ signalStoreMode: 'single' });
      try {
        await seed(T - MIN);
        const [r] = await orch.tick();
        assert.equal(r?.signals.stored, 2 * FAKE_MODELS.length);
        assert.equal(r?.consensus.stored, 2);
        const count = (path: string) => api.requests.filter((x) => x.path === path).length;
        assert.equal(count('/api/signals/store'), 2 * FAKE_MODELS.length);
        assert.equal(count('/api/consensus/store'), 2);
        assert.equal(count('/api/signals/batch') + count('/api/consensus/batch'), 0);
        for (const c of (await consensus()).values()) assert.equal(api.deliveries.get(idempotencyKeyFor(c)), 1);
      } finally {
        await close();
      }
    });

    test('an api without the bars query and consensus batch routes gets per-series reads and per-item stores', async () => {
      const clock = createManualClock(T + 2_000);
      await reset();
      const api = await startTestApi({
        db: tdb.db,
        serviceRoleKey: KEY,
        now: clock.now,
        withoutRoutes: ['/api/marketdata/ohlcv/query', '/api/consensus/batch'],
      });
      const worker = await startFakeWorker();
      const orch = createOrchestrator(
        {
          owner: 'pacey999',
          series: [
            { symbol: 'EURUSD', timeframe: '1m' },
            { symbol: 'GBPUSD', timeframe: '1m' },
          ],
          infraApiUrl: api.url,
          workerUrl: worker.url,
          serviceRoleKey: KEY,
          databaseUrl: tdb.url,
          catchUpBars: 0,
          windowBars: 20,
          retry: { attempts: 3, baseMs: 1, maxMs: 2 },
        },
        { clock, db: tdb.db, logger: silentLogger },
      );
      try {
        await seed(T - MIN);
        const [r] = await orch.tick();
        assert.equal(r?.signals.stored, 2 * FAKE_MODELS.length);
        assert.equal(r?.consensus.stored, 2);
        const count = (path: string) => api.requests.filter((x) => x.path === path).length;
        assert.equal(count('/api/marketdata/ohlcv'), 2);
        assert.equal(count('/api/consensus/store'), 2);
        assert.equal((await consensus()).size, 2);
      } finally {
        await orch.stop();
        await api.close();
        await worker.close();
      }
    });

    test('nothing runs before close + settle; the next close runs once its bar is there', async () => {
      const { clock, orch, close } = await setup({}, T + 2_000);
      try {
        await seed(T - MIN);
        await orch.tick();
        await clock.advanceTo(T + MIN + 1_999);
        assert.deepEqual(await orch.tick(), []);
        await addBars('EURUSD', '1m', walkBars('1m', T, 31, 7).slice(-1));
        await clock.advanceTo(T + MIN + 2_000);
        const [r] = await orch.tick();
        assert.equal(r?.barTs, iso(T + MIN));
        // GBPUSD has no bar that closed at T + 1m: no decision for it, and it is not retried.
        assert.deepEqual(
          r?.noBar.map((s) => s.symbol),
          ['GBPUSD'],
        );
        assert.ok((await signals()).has(`pacey999/fake-trend/EURUSD/1m/${iso(T + MIN)}`));
        assert.ok(!(await signals()).has(`pacey999/fake-trend/GBPUSD/1m/${iso(T + MIN)}`));
      } finally {
        await close();
      }
    });

    test('the loop sleeps until close + settle on the injected clock, then runs the cycle', async () => {
      const { clock, orch, close } = await setup({ leaderPollMs: 60 * MIN }, T + 2_000);
      try {
        await seed(T);
        const cycles: string[] = [];
        orch.onCycle((r) => cycles.push(r.barTs));
        await orch.start();
        // The first cycle (close T) runs at once on becoming leader.
        await waitFor(() => cycles.length === 1);
        await clock.advanceTo(T + MIN + 1_999);
        assert.equal(cycles.length, 1);
        await clock.advanceTo(T + MIN + 2_000);
        await waitFor(() => cycles.length === 2);
        assert.deepEqual(cycles, [iso(T), iso(T + MIN)]);
      } finally {
        await close();
      }
    });

    test('an unexpected error in a cycle does not spin the loop: the close is tried again after failedSeriesRetryMs', async () => {
      let reads = 0;
      const { clock, orch, close } = await setup({ leaderPollMs: 60 * MIN, failedSeriesRetryMs: 5_000 }, T + 2_000, {
        // A weight the consensus refuses makes the cycle throw after the bars and predictions were had.
        weights: async () => {
          reads++;
          return () => ({ 'fake-trend': -1 });
        },
      });
      try {
        await seed(T);
        await orch.start();
        await waitFor(() => reads === 1);
        // The manual clock stands still: a loop that retried at once would run hundreds of cycles in this time.
        await new Promise((r) => setTimeout(r, 300));
        assert.equal(reads, 1);
        assert.deepEqual(clock.pending(), [T + 2_000 + 5_000]);
        await clock.advance(5_000);
        await waitFor(() => reads === 2);
        assert.equal((await signals()).size, 0, 'nothing half-stored');
      } finally {
        await close();
      }
    });

    test('after a restart it catches up the last closes (late ones flagged); a re-run changes nothing', async () => {
      const { api, worker, clock, close } = await setup({ catchUpBars: 3 }, T + 2_000);
      try {
        await seed(T - MIN);
        const first = createOrchestrator(
          {
            owner: 'pacey999',
            series: [{ symbol: 'EURUSD', timeframe: '1m' }],
            infraApiUrl: api.url,
            workerUrl: worker.url,
            serviceRoleKey: KEY,
            databaseUrl: tdb.url,
            catchUpBars: 3,
            windowBars: 20,
            retry: { attempts: 1, baseMs: 1, maxMs: 1 },
          },
          { clock, db: tdb.db, logger: silentLogger },
        );
        const reports = await first.tick();
        assert.deepEqual(
          reports.map((r) => r.barTs),
          [T - 3 * MIN, T - 2 * MIN, T - MIN, T].map(iso),
        );
        const late = [...(await signals()).values()].filter((s) => s.late).map((s) => s.bar_ts);
        assert.equal(late.length, 3 * FAKE_MODELS.length, 'the three past closes are late');
        assert.ok(!late.includes(iso(T)));
        const stored = (await signals()).size;
        // A restarted orchestrator re-runs the same window: every signal is unchanged, none is rejected.
        const again = createOrchestrator(first.config, { clock, db: tdb.db, logger: silentLogger });
        const rerun = await again.tick();
        assert.equal((await signals()).size, stored);
        const totals = rerun.reduce(
          (a, r) => ({
            unchanged: a.unchanged + r.signals.unchanged,
            other: a.other + r.signals.stored + r.signals.rejected + r.signals.immutable,
          }),
          { unchanged: 0, other: 0 },
        );
        assert.deepEqual(totals, { unchanged: 4 * FAKE_MODELS.length, other: 0 });
      } finally {
        await close();
      }
    });

    test('api unreachable mid-cycle: every signal and consensus is parked in the outbox with its idempotency key', async () => {
      const { api, orch, close } = await setup();
      try {
        await seed(T - MIN);
        // The bars are read, then the api dies as the first write arrives.
        api.onRequest((_method, path) => {
          if (path.startsWith('/api/signals') || path.startsWith('/api/consensus')) api.setMode('refuse');
        });
        const [r] = await orch.tick();
        assert.equal(r?.signals.outboxed, 2 * FAKE_MODELS.length);
        assert.equal(r?.consensus.outboxed, 2);
        const items = await repos.outbox.list(tdb.db, { limit: 100 });
        assert.equal(items.length, 2 * FAKE_MODELS.length + 2);
        for (const item of items) {
          assert.equal(item.status, 'pending');
          assert.equal(item.idempotency_key, idempotencyKeyFor(item.payload as SignalPayload));
          assert.equal((item.payload as SignalPayload).bar_ts, iso(T));
        }
        assert.equal((await signals()).size, 0);
        assert.equal(orch.status().unparked, 0);
      } finally {
        await close();
      }
    });

    test('a worker outage fails the series, which is retried later and produced once the worker is back', async () => {
      const { worker, clock, orch, close } = await setup({ failedSeriesRetryMs: 5_000 });
      try {
        await seed(T - MIN);
        worker.setMode('error503');
        const [r] = await orch.tick();
        assert.equal(r?.failed.length, 2);
        assert.equal((await signals()).size, 0);
        worker.setMode('up');
        await clock.advance(4_999);
        assert.deepEqual(await orch.tick(), []);
        await clock.advance(1);
        const [again] = await orch.tick();
        assert.equal(again?.barTs, iso(T));
        assert.equal(again?.signals.stored, 2 * FAKE_MODELS.length);
      } finally {
        await close();
      }
    });

    test('refused credentials are not retried at once; the series is tried again later', async () => {
      const { api, orch, close } = await setup({ serviceRoleKey: 'a-wrong-service-role-key-000000' });
      try {
        await seed(T - MIN);
        const [r] = await orch.tick();
        // The wrong key fails the bars read: nothing generated, nothing parked, the series is retried later.
        assert.equal(r?.failed.length, 2);
        const reads = api.requests.filter((x) => x.path === '/api/marketdata/ohlcv/query').length;
        assert.equal(reads, 1, 'a 401 is not retried at once');
        assert.equal((await repos.outbox.counts(tdb.db)).pending, 0);
      } finally {
        await close();
      }
    });

    test('a re-run after the bar closed that would rewrite history is refused (409) and not parked', async () => {
      const { clock, orch, close } = await setup();
      try {
        await seed(T - MIN);
        await orch.tick();
        const before = new Map([...(await signals())].map(([k, v]) => [k, v.decision]));
        // The closed bar is corrected afterwards, and a fresh orchestrator re-runs that close once the bar it was
        // FOR has closed too: decisions that differ must not replace what was published on time.
        await addBars('EURUSD', '1m', [
          { bar_ts: iso(T - MIN), open: 1.1, high: 1.3, low: 1.1, close: 1.3, volume: 1 },
        ]);
        await addBars('GBPUSD', '1m', [
          { bar_ts: iso(T - MIN), open: 1.1, high: 1.1, low: 0.9, close: 0.9, volume: 1 },
        ]);
        await clock.advanceTo(T + MIN + 1_000);
        const rerun = createOrchestrator(
          { ...orch.config, catchUpBars: 1 },
          { clock, db: tdb.db, logger: silentLogger },
        );
        const r = (await rerun.tick()).find((x) => x.barTs === iso(T));
        assert.ok(r, 'the close at T is re-run');
        assert.ok((r?.signals.immutable ?? 0) > 0, 'some decisions changed and were refused');
        assert.equal(r?.signals.outboxed, 0);
        assert.equal((await repos.outbox.counts(tdb.db)).pending, 0);
        for (const [k, d] of before) assert.equal((await signals()).get(k)?.decision, d, k);
      } finally {
        await close();
      }
    });

    test('/health reports the role and the last cycle; /metrics counts signals and cycles', async () => {
      const { orch, close } = await setup();
      try {
        await seed(T);
        const { port, metricsPort } = await orch.start();
        await waitFor(() => orch.status().lastCycle !== undefined);
        const health = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as Record<string, unknown>;
        assert.equal(health.status, 'ok');
        assert.equal(health.role, 'leader');
        assert.equal((health.last_cycle as { bar_close: string }).bar_close, iso(T));
        const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
        assert.match(metrics, new RegExp(`orchestrator_signals_total\\{result="stored"\\} ${2 * FAKE_MODELS.length}`));
        assert.match(metrics, /orchestrator_cycle_duration_seconds_count 1/);
        assert.match(metrics, /orchestrator_is_leader 1/);
        assert.match(metrics, /orchestrator_worker_request_duration_seconds_count 1/);
      } finally {
        await close();
      }
    });
  });
}

async function waitFor(cond: () => boolean, timeoutMs = 5_000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
