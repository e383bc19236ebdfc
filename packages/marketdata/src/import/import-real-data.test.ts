// Importer on the real files of shared/data (see its README for their clocks and known defects). Every count
// asserted here was derived independently from the raw files (a separate script over the CSV text) before the
// importer existed; the importer must reproduce them exactly.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type OhlcvBar, OhlcvBarSchema } from '@neuronetiq/contracts';
import { findGaps } from '../resample/gaps';
import { resampleBars } from '../resample/resample';
import { missingSharedData, sharedData } from '../testing/shared-data';
import { type ImportOptions, importCsv, readCsv } from './import-csv';
import type { ImportReport } from './report';

async function load(file: string, options: ImportOptions): Promise<{ bars: OhlcvBar[]; report: ImportReport }> {
  const bars: OhlcvBar[] = [];
  const report = await importCsv(sharedData(file), options, async (chunk) => {
    bars.push(...chunk);
  });
  return { bars, report };
}

function byTs(bars: OhlcvBar[], iso: string): OhlcvBar | undefined {
  return bars.find((b) => b.bar_ts === iso);
}

const HISTDATA = [
  ['DAT_ASCII_EURUSD_M1_201701.csv', 31_500],
  ['DAT_ASCII_EURUSD_M1_201702.csv', 28_779],
  ['DAT_ASCII_EURUSD_M1_201703.csv', 32_660],
  ['DAT_ASCII_EURUSD_M1_201704.csv', 29_161],
  ['DAT_ASCII_EURUSD_M1_201705.csv', 33_054],
  ['DAT_ASCII_EURUSD_M1_201706.csv', 31_194],
] as const;

