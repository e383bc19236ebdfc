// Corrected and late 1m bars: a trigger on market.ohlcv records the 1m ranges each statement wrote, and the next
// roll-up pass rebuilds the buckets holding them, wherever they are (not only from the newest rolled-up bucket on).
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { OhlcvBar } from '@neuronetiq/contracts';
import { type Db, repos } from '@neuronetiq/db';
import { createTestDatabase, type TestDatabase, testBackends } from '@neuronetiq/db/testing';
import { mergeDirtyRanges, rollUpNewBars } from './roll-up-job';
import { aggregate, iso, MIN, minuteBars, type StoredRow, storedBars } from './test-fixtures';

const total = (written: Partial<Record<string, number>>) =>
  Object.values(written).reduce<number>((a, n) => a + (n ?? 0), 0);
// Monday 2025-01-06: 1m bars 09:00 … 10:59 are stored; the passes run at 11:00:30, when every 5m and 1h bucket
// of those two hours has closed (newest rolled-up bars: 5m 10:55, 1h 10:00).
const START = Date.parse('2025-01-06T09:00:00Z');
const NOW = Date.parse('2025-01-06T11:00:30Z');
const OPTIONS = { timeframes: ['5m', '1h'] as const, lookbackMs: 24 * 60 * MIN };

/** 1m bar number `i` from 09:00, prices in exact pips. */
const minuteBar = (symbol: string, i: number): OhlcvBar =>
  minuteBars(symbol, iso(START + i * MIN), 1, i)[0] as OhlcvBar;

/** The bar that the stored 1m rows of [startIso, startIso + minutes) make, aggregated here, not by resample(). */
function aggregateWindow(rows: StoredRow[], startIso: string, minutes: number): StoredRow {
  const start = Date.parse(startIso);
  const inside = rows.filter((r) => Date.parse(r.bar_ts) >= start && Date.parse(r.bar_ts) < start + minutes * MIN);
  assert.ok(inside.length > 0, `1m bars in ${startIso}`);
  return { bar_ts: iso(start), ...aggregate(inside) };
}

