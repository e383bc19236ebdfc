import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestApi } from '@neuronetiq/api/testing';
import { createApiClient, type Logger, silentLogger } from '@neuronetiq/client';
import type { SignalPayload } from '@neuronetiq/contracts';
import { idempotencyKeyFor } from '@neuronetiq/contracts';
import { repos } from '@neuronetiq/db';
import { createTestDatabase, type TestDatabase, testBackends } from '@neuronetiq/db/testing';
import { createCronMetrics } from '../metrics';
import { createOutboxDrainer, type DrainOptions } from './drain-outbox';

const KEY = 'test-service-role-key-0123456789';
const BAR = Date.parse('2026-01-06T10:00:00Z');
/** The api's clock unless a test moves it: two seconds into BAR, so every signal is on time and none immutable yet. */
const ON_TIME = () => BAR + 2_000;

function signal(i: number, bar = BAR): SignalPayload {
  return {
    owner: 'pacey999',
    model_id: `model-${i % 7}`,
    symbol: `SYM${Math.floor(i / 7)}`,
    timeframe: '1m',
    bar_ts: new Date(bar).toISOString(),
    decision: i % 2 ? 'BUY' : 'SELL',
    confidence: 0.5,
    meta: { i },
  };
}

function recordingLogger() {
  const errors: { obj: object; msg?: string }[] = [];
  const logger: Logger = { ...silentLogger, error: (obj, msg) => void errors.push({ obj, msg }) };
  logger.debug = () => {};
  logger.info = () => {};
  logger.warn = () => {};
  return { logger, errors };
}

const options: DrainOptions = {
  batchSize: 20,
  leaseMs: 30_000,
  concurrency: 4,
  maxAttempts: 3,
  backoff: { baseMs: 1, maxMs: 1 },
};

