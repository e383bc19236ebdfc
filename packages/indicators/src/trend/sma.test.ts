import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  assertClose,
  assertSameNumbers,
  assertSeries,
  bumpNumber,
  drive,
  everyThird,
  gappyWalk,
  priceWalk,
  TULIP_CLOSE,
} from '../fixtures/helpers';
import { TALIB_CLOSE } from '../fixtures/ta-lib-ref-data';
import { SmaStream, sma } from './sma';

describe('sma', () => {
  it('matches TA-Lib regression values for SMA(30) (ta_regtest/ta_test_func/test_ma.c)', () => {
    const out = sma(TALIB_CLOSE, 30);
    // TA-Lib's table lists output k at bar 29 + k, to 2 decimals.
    for (const [k, v] of [
      [0, 90.42],
      [1, 90.21],
      [2, 89.96],
      [29, 87.12],
      [221, 107.95],
      [222, 108.42],
    ] as const) {
      assertClose(out[29 + k], v, 0.01, `SMA(30) output ${k}`);
    }
    assert.ok(Number.isNaN(out[28]));
  });

  it('matches Tulip Indicators sma 5 (tulipindicators tests/untest.txt)', () => {
    const expected = [82.426, 82.738, 83.094, 83.318, 83.628, 83.778, 84.254, 84.994, 85.574, 86.218, 86.804];
    assertSeries(sma(TULIP_CLOSE, 5), 4, expected, 0.0006, 'sma 5');
  });

  it('returns all NaN, of the input length, when there are fewer values than the period', () => {
    const out = sma([1, 2, 3], 5);
    assert.equal(out.length, 3);
    assert.ok(out.every(Number.isNaN));
  });

  it('gives the same numbers for number[] and Float64Array input', () => {
    const xs = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3];
    assertSameNumbers(sma(xs, 3), sma(Float64Array.from(xs), 3), 'sma');
  });

  it('outputs NaN exactly while a NaN is in the window, then recovers', () => {
    const xs = Float64Array.from({ length: 40 }, (_, i) => 10 + (i % 7));
    xs[10] = Number.NaN;
    const out = sma(xs, 5);
    for (let i = 4; i < 40; i++) {
      const inWindow = i >= 10 && i < 15;
      if (inWindow) assert.ok(Number.isNaN(out[i]), `out[${i}] NaN`);
      else {
        const direct = Array.from(xs.subarray(i - 4, i + 1)).reduce((a, b) => a + b) / 5;
        assertClose(out[i], direct, 1e-12, `out[${i}]`);
      }
    }
  });

  it('does not drift over a long series (running sum resynced)', () => {
    const xs = new Float64Array(200_000);
    let p = 1.1;
    for (let i = 0; i < xs.length; i++) {
      p += Math.sin(i * 0.37) * 1e-4;
      xs[i] = p;
    }
    const out = sma(xs, 20);
    let direct = 0;
    for (let j = xs.length - 20; j < xs.length; j++) direct += xs[j] as number;
    assertClose(out[xs.length - 1], direct / 20, 1e-14, 'last value');
  });

  it('regains full precision after a huge outlier has left the window (running sum resynced)', () => {
    const xs = Float64Array.from({ length: 5000 }, (_, i) => 1.1 + Math.sin(i) * 1e-4);
    xs[100] = 1e6; // a bad tick
    const out = sma(xs, 20);
    let direct = 0;
    for (let j = 4980; j < 5000; j++) direct += xs[j] as number;
    // A plain running sum keeps ~1e-11 of the outlier's rounding for good.
    assertClose(out[4999], direct / 20, 1e-14, 'last value');
  });

  it('streaming equals batch bit for bit, replace() included (property)', () => {
    fc.assert(
      fc.property(priceWalk(), fc.integer({ min: 1, max: 40 }), (xs, period) => {
        const batch = sma(xs, period);
        assertSameNumbers(drive(new SmaStream(period), Array.from(xs), everyThird, bumpNumber), batch, 'SmaStream');
      }),
      { numRuns: 60 },
    );
  });

  it('streaming equals batch bit for bit through NaN and ±Infinity holes (property)', () => {
    fc.assert(
      fc.property(gappyWalk(), fc.integer({ min: 1, max: 40 }), (xs, period) => {
        assertSameNumbers(
          drive(new SmaStream(period), Array.from(xs), everyThird, bumpNumber),
          sma(xs, period),
          'SmaStream',
        );
      }),
      { numRuns: 60 },
    );
  });

  it('rejects a period that is not an integer >= 1, naming it', () => {
    for (const bad of [0, -1, 2.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(() => sma([1, 2, 3], bad), { name: 'RangeError', message: /sma: period must be an integer >= 1/ });
      assert.throws(() => new SmaStream(bad), { name: 'RangeError', message: /SmaStream: period/ });
    }
    assert.throws(() => sma(null as unknown as number[], 3), { name: 'TypeError', message: /sma: values/ });
  });

  it('refuses replace() before any update()', () => {
    assert.throws(() => new SmaStream(3).replace(1), /SmaStream\.replace\(\): there is no bar to replace yet/);
  });

  it('reset() forgets every bar', () => {
    const s = new SmaStream(2);
    s.update(1);
    s.update(3);
    s.reset();
    assert.equal(s.count, 0);
    assert.ok(Number.isNaN(s.update(10)));
    assert.equal(s.update(20), 15);
  });
});
