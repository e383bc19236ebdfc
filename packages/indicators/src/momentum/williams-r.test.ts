import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  assertClose,
  assertSeries,
  itStreamsLikeBatchHlc,
  TULIP_CLOSE,
  TULIP_HIGH,
  TULIP_LOW,
} from '../fixtures/helpers';
import { TALIB_CLOSE, TALIB_HIGH, TALIB_LOW } from '../fixtures/ta-lib-ref-data';
import { WilliamsRStream, williamsR } from './williams-r';

describe('williamsR', () => {
  it('matches TA-Lib regression values for WILLR(14) (ta_regtest/ta_test_func/test_per_hlc.c)', () => {
    const out = williamsR(TALIB_HIGH, TALIB_LOW, TALIB_CLOSE, 14);
    assert.ok(Number.isNaN(out[12]), 'lookback 13');
    for (const [bar, v] of [
      [13, -90.1943],
      [14, -66.9903],
      [125, 0],
      [24, -89.2857],
      [25, -97.2602],
      [26, -71.5482],
      [251, -59.1515],
    ] as const) {
      assertClose(out[bar], v, 0.0001, `WILLR at bar ${bar}`);
    }
  });

  it('matches Tulip Indicators willr 5 (tulipindicators tests/untest.txt)', () => {
    const expected = [-7.477, -23.006, -40.927, -15.5, -11.417, -23.704, -10.278, -0.935, -3.051, -5.793, -17.884];
    assertSeries(williamsR(TULIP_HIGH, TULIP_LOW, TULIP_CLOSE, 5), 4, expected, 0.0006, 'willr 5');
  });

  it('gives 0 for a flat window (TA-Lib) and NaN only while a NaN high/low is in the window', () => {
    const flat = [2, 2, 2, 2];
    assert.equal(williamsR(flat, flat, flat, 2)[3], 0);
    const high = [...TALIB_HIGH.slice(0, 40)];
    high[20] = Number.NaN;
    const out = williamsR(high, TALIB_LOW.slice(0, 40), TALIB_CLOSE.slice(0, 40), 5);
    const clean = williamsR(TALIB_HIGH.slice(0, 40), TALIB_LOW.slice(0, 40), TALIB_CLOSE.slice(0, 40), 5);
    for (let i = 20; i < 25; i++) assert.ok(Number.isNaN(out[i]), `out[${i}]`);
    assert.equal(out[25], clean[25]);
  });

  itStreamsLikeBatchHlc(it, {
    name: 'WilliamsRStream',
    makeStream: (period) => new WilliamsRStream(period),
    batch: williamsR,
    maxPeriod: 40,
    numRuns: 60,
  });

  it('rejects a bad period, mismatched lengths and replace() before update()', () => {
    assert.throws(() => williamsR([1], [1], [1], 0), { name: 'RangeError', message: /williamsR: period/ });
    assert.throws(() => williamsR([1], [1], [1, 2]), { name: 'RangeError', message: /williamsR: high, low, close/ });
    assert.throws(() => new WilliamsRStream().replace({ high: 1, low: 1, close: 1 }), /WilliamsRStream\.replace/);
  });
});
