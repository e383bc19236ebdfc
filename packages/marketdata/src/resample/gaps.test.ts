import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { calendarForSymbol, getCalendar } from './calendars';
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

  test('exchange hours: nights, weekends and a lunch break are closures; a missing hour inside a session is a hole', () => {
    // NYSE 5m, New York winter (UTC-5): Friday's last bar 15:55, Monday's first 09:30.
    const weekend = findGaps([t('2024-03-08T20:55Z'), t('2024-03-11T13:30Z')], '5m', { calendar: 'us-equities' });
    assert.equal(weekend.missingBars, 0, 'the clocks changed on Sunday: Monday opens at 13:30 UTC');
    const night = findGaps([t('2024-03-11T19:55Z'), t('2024-03-12T13:30Z')], '5m', { calendar: 'us-equities' });
    assert.equal(night.missingBars, 0);
    const lateOpen = findGaps([t('2024-03-11T19:55Z'), t('2024-03-12T13:40Z')], '5m', { calendar: 'us-equities' });
    assert.deepEqual([lateOpen.edges, lateOpen.holes.count], [{ count: 1, missingBars: 2 }, 0]);
    const hole = findGaps([t('2024-03-12T14:00Z'), t('2024-03-12T15:00Z')], '5m', { calendar: 'us-equities' });
    assert.deepEqual([hole.holes.count, hole.holes.missingBars, hole.edges.count], [1, 11, 0]);
    // Tokyo 1m (UTC+9, no daylight saving): the morning session ends 11:30, the afternoon opens 12:30.
    const lunch = findGaps([t('2024-03-12T02:29Z'), t('2024-03-12T03:30Z')], '1m', { calendar: 'tse' });
    assert.equal(lunch.missingBars, 0);
    // A Monday holiday on the LSE is a session's bars missing at its edges, never an in-session hole.
    const holiday = findGaps([t('2024-08-23T15:29Z'), t('2024-08-27T07:00Z')], '1m', { calendar: 'lse' });
    assert.deepEqual([holiday.holes.count, holiday.edges.missingBars], [0, 8.5 * 60]);
  });

  test('exchange calendars open at the local time in summer and in winter, Monday to Friday only', () => {
    const opens = (name: Parameters<typeof getCalendar>[0], from: string, to: string) =>
      getCalendar(name)
        .closedIntervals(t(from), t(to))
        .map(([, end]) => new Date(end).toISOString());
    assert.deepEqual(opens('xetra', '2024-07-05T12:00Z', '2024-07-09T12:00Z'), [
      '2024-07-08T07:00:00.000Z',
      '2024-07-09T07:00:00.000Z',
    ]);
    assert.deepEqual(opens('xetra', '2024-01-05T12:00Z', '2024-01-09T12:00Z'), [
      '2024-01-08T08:00:00.000Z',
      '2024-01-09T08:00:00.000Z',
    ]);
    assert.deepEqual(opens('us-equities-extended', '2024-07-05T12:00Z', '2024-07-08T12:00Z'), [
      '2024-07-08T08:00:00.000Z',
    ]);
  });

  test('a symbol names its calendar by its exchange suffix; a bare ticker does not', () => {
    assert.equal(calendarForSymbol('AAPL.US'), 'us-equities');
    assert.equal(calendarForSymbol('VOD.L'), 'lse');
    assert.equal(calendarForSymbol('SAP.DE'), 'xetra');
    assert.equal(calendarForSymbol('7203.T'), 'tse');
    assert.equal(calendarForSymbol('AAPL'), null);
    assert.equal(calendarForSymbol('EURUSD'), 'fx');
    assert.equal(calendarForSymbol('BTCUSDT'), 'crypto');
  });

  test('refuses unsorted input', () => {
    assert.throws(() => findGaps([2, 1], '1m'), /ascending unique/);
  });
});
