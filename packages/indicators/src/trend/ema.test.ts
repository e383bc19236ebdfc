import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  assertClose,
  assertSameNumbers,
  bumpNumber,
  drive,
  everyThird,
  gappyWalk,
  priceWalk,
} from '../fixtures/helpers';
import { TALIB_CLOSE } from '../fixtures/ta-lib-ref-data';
import { EmaStream, ema } from './ema';

describe('ema', () => {
  it('matches TA-Lib regression values for EMA(10) and EMA(2) (ta_regtest/ta_test_func/test_ma.c, classic)', () => {
    const e10 = ema(TALIB_CLOSE, 10);
    for (const [k, v] of [
      [0, 93.22],
      [1, 93.75],
      [20, 86.46],
      [242, 108.97],
    ] as const) {
      assertClose(e10[9 + k], v, 0.01, `EMA(10) output ${k}`);
    }
    const e2 = ema(TALIB_CLOSE, 2);
    assertClose(e2[1], 93.15, 0.01, 'EMA(2) first');
    assertClose(e2[2], 93.96, 0.01, 'EMA(2) second');
    assertClose(e2[251], 108.21, 0.01, 'EMA(2) last');
  });

  it('is seeded with the simple mean of the first period values', () => {
    const out = ema([2, 4, 6, 8], 3);
    assert.ok(Number.isNaN(out[0]) && Number.isNaN(out[1]));
    assert.equal(out[2], 4);
    assert.equal(out[3], (8 - 4) * 0.5 + 4);
  });

  it('carries a NaN input into every later output', () => {
    const out = ema([1, 2, 3, Number.NaN, 5, 6, 7], 2);
    assert.equal(out[2], (3 - 1.5) * (2 / 3) + 1.5);
    for (let i = 3; i < 7; i++) assert.ok(Number.isNaN(out[i]), `out[${i}]`);
  });

  it('streaming equals batch bit for bit, replace() included (property)', () => {
    fc.assert(
      fc.property(priceWalk(), fc.integer({ min: 1, max: 40 }), (xs, period) => {
        assertSameNumbers(
          drive(new EmaStream(period), Array.from(xs), everyThird, bumpNumber),
          ema(xs, period),
          'EmaStream',
        );
      }),
      { numRuns: 60 },
    );
  });

  it('streaming equals batch bit for bit through NaN and ±Infinity holes (property)', () => {
    fc.assert(
      fc.property(gappyWalk(), fc.integer({ min: 1, max: 30 }), (xs, period) => {
        assertSameNumbers(
          drive(new EmaStream(period), Array.from(xs), everyThird, bumpNumber),
          ema(xs, period),
          'EmaStream',
        );
      }),
      { numRuns: 40 },
    );
  });

  it('rejects a bad period and replace() before update()', () => {
    assert.throws(() => ema([1], 0), { name: 'RangeError', message: /ema: period must be an integer >= 1 \(got 0\)/ });
    assert.throws(() => new EmaStream(1.5), { name: 'RangeError', message: /EmaStream: period/ });
    assert.throws(() => new EmaStream(3).replace(1), /EmaStream\.replace\(\)/);
  });
});
