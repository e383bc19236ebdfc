import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  assertSameNumbers,
  barWalk,
  bumpBar,
  columns,
  drive,
  everyThird,
  gappyBars,
  TULIP_CLOSE,
  TULIP_VOLUME,
} from '../fixtures/helpers';
import { TALIB_CLOSE, TALIB_VOLUME } from '../fixtures/ta-lib-ref-data';
import { ObvStream, obv } from './obv';

describe('obv', () => {
  it("matches Tulip Indicators obv (tests/untest.txt) shifted by volume[0], TA-Lib's seed", () => {
    const tulip = [
      0, -6447400, 1243500, 5074900, 9530000, 5732000, 1795800, 6527800, 11369100, 7453800, 14284600, 20978700,
      26272300, 34258100, 29450200,
    ];
    const out = obv(TULIP_CLOSE, TULIP_VOLUME);
    tulip.forEach((v, i) => {
      assert.equal(out[i], v + TULIP_VOLUME[0], `obv[${i}]`);
    });
  });

  it('starts at the first volume and adds/subtracts/keeps by the close direction (TA-Lib OBV)', () => {
    const out = obv(TALIB_CLOSE, TALIB_VOLUME);
    assert.equal(out[0], 4077500);
    assert.equal(out[1], 4077500 + 4955900, 'close rose');
    assert.equal(out[2], 4077500 + 4955900 - 4775300, 'close fell');
    // close[101] === close[100] (116.0): unchanged.
    assert.equal(out[101], out[100]);
  });

  it('carries a NaN close or volume into every later output', () => {
    const out = obv([1, 2, 2, 3, 4], [10, 10, Number.NaN, 10, 10]);
    assert.equal(out[1], 20);
    for (let i = 2; i < 5; i++) assert.ok(Number.isNaN(out[i]), `out[${i}]`);
    assert.ok(Number.isNaN(obv([1, Number.NaN, 1], [1, 1, 1])[2]));
  });

  it('streaming equals batch bit for bit, replace() included (property)', () => {
    fc.assert(
      fc.property(barWalk(), (bars) => {
        const { close, volume } = columns(bars);
        assertSameNumbers(drive(new ObvStream(), bars, everyThird, bumpBar), obv(close, volume), 'ObvStream');
      }),
      { numRuns: 60 },
    );
  });

  it('streaming equals batch bit for bit through NaN holes (property)', () => {
    fc.assert(
      fc.property(gappyBars(), (bars) => {
        const { close, volume } = columns(bars);
        assertSameNumbers(drive(new ObvStream(), bars, everyThird, bumpBar), obv(close, volume), 'ObvStream()');
      }),
      { numRuns: 40 },
    );
  });

  it('rejects mismatched lengths and replace() before update()', () => {
    assert.throws(() => obv([1, 2], [1]), {
      name: 'RangeError',
      message: /obv: close, volume must have the same length \(got close 2, volume 1\)/,
    });
    assert.throws(() => new ObvStream().replace({ close: 1, volume: 1 }), /ObvStream\.replace/);
  });
});
