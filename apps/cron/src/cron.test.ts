// The cron service as it runs: its /health and /metrics, the drain woken by NOTIFY on PostgreSQL, the synthetic demo
// feed (fake clock, restart), and CSV replay — against the real api on loopback and a real database.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startTestApi, type TestApi } from '@neuronetiq/api/testing';
import { silentLogger } from '@neuronetiq/client';
import { idempotencyKeyFor, type SignalPayload } from '@neuronetiq/contracts';
import { createDb, notify, OUTBOX_CHANNEL, repos } from '@neuronetiq/db';
import { createTestDatabase, type TestDatabase, testBackends } from '@neuronetiq/db/testing';
import { createManualClock } from '@neuronetiq/service/clock';
import type { CronConfigInput } from './config';
import { createCron } from './cron';

const KEY = 'test-service-role-key-0123456789';
const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();
/** The bar the outbox tests' signals are for; the api's clock stands two seconds into it, so they are on time. */
const BAR = Date.parse('2026-01-07T10:00:00.000Z');

async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const start = Date.now();
  while (!(await cond())) {
    if (Date.now() - start > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const base = (api: TestApi, tdb: TestDatabase): CronConfigInput => ({
  infraApiUrl: api.url,
  serviceRoleKey: KEY,
  databaseUrl: tdb.url,
  host: '127.0.0.1',
  port: 0,
  listen: false,
  drainIntervalMs: 10 * MIN,
  drain: { backoff: { baseMs: 1, maxMs: 1 } },
});

const signal = (i: number): SignalPayload => ({
  owner: 'pacey999',
  model_id: 'baseline-rsi-001',
  symbol: `SYM${i}`,
  timeframe: '1m',
  bar_ts: iso(BAR),
  decision: 'BUY',
  confidence: 0.5,
  meta: {},
});

for (const backend of testBackends()) {
  describe(`cron service on ${backend}`, () => {
    let tdb: TestDatabase;
    let api: TestApi;
    before(async () => {
      tdb = await createTestDatabase(backend);
      api = await startTestApi({ db: tdb.db, serviceRoleKey: KEY, now: () => BAR + 2_000 });
    });
    after(async () => {
      await api?.close();
      await tdb?.close();
    });

    test('/health reports the outbox and the last drain; /metrics serves the cron metrics; other paths 404', async () => {
      await tdb.db.query('DELETE FROM ml.ingest_outbox');
      const cron = createCron(base(api, tdb), { db: tdb.db, logger: silentLogger });
      const { port } = await cron.start();
      try {
        await cron.drainNow();
        const res = await fetch(`http://127.0.0.1:${port}/health`);
        assert.equal(res.status, 200);
        const body = (await res.json()) as Record<string, unknown>;
        assert.equal(body.status, 'ok');
        assert.equal(body.service, 'cron');
        assert.deepEqual(body.outbox, { pending: 0, dead: 0 });
        assert.equal(body.notify, null, 'LISTEN is off in this config');
        assert.ok(body.last_drain, 'the last drain is reported');
        const metrics = await fetch(`http://127.0.0.1:${port}/metrics`);
        assert.equal(metrics.status, 200);
        assert.match(await metrics.text(), /cron_outbox_drain_duration_seconds_count \d+/);
        assert.equal((await fetch(`http://127.0.0.1:${port}/nope`)).status, 404);
      } finally {
        await cron.stop();
      }
    });

    test('two cron services, each with its own connection pool, drain one outbox together and deliver every item exactly once', async () => {
      await tdb.db.query('DELETE FROM ml.ingest_outbox');
      const payloads = Array.from({ length: 120 }, (_, i) => signal(1000 + i));
      for (const p of payloads) {
        await repos.outbox.enqueue(tdb.db, {
          kind: 'signal',
          payload: p,
          idempotencyKey: idempotencyKeyFor(p),
          error: 'api down',
        });
      }
      const before = new Map(api.deliveries);
      // No `db` dependency: each instance opens its own pool on DATABASE_URL, as two machines would.
      const config = { ...base(api, tdb), drain: { batchSize: 10, concurrency: 4, backoff: { baseMs: 1, maxMs: 1 } } };
      const crons = [createCron(config, { logger: silentLogger }), createCron(config, { logger: silentLogger })];
      try {
        await Promise.all(crons.map((c) => c.start()));
        // Their loops drained once at start; keep both draining together until the outbox is empty (bounded).
        const deadline = Date.now() + 20_000;
        while ((await repos.outbox.counts(tdb.db)).pending > 0) {
          assert.ok(Date.now() < deadline, 'the outbox drains within 20 s');
          await Promise.all(crons.map((c) => c.drainNow()));
        }
        for (const p of payloads) {
          const key = idempotencyKeyFor(p);
          assert.equal(
            (api.deliveries.get(key) ?? 0) - (before.get(key) ?? 0),
            1,
            `${key} delivered once (${api.deliveries.get(key)} ${before.get(key)})`,
          );
        }
        const [a = 0, b = 0] = await Promise.all(
          crons.map(async (c) => (await c.metrics.delivered.get()).values.reduce((n, v) => n + v.value, 0)),
        );
        assert.equal(a + b, payloads.length, 'each delivery counted by exactly one instance');
        assert.ok(a > 0 && b > 0, `both instances delivered (${a} + ${b})`);
        assert.deepEqual(await repos.outbox.counts(tdb.db), { pending: 0, dead: 0 });
      } finally {
        await Promise.all(crons.map((c) => c.stop()));
      }
    });

    test('/health answers 503 database_unreachable when the database is gone', async () => {
      // Nothing listens on port 1: every query fails to connect.
      const dead = createDb('postgres://postgres@127.0.0.1:1/none', { max: 1 });
      const cron = createCron(
        { ...base(api, tdb), databaseUrl: 'postgres://postgres@127.0.0.1:1/none' },
        { db: dead, logger: silentLogger },
      );
      const { port } = await cron.start();
      try {
        const res = await fetch(`http://127.0.0.1:${port}/health`);
        assert.equal(res.status, 503);
        const body = (await res.json()) as Record<string, unknown>;
        assert.equal(body.status, 'database_unreachable');
        assert.equal(body.outbox, null);
      } finally {
        await cron.stop();
        await dead.end();
      }
    });

    test('a NOTIFY wakes the drain: an item parked after start is delivered long before the poll interval', async (t) => {
      if (backend !== 'postgres') {
        t.skip('notifications do not cross pglite-socket; the embedded database is polled (DESIGN.md)');
        return;
      }
      await tdb.db.query('DELETE FROM ml.ingest_outbox');
      // The poll would come after 10 minutes; only the notification can deliver within the test's few seconds.
      const cron = createCron({ ...base(api, tdb), listen: true }, { db: tdb.db, logger: silentLogger });
      const { port } = await cron.start();
      try {
        const health = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as { notify: string };
        assert.equal(health.notify, 'listen');
        const p = signal(1);
        const started = Date.now();
        await repos.outbox.enqueue(tdb.db, {
          kind: 'signal',
          payload: p,
          idempotencyKey: idempotencyKeyFor(p),
          error: 'api down',
        });
        await notify(tdb.db, OUTBOX_CHANNEL, 'signal');
        await waitFor('delivery after NOTIFY', () => api.deliveries.get(idempotencyKeyFor(p)) === 1, 3_000);
        assert.ok(Date.now() - started < 3_000);
        await waitFor('outbox emptied', async () => (await repos.outbox.counts(tdb.db)).pending === 0);
      } finally {
        await cron.stop();
      }
    });
  });
}

describe('cron market data', () => {
  let api: TestApi;
  let tdb: TestDatabase;
  before(async () => {
    tdb = await createTestDatabase('pglite');
    api = await startTestApi({ db: tdb.db, serviceRoleKey: KEY, now: () => BAR + 2_000 });
  });
  after(async () => {
    await api?.close();
    await tdb?.close();
  });

  test('the synthetic demo feed backfills, posts each bar as it closes, and after a restart continues from the newest stored bar', async () => {
    const T = Date.parse('2025-01-06T10:00:30Z');
    const clock = createManualClock(T);
    const synthetic = { symbols: ['EURUSD'], timeframe: '1m' as const, backfillBars: 10, seed: 42 };
    const bars = () => api.barsOf('EURUSD', '1m');
    const count = async (n: number) => (await bars()).length === n;
    const first = createCron({ ...base(api, tdb), synthetic }, { clock, db: tdb.db, logger: silentLogger });
    await first.start();
    try {
      // 10 closed bars before 10:00 (09:50 … 09:59), nothing for the bar still open.
      await waitFor('backfill', () => count(10));
      const backfilled = await bars();
      assert.equal(backfilled[0]?.bar_ts, iso(Date.parse('2025-01-06T09:50:00Z')));
      assert.equal(backfilled.at(-1)?.bar_ts, iso(Date.parse('2025-01-06T09:59:00Z')));
      await clock.advanceTo(T + 29_000);
      assert.equal((await bars()).length, 10, 'the 10:00 bar is not posted before it closes');
      await clock.advanceTo(T + 30_000);
      await waitFor('the 10:00 bar at its close', () => count(11));
    } finally {
      await first.stop();
    }
    const before = await bars();
    await clock.advanceTo(T + 5 * MIN);
    const second = createCron({ ...base(api, tdb), synthetic }, { clock, db: tdb.db, logger: silentLogger });
    await second.start();
    try {
      // 10:01 … 10:04 closed while it was down: posted at once, after the stored history, which is left alone.
      await waitFor('resume', () => count(15));
      const after = await bars();
      assert.deepEqual(after.slice(0, 11), before);
      for (let i = 1; i < after.length; i++) {
        assert.equal(Date.parse(after[i]?.bar_ts ?? '') - Date.parse(after[i - 1]?.bar_ts ?? ''), MIN, `bar ${i}`);
      }
      const [last, next] = [after[10], after[11]];
      assert.ok(last && next);
      assert.ok(Math.abs(next.open - last.close) < 1e-9, 'the resumed walk opens where the stored one closed');
      const posted = (await first.metrics.ingestedBars.get()).values.find((v) => v.labels.source === 'synthetic');
      assert.equal(posted?.value, 11, 'the first run posted 11 bars');
    } finally {
      await second.stop();
    }
  });

  test('CSV replay through the cron posts the file bar by bar on the clock, without its bad rows', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cron-replay-'));
    const file = join(dir, 'bars.csv');
    writeFileSync(
      file,
      [
        'time,open,high,low,close,volume',
        '2025-01-06T10:00:00Z,1.1000,1.1010,1.0990,1.1005,10',
        '2025-01-06T10:01:00Z,1.1005,1.1020,1.1000,1.1015,11',
        '2025-01-06T10:02:00Z,1.1015,1.1000,1.1030,1.1020,12', // high below low: rejected
        '2025-01-06T10:03:00Z,1.1020,1.1040,1.1010,1.1030,13',
        '',
      ].join('\n'),
    );
    const clock = createManualClock(Date.parse('2026-01-01T00:00:00Z'));
    const cron = createCron(
      { ...base(api, tdb), replay: { file, symbol: 'GBPUSD', timeframe: '1m', speed: 60 } },
      { clock, db: tdb.db, logger: silentLogger },
    );
    await cron.start();
    try {
      const bars = () => api.barsOf('GBPUSD', '1m');
      const count = async (n: number) => (await bars()).length === n;
      await waitFor('the first bar at once', () => count(1));
      // speed 60: a minute of market time is a second of the clock.
      await clock.advance(999);
      assert.equal((await bars()).length, 1);
      await clock.advance(1);
      await waitFor('10:01', () => count(2));
      await clock.advance(2_000);
      await waitFor('10:03', () => count(3));
      assert.deepEqual(
        (await bars()).map((b) => [b.bar_ts, b.open, b.high, b.low, b.close, b.volume]),
        [
          [iso(Date.parse('2025-01-06T10:00:00Z')), 1.1, 1.101, 1.099, 1.1005, 10],
          [iso(Date.parse('2025-01-06T10:01:00Z')), 1.1005, 1.102, 1.1, 1.1015, 11],
          [iso(Date.parse('2025-01-06T10:03:00Z')), 1.102, 1.104, 1.101, 1.103, 13],
        ],
      );
    } finally {
      await cron.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
