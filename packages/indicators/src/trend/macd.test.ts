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
import { ema } from './ema';
import { MacdStream, macd } from './macd';

describe('macd', () => {
  it('matches TA-Lib regression values for MACD(12,26,9) (ta_regtest/ta_test_func/test_macd.c)', () => {
    const { macd: line, signal, histogram } = macd(TALIB_CLOSE, 12, 26, 9);
    assert.ok(Number.isNaN(line[32]) && Number.isNaN(signal[32]) && Number.isNaN(histogram[32]), 'lookback 33');
    assertClose(line[33], -1.9738, 0.0001, 'MACD first');
    assertClose(signal[33], -2.7071, 0.0001, 'signal first');
    assertClose(histogram[33], -1.9738 - -2.7071, 0.0002, 'histogram first');
  });

  it("seeds the fast EMA at the slow EMA's start, as TA-Lib does (not a standalone EMA(fast))", () => {
    const { macd: line } = macd(TALIB_CLOSE, 12, 26, 9);
    const naive = (ema(TALIB_CLOSE, 12)[33] as number) - (ema(TALIB_CLOSE, 26)[33] as number);
    assert.ok(Math.abs((line[33] as number) - naive) > 1e-3, 'the two seedings differ at the first output');
    // …and converge once the seed has decayed.
    assertClose(line[251], (ema(TALIB_CLOSE, 12)[251] as number) - (ema(TALIB_CLOSE, 26)[251] as number), 1e-9, 'tail');
  });

  it('has histogram = macd − signal everywhere', () => {
    const r = macd(TALIB_CLOSE);
    for (let i = 33; i < 252; i++) assert.equal(r.histogram[i], (r.macd[i] as number) - (r.signal[i] as number));
  });

  it('streaming equals batch bit for bit, replace() included (property)', () => {
    fc.assert(
      fc.property(
        priceWalk(1200),
        fc.integer({ min: 1, max: 15 }),
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 12 }),
        (xs, fast, extra, signal) => {
          const slow = fast + extra;
          const batch = macd(xs, fast, slow, signal);
          const out = drive(new MacdStream(fast, slow, signal), Array.from(xs), everyThird, bumpNumber);
          assertSameNumbers(
            out.map((v) => v.macd),
            batch.macd,
            'macd',
          );
          assertSameNumbers(
            out.map((v) => v.signal),
            batch.signal,
            'signal',
          );
          assertSameNumbers(
            out.map((v) => v.histogram),
            batch.histogram,
            'histogram',
          );
        },
      ),
      { numRuns: 60 },
    );
  });

  it('streaming equals batch bit for bit through NaN and ±Infinity holes (property)', () => {
    fc.assert(
      fc.property(gappyWalk(1200), (xs) => {
        const batch = macd(xs, 5, 11, 4);
        const out = drive(new MacdStream(5, 11, 4), Array.from(xs), everyThird, bumpNumber);
        assertSameNumbers(
          out.map((v) => v.histogram),
          batch.histogram,
          'histogram',
        );
      }),
      { numRuns: 40 },
    );
  });

  it('rejects bad periods, fast >= slow, and replace() before update()', () => {
    assert.throws(() => macd([1], 0), { name: 'RangeError', message: /macd: fast must be an integer >= 1/ });
    assert.throws(() => macd([1], 12, 26, 0), { name: 'RangeError', message: /macd: signal/ });
    assert.throws(() => macd([1], 26, 12), {
      name: 'RangeError',
      message: /macd: fast must be less than slow \(got fast 26, slow 12\)/,
    });
    assert.throws(() => new MacdStream(12, 12), { name: 'RangeError', message: /MacdStream: fast must be less/ });
    assert.throws(() => new MacdStream().replace(1), /MacdStream\.replace\(\)/);
  });
});
