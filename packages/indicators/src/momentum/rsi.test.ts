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
import { RsiStream, rsi } from './rsi';

describe('rsi', () => {
  it('matches TA-Lib regression values for RSI(14) (ta_regtest/ta_test_func/test_rsi.c)', () => {
    const out = rsi(TALIB_CLOSE, 14);
    assert.ok(Number.isNaN(out[13]), 'first 14 are warm-up');
    assertClose(out[14], 49.14, 0.01, 'RSI first');
    assertClose(out[15], 52.32, 0.01, 'RSI second');
    assertClose(out[16], 46.07, 0.01, 'RSI third');
    assertClose(out[251], 49.63, 0.01, 'RSI last');
  });

  it('matches Tulip Indicators rsi 5 (tulipindicators tests/untest.txt)', () => {
    const expected = [72.034, 64.927, 75.936, 79.796, 74.713, 83.033, 87.478, 88.755, 91.483, 78.498];
    assertSeries(rsi(TULIP_CLOSE, 5), 5, expected, 0.0006, 'rsi 5');
  });

  it('is 100 after only rises, 0 after only falls, and 0 for a flat series (TA-Lib convention)', () => {
    assert.equal(rsi([1, 2, 3, 4], 3)[3], 100);
    assert.equal(rsi([4, 3, 2, 1], 3)[3], 0);
    assert.equal(rsi([5, 5, 5, 5], 3)[3], 0);
  });

  it('carries a NaN input into every later output', () => {
    const out = rsi([1, 2, 1, 2, Number.NaN, 2, 1, 2], 2);
    assert.ok(!Number.isNaN(out[3]));
    for (let i = 4; i < 8; i++) assert.ok(Number.isNaN(out[i]), `out[${i}]`);
  });

  it('streaming equals batch bit for bit, replace() included (property)', () => {
    fc.assert(
      fc.property(priceWalk(), fc.integer({ min: 1, max: 30 }), (xs, period) => {
        assertSameNumbers(
          drive(new RsiStream(period), Array.from(xs), everyThird, bumpNumber),
          rsi(xs, period),
          'RsiStream',
        );
      }),
      { numRuns: 60 },
    );
  });

  it('stays within 0 … 100 (property)', () => {
    fc.assert(
      fc.property(priceWalk(500), fc.integer({ min: 1, max: 30 }), (xs, period) => {
        for (const v of rsi(xs, period)) assert.ok(Number.isNaN(v) || (v >= 0 && v <= 100), `${v}`);
      }),
      { numRuns: 40 },
    );
  });

  it('streaming equals batch bit for bit through NaN and ±Infinity holes (property)', () => {
    fc.assert(
      fc.property(gappyWalk(), fc.integer({ min: 1, max: 30 }), (xs, period) => {
        assertSameNumbers(
          drive(new RsiStream(period), Array.from(xs), everyThird, bumpNumber),
          rsi(xs, period),
          'RsiStream',
        );
      }),
      { numRuns: 40 },
    );
  });

  it('rejects a bad period and replace() before update()', () => {
    assert.throws(() => rsi([1, 2], 0), { name: 'RangeError', message: /rsi: period/ });
    assert.throws(() => new RsiStream(2.2), { name: 'RangeError', message: /RsiStream: period/ });
    assert.throws(() => new RsiStream().replace(1), /RsiStream\.replace\(\)/);
  });
});
