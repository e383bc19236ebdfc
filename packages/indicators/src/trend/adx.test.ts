import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertClose, itStreamsLikeBatchHlc } from '../fixtures/helpers';
import { TALIB_CLOSE, TALIB_HIGH, TALIB_LOW } from '../fixtures/ta-lib-ref-data';
import { AdxStream, adx } from './adx';

describe('adx', () => {
  it('matches TA-Lib regression values for ADX(14) (ta_regtest/ta_test_func/test_adx.c)', () => {
    const out = adx(TALIB_HIGH, TALIB_LOW, TALIB_CLOSE, 14);
    assert.ok(Number.isNaN(out[26]), 'lookback 2·14−1 = 27');
    // TA-Lib's table gives these rounded to whole numbers (Wilder's book rounds); hence ±0.5.
    assertClose(out[27], 23, 0.5, 'ADX first');
    assertClose(out[28], 22, 0.5, 'ADX second');
    assertClose(out[250], 17, 0.5, 'ADX 223rd');
    assertClose(out[251], 16, 0.5, 'ADX last');
  });

  it('is 0 when there is no directional movement at all (every DX undefined, none fed in)', () => {
    const n = 30;
    const high = Array.from({ length: n }, () => 11);
    const low = Array.from({ length: n }, () => 9);
    const close = Array.from({ length: n }, (_, i) => 9.5 + (i % 3) * 0.5);
    const out = adx(high, low, close, 5);
    assert.ok(Number.isNaN(out[8]));
    for (let i = 9; i < n; i++) assert.equal(out[i], 0, `out[${i}]`);
  });

  it('stays within 0 … 100 and carries a NaN into every later output', () => {
    const h = [...TALIB_HIGH.slice(0, 60)];
    h[40] = Number.NaN;
    const out = adx(h, TALIB_LOW.slice(0, 60), TALIB_CLOSE.slice(0, 60), 5);
    for (let i = 9; i < 40; i++) assert.ok((out[i] as number) >= 0 && (out[i] as number) <= 100, `out[${i}]`);
    for (let i = 40; i < 60; i++) assert.ok(Number.isNaN(out[i]), `out[${i}]`);
  });

  itStreamsLikeBatchHlc(it, {
    name: 'AdxStream',
    makeStream: (period) => new AdxStream(period),
    batch: adx,
    walkLength: 1500,
    maxPeriod: 20,
    numRuns: 50,
  });

  it('rejects a bad period, mismatched lengths and replace() before update()', () => {
    assert.throws(() => adx([1], [1], [1], 0), { name: 'RangeError', message: /adx: period/ });
    assert.throws(() => adx([1, 2], [1], [1, 2]), {
      name: 'RangeError',
      message: /adx: high, low, close must have the same length \(got high 2, low 1, close 2\)/,
    });
    assert.throws(() => new AdxStream().replace({ high: 1, low: 1, close: 1 }), /AdxStream\.replace\(\)/);
  });
});
