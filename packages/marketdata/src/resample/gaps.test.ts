import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findGaps } from './gaps';

const t = (iso: string) => Date.parse(iso);

describe('findGaps', () => {
  test('counts missing bars and lists each gap with its size', () => {
    const ts = [
      '2024-01-02T10:00Z',
      '2024-01-02T10:01Z',
      '2024-01-02T10:04Z',
      '2024-01-02T10:05Z',
      '2024-01-02T10:07Z',
    ].map(t);
    const r = findGaps(ts, '1m');
    assert.equal(r.gapCount, 2);
    assert.equal(r.missingBars, 3);
    assert.equal(r.presentBars, 5);
    assert.equal(r.expectedBars, 8);
    assert.deepEqual(r.gaps, [
      { after: '2024-01-02T10:01:00.000Z', before: '2024-01-02T10:04:00.000Z', missingBars: 2 },
      { after: '2024-01-02T10:05:00.000Z', before: '2024-01-02T10:07:00.000Z', missingBars: 1 },
    ]);
    assert.deepEqual(r.largest, r.gaps[0]);
    assert.equal(findGaps(ts, '1m', { maxListed: 1 }).gaps.length, 1);
  });

  test('fx calendar: the weekend from Friday 17:00 to Sunday 17:00 New York is not missing, in winter and in summer', () => {
    const winter = findGaps([t('2017-01-06T21:59Z'), t('2017-01-08T22:00Z')], '1m', { calendar: 'fx' });
    assert.equal(winter.missingBars, 0);
    const dstWeekend = findGaps([t('2017-03-10T21:59Z'), t('2017-03-12T21:00Z')], '1m', { calendar: 'fx' });
    assert.equal(dstWeekend.missingBars, 0);
    const summer = findGaps([t('2017-06-02T20:59Z'), t('2017-06-04T21:00Z')], '1m', { calendar: 'fx' });
    assert.equal(summer.missingBars, 0);
    // A session that opens an hour late is an hour of missing bars.
    const late = findGaps([t('2017-06-02T20:59Z'), t('2017-06-04T22:00Z')], '1m', { calendar: 'fx' });
    assert.equal(late.missingBars, 60);
    assert.equal(findGaps([t('2017-06-02T20:59Z'), t('2017-06-04T21:00Z')], '1m').missingBars, 48 * 60);
  });

  test('weekdays calendar: Saturday and Sunday are closed, a Monday holiday is one missing bar', () => {
    const fridayToMonday = findGaps([t('2024-01-05T00:00Z'), t('2024-01-08T00:00Z')], '1d', { calendar: 'weekdays' });
    assert.equal(fridayToMonday.gapCount, 0);
    const holiday = findGaps([t('2024-01-12T00:00Z'), t('2024-01-16T00:00Z')], '1d', { calendar: 'weekdays' });
    assert.deepEqual(holiday.gaps, [
      { after: '2024-01-12T00:00:00.000Z', before: '2024-01-16T00:00:00.000Z', missingBars: 1 },
    ]);
  });

  test('refuses unsorted input', () => {
    assert.throws(() => findGaps([2, 1], '1m'), /ascending unique/);
  });
});
