import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type OhlcvBar, OhlcvBarSchema } from '@neuronetiq/contracts';
import { createResampler, resampleBars } from './resample';

function m1(iso: string, open: number, high: number, low: number, close: number, volume: number | null = 1): OhlcvBar {
  return { symbol: 'EURUSD', timeframe: '1m', bar_ts: new Date(iso).toISOString(), open, high, low, close, volume };
}

/** Minute bars from `startIso`, `n` of them, each opening at the previous close (+0.001 steps). */
function minutes(startIso: string, n: number, firstPrice = 1): OhlcvBar[] {
  const t0 = Date.parse(startIso);
  return Array.from({ length: n }, (_, i) => {
    const open = firstPrice + i * 0.001;
    const close = open + 0.001;
    return m1(new Date(t0 + i * 60_000).toISOString(), open, close + 0.0005, open - 0.0005, close, i + 1);
  });
}

describe('resampleBars', () => {
  test('aggregates exactly: first open, max high, min low, last close, summed volume', () => {
    const bars = [
      m1('2024-01-02T10:00Z', 1.1, 1.3, 1.05, 1.2, 10),
      m1('2024-01-02T10:01Z', 1.2, 1.25, 0.95, 1.0, 20),
      m1('2024-01-02T10:02Z', 1.0, 1.4, 0.99, 1.3, 5),
      m1('2024-01-02T10:03Z', 1.3, 1.35, 1.28, 1.29, 0),
      m1('2024-01-02T10:04Z', 1.29, 1.31, 1.2, 1.22, 7),
    ];
    const r = resampleBars(bars, '5m');
    assert.deepEqual(r.bars, [
      {
        symbol: 'EURUSD',
        timeframe: '5m',
        bar_ts: '2024-01-02T10:00:00.000Z',
        open: 1.1,
        high: 1.4,
        low: 0.95,
        close: 1.22,
        volume: 42,
      },
    ]);
    assert.deepEqual(r.partial, []);
    OhlcvBarSchema.parse(r.bars[0]);
  });

  test('a summed decimal volume is the exact decimal sum, without binary floating-point noise', () => {
    const volumes = [0.1, 0.2, 0.3, 4328.25, 908.09];
    assert.notEqual(
      volumes.reduce((a, b) => a + b, 0),
      5236.94,
      'the plain float sum is off in its last digits',
    );
    const bars = volumes.map((v, i) => m1(`2024-01-02T10:0${i}Z`, 1, 1, 1, 1, v));
    assert.equal(resampleBars(bars, '5m').bars[0]?.volume, 5236.94);
    const crypto = [0.00012345, 1.2, 3.00000001].map((v, i) => m1(`2024-01-02T10:0${i}Z`, 1, 1, 1, 1, v));
    assert.equal(resampleBars(crypto, '5m', { partial: 'include' }).bars[0]?.volume, 4.20012346);
  });

  test('volume is null when any source volume is unknown', () => {
    const r = resampleBars([m1('2024-01-02T10:00Z', 1, 1, 1, 1, 3), m1('2024-01-02T10:01Z', 1, 1, 1, 1, null)], '5m', {
      partial: 'include',
    });
    assert.equal(r.bars[0]?.volume, null);
  });

  test('an FX weekend makes no bars: Friday close to Sunday open resamples to hours that exist only', () => {
    // Friday 2017-03-10 21:00-21:59 UTC, then Sunday 2017-03-12 21:00-22:59 UTC (New York 17:00 after DST).
    const bars = [...minutes('2017-03-10T21:00Z', 60), ...minutes('2017-03-12T21:00Z', 120, 1.2)];
    const r = resampleBars(bars, '1h', { partial: 'include' });
    assert.deepEqual(
      r.bars.map((b) => b.bar_ts),
      ['2017-03-10T21:00:00.000Z', '2017-03-12T21:00:00.000Z', '2017-03-12T22:00:00.000Z'],
    );
    assert.deepEqual(r.partial, [], 'the last hour ends with its 59th minute, so it is complete');
    const friday = r.bars[0] as OhlcvBar;
    assert.equal(friday.open, 1);
    assert.equal(friday.close, bars[59]?.close);
    assert.equal(friday.high, Math.max(...bars.slice(0, 60).map((b) => b.high)));
    assert.equal(friday.volume, (60 * 61) / 2);
    // Daily: Friday and Sunday exist, Saturday does not.
    const d = resampleBars(bars, '1d', { partial: 'include' });
    assert.deepEqual(
      d.bars.map((b) => b.bar_ts),
      ['2017-03-10T00:00:00.000Z', '2017-03-12T00:00:00.000Z'],
    );
    assert.deepEqual(
      d.partial.map((p) => [p.bar_ts, p.status, p.sourceBars]),
      [
        ['2017-03-10T00:00:00.000Z', 'truncated', 60],
        ['2017-03-12T00:00:00.000Z', 'open', 120],
      ],
    );
    assert.deepEqual(resampleBars(bars, '1d').bars, [], 'both days are partial here, so the default drops them');
  });

  test('a hole inside a bucket aggregates what exists and is counted as sparse; the trailing bucket is open', () => {
    const bars = minutes('2024-01-02T10:00Z', 12).filter((_, i) => i !== 2);
    const r = resampleBars(bars, '5m');
    assert.deepEqual(
      r.bars.map((b) => b.bar_ts),
      ['2024-01-02T10:00:00.000Z', '2024-01-02T10:05:00.000Z'],
    );
    assert.equal(r.sparseBuckets, 1);
    assert.deepEqual(r.partial, [
      { bar_ts: '2024-01-02T10:10:00.000Z', status: 'open', sourceBars: 2, expectedSourceBars: 5 },
    ]);
    const asOf = resampleBars(bars, '5m', { asOfMs: Date.parse('2024-01-02T10:15Z') });
    assert.equal(asOf.bars.length, 3, 'a clock past its end closes the last bucket');
  });

  test('every larger timeframe divides 1m; wrong inputs are refused', () => {
    const bars = minutes('2024-01-01T00:00Z', 24 * 60);
    for (const [tf, n] of [
      ['5m', 288],
      ['15m', 96],
      ['30m', 48],
      ['1h', 24],
      ['4h', 6],
      ['1d', 1],
    ] as const) {
      assert.equal(resampleBars(bars, tf).bars.length, n, tf);
    }
    assert.throws(() => resampleBars(bars, '1m'), /larger multiple/);
    assert.throws(() => resampleBars([bars[1] as OhlcvBar, bars[0] as OhlcvBar], '5m'), /ascending and unique/);
  });

  test('the incremental resampler emits a bucket as soon as the next one starts', () => {
    const r = createResampler('EURUSD', '1m', '5m');
    const bars = minutes('2024-01-02T10:00Z', 6);
    const emitted = bars.map((b) => r.push(b).map((c) => c.bar.bar_ts));
    assert.deepEqual(emitted, [[], [], [], [], [], ['2024-01-02T10:00:00.000Z']]);
    assert.deepEqual(
      r.flush().map((c) => c.info.status),
      ['open'],
    );
  });
});
