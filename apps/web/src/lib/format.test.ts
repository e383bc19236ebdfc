import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatReturn, returnTone } from './format';

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
