import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bollinger } from '@neuronetiq/indicators';
import { barsFromCloses, zigzag } from '../test-bars';
import { isInsufficientBars, type ModelPrediction } from '../types';
import { bollingerRevert001 } from './bollinger-revert-001';

function predict(closes: number[]): ModelPrediction {
  const outcome = bollingerRevert001.predict(barsFromCloses(closes));
  assert.ok(!isInsufficientBars(outcome), 'expected a prediction');
  return outcome;
}

test('bollinger-revert-001 says BUY when the close falls below the lower band', () => {
  const closes = [...zigzag(25, 100, 0.5), 97];
  const lower = bollinger(closes, 20, 2).lower.at(-1) as number;
  assert.ok(97 < lower, `97 should be below the lower band ${lower}`);
  const p = predict(closes);
  assert.equal(p.decision, 'BUY');
  assert.ok((p.meta.percent_b as number) < 0);
  assert.equal(p.confidence, Math.min(1, 0.5 - (p.meta.percent_b as number)));
});

test('bollinger-revert-001 says SELL above the upper band, more confident further out', () => {
  const near = predict([...zigzag(25, 100, 0.5), 101.6]);
  const far = predict([...zigzag(25, 100, 0.5), 104]);
  assert.equal(near.decision, 'SELL');
  assert.equal(far.decision, 'SELL');
  assert.ok(far.confidence > near.confidence);
});

test('bollinger-revert-001 is NEUTRAL inside the bands, 0.5 on the middle band', () => {
  const p = predict([...zigzag(20, 100, 0.5), 100]);
  assert.equal(p.decision, 'NEUTRAL');
  const b = p.meta.percent_b as number;
  assert.ok(b > 0 && b < 1);
  assert.ok(Math.abs(p.confidence - 0.5 * (1 - 2 * Math.abs(b - 0.5))) < 1e-12);
});

test('bollinger-revert-001 has no opinion on a flat window and needs 20 bars', () => {
  const flat = predict(Array(20).fill(100));
  assert.equal(flat.decision, 'NEUTRAL');
  assert.equal(flat.confidence, 0);
  const short = bollingerRevert001.predict(barsFromCloses(Array(19).fill(100)));
  assert.ok(isInsufficientBars(short));
  assert.equal(short.requiredBars, 20);
});
