import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dueCloses, latestCloseAt, nextDueAt } from './bar-close';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

describe('bar-close schedule', () => {
  test('the latest close is the bar boundary at or before now, in UTC (daily bars close at 00:00 UTC)', () => {
    assert.equal(iso(latestCloseAt(at('2025-01-03T10:07:59.999Z'), '5m')), '2025-01-03T10:05:00.000Z');
    assert.equal(iso(latestCloseAt(at('2025-01-03T10:05:00.000Z'), '5m')), '2025-01-03T10:05:00.000Z');
    assert.equal(iso(latestCloseAt(at('2025-01-03T03:00:00.000Z'), '4h')), '2025-01-03T00:00:00.000Z');
    assert.equal(iso(latestCloseAt(at('2025-01-03T23:59:59.000Z'), '1d')), '2025-01-03T00:00:00.000Z');
  });

  test('a close is not due until the settle delay has passed', () => {
    const base = { timeframe: '5m' as const, settleMs: 2000, lastDoneMs: at('2025-01-03T10:00:00Z'), catchUpBars: 5 };
    assert.deepEqual(dueCloses({ ...base, nowMs: at('2025-01-03T10:05:01.999Z') }), []);
    assert.deepEqual(dueCloses({ ...base, nowMs: at('2025-01-03T10:05:02Z') }).map(iso), ['2025-01-03T10:05:00.000Z']);
  });

  test('a close already done is not due again', () => {
    const r = dueCloses({
      timeframe: '1m',
      nowMs: at('2025-01-03T10:05:30Z'),
      settleMs: 1000,
      lastDoneMs: at('2025-01-03T10:05:00Z'),
      catchUpBars: 5,
    });
    assert.deepEqual(r, []);
  });

  test('after a restart, the latest close and catchUpBars before it are due, oldest first', () => {
    const r = dueCloses({
      timeframe: '1m',
      nowMs: at('2025-01-03T10:05:30Z'),
      settleMs: 1000,
      lastDoneMs: undefined,
      catchUpBars: 3,
    });
    assert.deepEqual(r.map(iso), [
      '2025-01-03T10:02:00.000Z',
      '2025-01-03T10:03:00.000Z',
      '2025-01-03T10:04:00.000Z',
      '2025-01-03T10:05:00.000Z',
    ]);
  });

  test('after a stall, the missed closes are due but never more than catchUpBars + 1', () => {
    const base = { timeframe: '1m' as const, settleMs: 0, lastDoneMs: at('2025-01-03T10:00:00Z') };
    assert.deepEqual(dueCloses({ ...base, nowMs: at('2025-01-03T10:03:10Z'), catchUpBars: 10 }).map(iso), [
      '2025-01-03T10:01:00.000Z',
      '2025-01-03T10:02:00.000Z',
      '2025-01-03T10:03:00.000Z',
    ]);
    assert.equal(dueCloses({ ...base, nowMs: at('2025-01-03T12:00:00Z'), catchUpBars: 10 }).length, 11);
    assert.deepEqual(dueCloses({ ...base, nowMs: at('2025-01-03T12:00:00Z'), catchUpBars: 0 }).map(iso), [
      '2025-01-03T12:00:00.000Z',
    ]);
  });

  test('next due time: at once when a close is pending, else the next close plus the settle delay', () => {
    const now = at('2025-01-03T10:05:30Z');
    assert.equal(iso(nextDueAt('5m', now, 2000, undefined)), '2025-01-03T10:05:02.000Z');
    assert.equal(iso(nextDueAt('5m', now, 2000, at('2025-01-03T10:00:00Z'))), '2025-01-03T10:05:02.000Z');
    assert.equal(iso(nextDueAt('5m', now, 2000, at('2025-01-03T10:05:00Z'))), '2025-01-03T10:10:02.000Z');
  });
});
