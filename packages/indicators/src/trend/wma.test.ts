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
import { WmaStream, wma } from './wma';

describe('wma', () => {
  it('matches TA-Lib regression values for WMA(30) and WMA(2) (ta_regtest/ta_test_func/test_ma.c)', () => {
    const out = wma(TALIB_CLOSE, 30);
    for (const [k, v] of [
      [0, 88.567],
      [1, 88.233],
      [2, 88.034],
      [29, 87.191],
      [221, 109.3413],
      [222, 109.3466],
    ] as const) {
      // TA-Lib's own check of this table is not exact (its 221 and 222 differ by less than its tolerance).
      assertClose(out[29 + k], v, 0.01, `WMA(30) output ${k}`);
    }
    assertClose(wma(TALIB_CLOSE, 2)[1], 93.71, 0.01, 'WMA(2) first');
  });

  it('matches Tulip Indicators wma 5 (tulipindicators tests/untest.txt)', () => {
    const expected = [82.825, 83.066, 83.1, 83.399, 83.809, 84.053, 84.637, 85.399, 86.031, 86.763, 87.121];
    assertSeries(wma(TULIP_CLOSE, 5), 4, expected, 0.0006, 'wma 5');
  });

  it('weights the newest value most', () => {
    assert.equal(wma([1, 2, 3], 3)[2], (1 * 1 + 2 * 2 + 3 * 3) / 6);
  });

  it('outputs NaN only while a NaN is in the window', () => {
    const xs = Float64Array.from({ length: 30 }, (_, i) => i + 1);
    xs[5] = Number.NaN;
    const out = wma(xs, 4);
    for (let i = 5; i < 9; i++) assert.ok(Number.isNaN(out[i]), `out[${i}]`);
    assertClose(out[9], (7 + 8 * 2 + 9 * 3 + 10 * 4) / 10, 1e-12, 'out[9]');
  });

  it('streaming equals batch bit for bit, replace() included (property)', () => {
    fc.assert(
      fc.property(priceWalk(), fc.integer({ min: 1, max: 40 }), (xs, period) => {
        assertSameNumbers(
          drive(new WmaStream(period), Array.from(xs), everyThird, bumpNumber),
          wma(xs, period),
          'WmaStream',
        );
      }),
      { numRuns: 60 },
    );
  });

  it('streaming equals batch bit for bit through NaN and ±Infinity holes (property)', () => {
    fc.assert(
      fc.property(gappyWalk(), fc.integer({ min: 1, max: 40 }), (xs, period) => {
        assertSameNumbers(
          drive(new WmaStream(period), Array.from(xs), everyThird, bumpNumber),
          wma(xs, period),
          'WmaStream',
        );
      }),
      { numRuns: 60 },
    );
  });

  it('rejects a bad period and replace() before update()', () => {
    assert.throws(() => wma([1], -3), { name: 'RangeError', message: /wma: period/ });
    assert.throws(() => new WmaStream(0), { name: 'RangeError', message: /WmaStream: period/ });
    assert.throws(() => new WmaStream(3).replace(1), /WmaStream\.replace\(\)/);
  });
});
