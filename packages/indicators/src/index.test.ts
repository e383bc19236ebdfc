// The package's public surface, checked through its root (what `import … from '@neuronetiq/indicators'` sees):
// the fourteen batch functions under exactly the names the issue gives, their output shape, their streaming
// classes, and the argument checks every one of them shares.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as indicators from './index';

const N = 60;
const close = Float64Array.from({ length: N }, (_, i) => 100 + 5 * Math.sin(i / 3) + i / 10);
const high = close.map((c, i) => c + 1 + (i % 3) / 10);
const low = close.map((c, i) => c - 1 - (i % 4) / 10);
const volume = Float64Array.from({ length: N }, (_, i) => 1000 + ((i * 37) % 500));

interface Case {
  /** Runs the batch function with its default parameters (or period 20 where it has none). */
  run(): Float64Array | indicators.MacdResult | indicators.BollingerResult | indicators.StochasticResult;
  /** Index of the first defined output with those parameters (the README's table). */
  first: number;
  /** The streaming class that goes with it. */
  stream: string;
}

const CASES: Record<string, Case> = {
  sma: { run: () => indicators.sma(close, 20), first: 19, stream: 'SmaStream' },
  ema: { run: () => indicators.ema(close, 20), first: 19, stream: 'EmaStream' },
  wma: { run: () => indicators.wma(close, 20), first: 19, stream: 'WmaStream' },
  rsi: { run: () => indicators.rsi(close), first: 14, stream: 'RsiStream' },
  macd: { run: () => indicators.macd(close), first: 33, stream: 'MacdStream' },
  bollinger: { run: () => indicators.bollinger(close), first: 19, stream: 'BollingerStream' },
  atr: { run: () => indicators.atr(high, low, close), first: 14, stream: 'AtrStream' },
  stochastic: { run: () => indicators.stochastic(high, low, close), first: 17, stream: 'StochasticStream' },
  adx: { run: () => indicators.adx(high, low, close), first: 27, stream: 'AdxStream' },
  obv: { run: () => indicators.obv(close, volume), first: 0, stream: 'ObvStream' },
  vwap: { run: () => indicators.vwap(high, low, close, volume), first: 0, stream: 'VwapStream' },
  roc: { run: () => indicators.roc(close), first: 10, stream: 'RocStream' },
  cci: { run: () => indicators.cci(high, low, close), first: 19, stream: 'CciStream' },
  williamsR: { run: () => indicators.williamsR(high, low, close), first: 13, stream: 'WilliamsRStream' },
};

