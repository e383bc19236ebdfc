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
import { sma } from '../trend/sma';
import { BollingerStream, bollinger } from './bollinger';

function populationSd(xs: ArrayLike<number>, from: number, to: number): number {
  let m = 0;
  for (let i = from; i < to; i++) m += xs[i] as number;
  m /= to - from;
  let v = 0;
  for (let i = from; i < to; i++) v += ((xs[i] as number) - m) ** 2;
  return Math.sqrt(v / (to - from));
}

describe('bollinger', () => {
  it('matches Tulip Indicators bbands 5 2 (tulipindicators tests/untest.txt; population standard deviation)', () => {
    const { upper, middle, lower } = bollinger(TULIP_CLOSE, 5, 2);
    const lo = [80.53, 80.987, 82.533, 82.472, 82.418, 82.435, 82.511, 83.143, 83.536, 83.87, 85.289];
    const mid = [82.426, 82.738, 83.094, 83.318, 83.628, 83.778, 84.254, 84.994, 85.574, 86.218, 86.804];
    const up = [84.322, 84.489, 83.655, 84.164, 84.838, 85.121, 85.997, 86.845, 87.612, 88.566, 88.319];
    assertSeries(lower, 4, lo, 0.0006, 'lower');
    assertSeries(middle, 4, mid, 0.0006, 'middle');
    assertSeries(upper, 4, up, 0.0006, 'upper');
  });

  it('is the SMA ± k population standard deviations on the TA-Lib reference series', () => {
    const { upper, middle, lower } = bollinger(TALIB_CLOSE, 20, 2.5);
    const s = sma(TALIB_CLOSE, 20);
    for (let i = 19; i < TALIB_CLOSE.length; i++) {
      const sd = populationSd(TALIB_CLOSE, i - 19, i + 1);
      assertClose(middle[i], s[i] as number, 1e-10, `middle[${i}]`);
      assertClose(upper[i], (s[i] as number) + 2.5 * sd, 1e-9, `upper[${i}]`);
      assertClose(lower[i], (s[i] as number) - 2.5 * sd, 1e-9, `lower[${i}]`);
    }
  });

  it('keeps the width of low-priced, low-variance series that TA-Lib 0.4 would zero', () => {
    const xs = Float64Array.from({ length: 40 }, (_, i) => 1.1 + (i % 2) * 1e-5);
    const { upper, middle } = bollinger(xs, 20, 2);
    assertClose((upper[39] as number) - (middle[39] as number), 2 * 0.5e-5, 1e-12, 'half-width');
  });

  it('has zero width on a flat window and NaN only while a NaN is in the window', () => {
    const xs = Float64Array.from({ length: 30 }, () => 1.2345);
    assert.equal(bollinger(xs, 5).upper[10], 1.2345);
    xs[12] = Number.NaN;
    const { middle } = bollinger(xs, 5);
    for (let i = 12; i < 17; i++) assert.ok(Number.isNaN(middle[i]), `middle[${i}]`);
    assert.equal(middle[17], 1.2345);
  });

  it('streaming equals batch bit for bit, replace() included (property)', () => {
    fc.assert(
      fc.property(
        priceWalk(),
        fc.integer({ min: 1, max: 40 }),
        fc.double({ min: 0, max: 4, noNaN: true }),
        (xs, period, k) => {
          const batch = bollinger(xs, period, k);
          const out = drive(new BollingerStream(period, k), Array.from(xs), everyThird, bumpNumber);
          assertSameNumbers(
            out.map((v) => v.upper),
            batch.upper,
            'upper',
          );
          assertSameNumbers(
            out.map((v) => v.middle),
            batch.middle,
            'middle',
          );
          assertSameNumbers(
            out.map((v) => v.lower),
            batch.lower,
            'lower',
          );
        },
      ),
      { numRuns: 60 },
    );
  });

  it('streaming equals batch bit for bit through NaN and ±Infinity holes (property)', () => {
    fc.assert(
      fc.property(gappyWalk(), fc.integer({ min: 1, max: 40 }), (xs, period) => {
        const batch = bollinger(xs, period, 2);
        const out = drive(new BollingerStream(period, 2), Array.from(xs), everyThird, bumpNumber);
        assertSameNumbers(
          out.map((v) => v.upper),
          batch.upper,
          'upper',
        );
        assertSameNumbers(
          out.map((v) => v.middle),
          batch.middle,
          'middle',
        );
      }),
      { numRuns: 60 },
    );
  });

  it('rejects a bad period or width and replace() before update()', () => {
    assert.throws(() => bollinger([1], 0), { name: 'RangeError', message: /bollinger: period/ });
    assert.throws(() => bollinger([1], 20, -1), { name: 'RangeError', message: /bollinger: stdDev must be a finite/ });
    assert.throws(() => new BollingerStream(20, Number.NaN), {
      name: 'RangeError',
      message: /BollingerStream: stdDev/,
    });
    assert.throws(() => new BollingerStream().replace(1), /BollingerStream\.replace\(\)/);
  });
});
