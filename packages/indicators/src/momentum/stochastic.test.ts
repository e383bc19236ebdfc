import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  assertSameNumbers,
  assertSeries,
  barWalk,
  bumpBar,
  columns,
  drive,
  everyThird,
  gappyBars,
  TULIP_CLOSE,
  TULIP_HIGH,
  TULIP_LOW,
} from '../fixtures/helpers';
import { StochasticStream, stochastic } from './stochastic';

describe('stochastic', () => {
  it('matches Tulip Indicators stoch 5 3 3 (tulipindicators tests/untest.txt), TA-Lib STOCH alignment', () => {
    const { k, d } = stochastic(TULIP_HIGH, TULIP_LOW, TULIP_CLOSE, 5, 3, 3);
    // Both start at 5 + 3 + 3 − 3 = 8, where TA-Lib and Tulip both start them.
    assertSeries(k, 8, [77.385, 83.126, 84.867, 88.361, 95.246, 96.74, 91.091], 0.0006, 'k');
    assertSeries(d, 8, [75.702, 78.011, 81.793, 85.452, 89.491, 93.449, 94.359], 0.0006, 'd');
  });

  it('gives 0 for a flat window (TA-Lib) and stays within 0 … 100', () => {
    const flat = Array.from({ length: 10 }, () => 5);
    assert.equal(stochastic(flat, flat, flat, 3, 1, 1).k[5], 0);
    fc.assert(
      fc.property(barWalk(300), (bars) => {
        const { high, low, close } = columns(bars);
        const { k, d } = stochastic(high, low, close);
        for (let i = 0; i < bars.length; i++) {
          for (const v of [k[i] as number, d[i] as number]) {
            assert.ok(Number.isNaN(v) || (v >= -1e-9 && v <= 100 + 1e-9), `${v}`);
          }
        }
      }),
      { numRuns: 30 },
    );
  });

  it('outputs NaN while a NaN high or low is in any of its windows, then recovers', () => {
    const n = 40;
    const high = Array.from({ length: n }, (_, i) => 10 + Math.sin(i));
    const low = high.map((h) => h - 1);
    const close = high.map((h) => h - 0.5);
    const clean = stochastic(high, low, close, 5, 1, 1).k;
    high[10] = Number.NaN;
    const { k } = stochastic(high, low, close, 5, 1, 1);
    for (let i = 10; i < 15; i++) assert.ok(Number.isNaN(k[i]), `k[${i}]`);
    assert.equal(k[15], clean[15]);
    assert.equal(k[9], clean[9]);
  });

  it('streaming equals batch bit for bit, replace() included (property)', () => {
    fc.assert(
      fc.property(
        barWalk(1500),
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 5 }),
        (bars, kPeriod, kSmooth, dPeriod) => {
          const { high, low, close } = columns(bars);
          const batch = stochastic(high, low, close, kPeriod, kSmooth, dPeriod);
          const out = drive(new StochasticStream(kPeriod, kSmooth, dPeriod), bars, everyThird, bumpBar);
          assertSameNumbers(
            out.map((v) => v.k),
            batch.k,
            'k',
          );
          assertSameNumbers(
            out.map((v) => v.d),
            batch.d,
            'd',
          );
        },
      ),
      { numRuns: 60 },
    );
  });

  it('streaming equals batch bit for bit through NaN holes (property)', () => {
    fc.assert(
      fc.property(gappyBars(), (bars) => {
        const { high, low, close } = columns(bars);
        const batch = stochastic(high, low, close, 5, 3, 2);
        const out = drive(new StochasticStream(5, 3, 2), bars, everyThird, bumpBar);
        assertSameNumbers(
          out.map((v) => v.k),
          batch.k,
          'k',
        );
        assertSameNumbers(
          out.map((v) => v.d),
          batch.d,
          'd',
        );
      }),
      { numRuns: 40 },
    );
  });

  it('rejects bad periods, mismatched lengths and replace() before update()', () => {
    assert.throws(() => stochastic([1], [1], [1], 0), { name: 'RangeError', message: /stochastic: kPeriod/ });
    assert.throws(() => stochastic([1], [1], [1], 14, 0), { name: 'RangeError', message: /stochastic: kSmooth/ });
    assert.throws(() => stochastic([1], [1], [1], 14, 3, 1.5), { name: 'RangeError', message: /stochastic: dPeriod/ });
    assert.throws(() => stochastic([1, 2], [1, 2], [1]), { name: 'RangeError', message: /same length/ });
    assert.throws(() => new StochasticStream().replace({ high: 1, low: 1, close: 1 }), /StochasticStream\.replace/);
  });
});
