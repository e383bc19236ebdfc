import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cumulativeReturn, curveSeries, indicatorLines, normaliseBars } from './chart-data';

const bar = (minute: number, open: number, close: number) => ({
  bar_ts: new Date(Date.UTC(2026, 0, 5, 10, minute)).toISOString(),
  open,
  high: Math.max(open, close) + 1,
  low: Math.min(open, close) - 1,
  close,
});

test('normaliseBars sorts newest-first api bars ascending and keeps the last copy of a repeated bar', () => {
  const bars = normaliseBars([bar(2, 10, 11), bar(1, 9, 10), bar(2, 10, 12)]);
  assert.deepEqual(
    bars.map((b) => [new Date(b.time * 1000).getUTCMinutes(), b.close]),
    [
      [1, 10],
      [2, 12],
    ],
  );
});

test('cumulativeReturn compounds the signed move of each BUY/SELL bar and skips NEUTRAL calls and unknown bars', () => {
  const bars = normaliseBars([bar(0, 100, 110), bar(1, 110, 99), bar(2, 99, 120)]);
  const t = (i: number) => (bars[i] as { time: number }).time;
  const curve = cumulativeReturn(bars, [
    { time: t(0), decision: 'BUY', modelId: 'm', confidence: 1 },
    { time: t(1), decision: 'SELL', modelId: 'm', confidence: 1 },
    { time: t(2), decision: 'NEUTRAL', modelId: 'm', confidence: 1 },
    { time: t(2) + 60, decision: 'BUY', modelId: 'm', confidence: 1 },
  ]);
  assert.equal(curve.length, 2);
  // +10% then +10% (a SELL of a bar that fell 10%): 1.1 × 1.1 − 1.
  assert.ok(Math.abs((curve[1]?.value ?? 0) - 0.21) < 1e-12);
});

test('indicatorLines leave out the warm-up: EMA 20 starts at the 20th close, RSI 14 after 14 changes', () => {
  const bars = normaliseBars(Array.from({ length: 60 }, (_, i) => bar(i, 100 + i, 101 + i)));
  const lines = indicatorLines(bars);
  assert.equal(lines.ema20.length, 41);
  assert.equal(lines.ema50.length, 11);
  assert.equal(lines.bbUpper.length, 41);
  assert.equal(lines.rsi14.length, 46);
  assert.ok(lines.bbUpper.every((p, i) => p.value >= (lines.bbLower[i]?.value ?? Number.POSITIVE_INFINITY)));
});

test('curveSeries keeps the last point of each entry time, draws drawdown below zero and skips a hit rate not yet known', () => {
  const at = (minute: number) => new Date(Date.UTC(2026, 0, 5, 10, minute)).toISOString();
  const s = curveSeries([
    { at: at(0), equity: 0, drawdown: 0, hit_rate: null },
    { at: at(1), equity: 0.02, drawdown: 0, hit_rate: 1 },
    { at: at(1), equity: 0.01, drawdown: 0.01, hit_rate: 0.5 },
    { at: at(2), equity: 0.03, drawdown: 0, hit_rate: 2 / 3 },
  ]);
  const t = (minute: number) => Date.UTC(2026, 0, 5, 10, minute) / 1000;
  assert.deepEqual(s.equity, [
    { time: t(0), value: 0 },
    { time: t(1), value: 0.01 },
    { time: t(2), value: 0.03 },
  ]);
  assert.deepEqual(
    s.drawdown.map((p) => p.value),
    [0, -0.01, 0],
  );
  assert.deepEqual(
    s.hit_rate.map((p) => [p.time, p.value]),
    [
      [t(1), 0.5],
      [t(2), 2 / 3],
    ],
  );
});
