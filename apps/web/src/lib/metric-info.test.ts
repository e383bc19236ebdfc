import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PerformanceMetrics } from '@neuronetiq/contracts';
import { METRIC_INFO, sharpeAnnualisation, sharpeNote } from './metric-info';

test('the Sharpe ratio is annualised by √(horizons per 365.25-day year), as docs/metrics.md says', () => {
  assert.equal(Math.round(sharpeAnnualisation('1h', 1) ** 2), 8766, 'the worked example of docs/metrics.md');
  assert.equal(Math.round(sharpeAnnualisation('1m', 1)), 725);
  assert.equal(Math.round(sharpeAnnualisation('1m', 20)), 162);
  assert.equal(Math.round(sharpeAnnualisation('1d', 1)), 19);
  // The hover text names the same factors.
  assert.match(METRIC_INFO.sharpe.explain, /× 725 on 1m bars at a 1-bar horizon, × 94 on 1h, × 19 on 1d/);
});

test('a row’s Sharpe explains its factor, its per-call ratio and its standard error on hover', () => {
  // The demo's ema-trend-001 on a fresh `npm start`: 8 hours of 1m calls.
  const m = {
    timeframes: ['1m'],
    horizon_bars: 1,
    scored: 890,
    sharpe: -19.778020254613534,
  } as unknown as PerformanceMetrics;
  assert.equal(
    sharpeNote('en-US', m),
    'Annualised from 1m bars at a 1-bar horizon: -0.0273 per call × 725 = -19.78, ±24.3 (one standard error over 890 calls).',
  );
  assert.equal(sharpeNote('en-US', { ...m, sharpe: null }), undefined);
  assert.equal(sharpeNote('en-US', { ...m, timeframes: ['1m', '5m'] } as PerformanceMetrics), undefined);
});
