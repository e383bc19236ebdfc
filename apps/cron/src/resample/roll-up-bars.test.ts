// Rolling stored 1m bars up into larger timeframes, on the embedded database and on PostgreSQL (DATABASE_URL).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { repos } from '@neuronetiq/db';
import { createTestDatabase, type TestDatabase, testBackends } from '@neuronetiq/db/testing';
import { assertRollUpTargets, rollUpBars } from './roll-up-bars';
import { minuteBars, storedBars } from './test-fixtures';

for (const backend of testBackends()) {
  describe(`rollUpBars on ${backend}`, () => {
    let tdb: TestDatabase;
    before(async () => {
      tdb = await createTestDatabase(backend);
    });
    after(async () => {
      await tdb?.close();
    });

    const stored = (symbol: string, timeframe: string) => storedBars(tdb.db, symbol, timeframe);

    test('across an FX weekend: no weekend bars, exact OHLCV for a known bucket, and a rerun changes nothing', async () => {
      const symbol = 'WKNDFX';
      // Friday 2025-01-10 21:50–21:59 UTC (the close is 17:00 New York), then Sunday 2025-01-12 22:00–22:09 UTC.
      const bars = [
        ...minuteBars(symbol, '2025-01-10T21:50:00Z', 10),
        ...minuteBars(symbol, '2025-01-12T22:00:00Z', 10, 10),
      ];
      await repos.ohlcv.upsert(tdb.db, bars);
      const range = {
        symbol,
        timeframes: ['5m', '1h', '1d'] as const,
        fromMs: Date.parse('2025-01-10T00:00:00Z'),
        toMs: Date.parse('2025-01-13T00:00:00Z'),
        nowMs: Date.parse('2025-01-13T00:00:00Z'),
      };
      const first = await rollUpBars(tdb.db, { ...range, timeframes: [...range.timeframes] });
      assert.deepEqual(first.written, { '5m': 4, '1h': 2, '1d': 2 });

      const fiveMinutes = await stored(symbol, '5m');
      assert.deepEqual(
        fiveMinutes.map((b) => b.bar_ts),
        [
          '2025-01-10T21:50:00.000Z',
          '2025-01-10T21:55:00.000Z',
          '2025-01-12T22:00:00.000Z',
          '2025-01-12T22:05:00.000Z',
        ],
      );
      // 21:55 holds bars 5…9: open of bar 5, highest high (bar 9), lowest low (bar 5), close of bar 9, volumes 6+…+10.
      assert.deepEqual(fiveMinutes[1], {
        bar_ts: '2025-01-10T21:55:00.000Z',
        open: 1.1005,
        high: 1.1014,
        low: 1.1002,
        close: 1.101,
        volume: 40,
      });
      assert.deepEqual(
        (await stored(symbol, '1h')).map((b) => b.bar_ts),
        ['2025-01-10T21:00:00.000Z', '2025-01-12T22:00:00.000Z'],
      );
      assert.deepEqual(
        (await stored(symbol, '1d')).map((b) => [b.bar_ts, b.open, b.close, b.volume]),
        [
          ['2025-01-10T00:00:00.000Z', 1.1, 1.101, 55],
          ['2025-01-12T00:00:00.000Z', 1.101, 1.102, 155],
        ],
      );
      const weekend = await tdb.db.query<{ n: number }>(
        `SELECT count(*) AS n FROM market.ohlcv WHERE symbol = $1 AND bar_ts >= '2025-01-10T22:00:00Z'
           AND bar_ts < '2025-01-12T22:00:00Z' AND timeframe IN ('5m', '1h')`,
        [symbol],
      );
      assert.equal(weekend[0]?.n, 0, 'no intraday bar inside the weekend');

      const snapshot = await tdb.db.query(`SELECT * FROM market.ohlcv WHERE symbol = $1 ORDER BY 1, 2, 3`, [symbol]);
      const again = await rollUpBars(tdb.db, { ...range, timeframes: [...range.timeframes] });
      assert.deepEqual(again.written, { '5m': 0, '1h': 0, '1d': 0 });
      assert.deepEqual(again.built, first.built);
      assert.deepEqual(
        await tdb.db.query(`SELECT * FROM market.ohlcv WHERE symbol = $1 ORDER BY 1, 2, 3`, [symbol]),
        snapshot,
        'not a row touched, ingested_at included',
      );
    });

    test('an open bucket is not written until it has closed; a corrected 1m bar re-rolls its bucket', async () => {
      const symbol = 'OPENBKT';
      await repos.ohlcv.upsert(tdb.db, minuteBars(symbol, '2025-01-08T10:00:00Z', 8)); // 10:00 … 10:07
      const at = (now: string) =>
        rollUpBars(tdb.db, {
          symbol,
          timeframes: ['5m'],
          fromMs: Date.parse('2025-01-08T10:00:00Z'),
          toMs: Date.parse(now),
          nowMs: Date.parse(now),
        });

      assert.deepEqual((await at('2025-01-08T10:08:00Z')).written, { '5m': 1 });
      assert.deepEqual(
        (await stored(symbol, '5m')).map((b) => b.bar_ts),
        ['2025-01-08T10:00:00.000Z'],
        'the 10:05 bucket is still open at 10:08',
      );
      assert.deepEqual((await at('2025-01-08T10:09:59.999Z')).written, { '5m': 0 });

      const closed = await at('2025-01-08T10:10:00Z');
      assert.deepEqual(closed.written, { '5m': 1 });
      assert.deepEqual(closed.sparseBuckets, { '5m': 1 }, '10:05 closed with 3 of its 5 bars: reported, not filled');
      const late = (await stored(symbol, '5m'))[1];
      assert.deepEqual(
        [late?.bar_ts, late?.open, late?.close, late?.volume],
        ['2025-01-08T10:05:00.000Z', 1.1005, 1.1008, 21],
      );

      const [bar] = minuteBars(symbol, '2025-01-08T10:02:00Z', 1, 2);
      assert.ok(bar);
      assert.equal(await repos.ohlcv.upsert(tdb.db, [{ ...bar, high: 1.2, volume: 100 }]), 1);
      assert.deepEqual((await at('2025-01-08T10:10:00Z')).written, { '5m': 1 }, 'only the corrected bucket');
      const corrected = (await stored(symbol, '5m'))[0];
      assert.deepEqual([corrected?.high, corrected?.volume], [1.2, 1 + 2 + 100 + 4 + 5]);
    });
  });
}

test('roll-up targets must be timeframes larger than 1m', () => {
  assert.throws(() => assertRollUpTargets(['5m', '1m']), /"1m": the target must be a timeframe larger than 1m/);
  assert.throws(() => assertRollUpTargets(['7m']), /"7m"/);
  assert.doesNotThrow(() => assertRollUpTargets(['5m', '15m', '30m', '1h', '4h', '1d']));
});