describe('HistData EURUSD 1m, New York wall clock with DST', () => {
  test('stores all 186,348 rows of the six files, rejects none, and lands every session and news spike on the right UTC minute', async (t) => {
    const skip = missingSharedData('histdata-eurusd-m1/DAT_ASCII_EURUSD_M1_201701.csv');
    if (skip) return t.skip(skip);
    const all: OhlcvBar[] = [];
    for (const [file, rows] of HISTDATA) {
      const { bars, report } = await load(`histdata-eurusd-m1/${file}`, {
        symbol: 'EURUSD',
        timeframe: '1m',
        tz: 'America/New_York',
      });
      assert.equal(report.format, 'histdata', file);
      assert.equal(report.formatDetected, true);
      assert.equal(report.rowsRead, rows, file);
      assert.equal(report.stored, rows, file);
      assert.equal(report.rejected.count, 0, file);
      assert.equal(report.duplicates.count, 0, file);
      assert.equal(report.headerLines, 0);
      assert.match(report.clock, /America\/New_York wall clock \(given; daylight saving/);
      assert.equal(report.clockCheck.status, 'fits', file);
      assert.equal(report.clockCheck.barsInClosedHours, 0, file);
      assert.equal(report.gaps.edges.missingBars, 0, `${file}: every week opens Sunday 17:00 and closes Friday 16:59`);
      assert.deepEqual(report.warnings, []);
      assert.equal(bars.length, rows);
      all.push(...bars);
    }
    assert.equal(all.length, 186_348);
    assert.equal(all[0]?.bar_ts, '2017-01-02T07:00:00.000Z', '02:00 EST is 07:00 UTC');
    assert.equal(all.at(-1)?.bar_ts, '2017-06-30T20:58:00.000Z', '16:58 EDT is 20:58 UTC');
    assert.equal(all[0]?.volume, null, 'HistData volume 0 means unknown');

    // The weekly open is Sunday 17:00 New York: 22:00 UTC in winter, 21:00 UTC from 2017-03-12 (DST).
    const sessionOpen = (day: string) => all.find((b) => b.bar_ts.startsWith(day) && b.bar_ts >= `${day}T20:00`);
    assert.equal(sessionOpen('2017-03-05')?.bar_ts, '2017-03-05T22:00:00.000Z');
    assert.equal(sessionOpen('2017-03-12')?.bar_ts, '2017-03-12T21:00:00.000Z');
    assert.equal(byTs(all, '2017-03-12T21:00:00.000Z')?.open, 1.06759, 'line 11093: 20170312 170000;1.067590;…');
    // The last bar before each weekend: Friday 16:58/16:59 New York.
    assert.ok(byTs(all, '2017-03-10T21:59:00.000Z'), 'Friday 16:59 EST = 21:59 UTC');
    assert.equal(byTs(all, '2017-03-10T22:00:00.000Z'), undefined);
    assert.ok(byTs(all, '2017-03-17T20:59:00.000Z'), 'Friday 16:59 EDT = 20:59 UTC');

    // US jobs reports at 08:30 New York: 13:30 UTC in winter, 12:30 UTC in summer. The widest bar of the day is there.
    const widest = (day: string) =>
      all.filter((b) => b.bar_ts.startsWith(day)).reduce((w, b) => (b.high - b.low > w.high - w.low ? b : w))?.bar_ts;
    assert.equal(widest('2017-01-06'), '2017-01-06T13:30:00.000Z');
    assert.equal(widest('2017-02-03'), '2017-02-03T13:30:00.000Z');
    assert.equal(widest('2017-04-07'), '2017-04-07T12:30:00.000Z');
    assert.equal(widest('2017-05-05'), '2017-05-05T12:30:00.000Z');
    assert.equal(widest('2017-06-02'), '2017-06-02T12:30:00.000Z');

    // Gaps over the six files together: 281 mid-week holes (310 missing minutes) of 1 to 4 minutes, plus the
    // 16:59 bar missing before the close of Friday 2017-03-31; the 25 weekends are closures, not gaps.
    const ts = Float64Array.from(all, (b) => Date.parse(b.bar_ts));
    const fx = findGaps(ts, '1m', { calendar: 'fx', maxListed: 1000 });
    assert.equal(fx.gapCount, 282);
    assert.equal(fx.missingBars, 311);
    assert.equal(fx.largest?.missingBars, 4);
    assert.ok(fx.gaps.some((g) => g.after === '2017-03-31T20:58:00.000Z' && g.missingBars === 1));
    const continuous = findGaps(ts, '1m', { maxListed: 1000 });
    // Without a calendar each weekend is one more gap (the 2017-03-31 16:59 hole merges into its weekend).
    assert.equal(continuous.gapCount, 281 + 25);
    // The DST weekend is an hour shorter in UTC: 47 h of closure instead of 48.
    assert.ok(continuous.gaps.some((g) => g.after === '2017-03-10T21:59:00.000Z' && g.missingBars === 2820));
  });

  test('every stored bar satisfies OhlcvBarSchema (one month)', async (t) => {
    const skip = missingSharedData('histdata-eurusd-m1/DAT_ASCII_EURUSD_M1_201703.csv');
    if (skip) return t.skip(skip);
    const { bars } = await load('histdata-eurusd-m1/DAT_ASCII_EURUSD_M1_201703.csv', {
      symbol: 'EURUSD',
      timeframe: '1m',
      tz: 'America/New_York',
    });
    for (const bar of bars) OhlcvBarSchema.parse(bar);
  });

  test('read without --tz, March 2017 (clocks change on the 12th) is refused and America/New_York named as the clock that fits', async (t) => {
    const skip = missingSharedData('histdata-eurusd-m1/DAT_ASCII_EURUSD_M1_201703.csv');
    if (skip) return t.skip(skip);
    const { report } = await readCsv(sharedData('histdata-eurusd-m1/DAT_ASCII_EURUSD_M1_201703.csv'), {
      symbol: 'EURUSD',
      timeframe: '1m',
    });
    assert.equal(report.rowsRead, 32_660);
    assert.equal(report.stored, 0);
    assert.match(report.clock, /local times read as UTC \(assumed: no --tz/);
    assert.equal(report.clockCheck.status, 'suspect');
    assert.ok(report.clockCheck.barsInClosedHours > 900, `${report.clockCheck.barsInClosedHours} bars in closed hours`);
    // No fixed offset fits both sides of the daylight-saving change; the zone does.
    assert.deepEqual(report.clockCheck.suggestion, { tz: 'America/New_York', barsInClosedHours: 0 });
    assert.equal(report.clockCheck.weekEnd, 'Fri 16:59');
    assert.match(report.refused ?? '', /pass --tz America\/New_York, or --force/);
  });
});

describe('Binance BTCUSDT 1h kline dumps', () => {
  test('stores 3,623 bars; keeps the 2023-03-24 12:00 halt bar (zero volume, early close) and reports 13:00 missing', async (t) => {
    const skip = missingSharedData('binance-btcusdt-1h/BTCUSDT-1h-2023-03.csv');
    if (skip) return t.skip(skip);
    const expected = { '01': 744, '02': 672, '03': 743, '04': 720, '05': 744 } as const;
    let total = 0;
    for (const [month, rows] of Object.entries(expected)) {
      const { bars, report } = await load(`binance-btcusdt-1h/BTCUSDT-1h-2023-${month}.csv`, {
        symbol: 'BTCUSDT',
        timeframe: '1h',
      });
      assert.equal(report.format, 'binance');
      assert.equal(report.headerLines, 1);
      assert.equal(report.rowsRead, rows);
      assert.equal(report.stored, rows);
      assert.equal(report.rejected.count, 0);
      assert.match(report.clock, /Unix epoch \(ms/);
      for (const bar of bars) OhlcvBarSchema.parse(bar);
      total += report.stored;
      if (month !== '03') {
        assert.equal(report.gaps.gapCount, 0, month);
        continue;
      }
      assert.deepEqual(report.gaps.gaps, [
        { after: '2023-03-24T12:00:00.000Z', before: '2023-03-24T14:00:00.000Z', missingBars: 1 },
      ]);
      assert.equal(report.gaps.missingBars, 1);
      assert.deepEqual(report.notices.zero_volume, { count: 1, lines: [566] });
      assert.deepEqual(report.notices.early_close, { count: 1, lines: [566] });
      assert.deepEqual(byTs(bars, '2023-03-24T12:00:00.000Z'), {
        symbol: 'BTCUSDT',
        timeframe: '1h',
        bar_ts: '2023-03-24T12:00:00.000Z',
        open: 28080,
        high: 28080,
        low: 28080,
        close: 28080,
        volume: 0,
      });
      assert.equal(byTs(bars, '2023-03-24T13:00:00.000Z'), undefined);
    }
    assert.equal(total, 3_623);
  });
});

describe('Yahoo daily', () => {
  test('SPY: the two rows with the low above the open (2015-03-05, 2015-03-30) are rejected with their line numbers', async (t) => {
    const skip = missingSharedData('yahoo-daily/yahoofinance-SPY-20080101-20180101.csv');
    if (skip) return t.skip(skip);
    const { bars, report } = await load('yahoo-daily/yahoofinance-SPY-20080101-20180101.csv', {
      symbol: 'SPY',
      timeframe: '1d',
    });
    assert.equal(report.format, 'yahoo');
    assert.equal(report.rowsRead, 2_519);
    assert.equal(report.stored, 2_517);
    assert.equal(report.rejected.count, 2);
    assert.deepEqual(report.rejected.byReason, { ohlc_inconsistent: { count: 2, lines: [1808, 1825] } });
    assert.equal(byTs(bars, '2015-03-05T00:00:00.000Z'), undefined);
    assert.equal(byTs(bars, '2015-03-06T00:00:00.000Z')?.open, 210.460007);
    assert.match(report.clock, /trading days, each labelled 00:00 UTC/);
    // Weekends are closures; holidays are not known to the calendar, so each shows as a gap. The two rejected
    // rows add two one-day gaps to the 90 (91 days) of the file itself; Hurricane Sandy closed 2012-10-29/30.
    assert.equal(report.gaps.calendar, 'weekdays');
    assert.equal(report.gaps.gapCount, 92);
    assert.equal(report.gaps.missingBars, 93);
    assert.deepEqual(report.gaps.largest, {
      after: '2012-10-26T00:00:00.000Z',
      before: '2012-10-31T00:00:00.000Z',
      missingBars: 2,
    });
    for (const bar of bars) OhlcvBarSchema.parse(bar);
  });

  test('AAPL, GOOG and INTC import whole; INTC shows the 9/11 closure as a four-day gap', async (t) => {
    const skip = missingSharedData('yahoo-daily/yahoofinance-INTC-19950101-20040412.csv');
    if (skip) return t.skip(skip);
    const cases = [
      ['yahoofinance-AAPL-20040819-20180120.csv', 'AAPL', 3_379, 121, 123],
      ['yahoofinance-GOOG-20040819-20180120.csv', 'GOOG', 3_379, 121, 123],
      ['yahoofinance-INTC-19950101-20040412.csv', 'INTC', 2_335, 80, 83],
    ] as const;
    for (const [file, symbol, rows, gapCount, missing] of cases) {
      const { report } = await load(`yahoo-daily/${file}`, { symbol, timeframe: '1d' });
      assert.equal(report.stored, rows, symbol);
      assert.equal(report.rejected.count, 0, symbol);
      assert.equal(report.gaps.gapCount, gapCount, symbol);
      assert.equal(report.gaps.missingBars, missing, symbol);
      if (symbol === 'INTC') {
        assert.deepEqual(report.gaps.largest, {
          after: '2001-09-10T00:00:00.000Z',
          before: '2001-09-17T00:00:00.000Z',
          missingBars: 4,
        });
      }
    }
  });
});

describe('dirty CryptoDataDownload exports', () => {
  // Newest first; unix in ms (7,478 rows) and float seconds (28,584 rows); dates as `YYYY-MM-DD HH:MM:SS` and
  // `YYYY-MM-DD 05-AM`. From line 4831 to 10128, each of 2,649 hours of 2020-08-02..2020-11-20 appears twice in
  // a row: first in ms with 8-decimal prices, then in float seconds with values rounded or slightly different.
  // The first row of each pair is kept. In the ETH file one pair (2020-10-07 19:00, lines 6919/6920) has equal
  // OHLC and base volume (only the quote volume's rounding differs), so it is an identical duplicate, not a conflict.
  for (const [file, symbol, zeroVolume, identicalLine] of [
    ['Binance_BTCUSDT_1h.csv', 'BTCUSDT', 117, null],
    ['Binance_ETHUSDT_1h.csv', 'ETHUSDT', 119, 6_920],
  ] as const) {
    test(`${symbol} 1h: 2,649 hours twice, 91 date/unix mismatches, the corrupt first bar, 16 missing hours, ${zeroVolume} zero-volume bars`, async (t) => {
      const skip = missingSharedData(`dirty-cryptodatadownload/${file}`);
      if (skip) return t.skip(skip);
      const { bars, report } = await load(`dirty-cryptodatadownload/${file}`, {
        symbol,
        timeframe: '1h',
        maxLinesPerReason: 5_000,
      });
      assert.equal(report.format, 'cryptodatadownload');
      assert.equal(report.order, 'descending');
      assert.equal(report.rowsRead, 36_062);
      const secondRows = Array.from({ length: 2_649 }, (_, i) => 4_832 + 2 * i);
      assert.deepEqual(
        report.duplicates,
        {
          count: 2_649,
          lines: secondRows,
          timestamps: 2_649,
          identical: identicalLine === null ? 0 : 1,
          conflicting: identicalLine === null ? 2_649 : 2_648,
          kept: 'first',
        },
        'the second (float-seconds) row of each pair, lines 4832, 4834, …, 10128',
      );
      // The oldest bar (last line): open = high = 16199.91 for BTC (652.74 for ETH) when it traded near 4,300 (300).
      assert.deepEqual(report.rejected.byReason.suspect_price, { count: 1, lines: [36_063] });
      assert.equal(report.rejected.count, 1);
      // Newest first is the file's order, not a defect: the pairs are adjacent, so no row steps backwards.
      assert.deepEqual(report.outOfOrder, { count: 0, lines: [], backwardSteps: 0 });
      assert.equal(report.calendar, 'crypto');
      assert.equal(report.stored, 33_412, '36,062 rows - 2,649 repeats - 1 corrupt bar');
      // 2017-09-22 20:00 to 2017-09-26 14:00: the date column reads 4 hours earlier than the unix column.
      const mismatch = report.notices.date_mismatch;
      assert.equal(mismatch?.count, 91);
      assert.deepEqual(
        mismatch?.lines,
        Array.from({ length: 91 }, (_, i) => 35_093 + i),
      );
      assert.equal(report.notices.date_unparseable, undefined);
      assert.equal(report.notices.zero_volume?.count, zeroVolume);
      assert.equal(report.gaps.missingBars, 16);
      assert.equal(report.gaps.gapCount, 8);
      assert.deepEqual(
        report.gaps.gaps.map((g) => [g.after, g.missingBars]),
        [
          ['2017-09-22T19:00:00.000Z', 4],
          ['2020-11-30T05:00:00.000Z', 1],
          ['2020-12-21T14:00:00.000Z', 3],
          ['2020-12-25T01:00:00.000Z', 1],
          ['2021-02-11T03:00:00.000Z', 1],
          ['2021-03-06T01:00:00.000Z', 1],
          ['2021-04-20T01:00:00.000Z', 2],
          ['2021-04-25T04:00:00.000Z', 3],
        ],
      );
      assert.match(report.clock, /Unix epoch \(s and ms/);
      assert.equal(report.range.first, '2017-08-17T05:00:00.000Z');
      assert.equal(report.range.last, '2021-06-10T00:00:00.000Z');
      // The first of each pair is kept: the ms row with 8-decimal prices.
      assert.equal(byTs(bars, '2020-11-20T07:00:00.000Z')?.close, symbol === 'BTCUSDT' ? 18_212 : 491.47);
      for (const bar of bars) OhlcvBarSchema.parse(bar);
    });
  }

  test('BTCUSDT 1d: one conflicting duplicate day (2017-12-18), nothing missing', async (t) => {
    const skip = missingSharedData('dirty-cryptodatadownload/Binance_BTCUSDT_d.csv');
    if (skip) return t.skip(skip);
    const { report } = await load('dirty-cryptodatadownload/Binance_BTCUSDT_d.csv', {
      symbol: 'BTCUSDT',
      timeframe: '1d',
    });
    assert.equal(report.rowsRead, 1_396);
    assert.equal(report.stored, 1_395);
    assert.equal(report.rejected.count, 0);
    assert.deepEqual(report.duplicates, {
      count: 1,
      lines: [1_274],
      timestamps: 1,
      identical: 0,
      conflicting: 1,
      kept: 'first',
    });
    assert.equal(report.gaps.missingBars, 0);
    assert.equal(report.notices.date_mismatch, undefined);
  });
});

describe('backtesting.py EURUSD 1h (a headed CSV with an unnamed time column)', () => {
  test('is recognised, read as UTC (its clock fits the FX week) and gives 5,000 bars', async (t) => {
    const skip = missingSharedData('backtestingpy-eurusd-h1/EURUSD.csv');
    if (skip) return t.skip(skip);
    const { bars, report } = await load('backtestingpy-eurusd-h1/EURUSD.csv', { symbol: 'EURUSD', timeframe: '1h' });
    assert.equal(report.format, 'backtestingpy');
    assert.equal(report.clockCheck.status, 'fits');
    assert.equal(report.stored, 5_000);
    assert.equal(report.rejected.count, 0);
    assert.equal(bars[0]?.bar_ts, '2017-04-19T09:00:00.000Z');
    assert.equal(bars[0]?.volume, 1413);
  });
});

describe('resampling real HistData', () => {
  test('March 2017 1m → 1h and 1d: no weekend bars, exact aggregates, the DST Sunday opens at 21:00 UTC', async (t) => {
    const skip = missingSharedData('histdata-eurusd-m1/DAT_ASCII_EURUSD_M1_201703.csv');
    if (skip) return t.skip(skip);
    const { bars } = await load('histdata-eurusd-m1/DAT_ASCII_EURUSD_M1_201703.csv', {
      symbol: 'EURUSD',
      timeframe: '1m',
      tz: 'America/New_York',
    });
    const hourly = resampleBars(bars, '1h');
    const saturdays = hourly.bars.filter((b) => new Date(b.bar_ts).getUTCDay() === 6);
    assert.deepEqual(saturdays, [], 'the FX weekend produces no bars');
    const distinctHours = new Set(bars.map((b) => b.bar_ts.slice(0, 13))).size;
    // The first hour (05:00 UTC = 00:00 New York) is whole; the last (20:00-20:58) is open: no later bar proves it closed.
    assert.equal(hourly.bars.length, distinctHours - 1);
    assert.deepEqual(
      hourly.partial.map((p) => [p.bar_ts, p.status, p.sourceBars]),
      [['2017-03-31T20:00:00.000Z', 'open', 59]],
    );
    const inHour = bars.filter((b) => b.bar_ts.startsWith('2017-03-10T13'));
    assert.deepEqual(
      hourly.bars.find((b) => b.bar_ts === '2017-03-10T13:00:00.000Z'),
      {
        symbol: 'EURUSD',
        timeframe: '1h',
        bar_ts: '2017-03-10T13:00:00.000Z',
        open: inHour[0]?.open,
        high: Math.max(...inHour.map((b) => b.high)),
        low: Math.min(...inHour.map((b) => b.low)),
        close: inHour.at(-1)?.close,
        volume: null,
      },
    );
    assert.ok(hourly.bars.some((b) => b.bar_ts === '2017-03-12T21:00:00.000Z'));
    assert.equal(
      hourly.bars.find((b) => b.bar_ts === '2017-03-12T20:00:00.000Z'),
      undefined,
    );
    const daily = resampleBars(bars, '1d');
    assert.equal(daily.bars.filter((b) => new Date(b.bar_ts).getUTCDay() === 6).length, 0);
    for (const bar of [...hourly.bars, ...daily.bars]) OhlcvBarSchema.parse(bar);
  });
});
