import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import type { OhlcvBar } from '@neuronetiq/contracts';
import { createManualClock } from '@neuronetiq/service/clock';
import { createLiveFeed, replayBars } from './feeds';
import { replayCsv } from './replay-csv';
import { createSyntheticSeries, generateBackfill } from './synthetic-series';

const T0 = Date.parse('2024-01-02T10:00:00Z');

/** Collects what a feed yields into an array the test can watch while it moves the clock. */
function drain(feed: AsyncIterable<OhlcvBar>): { got: OhlcvBar[]; done: Promise<void> } {
  const got: OhlcvBar[] = [];
  const done = (async () => {
    for await (const bar of feed) got.push(bar);
  })();
  return { got, done };
}

describe('live synthetic feed', () => {
  test('emits each bar when it closes by the injected clock, and nothing before', async () => {
    const clock = createManualClock(T0 + 30_000);
    const { series } = generateBackfill({ symbol: 'DEMO', timeframe: '1m', seed: 7, count: 10, endMs: clock.now() });
    const feed = createLiveFeed(series, { clock });
    const { got, done } = drain(feed);
    await clock.advance(29_999);
    assert.equal(got.length, 0, 'the 10:00 bar closes at 10:01');
    await clock.advance(1);
    assert.deepEqual(
      got.map((b) => b.bar_ts),
      ['2024-01-02T10:00:00.000Z'],
    );
    await clock.advance(3 * 60_000);
    assert.equal(got.length, 4);
    feed.close();
    await done;
    assert.equal(got.length, 4, 'close ends the feed');
  });

  test('a feed made from an already-aborted signal yields nothing and ends without the clock moving', async () => {
    const clock = createManualClock(T0 + 30_000);
    const { series } = generateBackfill({ symbol: 'DEMO', timeframe: '1m', seed: 7, count: 10, endMs: clock.now() });
    const stop = new AbortController();
    stop.abort();
    const { got, done } = drain(createLiveFeed(series, { clock, signal: stop.signal }));
    await done;
    assert.deepEqual(got, []);
    const replay = drain(replayBars(series.take(3), { clock, speed: 60, signal: stop.signal }));
    await replay.done;
    assert.deepEqual(replay.got, []);
  });

  test('a feed started late catches up at once, then waits', async () => {
    const clock = createManualClock(T0 + 5 * 60_000);
    const series = createSyntheticSeries({ symbol: 'DEMO', timeframe: '1m', seed: 7, startMs: T0 });
    const { got, done } = drain(createLiveFeed(series, { clock, limit: 6 }));
    await clock.advance(0);
    assert.equal(got.length, 5);
    await clock.advance(60_000);
    await done;
    assert.equal(got.length, 6);
  });

  test('the same seed and clock give the same bars as the series itself', async () => {
    const clock = createManualClock(T0);
    const feed = createLiveFeed(createSyntheticSeries({ symbol: 'DEMO', timeframe: '1m', seed: 9, startMs: T0 }), {
      clock,
      limit: 3,
    });
    const { got, done } = drain(feed);
    await clock.advance(3 * 60_000);
    await done;
    assert.deepEqual(got, createSyntheticSeries({ symbol: 'DEMO', timeframe: '1m', seed: 9, startMs: T0 }).take(3));
  });
});

describe('replay', () => {
  const hourly = Array.from({ length: 5 }, (_, i) => ({
    symbol: 'BTCUSDT',
    timeframe: '1h' as const,
    bar_ts: new Date(T0 + i * 3_600_000).toISOString(),
    open: 1,
    high: 1,
    low: 1,
    close: 1,
    volume: 1,
  }));

  test('speed 60 plays an hour of bars per minute of the clock', async () => {
    const clock = createManualClock(0);
    const { got, done } = drain(replayBars(hourly, { clock, speed: 60 }));
    await clock.advance(0);
    assert.equal(got.length, 1, 'the first bar at once');
    await clock.advance(59_999);
    assert.equal(got.length, 1);
    await clock.advance(1);
    assert.equal(got.length, 2);
    await clock.advance(3 * 60_000);
    await done;
    assert.deepEqual(
      got.map((b) => b.bar_ts),
      hourly.map((b) => b.bar_ts),
    );
  });

  test('maxWaitMs squeezes long holes; a newest-first CSV replays oldest first', async () => {
    const csv = [
      'unix,date,symbol,open,high,low,close,Volume BTC,Volume USDT,tradecount',
      `${T0 + 48 * 3_600_000},x,BTC/USDT,1,1,1,1,1,1,1`,
      `${T0 + 3_600_000},x,BTC/USDT,1,1,1,1,1,1,1`,
      `${T0},x,BTC/USDT,1,1,1,1,1,1,1`,
    ].join('\n');
    const clock = createManualClock(0);
    const { feed, report } = await replayCsv(
      Readable.from([csv]),
      { symbol: 'BTCUSDT', timeframe: '1h' },
      { clock, speed: 3_600, maxWaitMs: 5_000 },
    );
    assert.equal(report.stored, 3);
    assert.equal(report.gaps.missingBars, 46);
    const { got, done } = drain(feed);
    await clock.advance(0);
    assert.equal(got.length, 1);
    await clock.advance(1_000);
    assert.equal(got.length, 2, 'one hour at 3600× is one second');
    await clock.advance(4_999);
    assert.equal(got.length, 2);
    await clock.advance(1);
    await done;
    assert.equal(got.length, 3, 'the 47-hour hole took 5 s instead of 47');
    assert.deepEqual(
      got.map((b) => Date.parse(b.bar_ts) - T0),
      [0, 3_600_000, 48 * 3_600_000],
    );
  });

  test('refuses a speed that is not positive', () => {
    assert.throws(() => replayBars(hourly, { clock: createManualClock(0), speed: 0 }), /speed must be greater than 0/);
  });
});
