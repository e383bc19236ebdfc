import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  assertClose,
  assertSameNumbers,
  barWalk,
  bumpBar,
  columns,
  drive,
  everyThird,
  gappyBars,
} from '../fixtures/helpers';
import { VwapStream, vwap } from './vwap';

describe('vwap', () => {
  it('is Σ(typical price · volume) / Σ volume from the first bar (worked by hand)', () => {
    // typical prices 10, 11, 13; volumes 100, 300, 100
    const out = vwap([11, 12, 14], [9, 10, 12], [10, 11, 13], [100, 300, 100]);
    assert.equal(out[0], 10);
    assert.equal(out[1], (10 * 100 + 11 * 300) / 400);
    assertClose(out[2], (10 * 100 + 11 * 300 + 13 * 100) / 500, 1e-12, 'third');
  });

  it('is NaN while no volume has traded (e.g. spot FX feeds), not the price', () => {
    const out = vwap([2, 2, 3], [1, 1, 2], [1.5, 1.5, 2.5], [0, 0, 10]);
    assert.ok(Number.isNaN(out[0]) && Number.isNaN(out[1]));
    assert.equal(out[2], 2.5);
  });

  it('carries a NaN into every later output; reset() starts a new anchor', () => {
    const out = vwap([2, Number.NaN, 2], [1, 1, 1], [1.5, 1.5, 1.5], [1, 1, 1]);
    assert.ok(Number.isNaN(out[1]) && Number.isNaN(out[2]));
    const s = new VwapStream();
    s.update({ high: 100, low: 100, close: 100, volume: 5 });
    s.reset();
    assert.equal(s.update({ high: 3, low: 3, close: 3, volume: 1 }), 3);
  });

  it('streaming equals batch bit for bit, replace() included (property)', () => {
    fc.assert(
      fc.property(barWalk(), (bars) => {
        const { high, low, close, volume } = columns(bars);
        assertSameNumbers(
          drive(new VwapStream(), bars, everyThird, bumpBar),
          vwap(high, low, close, volume),
          'VwapStream',
        );
      }),
      { numRuns: 60 },
    );
  });

  it('streaming equals batch bit for bit through NaN holes (property)', () => {
    fc.assert(
      fc.property(gappyBars(), (bars) => {
        const { high, low, close, volume } = columns(bars);
        assertSameNumbers(
          drive(new VwapStream(), bars, everyThird, bumpBar),
          vwap(high, low, close, volume),
          'VwapStream()',
        );
      }),
      { numRuns: 40 },
    );
  });

  it('rejects mismatched lengths and replace() before update()', () => {
    assert.throws(() => vwap([1], [1], [1], [1, 2]), { name: 'RangeError', message: /vwap: high, low, close, volume/ });
    assert.throws(() => new VwapStream().replace({ high: 1, low: 1, close: 1, volume: 1 }), /VwapStream\.replace/);
  });
});
