import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestApi } from '@neuronetiq/api/testing';
import { silentLogger } from '@neuronetiq/client';
import { TIMEFRAME_MS } from '@neuronetiq/contracts';
import { repos } from '@neuronetiq/db';
import { createTestDatabase, type TestDatabase, testBackends } from '@neuronetiq/db/testing';
import { createOrchestrator } from '../orchestrator';
import { FAKE_MODELS, startFakeWorker, walkBars } from '../testing/fake-worker';
import { createLeaderLock, isSharedSessionBackend } from './leader-lock';

const KEY = 'test-service-role-key-0123456789';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<number> {
  const start = Date.now();
  while (!(await cond())) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await sleep(10);
  }
  return Date.now() - start;
}

for (const backend of testBackends()) {
  describe(`leader election on ${backend}`, () => {
    let tdb: TestDatabase;
    before(async () => {
      tdb = await createTestDatabase(backend);
    });
    after(async () => {
      await tdb?.close();
    });

    const terminate = (instance: string) =>
      tdb.db.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [
        `orchestrator-leader:${instance}`,
      ]);

    test(`the backend is detected as ${backend === 'pglite' ? 'one shared session' : 'one session per connection'}`, async () => {
      assert.equal(await isSharedSessionBackend(tdb.url), backend === 'pglite');
      const lock = await createLeaderLock({ databaseUrl: tdb.url, instanceId: 'probe', leaseMs: 1000 });
      assert.equal(lock.mode, backend === 'pglite' ? 'lease' : 'advisory');
      await lock.release();
    });

    test('only one instance holds the lock; a standby takes over when the holder dies', async () => {
      const a = await createLeaderLock({ databaseUrl: tdb.url, instanceId: 'lock-a', leaseMs: 400 });
      const b = await createLeaderLock({ databaseUrl: tdb.url, instanceId: 'lock-b', leaseMs: 400 });
      try {
        assert.equal(await a.tryAcquire(), true);
        assert.equal(await b.tryAcquire(), false);
        assert.equal(await a.confirm(), true);
        assert.equal(await b.tryAcquire(), false);
        // A dies: on PostgreSQL its session ends; on the embedded database it simply stops renewing its lease.
        if (a.mode === 'advisory') await terminate('lock-a');
        else assert.equal(await b.tryAcquire(), false, 'the lease is still valid');
        const took = await waitFor(() => b.tryAcquire());
        if (a.mode === 'lease') assert.ok(took >= 250, `took over after ${took} ms, not before the lease expired`);
        assert.equal(await a.confirm(), false, 'the old holder knows it lost the lock');
        assert.equal(await a.tryAcquire(), false);
      } finally {
        await a.release();
        await b.release();
      }
    });

    test('release hands the lock over at once', async () => {
      const a = await createLeaderLock({ databaseUrl: tdb.url, instanceId: 'rel-a', leaseMs: 60_000 });
      const b = await createLeaderLock({ databaseUrl: tdb.url, instanceId: 'rel-b', leaseMs: 60_000 });
      try {
        assert.equal(await a.tryAcquire(), true);
        assert.equal(await b.tryAcquire(), false);
        await a.release();
        assert.equal(await b.tryAcquire(), true);
      } finally {
        await a.release();
        await b.release();
      }
    });

    test('hot standby: a second orchestrator waits, then takes over and resumes without duplicating', async () => {
      const api = await startTestApi({ db: tdb.db, serviceRoleKey: KEY });
      const worker = await startFakeWorker();
      const lastBar = Math.floor(Date.now() / TIMEFRAME_MS['1h']) * TIMEFRAME_MS['1h'] - TIMEFRAME_MS['1h'];
      await repos.ohlcv.upsert(
        tdb.db,
        walkBars('1h', lastBar, 30, 3).map((b) => ({
          ...b,
          volume: b.volume ?? null,
          symbol: 'EURUSD',
          timeframe: '1h' as const,
        })),
      );
      const stored = async () => (await repos.signals.find(tdb.db, { limit: 1_000 })).length;
      const config = {
        owner: 'pacey999',
        series: [{ symbol: 'EURUSD', timeframe: '1h' as const }],
        infraApiUrl: api.url,
        workerUrl: worker.url,
        serviceRoleKey: KEY,
        databaseUrl: tdb.url,
        settleMs: 0,
        catchUpBars: 0,
        windowBars: 20,
        host: '127.0.0.1',
        port: 0,
        metricsPort: 0,
        leaderPollMs: 50,
        // Long enough that a loaded machine's event-loop stalls do not expire the leader's lease mid-test; the
        // embedded take-over below follows an explicit stop, which releases the lease at once.
        leaderLeaseMs: 5_000,
      };
      const first = createOrchestrator(config, { logger: silentLogger, instanceId: 'orch-a' });
      const second = createOrchestrator(config, { logger: silentLogger, instanceId: 'orch-b' });
      const cyclesB: number[] = [];
      second.onCycle((r) => cyclesB.push(r.signals.stored));
      try {
        await first.start();
        await waitFor(() => first.status().lastCycle !== undefined);
        await second.start();
        await sleep(300);
        assert.equal(first.status().role, 'leader');
        assert.equal(second.status().role, 'standby');
        assert.equal(cyclesB.length, 0, 'the standby does not run cycles');
        assert.equal(await stored(), FAKE_MODELS.length);

        if (backend === 'postgres') {
          // The leader's session dies (as when its machine goes away): the standby takes over, the old one stands by.
          await terminate('orch-a');
          await waitFor(() => second.status().role === 'leader');
          await waitFor(() => first.status().role === 'standby');
        } else {
          await first.stop();
          await waitFor(() => second.status().role === 'leader');
        }
        await waitFor(() => cyclesB.length === 1);
        assert.deepEqual(cyclesB, [0], 'the new leader re-ran the close: every signal unchanged, none stored twice');
        assert.equal(await stored(), FAKE_MODELS.length);
      } finally {
        await first.stop();
        await second.stop();
        await api.close();
        await worker.close();
      }
    });
  });
}