for (const backend of testBackends()) {
  describe(`roll-up of corrected and late 1m bars on ${backend}`, () => {
    let tdb: TestDatabase;
    before(async () => {
      tdb = await createTestDatabase(backend);
    });
    after(async () => {
      await tdb?.close();
    });
    beforeEach(async () => {
      await tdb.db.query('TRUNCATE market.ohlcv, market.rollup_dirty');
    });

    const rows = (symbol: string, timeframe: string) => storedBars(tdb.db, symbol, timeframe);
    const bar = async (symbol: string, timeframe: string, ts: string) =>
      (await rows(symbol, timeframe)).find((r) => r.bar_ts === ts);
    const dirty = () => repos.rollUpDirty.list(tdb.db);
    const pass = (db: Db = tdb.db) => rollUpNewBars(db, OPTIONS, { nowMs: NOW });
    /** Stores bars as POST /api/marketdata/ohlcv does: the ohlcv repository's upsert, as the service role. */
    const post = (bars: OhlcvBar[]) =>
      tdb.db.asRequest({ role: 'service_role', claims: {} }, (tx) => repos.ohlcv.upsert(tx, bars));
    /** Two hours of 1m bars rolled up, and the ranges that wrote recorded and consumed. */
    const seed = async (symbol: string, skip: number[] = []) => {
      const bars = Array.from({ length: 120 }, (_, i) => minuteBar(symbol, i)).filter((_, i) => !skip.includes(i));
      assert.equal(await post(bars), bars.length);
      assert.deepEqual(
        (await dirty()).map((d) => [d.symbol, d.from_ts, d.to_ts]),
        [[symbol, iso(START + (skip.includes(0) ? MIN : 0)), iso(START + 119 * MIN)]],
        'one range per symbol and statement',
      );
      const first = await pass();
      assert.equal(first.written['5m'], 24);
      assert.equal(first.written['1h'], 2);
      assert.deepEqual(await dirty(), [], 'consumed, and the pass’s own 5m/1h writes recorded nothing');
    };

    test('a corrected old 1m bar is rolled up again with exact OHLCV, once; the range is consumed', async () => {
      await seed('CORR');
      // 09:07 is in the 5m 09:05 and the 1h 09:00 buckets, both older than the newest rolled-up ones.
      const corrected = { ...minuteBar('CORR', 7), high: 1.2345, low: 1.0001, volume: 1000 };
      assert.equal(await post([corrected]), 1);
      assert.deepEqual(
        (await dirty()).map((d) => [d.symbol, d.from_ts, d.to_ts]),
        [['CORR', '2025-01-06T09:07:00.000Z', '2025-01-06T09:07:00.000Z']],
      );
      const run = await pass();
      assert.deepEqual(run.written, { '5m': 1, '1h': 1 }, 'only the two buckets holding 09:07 changed');
      const minutes = await rows('CORR', '1m');
      assert.deepEqual(await bar('CORR', '5m', '2025-01-06T09:05:00.000Z'), {
        bar_ts: '2025-01-06T09:05:00.000Z',
        open: 1.1005,
        high: 1.2345,
        low: 1.0001,
        close: 1.101,
        volume: 6 + 7 + 1000 + 9 + 10,
      });
      assert.deepEqual(
        await bar('CORR', '1h', '2025-01-06T09:00:00.000Z'),
        aggregateWindow(minutes, '2025-01-06T09:00:00Z', 60),
      );
      assert.equal((await bar('CORR', '1h', '2025-01-06T09:00:00.000Z'))?.high, 1.2345);
      assert.deepEqual(await dirty(), [], 'the range was consumed');
      const again = await pass();
      assert.equal(total(again.written), 0, 'a second pass does nothing');
      // Re-sending the same bar changes no row, so it records nothing either.
      assert.equal(await post([corrected]), 0);
      assert.deepEqual(await dirty(), []);
    });

    test('history older than the lookback, imported without --resample, is rolled up from its recorded range', async () => {
      // Two hours of 1m bars, 30 days before the pass: the forward pass alone would start a day back (the lookback).
      const PAST = NOW - 30 * 24 * 60 * MIN;
      const old = Array.from({ length: 120 }, (_, i) => ({
        ...minuteBar('HIST', i),
        bar_ts: iso(PAST - (PAST % (60 * MIN)) + i * MIN),
      }));
      assert.equal(await post(old), 120);
      const run = await pass();
      assert.equal(run.written['5m'], 24);
      assert.equal(run.written['1h'], 2);
      const minutes = await rows('HIST', '1m');
      const firstHour = (old[0] as OhlcvBar).bar_ts;
      assert.deepEqual(await bar('HIST', '1h', firstHour), aggregateWindow(minutes, firstHour, 60));
      assert.deepEqual(await dirty(), []);
    });

    test('with roll-up off (no timeframes) a pass drops the recorded ranges and writes nothing', async () => {
      assert.equal(await post([minuteBar('OFF', 0), minuteBar('OFF', 1)]), 2);
      assert.equal((await dirty()).length, 1);
      const run = await rollUpNewBars(tdb.db, { ...OPTIONS, timeframes: [] }, { nowMs: NOW });
      assert.deepEqual(run.written, {});
      assert.deepEqual(await dirty(), [], 'nothing would ever consume them: they must not pile up');
      assert.deepEqual(await rows('OFF', '5m'), []);
    });

    test('a 1m bar that arrives late for an older bucket is rolled up into it', async () => {
      await seed('LATE', [32]);
      assert.equal((await bar('LATE', '5m', '2025-01-06T09:30:00.000Z'))?.volume, 31 + 32 + 34 + 35);
      assert.equal(await post([minuteBar('LATE', 32)]), 1);
      const run = await pass();
      assert.deepEqual(run.written, { '5m': 1, '1h': 1 });
      const minutes = await rows('LATE', '1m');
      assert.equal(minutes.length, 120);
      assert.deepEqual(await bar('LATE', '5m', '2025-01-06T09:30:00.000Z'), {
        bar_ts: '2025-01-06T09:30:00.000Z',
        open: 1.103,
        high: 1.1039,
        low: 1.1027,
        close: 1.1035,
        volume: 31 + 32 + 33 + 34 + 35,
      });
      assert.deepEqual(
        await bar('LATE', '1h', '2025-01-06T09:00:00.000Z'),
        aggregateWindow(minutes, '2025-01-06T09:00:00Z', 60),
      );
      assert.deepEqual(await dirty(), []);
    });

    test('writes of other timeframes record nothing', async () => {
      const fiveMinute: OhlcvBar = { ...minuteBar('OTHER', 0), timeframe: '5m' };
      const hour: OhlcvBar = { ...minuteBar('OTHER', 0), timeframe: '1h' };
      assert.equal(await post([fiveMinute, hour]), 2);
      assert.equal(await post([{ ...fiveMinute, close: 1.1 }]), 1, 'a corrected 5m bar (an UPDATE)');
      assert.deepEqual(await dirty(), []);
      // A statement mixing timeframes records its 1m bars only.
      await post([{ ...hour, close: 1.1002 }, minuteBar('OTHER', 3), minuteBar('OTHER', 5)]);
      assert.deepEqual(
        (await dirty()).map((d) => [d.symbol, d.from_ts, d.to_ts]),
        [['OTHER', '2025-01-06T09:03:00.000Z', '2025-01-06T09:05:00.000Z']],
      );
    });

    test('a claimed range is not lost when its roll-up throws: it is released and the next pass rolls it up', async () => {
      await seed('FAIL');
      await post([{ ...minuteBar('FAIL', 50), high: 1.5, close: 1.5 }]);
      const [range] = await dirty();
      assert.ok(range);
      // The roll-up's writes of 5m/1h bars fail (as a lost connection or a timeout would).
      const failing: Db = {
        ...tdb.db,
        query: (sql, params, options) =>
          /INSERT INTO market\.ohlcv/.test(sql)
            ? Promise.reject(new Error('injected failure'))
            : tdb.db.query(sql, params, options),
      };
      await assert.rejects(pass(failing), /injected failure/);
      assert.deepEqual(
        (await dirty()).map((d) => [d.id, d.from_ts, d.to_ts, d.claimed_until]),
        [[range.id, range.from_ts, range.to_ts, null]],
        'still there, and released',
      );
      assert.equal((await bar('FAIL', '5m', '2025-01-06T09:50:00.000Z'))?.high, minuteBar('FAIL', 54).high, 'stale');
      const run = await pass();
      assert.deepEqual(run.written, { '5m': 1, '1h': 1 });
      assert.equal((await bar('FAIL', '1h', '2025-01-06T09:00:00.000Z'))?.high, 1.5);
      assert.equal((await bar('FAIL', '5m', '2025-01-06T09:50:00.000Z'))?.high, 1.5);
      assert.deepEqual(await dirty(), []);
    });

    test('a range claimed by another pass is left to it; it is claimable again once released', async () => {
      await seed('HELD');
      await post([{ ...minuteBar('HELD', 10), high: 1.3 }]);
      const held = await repos.rollUpDirty.claim(tdb.db, { limit: 100, leaseSeconds: 600 });
      assert.equal(held.length, 1);
      assert.deepEqual(
        await repos.rollUpDirty.claim(tdb.db, { limit: 100, leaseSeconds: 600 }),
        [],
        'not claimed twice',
      );
      assert.equal(total((await pass()).written), 0);
      assert.equal((await dirty()).length, 1, 'another pass’s claim is never deleted');
      await repos.rollUpDirty.release(
        tdb.db,
        held.map((r) => r.id),
      );
      assert.deepEqual((await pass()).written, { '5m': 1, '1h': 1 });
      assert.equal((await bar('HELD', '5m', '2025-01-06T09:10:00.000Z'))?.high, 1.3);
      assert.equal((await bar('HELD', '1h', '2025-01-06T09:00:00.000Z'))?.high, 1.3);
      assert.deepEqual(await dirty(), []);
    });
  });
}

test('mergeDirtyRanges merges ranges that share or touch a bucket of the largest target', () => {
  const H = 60 * MIN;
  const r = (from: string, to: string) => ({
    from_ts: `2025-01-06T${from}:00.000Z`,
    to_ts: `2025-01-06T${to}:00.000Z`,
  });
  assert.deepEqual(
    mergeDirtyRanges([r('12:10', '12:20'), r('09:05', '09:05'), r('09:59', '10:30'), r('12:00', '12:00')], H),
    [
      { fromMs: Date.parse('2025-01-06T09:05:00Z'), toMs: Date.parse('2025-01-06T10:31:00Z') },
      { fromMs: Date.parse('2025-01-06T12:00:00Z'), toMs: Date.parse('2025-01-06T12:21:00Z') },
    ],
  );
});
