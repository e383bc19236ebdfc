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
import { RocStream, roc } from './roc';

describe('roc', () => {
  it('matches Tulip Indicators roc 5 ×100 (tulipindicators tests/untest.txt gives a fraction, TA-Lib percent)', () => {
    const fraction = [0.019, 0.022, 0.014, 0.019, 0.009, 0.029, 0.045, 0.035, 0.038, 0.035];
    assertSeries(
      roc(TULIP_CLOSE, 5),
      5,
      fraction.map((f) => f * 100),
      0.06,
      'roc 5',
    );
  });

  it('matches TA-Lib regression values for ROC(14) (ta_regtest/ta_test_func/test_mom.c)', () => {
    const out = roc(TALIB_CLOSE, 14);
    assert.ok(Number.isNaN(out[13]), 'lookback 14');
    assertClose(out[14], -0.546, 0.0005, 'ROC first');
    assertClose(out[15], -2.109, 0.0005, 'ROC second');
    assertClose(out[16], -5.53, 0.005, 'ROC third');
    assertClose(out[251], -1.0367, 0.00005, 'ROC last');
  });

  it('gives 0 for a zero reference (TA-Lib) and NaN only where an input is NaN', () => {
    assert.equal(roc([0, 5, 6], 1)[1], 0);
    const out = roc([1, 2, Number.NaN, 4, 5, 6], 2);
    assert.ok(Number.isNaN(out[2]) && Number.isNaN(out[4]));
    assert.equal(out[3], 100);
    assert.equal(out[5], 50);
  });

  it('streaming equals batch bit for bit, replace() included (property)', () => {
    fc.assert(
      fc.property(priceWalk(), fc.integer({ min: 1, max: 40 }), (xs, period) => {
        assertSameNumbers(
          drive(new RocStream(period), Array.from(xs), everyThird, bumpNumber),
          roc(xs, period),
          'RocStream',
        );
      }),
      { numRuns: 60 },
    );
  });

  it('streaming equals batch bit for bit through NaN and ±Infinity holes (property)', () => {
    fc.assert(
      fc.property(gappyWalk(), fc.integer({ min: 1, max: 30 }), (xs, period) => {
        assertSameNumbers(
          drive(new RocStream(period), Array.from(xs), everyThird, bumpNumber),
          roc(xs, period),
          'RocStream',
        );
      }),
      { numRuns: 40 },
    );
  });

  it('rejects a bad period and replace() before update()', () => {
    assert.throws(() => roc([1], 0), { name: 'RangeError', message: /roc: period/ });
    assert.throws(() => new RocStream().replace(1), /RocStream\.replace/);
  });
});
