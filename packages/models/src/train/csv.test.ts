import assert from 'node:assert/strict';
import { test } from 'node:test';
import { detectCsvFormat, parseBarsCsv, resample } from './csv';

test('backtesting.py CSV is read as UTC', () => {
  const text =
    ',Open,High,Low,Close,Volume\n2017-04-19 09:00:00,1.0716,1.0722,1.07083,1.07219,1413\n2017-04-19 10:00:00,1.07214,1.07296,1.07214,1.0726,1241\n';
  assert.equal(detectCsvFormat(text), 'backtestingpy');
  const parsed = parseBarsCsv(text);
  assert.equal(parsed.clock, 'UTC');
  assert.deepEqual(parsed.bars[0], {
    bar_ts: '2017-04-19T09:00:00.000Z',
    open: 1.0716,
    high: 1.0722,
    low: 1.07083,
    close: 1.07219,
    volume: 1413,
  });
  assert.equal(parsed.bars.length, 2);
});

test('HistData CSV is read as New York time with daylight saving', () => {
  const text = '20170102 020000;1.051550;1.051970;1.051550;1.051900;0\n20170630 165800;1.1;1.2;1.0;1.1;0\n';
  const parsed = parseBarsCsv(text);
  assert.equal(parsed.format, 'histdata');
  assert.equal(parsed.bars[0]?.bar_ts, '2017-01-02T07:00:00.000Z'); // EST, UTC−5
  assert.equal(parsed.bars[1]?.bar_ts, '2017-06-30T20:58:00.000Z'); // EDT, UTC−4
});

test('rows that cannot be bars are reported with their line, not stored', () => {
  const text =
    ',Open,High,Low,Close,Volume\n2017-04-19 09:00:00,1,1.1,0.9,1,1\nnot a date,1,1,1,1,1\n2017-04-19 11:00:00,1,0.95,0.9,1,1\n2017-04-19 10:00:00,0,1,1,1,1\n2017-04-19 08:00:00,1,1,1,1,1\n';
  const parsed = parseBarsCsv(text);
  assert.equal(parsed.bars.length, 1);
  assert.deepEqual(
    parsed.rejected.map((r) => r.line),
    [3, 4, 5, 6],
  );
  assert.match(parsed.rejected[3]?.reason ?? '', /out of order/);
});

test('resample aggregates into UTC buckets: first open, max high, min low, last close, summed volume', () => {
  const bars = [
    { bar_ts: '2025-01-01T10:00:00.000Z', open: 1, high: 2, low: 0.5, close: 1.5, volume: 1 },
    { bar_ts: '2025-01-01T10:30:00.000Z', open: 1.5, high: 3, low: 1, close: 2, volume: 2 },
    { bar_ts: '2025-01-01T12:10:00.000Z', open: 2, high: 2, low: 2, close: 2, volume: null },
  ];
  assert.deepEqual(resample(bars, 3_600_000), [
    { bar_ts: '2025-01-01T10:00:00.000Z', open: 1, high: 3, low: 0.5, close: 2, volume: 3 },
    { bar_ts: '2025-01-01T12:00:00.000Z', open: 2, high: 2, low: 2, close: 2, volume: null },
  ]);
});
