import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { OhlcvBarSchema, TIMEFRAME_MS } from '@neuronetiq/contracts';
import { createSyntheticSeries, DEFAULT_REGIMES, generateBackfill } from './synthetic-series';

const START = Date.parse('2024-01-01T00:00:00Z');
const base = { symbol: 'DEMO', timeframe: '1m', seed: 42, startMs: START, startPrice: 100, decimals: 6 } as const;

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}
function sd(xs: number[]): number {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
}
function autocorr(xs: number[], lag = 1): number {
  const m = mean(xs);
  let num = 0;
  let den = 0;
  for (let i = 0; i < xs.length; i++) {
    den += ((xs[i] as number) - m) ** 2;
    if (i >= lag) num += ((xs[i] as number) - m) * ((xs[i - lag] as number) - m);
  }
  return num / den;
}

describe('synthetic series', () => {
  test('is deterministic for a seed and differs across seeds', () => {
    const a = createSyntheticSeries(base).take(500);
    const b = createSyntheticSeries(base).take(500);
    const c = createSyntheticSeries({ ...base, seed: 43 }).take(500);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
  });

  test('bars are valid OhlcvBars, contiguous, and each opens at the previous close', () => {
    const bars = createSyntheticSeries(base).take(2_000);
    bars.forEach((bar, i) => {
      OhlcvBarSchema.parse(bar);
      assert.equal(Date.parse(bar.bar_ts), START + i * TIMEFRAME_MS['1m']);
      if (i > 0) assert.equal(bar.open, bars[i - 1]?.close);
    });
  });

  test('has the statistical shape asked for: per-regime volatility, no drift, uncorrelated returns, clustered volatility', () => {
    const series = createSyntheticSeries({ ...base, timeframe: '1h', decimals: 8 });
    const returns: Record<string, number[]> = { calm: [], volatile: [] };
    const all: number[] = [];
    let prev = 100;
    for (let i = 0; i < 40_000; i++) {
      const bar = series.next();
      const r = Math.log(bar.close / prev);
      prev = bar.close;
      returns[series.regime]?.push(r);
      all.push(r);
    }
    const perBar = (annual: number) => annual * Math.sqrt(TIMEFRAME_MS['1h'] / (365.25 * 86_400_000));
    for (const regime of DEFAULT_REGIMES) {
      const xs = returns[regime.name] as number[];
      assert.ok(xs.length > 2_000, `${regime.name} visited (${xs.length} bars)`);
      const ratio = sd(xs) / perBar(regime.annualVolatility);
      assert.ok(Math.abs(ratio - 1) < 0.05, `${regime.name} volatility ratio ${ratio}`);
    }
    // Time share of each regime follows the mean durations (600 : 150 → 80 % calm), within sampling noise.
    const calmShare = (returns.calm as number[]).length / all.length;
    assert.ok(calmShare > 0.7 && calmShare < 0.9, `calm share ${calmShare}`);
    // Log returns have mean -σ²/2 per unit time: negligible; test against its standard error.
    const se = sd(all) / Math.sqrt(all.length);
    assert.ok(Math.abs(mean(all)) < 4 * se, `mean ${mean(all)} vs se ${se}`);
    assert.ok(Math.abs(autocorr(all)) < 0.03, `return autocorrelation ${autocorr(all)}`);
    const absAc = autocorr(all.map(Math.abs));
    assert.ok(absAc > 0.1, `volatility clustering: |r| autocorrelation ${absAc}`);
  });

  test('refuses a start off the timeframe boundary', () => {
    assert.throws(
      () => createSyntheticSeries({ ...base, timeframe: '5m', startMs: START + 60_000 }),
      /not on a 5m boundary/,
    );
  });
});

describe('generateBackfill', () => {
  test('gives N closed bars ending at endMs, and a series that continues them without a seam', () => {
    const endMs = Date.parse('2024-01-02T10:07:30Z');
    const { bars, series } = generateBackfill({ ...base, timeframe: '5m', count: 100, endMs });
    assert.equal(bars.length, 100);
    assert.equal(bars.at(-1)?.bar_ts, '2024-01-02T10:00:00.000Z', 'the last bar closed at 10:05, before endMs');
    assert.equal(series.nextBarMs, Date.parse('2024-01-02T10:05:00Z'));
    const next = series.next();
    assert.equal(next.open, bars.at(-1)?.close);
    // Same options, same backfill.
    assert.deepEqual(generateBackfill({ ...base, timeframe: '5m', count: 100, endMs }).bars, bars);
  });
});
