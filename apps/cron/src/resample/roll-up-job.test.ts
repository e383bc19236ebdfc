// The cron's scheduled roll-up: 1m bars posted by the synthetic feed through the real api land in the database, and
// the loop (on the manual clock) writes each 5m bar once its bucket has closed.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { buildApp } from '@neuronetiq/api';
import { silentLogger } from '@neuronetiq/client';
import { createTestDatabase, type TestDatabase, testBackends } from '@neuronetiq/db/testing';
import { createManualClock } from '@neuronetiq/service/clock';
import type { FastifyInstance } from 'fastify';
import { createCron } from '../cron';
import { aggregate, iso, MIN, storedBars } from './test-fixtures';

const KEY = 'roll-up-job-service-role-key-0123456789';

async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const start = Date.now();
  while (!(await cond())) {
    if (Date.now() - start > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

for (const backend of testBackends()) {
  describe(`cron roll-up job on ${backend}`, () => {
    // Monday 2025-01-06 10:00:30 UTC: the synthetic feed backfills 09:50 … 09:59.
    const T = Date.parse('2025-01-06T10:00:30Z');
    const clock = createManualClock(T);
    let tdb: TestDatabase;
    let api: FastifyInstance;
    let apiUrl: string;
    before(async () => {
      tdb = await createTestDatabase(backend);
      api = await buildApp({ db: tdb.db, serviceRoleKey: KEY, logger: false, now: clock.now });
      await api.listen({ port: 0, host: '127.0.0.1' });
      apiUrl = `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`;
    });
    after(async () => {
      await api?.close();
      await tdb?.close();
    });

    const rows = (timeframe: string) => storedBars(tdb.db, 'EURUSD', timeframe);
    const expected = async (startIso: string) => {
      const start = Date.parse(startIso);
      const minutes = (await rows('1m')).filter((r) => {
        const ts = Date.parse(r.bar_ts);
        return ts >= start && ts < start + 5 * MIN;
      });
      assert.equal(minutes.length, 5, `five 1m bars in the ${startIso} bucket`);
      return { bar_ts: iso(start), ...aggregate(minutes) };
    };

    test('rolls up the bars the synthetic feed posts, each 5m bucket only once it has closed; /health and /metrics report it', async () => {
      const cron = createCron(
        {
          infraApiUrl: apiUrl,
          serviceRoleKey: KEY,
          databaseUrl: tdb.url,
          host: '127.0.0.1',
          port: 0,
          listen: false,
          drainIntervalMs: 60 * MIN,
          synthetic: { symbols: ['EURUSD'], timeframe: '1m', backfillBars: 10, seed: 7 },
          rollUp: { timeframes: ['5m'], intervalMs: MIN },
        },
        { clock, db: tdb.db, logger: silentLogger },
      );
      const { port } = await cron.start();
      const lastRollUpAt = async () => {
        const body = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as {
          last_roll_up: { at: string; written: Record<string, number> } | null;
        };
        return body.last_roll_up?.at;
      };
      const minuteCount = async () => (await rows('1m')).length;
      try {
        await waitFor('the backfill', async () => (await minuteCount()) === 10);
        await waitFor('the first pass at start', async () => (await lastRollUpAt()) === iso(T));
        // The first pass may have raced the backfill; a pass rebuilds the newest rolled-up bucket, so this one settles it.
        await cron.rollUpNow();
        assert.deepEqual(await rows('5m'), [
          await expected('2025-01-06T09:50:00Z'),
          await expected('2025-01-06T09:55:00Z'),
        ]);
        const rolledUp = async () =>
          (await cron.metrics.barsRolledUp.get()).values.find((v) => v.labels.timeframe === '5m')?.value ?? 0;
        const before = await rolledUp();
        assert.ok(before >= 2, 'the 09:50 and 09:55 bars were counted');

        // Minute by minute: the feed posts each 1m bar at its close (hh:mm:00), the loop runs at hh:mm:30.
        for (let minute = 1; minute <= 5; minute++) {
          await clock.advanceTo(T - 30_000 + minute * MIN);
          await waitFor(`the 1m bar closing at minute ${minute}`, async () => (await minuteCount()) === 10 + minute);
          await clock.advanceTo(T + minute * MIN);
          await waitFor(`the pass at minute ${minute}`, async () => (await lastRollUpAt()) === iso(T + minute * MIN));
          const fiveMinute = await rows('5m');
          if (minute < 5) {
            assert.equal(fiveMinute.length, 2, `the 10:00 bucket is open at 10:0${minute}:30: not written`);
          } else {
            assert.deepEqual(fiveMinute.at(-1), await expected('2025-01-06T10:00:00Z'), 'written once closed');
          }
        }
        assert.equal((await rolledUp()) - before, 1, 'the loop wrote one bar (10:00); its reruns of 09:55 wrote none');
        const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
        assert.match(metrics, new RegExp(`cron_bars_rolled_up_total\\{timeframe="5m"\\} ${before + 1}\\b`));
      } finally {
        await cron.stop();
      }
    });
  });
}
