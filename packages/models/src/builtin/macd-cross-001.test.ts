import assert from 'node:assert/strict';
import { test } from 'node:test';
import { macd } from '@neuronetiq/indicators';
import { barsFromCloses, line } from '../test-bars';
import { isInsufficientBars, type ModelPrediction } from '../types';
import { macdCross001 } from './macd-cross-001';

function predict(closes: number[]): ModelPrediction {
  const outcome = macdCross001.predict(barsFromCloses(closes));
  assert.ok(!isInsufficientBars(outcome), 'expected a prediction');
  return outcome;
}

/** Closes whose MACD histogram changes sign exactly on the last bar, found by extending a turn bar by bar. */
function crossingOnLastBar(first: number[], continuation: (i: number) => number): number[] {
  const closes = [...first];
  for (let i = 0; i < 200; i++) {
    closes.push(continuation(i));
    const h = macd(closes, 12, 26, 9).histogram;
    const last = h.at(-1) as number;
    const previous = h.at(-2) as number;
    if (Number.isFinite(previous) && Math.sign(last) !== Math.sign(previous) && last !== 0) return closes;
  }
  throw new Error('no cross constructed');
}

test('macd-cross-001 says BUY on the bar where MACD crosses above its signal line', () => {
  const closes = crossingOnLastBar(line(60, 150, -1), (i) => 91 + 2 * i);
  const h = macd(closes, 12, 26, 9).histogram;
  assert.ok((h.at(-2) as number) <= 0 && (h.at(-1) as number) > 0);
  const p = predict(closes);
  assert.equal(p.decision, 'BUY');
  assert.ok(p.confidence >= 0.5 && p.confidence <= 1);
  assert.equal(p.meta.histogram, h.at(-1));
});

test('macd-cross-001 says SELL on the bar where MACD crosses below its signal line', () => {
  const closes = crossingOnLastBar(line(60, 50, 1), (i) => 108 - 2 * i);
  assert.equal(predict(closes).decision, 'SELL');
});

test('macd-cross-001 is NEUTRAL with no cross, and one bar after a cross', () => {
  assert.equal(predict(line(60, 50, 1)).decision, 'NEUTRAL');
  const closes = crossingOnLastBar(line(60, 150, -1), (i) => 91 + 2 * i);
  closes.push((closes.at(-1) as number) + 2);
  const p = predict(closes);
  assert.equal(p.decision, 'NEUTRAL');
  assert.ok(p.confidence <= 0.5);
});

test('macd-cross-001 needs 35 bars (first histogram at bar 34, a cross needs two)', () => {
  const short = macdCross001.predict(barsFromCloses(line(34, 100, 1)));
  assert.ok(isInsufficientBars(short));
  assert.equal(short.requiredBars, 35);
  const enough = macdCross001.predict(barsFromCloses(line(35, 100, 1)));
  assert.ok(!isInsufficientBars(enough));
  assert.ok(Number.isFinite(enough.meta.previous_histogram), 'both histogram values are defined at 35 bars');
});
