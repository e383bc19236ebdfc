import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestApi } from '@neuronetiq/api/testing';
import { createApiClient, silentLogger } from '@neuronetiq/client';
import { repos } from '@neuronetiq/db';
import { createTestDatabase, type TestDatabase, testBackends } from '@neuronetiq/db/testing';
import { createOrchestrator } from '@neuronetiq/orchestrator';
import { FAKE_MODELS, startFakeWorker, walkBars } from '@neuronetiq/orchestrator/testing';
import { createManualClock } from '@neuronetiq/service/clock';
import { createCron } from '../cron';

const KEY = 'test-service-role-key-0123456789';
const T = Date.parse('2025-01-06T10:05:00Z');
const MIN = 60_000;

for (const backend of testBackends()) {
  describe(`api outage on ${backend}`, () => {
    let tdb: TestDatabase;
    before(async () => {
      tdb = await createTestDatabase(backend);
    });
    after(async () => {
      await tdb?.close();
    });

    test('api unreachable mid-cycle: items go to the outbox, the cron drains them later, every item arrives once', async () => {
      const clock = createManualClock(T + 2_000);
      const api = await startTestApi({ db: tdb.db, serviceRoleKey: KEY, now: clock.now });
      const worker = await startFakeWorker();
      const symbols = ['EURUSD', 'GBPUSD', 'USDJPY'];
      const client = createApiClient({ baseUrl: api.url, token: KEY, timeoutMs: 5_000 });
      for (const [i, symbol] of symbols.entries()) {
        await client.upsertBars(
          walkBars('1m', T - MIN, 30, i + 1).map((b) => ({ ...b, symbol, timeframe: '1m' as const })),
        );
      }
      const stored = async () => {
        const [row] = await tdb.db.query<{ signals: number; consensus: number; late: number }>(
          `SELECT (SELECT count(*) FROM ml.signals_latest)::int AS signals,
                  (SELECT count(*) FROM ml.consensus_latest)::int AS consensus,
                  (SELECT count(*) FROM ml.signals_latest WHERE late)::int AS late`,
        );
        return row ?? { signals: -1, consensus: -1, late: -1 };
      };
      const orchestrator = createOrchestrator(
        {
          owner: 'pacey999',
          series: symbols.map((symbol) => ({ symbol, timeframe: '1m' as const })),
          infraApiUrl: api.url,
          workerUrl: worker.url,
          serviceRoleKey: KEY,
          databaseUrl: tdb.url,
          catchUpBars: 0,
          windowBars: 20,
          retry: { attempts: 2, baseMs: 1, maxMs: 1 },
        },
        { clock, db: tdb.db, logger: silentLogger },
      );
      const cron = createCron(
        {
          infraApiUrl: api.url,
          serviceRoleKey: KEY,
          databaseUrl: tdb.url,
          drain: { backoff: { baseMs: 1, maxMs: 1 } },
          listen: false,
        },
        { clock, db: tdb.db, logger: silentLogger },
      );
      try {
        // The api dies as the first write of the cycle arrives (the bars query before it is a read).
        api.onRequest((_method, path) => {
          if (path.startsWith('/api/signals') || path.startsWith('/api/consensus')) api.setMode('refuse');
        });
        const [report] = await orchestrator.tick();
        const expectedSignals = symbols.length * FAKE_MODELS.length;
        assert.equal(report?.signals.outboxed, expectedSignals);
        assert.equal(report?.consensus.outboxed, symbols.length);
        assert.deepEqual(await stored(), { signals: 0, consensus: 0, late: 0 });

        // While the api is down the cron keeps them.
        const down = await cron.drainNow();
        assert.equal(down.delivered, 0);
        assert.equal((await repos.outbox.counts(tdb.db)).pending, expectedSignals + symbols.length);

        // The api is back (still before the bar closes): the next drain delivers everything.
        api.onRequest(undefined);
        api.setMode('up');
        await tdb.db.query(`UPDATE ml.ingest_outbox SET next_attempt_at = now()`);
        const up = await cron.drainNow();
        assert.equal(up.delivered, expectedSignals + symbols.length);
        assert.deepEqual(await stored(), { signals: expectedSignals, consensus: symbols.length, late: 0 });
        for (const n of api.deliveries.values()) assert.equal(n, 1);
        assert.deepEqual(await repos.outbox.counts(tdb.db), { pending: 0, dead: 0 });
      } finally {
        await cron.stop();
        await orchestrator.stop();
        await api.close();
        await worker.close();
      }
    });
  });
}
