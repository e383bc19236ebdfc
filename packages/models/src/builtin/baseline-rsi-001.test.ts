import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rsi } from '@neuronetiq/indicators';
import { barsFromCloses, line, zigzag } from '../test-bars';
import { isInsufficientBars, type ModelPrediction } from '../types';
import { baselineRsi001 } from './baseline-rsi-001';

function predict(closes: number[]): ModelPrediction {
  const outcome = baselineRsi001.predict(barsFromCloses(closes));
  assert.ok(!isInsufficientBars(outcome), 'expected a prediction');
  return outcome;
}

test('baseline-rsi-001 says BUY below RSI 30, with meta.rsi and confidence from the distance past 30', () => {
  // Falling steadily then one small uptick: RSI stays far below 30.
  const closes = [...line(30, 100, -1), 70.2];
  const value = rsi(closes, 14).at(-1) as number;
  assert.ok(value < 30, `constructed RSI ${value} should be < 30`);
  const p = predict(closes);
  assert.equal(p.decision, 'BUY');
  assert.equal(p.meta.rsi, value);
  assert.ok(Math.abs(p.confidence - (0.5 + (0.5 * (30 - value)) / 30)) < 1e-12);
});

test('baseline-rsi-001 says SELL above RSI 70 and is more confident the further past 70', () => {
  const strong = predict(line(30, 100, 1)); // only gains: RSI 100
  assert.equal(strong.decision, 'SELL');
  assert.equal(strong.meta.rsi, 100);
  assert.equal(strong.confidence, 1);
  const milder = [...line(30, 100, 1), 128, 129.5, 128.7];
  const mild = predict(milder);
  assert.equal(mild.decision, 'SELL');
  assert.ok((mild.meta.rsi as number) < 100 && (mild.meta.rsi as number) > 70);
  assert.ok(mild.confidence < strong.confidence && mild.confidence > 0.5);
});

test('baseline-rsi-001 is NEUTRAL between 30 and 70, most confident near 50', () => {
  const p = predict(zigzag(40, 100, 1));
  assert.equal(p.decision, 'NEUTRAL');
  const value = p.meta.rsi as number;
  assert.ok(value > 30 && value < 70);
  assert.ok(Math.abs(p.confidence - 0.5 * (1 - Math.abs(value - 50) / 20)) < 1e-12);
});

test('baseline-rsi-001 answers INSUFFICIENT_BARS below 15 bars and decides from exactly 15', () => {
  const short = baselineRsi001.predict(barsFromCloses(line(14, 100, 1)));
  assert.ok(isInsufficientBars(short));
  assert.equal(short.requiredBars, 15);
  assert.equal(short.receivedBars, 14);
  assert.match(short.message, /needs at least 15 bars; the series has 14/);
  assert.ok(!isInsufficientBars(baselineRsi001.predict(barsFromCloses(line(15, 100, 1)))));
});

test('baseline-rsi-001 does not read a flat series as oversold (TA-Lib gives RSI 0 there)', () => {
  const p = predict(Array(20).fill(1.1));
  assert.equal(p.decision, 'NEUTRAL');
  assert.equal(p.confidence, 0);
  assert.equal(p.meta.rsi, null);
});

test('baseline-rsi-001 grows more confident the further RSI goes past either threshold, on both sides', () => {
  // 30 closes falling by 1 to 71, then a last bar up by 0.5 … 5: RSI = 100·up/(13 + up) climbs from deep below 30 towards
  // it, so BUY confidence must fall.
  const buys = [0.5, 1, 2, 3, 4, 5].map((up) => predict([...line(30, 100, -1), 71 + up]));
  // The mirror image: rising to 129, then a last bar down by 0.5 … 5; RSI falls from near 100 towards 70.
  const sells = [0.5, 1, 2, 3, 4, 5].map((down) => predict([...line(30, 100, 1), 129 - down]));
  for (const [side, list, decision] of [
    ['BUY', buys, 'BUY'],
    ['SELL', sells, 'SELL'],
  ] as const) {
    const rsis = list.map((p) => p.meta.rsi as number);
    assert.ok(
      list.every((p) => p.decision === decision),
      `${side}: all past the threshold (RSI ${rsis.map((r) => r.toFixed(1))})`,
    );
    for (let i = 1; i < list.length; i++) {
      const distance = (p: ModelPrediction) =>
        side === 'BUY' ? 30 - (p.meta.rsi as number) : (p.meta.rsi as number) - 70;
      const [a, b] = [list[i - 1] as ModelPrediction, list[i] as ModelPrediction];
      assert.ok(distance(a) > distance(b), `${side}: the constructed RSIs move towards the threshold (${rsis})`);
      assert.ok(a.confidence > b.confidence, `${side}: farther past the threshold, more confident (${rsis})`);
      assert.ok(b.confidence >= 0.5, `${side}: at least 0.5 past the threshold`);
    }
  }
});
