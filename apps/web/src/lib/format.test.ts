import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  formatChartTime,
  formatDuration,
  formatPrice,
  formatReturn,
  formatSmallReturnBp,
  formatTickMark,
  pricePrecision,
  returnTone,
} from './format';

test('a return that rounds to 0.000% prints without a sign and is neutral, whichever side of zero it is', () => {
  for (const r of [-0.000004, 0, 0.000004]) {
    assert.equal(formatReturn('en-US', r), '0.000%');
    assert.equal(returnTone(r), undefined, `tone of ${r}`);
  }
});

test('a return that shows a digit gets its sign and colour', () => {
  assert.equal(formatReturn('en-US', -0.0000051), '-0.001%');
  assert.equal(returnTone(-0.0000051), 'sell');
  assert.equal(formatReturn('en-US', 0.00123), '+0.123%');
  assert.equal(returnTone(0.00123), 'buy');
  assert.equal(returnTone(null), undefined);
  assert.equal(returnTone(Number.NaN), undefined);
});

test('a delay is told in the largest unit that fits it exactly (a day as 24 hours, as traders say it)', () => {
  assert.equal(formatDuration('en-US', 86_400), '24 hours');
  assert.equal(formatDuration('en-US', 2 * 86_400), '2 days');
  assert.equal(formatDuration('en-US', 5400), '90 minutes');
  assert.equal(formatDuration('en-US', 3600), '1 hour');
  assert.equal(formatDuration('en-US', 90), '90 seconds');
  assert.equal(formatDuration('de-DE', 86_400), '24 Stunden');
});

test('chart axis labels are in the viewer’s zone, not UTC', () => {
  const t = Date.parse('2026-12-06T06:20:00Z') / 1000;
  assert.equal(formatTickMark('en-GB', t, 3, 'Europe/Berlin'), '07:20');
  assert.equal(formatTickMark('en-GB', t, 3, 'Asia/Kolkata'), '11:50');
  assert.equal(formatTickMark('en-GB', t, 4, 'Europe/Berlin'), '07:20:00');
  // A day label near midnight UTC names the viewer's date.
  const late = Date.parse('2026-12-05T23:30:00Z') / 1000;
  assert.equal(formatTickMark('en-GB', late, 2, 'Asia/Tokyo'), '6 Dec');
  assert.equal(formatTickMark('en-GB', late, 2, 'America/New_York'), '5 Dec');
  assert.equal(formatTickMark('en-GB', late, 1, 'UTC'), 'Dec 2026');
  assert.equal(formatTickMark('en-GB', late, 0, 'Asia/Tokyo'), '2026');
});

test('a chart’s crosshair time is local with the UTC time beside it', () => {
  const t = Date.parse('2026-12-06T06:20:00Z') / 1000;
  assert.equal(formatChartTime('en-GB', t, 'Europe/Berlin'), '6 Dec 2026, 07:20 · 06:20 UTC');
});

test('prices are quoted with the decimals of their market: FX to 5, crypto to 2', () => {
  assert.equal(pricePrecision(1.08324), 5);
  assert.equal(pricePrecision(149.512), 3);
  assert.equal(pricePrecision(42572.47), 2);
  assert.equal(formatPrice('en-US', 1.08324), '1.08324');
});

test('a mean return below a basis point is told in basis points, so a 1m model does not read as earning nothing', () => {
  // The demo's ema-trend-001 over its backfilled 1m history.
  assert.equal(formatReturn('en-US', -0.0000041), '0.000%');
  assert.equal(formatSmallReturnBp('en-US', -0.0000041), '-0.041 bp');
  assert.equal(formatSmallReturnBp('en-US', -0.0000055199), '-0.055 bp');
  assert.equal(formatSmallReturnBp('en-US', 0.0000123), '+0.12 bp');
  assert.equal(formatSmallReturnBp('en-US', 0.00123), undefined, 'shown in percent already');
  assert.equal(formatSmallReturnBp('en-US', 0), undefined);
  assert.equal(formatSmallReturnBp('en-US', null), undefined);
});

test('a 12-hour locale’s axis label has no leading zero (shorter labels, less cut at an edge); 24-hour ones keep it', () => {
  const t = Date.parse('2026-12-06T06:45:00Z') / 1000;
  assert.match(formatTickMark('en-US', t, 3, 'Europe/Berlin'), /^7:45\sAM$/);
  assert.equal(formatTickMark('de-DE', t, 3, 'Europe/Berlin'), '07:45');
});

test('the trading view’s price change that rounds to 0.00% is unsigned and neutral, a real one signed', () => {
  assert.equal(formatReturn('en-US', -0.00001, 2), '0.00%');
  assert.equal(returnTone(-0.00001, 2), undefined);
  assert.equal(formatReturn('en-US', 0.00012, 2), '+0.01%');
  assert.equal(returnTone(0.00012, 2), 'buy');
});