describe('@neuronetiq/indicators root', () => {
  it('exports the fourteen batch functions under exactly the names of the issue, each with a streaming class', () => {
    const names = Object.keys(CASES);
    assert.deepEqual(names, [
      'sma',
      'ema',
      'wma',
      'rsi',
      'macd',
      'bollinger',
      'atr',
      'stochastic',
      'adx',
      'obv',
      'vwap',
      'roc',
      'cci',
      'williamsR',
    ]);
    const exported = indicators as unknown as Record<string, unknown>;
    for (const name of names) {
      assert.equal(typeof exported[name], 'function', `${name} is exported from the root`);
      const stream = exported[(CASES[name] as Case).stream] as { prototype?: Record<string, unknown> } | undefined;
      assert.equal(typeof stream, 'function', `${(CASES[name] as Case).stream} is exported from the root`);
      for (const method of ['update', 'replace', 'reset']) {
        assert.equal(typeof stream?.prototype?.[method], 'function', `${(CASES[name] as Case).stream}.${method}`);
      }
    }
    // Nothing else is a value export: the rest of the surface is types.
    const streams = names.map((n) => (CASES[n] as Case).stream);
    assert.deepEqual(Object.keys(exported).sort(), [...names, ...streams].sort());
  });

  it('returns Float64Arrays of the input length, NaN exactly during the warm-up, for every function', () => {
    for (const [name, c] of Object.entries(CASES)) {
      const result = c.run();
      const outputs = result instanceof Float64Array ? { value: result } : result;
      assert.ok(Object.keys(outputs).length > 0, name);
      for (const [key, out] of Object.entries(outputs) as [string, unknown][]) {
        const label = `${name}.${key}`;
        assert.ok(out instanceof Float64Array, `${label} is a Float64Array`);
        assert.equal(out.length, N, `${label} has the input's length`);
        for (let i = 0; i < N; i++) {
          assert.equal(Number.isNaN(out[i]), i < c.first, `${label}[${i}] ${i < c.first ? 'is' : 'is not'} NaN`);
        }
      }
    }
  });

  it('accepts number[] as well as Float64Array and gives the same numbers', () => {
    assert.deepEqual(indicators.rsi(Array.from(close)), indicators.rsi(close));
    assert.deepEqual(
      indicators.atr(Array.from(high), Array.from(low), Array.from(close)),
      indicators.atr(high, low, close),
    );
  });

  it('refuses an element that is not a number instead of computing on null as 0 or on "1.1" as 1.1', () => {
    const withNull = [1, 2, null, 4] as unknown as number[];
    const withString = [1, '1.1', 3] as unknown as number[];
    assert.throws(() => indicators.sma(withNull, 2), {
      name: 'TypeError',
      message: 'sma: values[2] must be a number (got null)',
    });
    assert.throws(() => indicators.ema(withString, 2), {
      name: 'TypeError',
      message: /ema: values\[1\] must be a number \(got string\)/,
    });
    assert.throws(() => indicators.obv([1, 2, 3], [1, undefined, 3] as unknown as number[]), {
      name: 'TypeError',
      message: /obv: volume\[1\] must be a number \(got undefined\)/,
    });
    // NaN is a number: it is kept and propagates as each function documents.
    assert.ok(Number.isNaN(indicators.sma([1, Number.NaN, 3], 2)[1]));
  });

  it('rejects a period below 1 in every function that has one, naming the function', () => {
    const withPeriod: [string, (p: number) => unknown][] = [
      ['sma', (p) => indicators.sma(close, p)],
      ['ema', (p) => indicators.ema(close, p)],
      ['wma', (p) => indicators.wma(close, p)],
      ['rsi', (p) => indicators.rsi(close, p)],
      ['macd', (p) => indicators.macd(close, p, 26, 9)],
      ['bollinger', (p) => indicators.bollinger(close, p)],
      ['atr', (p) => indicators.atr(high, low, close, p)],
      ['stochastic', (p) => indicators.stochastic(high, low, close, p)],
      ['adx', (p) => indicators.adx(high, low, close, p)],
      ['roc', (p) => indicators.roc(close, p)],
      ['cci', (p) => indicators.cci(high, low, close, p)],
      ['williamsR', (p) => indicators.williamsR(high, low, close, p)],
    ];
    for (const [name, call] of withPeriod) {
      for (const bad of [0, -3]) {
        assert.throws(() => call(bad), {
          name: 'RangeError',
          message: new RegExp(`^${name}: .* must be an integer >= 1`),
        });
      }
    }
  });

  it('rejects series of different lengths in every multi-input function, naming the lengths', () => {
    const short = close.subarray(1);
    const calls: [string, () => unknown][] = [
      ['atr', () => indicators.atr(high, short, close)],
      ['stochastic', () => indicators.stochastic(high, low, short)],
      ['adx', () => indicators.adx(short, low, close)],
      ['obv', () => indicators.obv(close, short)],
      ['vwap', () => indicators.vwap(high, low, close, short)],
      ['cci', () => indicators.cci(high, low, short)],
      ['williamsR', () => indicators.williamsR(high, short, close)],
    ];
    for (const [name, call] of calls) {
      assert.throws(call, (err: unknown) => {
        assert.ok(err instanceof RangeError, `${name}: RangeError`);
        assert.match(err.message, new RegExp(`^${name}: .* must have the same length \\(got `));
        assert.match(err.message, new RegExp(`\\b${N}\\b.*\\b${N - 1}\\b|\\b${N - 1}\\b.*\\b${N}\\b`));
        return true;
      });
    }
  });
});