for (const backend of testBackends()) {
  describe(`outbox drain on ${backend}`, () => {
    let tdb: TestDatabase;
    before(async () => {
      tdb = await createTestDatabase(backend);
    });
    after(async () => {
      await tdb?.close();
    });

    async function enqueue(payloads: SignalPayload[]) {
      await tdb.db.query('DELETE FROM ml.ingest_outbox');
      // The api's own records of earlier tests' deliveries: each test starts from an api that has seen nothing.
      await tdb.db.query(`DELETE FROM ml.signals_latest WHERE owner = 'pacey999'`);
      await tdb.db.query('DELETE FROM app.idempotency_keys');
      for (const p of payloads)
        await repos.outbox.enqueue(tdb.db, { kind: 'signal', payload: p, idempotencyKey: idempotencyKeyFor(p) });
    }

    test('two cron instances draining one outbox deliver every item exactly once', async () => {
      const api = await startTestApi({ db: tdb.db, serviceRoleKey: KEY, now: ON_TIME });
      try {
        const payloads = Array.from({ length: 120 }, (_, i) => signal(i));
        await enqueue(payloads);
        const client = () => createApiClient({ baseUrl: api.url, token: KEY, timeoutMs: 5_000 });
        const make = () =>
          createOutboxDrainer(options, {
            db: tdb.db,
            api: client(),
            logger: silentLogger,
            metrics: createCronMetrics(),
          });
        const [a, b] = [make(), make()];
        const totals = { a: 0, b: 0 };
        // Both drain at the same time, round after round, until the outbox is empty.
        await Promise.all([
          (async () => {
            for (let r = await a.drainOnce(); r.delivered > 0; r = await a.drainOnce()) totals.a += r.delivered;
          })(),
          (async () => {
            for (let r = await b.drainOnce(); r.delivered > 0; r = await b.drainOnce()) totals.b += r.delivered;
          })(),
        ]);
        assert.equal(totals.a + totals.b, payloads.length);
        assert.ok(totals.a > 0 && totals.b > 0, `both instances worked (${totals.a} + ${totals.b})`);
        assert.equal(api.deliveries.size, payloads.length);
        for (const p of payloads) assert.equal(api.deliveries.get(idempotencyKeyFor(p)), 1, idempotencyKeyFor(p));
        assert.deepEqual(await repos.outbox.counts(tdb.db), { pending: 0, dead: 0 });
      } finally {
        await api.close();
      }
    });

    test('a transient failure backs off with jitter; after maxAttempts the item is dead and counted', async () => {
      const api = await startTestApi({ db: tdb.db, serviceRoleKey: KEY, now: ON_TIME });
      api.setMode('error503');
      try {
        await enqueue([signal(1)]);
        const metrics = createCronMetrics();
        const { logger, errors } = recordingLogger();
        const slow = createOutboxDrainer(
          { ...options, maxAttempts: 3, backoff: { baseMs: 60_000, maxMs: 600_000 } },
          {
            db: tdb.db,
            api: createApiClient({ baseUrl: api.url, token: KEY, timeoutMs: 5_000 }),
            logger,
            metrics,
            random: () => 0.5,
          },
        );
        const r1 = await slow.drainOnce();
        assert.deepEqual(r1, { delivered: 0, retried: 1, dead: 0, deferred: 0 });
        const [item] = await tdb.db.query<{ attempts: number; wait_s: number; status: string; last_error: string }>(
          `SELECT attempts, extract(epoch FROM next_attempt_at - updated_at)::float8 AS wait_s, status, last_error
           FROM ml.ingest_outbox`,
        );
        assert.equal(item?.attempts, 1);
        assert.equal(item?.status, 'pending');
        assert.match(item?.last_error ?? '', /503/);
        // First retry step 60 s, half kept plus half of the other half (random 0.5): 45 s.
        assert.ok(Math.abs((item?.wait_s ?? 0) - 45) < 1, `waits ${item?.wait_s} s`);
        // Not due yet: another pass leaves it alone.
        assert.deepEqual(await slow.drainOnce(), { delivered: 0, retried: 0, dead: 0, deferred: 0 });

        // Make it due twice more: the third failed attempt is the last.
        for (let attempt = 2; attempt <= 3; attempt++) {
          await tdb.db.query(`UPDATE ml.ingest_outbox SET next_attempt_at = now() - interval '1 second'`);
          await slow.drainOnce();
        }
        const [dead] = await repos.outbox.list(tdb.db, { limit: 10 });
        assert.equal(dead?.status, 'dead');
        assert.equal(dead?.attempts, 3);
        assert.deepEqual(await repos.outbox.counts(tdb.db), { pending: 0, dead: 1 });
        const text = await metrics.registry.metrics();
        assert.match(text, /cron_outbox_dead_letters_total\{kind="signal",reason="exhausted"\} 1/);
        assert.match(text, /cron_outbox_items\{status="dead"\} 1/);
        assert.equal(errors.length, 1, 'the dead letter is logged once');
        // A dead item is never leased again.
        api.setMode('up');
        await tdb.db.query(`UPDATE ml.ingest_outbox SET next_attempt_at = now() - interval '1 second'`);
        assert.equal((await slow.drainOnce()).delivered, 0);
      } finally {
        await api.close();
      }
    });

    test('a permanent rejection (409 SIGNAL_IMMUTABLE) is dead-lettered at once and logged once', async () => {
      const now = { ms: BAR + 30_000 };
      const api = await startTestApi({ db: tdb.db, serviceRoleKey: KEY, now: () => now.ms });
      try {
        const stored = signal(1);
        // The parked item says something else about the bar than what was stored on time through the batch
        // endpoint; it is delivered after the bar has closed.
        const rewrite = { ...stored, decision: 'SELL' as const, meta: { rewritten: true } };
        await enqueue([rewrite]);
        const first = await createApiClient({ baseUrl: api.url, token: KEY, timeoutMs: 5_000 }).storeSignals([stored]);
        assert.equal(first.stored, 1);
        now.ms = BAR + 120_000;
        const { logger, errors } = recordingLogger();
        const metrics = createCronMetrics();
        const drainer = createOutboxDrainer(options, {
          db: tdb.db,
          api: createApiClient({ baseUrl: api.url, token: KEY, timeoutMs: 5_000 }),
          logger,
          metrics,
        });
        assert.deepEqual(await drainer.drainOnce(), { delivered: 0, retried: 0, dead: 1, deferred: 0 });
        const [item] = await repos.outbox.list(tdb.db, { limit: 10 });
        assert.equal(item?.status, 'dead');
        assert.equal(item?.attempts, 1);
        assert.match(item?.last_error ?? '', /SIGNAL_IMMUTABLE/);
        assert.equal(errors.length, 1);
        assert.match(
          await metrics.registry.metrics(),
          /cron_outbox_dead_letters_total\{kind="signal",reason="rejected"\} 1/,
        );
        const [kept] = await tdb.db.query<{ decision: string }>(
          `SELECT decision FROM ml.signals_latest WHERE owner = 'pacey999' AND model_id = 'model-1' AND symbol = 'SYM0'`,
        );
        assert.equal(kept?.decision, 'BUY', 'the stored signal is unchanged');
      } finally {
        await api.close();
      }
    });

    test('with the api unreachable a pass stops at the first connection failure, sparing the other items', async () => {
      const api = await startTestApi({ db: tdb.db, serviceRoleKey: KEY, now: ON_TIME });
      const url = api.url;
      await api.close();
      await enqueue(Array.from({ length: 10 }, (_, i) => signal(i)));
      const drainer = createOutboxDrainer(
        { ...options, concurrency: 1 },
        {
          db: tdb.db,
          api: createApiClient({ baseUrl: url, token: KEY, timeoutMs: 2_000 }),
          logger: silentLogger,
          metrics: createCronMetrics(),
        },
      );
      const r = await drainer.drainOnce();
      assert.deepEqual(r, { delivered: 0, retried: 1, dead: 0, deferred: 9 });
      const attempts = await tdb.db.query<{ attempts: number }>('SELECT attempts FROM ml.ingest_outbox');
      assert.deepEqual(attempts.map((x) => x.attempts).sort(), [0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    });
  });
}
