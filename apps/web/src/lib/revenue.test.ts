import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatPence, monthName, shiftMonth } from './revenue';

test('pence render as GBP with exactly two decimals, signs and grouping per locale', () => {
  assert.equal(formatPence('en-GB', 0), '£0.00');
  assert.equal(formatPence('en-GB', 1), '£0.01');
  assert.equal(formatPence('en-GB', 29), '£0.29');
  assert.equal(formatPence('en-GB', 100), '£1.00');
  assert.equal(formatPence('en-GB', 123_456), '£1,234.56');
  assert.equal(formatPence('en-GB', -5), '-£0.05');
  assert.equal(formatPence('en-GB', -100_000_000), '-£1,000,000.00');
  assert.equal(formatPence('de-DE', 123_456), '1.234,56\u00a0£', 'German grouping, a no-break space');
  assert.equal(formatPence('en-GB', Number.NaN), '—');
  assert.equal(formatPence('en-GB', 1.5), '—', 'not a whole number of pence');
});

test('pence are exact where dividing by 100 in floating point is not', () => {
  // 9007199254740991 / 100 is 90071992547409.91 only as a decimal string; as a double it is …409.9.
  assert.equal(formatPence('en-GB', Number.MAX_SAFE_INTEGER), '£90,071,992,547,409.91');
  // Every amount from 0 to £9.99 prints its own pence.
  for (let p = 0; p < 1000; p++) {
    const shown = formatPence('en-GB', p).replace('£', '');
    assert.equal(shown, `${Math.trunc(p / 100)}.${String(p % 100).padStart(2, '0')}`);
  }
});

test('months shift across year ends and name themselves in UTC', () => {
  assert.equal(shiftMonth('2026-12', 1), '2027-01');
  assert.equal(shiftMonth('2026-01', -1), '2025-12');
  assert.equal(shiftMonth('2024-02', 0), '2024-02');
  assert.equal(monthName('en-GB', '2026-12'), 'December 2026');
});
