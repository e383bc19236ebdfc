import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertClose, itStreamsLikeBatchHlc } from '../fixtures/helpers';
import { TALIB_CLOSE, TALIB_HIGH, TALIB_LOW } from '../fixtures/ta-lib-ref-data';
import { AtrStream, atr } from './atr';

describe('atr', () => {
  it('matches TA-Lib regression values via NATR(14) = 100·ATR/close (ta_regtest/ta_test_func/test_per_hlc.c)', () => {
    const out = atr(TALIB_HIGH, TALIB_LOW, TALIB_CLOSE, 14);
    assert.ok(Number.isNaN(out[13]), 'lookback 14');
    for (const [bar, natr] of [
      [14, 3.9321],
      [15, 3.7576],
      [251, 3.0229],
    ] as const) {
      assertClose((100 * (out[bar] as number)) / (TALIB_CLOSE[bar] as number), natr, 0.0001, `NATR at bar ${bar}`);
    }
  });

  it('seeds with the mean true range of bars 1 … period, then smooths the Wilder way', () => {
    const high = [10, 12, 11, 13];
    const low = [9, 10, 9, 11];
    const close = [9.5, 11, 10, 12];
    // TR: bar1 max(2, 2.5, .5)=2.5; bar2 max(2, 0, 2)=2; bar3 max(2, 3, 1)=3
    const out = atr(high, low, close, 2);
    assert.ok(Number.isNaN(out[1]));
    assert.equal(out[2], (2.5 + 2) / 2);
    assert.equal(out[3], (2.25 * 1 + 3) / 2);
  });

  it('carries a NaN into every later output', () => {
    const close = [...TALIB_CLOSE.slice(0, 30)];
    close[20] = Number.NaN;
    const out = atr(TALIB_HIGH.slice(0, 30), TALIB_LOW.slice(0, 30), close, 5);
    assert.ok(!Number.isNaN(out[20]), 'bar 20 uses the previous close only');
    for (let i = 21; i < 30; i++) assert.ok(Number.isNaN(out[i]), `out[${i}]`);
  });

  itStreamsLikeBatchHlc(it, {
    name: 'AtrStream',
    makeStream: (period) => new AtrStream(period),
    batch: atr,
    maxPeriod: 30,
    numRuns: 60,
  });

  it('rejects a bad period, mismatched lengths and replace() before update()', () => {
    assert.throws(() => atr([1], [1], [1], 0), { name: 'RangeError', message: /atr: period/ });
    assert.throws(() => atr([1], [1, 2], [1]), { name: 'RangeError', message: /atr: high, low, close must have/ });
    assert.throws(() => new AtrStream().replace({ high: 1, low: 1, close: 1 }), /AtrStream\.replace\(\)/);
  });
});
