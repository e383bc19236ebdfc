import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertClose, itStreamsLikeBatchHlc } from '../fixtures/helpers';
import { TALIB_CLOSE, TALIB_HIGH, TALIB_LOW } from '../fixtures/ta-lib-ref-data';
import { CciStream, cci } from './cci';

describe('cci', () => {
  it('matches TA-Lib regression values for CCI(11), CCI(5), CCI(2) (ta_regtest/ta_test_func/test_per_hlc.c)', () => {
    const c11 = cci(TALIB_HIGH, TALIB_LOW, TALIB_CLOSE, 11);
    assert.ok(Number.isNaN(c11[9]), 'lookback 10');
    const table = [
      87.927, 180.005, 143.5190963, -113.8669783, -111.064497, -26.77393309, -70.77933765, -83.15662884, -41.14421073,
      -49.63059589, -86.45142995, -105.6275799, -157.698269, -190.5251436, -142.8364298, -122.4448056, -79.95100041,
      22.03829204, 7.765575065, 32.38905945, -0.005587727, 43.84607294, 40.35152301, 92.89237535, 113.4778681,
    ];
    table.forEach((v, k) => {
      assertClose(c11[10 + k], v, 0.001, `CCI(11) output ${k}`);
    });
    assertClose(c11[251], -169.65514, 0.001, 'CCI(11) last');
    assertClose(cci(TALIB_HIGH, TALIB_LOW, TALIB_CLOSE, 5)[4], 18.857, 0.001, 'CCI(5) first');
    const c2 = cci(TALIB_HIGH, TALIB_LOW, TALIB_CLOSE, 2);
    assertClose(c2[1], 66.666, 0.001, 'CCI(2) first');
    assert.equal(c2[187], 0, 'CCI(2) at bar 187');
  });

  it('is exactly 0 on a window of identical prices (TA-Lib issue #7), at any price level', () => {
    for (const price of [1.1, 0.000123, 12345.67]) {
      const flat = Array.from({ length: 40 }, () => price);
      for (const period of [5, 8, 14, 30]) {
        const out = cci(flat, flat, flat, period);
        for (let i = period - 1; i < 40; i++) assert.equal(out[i], 0, `price ${price}, period ${period}, out[${i}]`);
      }
    }
  });

  it('outputs NaN exactly while a NaN is in the window', () => {
    const close = [...TALIB_CLOSE.slice(0, 40)];
    close[15] = Number.NaN;
    const out = cci(TALIB_HIGH.slice(0, 40), TALIB_LOW.slice(0, 40), close, 5);
    const clean = cci(TALIB_HIGH.slice(0, 40), TALIB_LOW.slice(0, 40), TALIB_CLOSE.slice(0, 40), 5);
    for (let i = 15; i < 20; i++) assert.ok(Number.isNaN(out[i]), `out[${i}]`);
    assert.equal(out[20], clean[20]);
    assert.equal(out[14], clean[14]);
  });

  itStreamsLikeBatchHlc(it, {
    name: 'CciStream',
    makeStream: (period) => new CciStream(period),
    batch: cci,
    walkLength: 1200,
    maxPeriod: 30,
    numRuns: 60,
  });

  it('rejects a bad period, mismatched lengths and replace() before update()', () => {
    assert.throws(() => cci([1], [1], [1], 0), { name: 'RangeError', message: /cci: period/ });
    assert.throws(() => cci([1], [1, 2], [1]), { name: 'RangeError', message: /cci: high, low, close must have/ });
    assert.throws(() => new CciStream().replace({ high: 1, low: 1, close: 1 }), /CciStream\.replace/);
  });
});
