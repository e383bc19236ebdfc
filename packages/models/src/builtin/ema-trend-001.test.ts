import assert from 'node:assert/strict';
import { test } from 'node:test';
import { barsFromCloses, line } from '../test-bars';
import { isInsufficientBars, type ModelPrediction } from '../types';
import { emaTrend001 } from './ema-trend-001';

function predict(closes: number[]): ModelPrediction {
  const outcome = emaTrend001.predict(barsFromCloses(closes));
  assert.ok(!isInsufficientBars(outcome), 'expected a prediction');
  return outcome;
}

test('ema-trend-001 says BUY in an up-trend the close confirms', () => {
  const p = predict(line(80, 100, 0.5));
  assert.equal(p.decision, 'BUY');
  assert.ok((p.meta.ema_fast as number) > (p.meta.ema_slow as number));
  assert.ok(p.confidence > 0.5 && p.confidence <= 1);
});

test('ema-trend-001 says SELL in a down-trend the close confirms', () => {
  const p = predict(line(80, 140, -0.5));
  assert.equal(p.decision, 'SELL');
  assert.ok((p.meta.ema_fast as number) < (p.meta.ema_slow as number));
});

test('ema-trend-001 is NEUTRAL when the close goes against the trend', () => {
  const closes = [...line(80, 100, 0.5), 120]; // up-trend, then a close below EMA20 (about 135)
  const p = predict(closes);
  assert.ok((p.meta.ema_fast as number) > (p.meta.ema_slow as number));
  assert.ok((p.meta.close as number) < (p.meta.ema_fast as number));
  assert.equal(p.decision, 'NEUTRAL');
});

test('ema-trend-001 is less confident the narrower the EMA spread', () => {
  const steep = predict(line(80, 100, 1));
  const gentle = predict(line(80, 100, 0.01));
  assert.equal(gentle.decision, 'BUY');
  assert.ok(steep.confidence > gentle.confidence);
});

test('ema-trend-001 needs 50 bars (EMA50)', () => {
  const short = emaTrend001.predict(barsFromCloses(line(49, 100, 1)));
  assert.ok(isInsufficientBars(short));
  assert.equal(short.requiredBars, 50);
});
