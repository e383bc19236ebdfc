import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatDuration, formatReturn, returnTone } from './format';

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
