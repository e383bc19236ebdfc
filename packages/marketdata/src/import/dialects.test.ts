// Files as traders bring them: each test writes a small file in one broker's or tool's layout and checks that the
// same bars come out, with the dialect, the layout and the clock the report names.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { OhlcvBar } from '@neuronetiq/contracts';
import { ImportError, type ImportOptions, importCsv, readCsv } from './import-csv';
import type { ImportReport } from './report';

const dir = mkdtempSync(join(tmpdir(), 'marketdata-dialects-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let fileNo = 0;

function write(text: string): string {
  const file = join(dir, `file-${++fileNo}.csv`);
  writeFileSync(file, text);
  return file;
}

async function load(
  text: string,
  options: Partial<ImportOptions> = {},
): Promise<{ bars: OhlcvBar[]; report: ImportReport }> {
  const bars: OhlcvBar[] = [];
  const report = await importCsv(write(text), { symbol: 'EURUSD', timeframe: '5m', ...options }, async (chunk) => {
    bars.push(...chunk);
  });
  assert.equal(report.rowsRead, report.stored + report.duplicates.count + report.rejected.count);
  return { bars, report };
}

const bar = (bar_ts: string, open: number, high: number, low: number, close: number, volume: number | null) => ({
  symbol: 'EURUSD',
  timeframe: '5m',
  bar_ts,
  open,
  high,
  low,
  close,
  volume,
});

// Tuesday 2 January 2024, 10:00 and 10:05 UTC: two EURUSD 5m bars every file below holds.
const EXPECTED = [
  bar('2024-01-02T10:00:00.000Z', 1.1045, 1.105, 1.104, 1.1048, 12),
  bar('2024-01-02T10:05:00.000Z', 1.1048, 1.1052, 1.1046, 1.1051, 7),
];

interface Case {
  text: string;
  format: ImportReport['format'];
  dialect: Partial<ImportReport['dialect']>;
  options?: Partial<ImportOptions>;
}

const CASES: Record<string, Case> = {
  'MetaTrader 5 export, every line one double-quoted field of tab-separated values': {
    text:
      '"<DATE>\t<TIME>\t<OPEN>\t<HIGH>\t<LOW>\t<CLOSE>\t<TICKVOL>\t<VOL>\t<SPREAD>"\n' +
      '"2024.01.02\t10:00:00\t1.10450\t1.10500\t1.10400\t1.10480\t12\t0\t3"\n' +
      '"2024.01.02\t10:05:00\t1.10480\t1.10520\t1.10460\t1.10510\t7\t0\t3"\n',
    format: 'metatrader',
    dialect: { delimiter: '\t', wholeLineQuoted: true, header: true },
  },
  'MetaTrader 5 export, tab-separated with <DATE> and <TIME> columns': {
    text:
      '<DATE>\t<TIME>\t<OPEN>\t<HIGH>\t<LOW>\t<CLOSE>\t<TICKVOL>\t<VOL>\t<SPREAD>\n' +
      '2024.01.02\t10:00:00\t1.10450\t1.10500\t1.10400\t1.10480\t12\t0\t3\n' +
      '2024.01.02\t10:05:00\t1.10480\t1.10520\t1.10460\t1.10510\t7\t0\t3\n',
    format: 'metatrader',
    dialect: {
      delimiter: '\t',
      header: true,
      columns: ['date', 'time_of_day', 'open', 'high', 'low', 'close', 'volume', '-', '-'],
    },
  },
  'MetaTrader 5 (Python copy_rates) with tick_volume, spread and real_volume': {
    text:
      'time,open,high,low,close,tick_volume,spread,real_volume\n' +
      '2024-01-02 10:00:00,1.1045,1.105,1.104,1.1048,12,3,0\n' +
      '2024-01-02 10:05:00,1.1048,1.1052,1.1046,1.1051,7,3,0\n',
    format: 'metatrader',
    dialect: { delimiter: ',', header: true },
  },
  'MetaTrader 4 history export, no header, date and time in two columns': {
    text: '2024.01.02,10:00,1.1045,1.1050,1.1040,1.1048,12\n2024.01.02,10:05,1.1048,1.1052,1.1046,1.1051,7\n',
    format: 'metatrader',
    dialect: {
      delimiter: ',',
      header: false,
      columns: ['date', 'time_of_day', 'open', 'high', 'low', 'close', 'volume'],
    },
  },
  'NinjaTrader export (yyyyMMdd HHmmss;…), no header': {
    text: '20240102 100000;1.1045;1.105;1.104;1.1048;12\n20240102 100500;1.1048;1.1052;1.1046;1.1051;7\n',
    format: 'histdata',
    dialect: { delimiter: ';', header: false },
    options: { format: 'ninjatrader' },
  },
  'NinjaTrader with the date and the time in separate fields': {
    text: '20240102;100000;1.1045;1.105;1.104;1.1048;12\n20240102;100500;1.1048;1.1052;1.1046;1.1051;7\n',
    format: 'generic',
    dialect: {
      delimiter: ';',
      header: false,
      columns: ['date', 'time_of_day', 'open', 'high', 'low', 'close', 'volume'],
    },
  },
  'Dukascopy export (Gmt time dd.MM.yyyy HH:mm:ss.SSS)': {
    text:
      'Gmt time,Open,High,Low,Close,Volume\n' +
      '02.01.2024 10:00:00.000,1.1045,1.105,1.104,1.1048,12\n' +
      '02.01.2024 10:05:00.000,1.1048,1.1052,1.1046,1.1051,7\n',
    format: 'dukascopy',
    dialect: { delimiter: ',', header: true, dateOrder: 'dmy' },
  },
  'TradingView chart export, epoch seconds, an indicator column': {
    text:
      'time,open,high,low,close,Volume,Volume MA\n' +
      '1704189600,1.1045,1.105,1.104,1.1048,12,NaN\n' +
      '1704189900,1.1048,1.1052,1.1046,1.1051,7,9.5\n',
    format: 'tradingview',
    dialect: { delimiter: ',', header: true },
  },
  'TradingView chart export, ISO times with an offset': {
    text:
      'time,open,high,low,close,Volume\n' +
      '2024-01-02T05:00:00-05:00,1.1045,1.105,1.104,1.1048,12\n' +
      '2024-01-02T05:05:00-05:00,1.1048,1.1052,1.1046,1.1051,7\n',
    format: 'tradingview',
    dialect: { header: true },
  },
  'a spreadsheet export: semicolons, decimal commas, day.month.year and a separate time': {
    text:
      'Datum;Zeit;Eröffnung;Hoch;Tief;Schluss;Volumen\n' +
      '02.01.2024;10:00;1,1045;1,1050;1,1040;1,1048;12\n' +
      '02.01.2024;10:05;1,1048;1,1052;1,1046;1,1051;7\n',
    format: 'generic',
    dialect: { delimiter: ';', decimalComma: true, header: true },
    options: { dialect: { columns: ['date', 'time', 'open', 'high', 'low', 'close', 'volume'] } },
  },
  'decimal commas in a comma-separated file, each price quoted': {
    text:
      'time,open,high,low,close,volume\n' +
      '2024-01-02 10:00,"1,1045","1,1050","1,1040","1,1048",12\n' +
      '2024-01-02 10:05,"1,1048","1,1052","1,1046","1,1051",7\n',
    format: 'generic',
    dialect: { delimiter: ',', quote: '"', decimalComma: true },
  },
  'epoch milliseconds, no header': {
    text: '1704189600000,1.1045,1.105,1.104,1.1048,12\n1704189900000,1.1048,1.1052,1.1046,1.1051,7\n',
    format: 'generic',
    dialect: { header: false, columns: ['time', 'open', 'high', 'low', 'close', 'volume'] },
  },
  'US month/day/year with a 12-hour clock in a Date and a Time column': {
    text:
      'Date,Time,Open,High,Low,Close,Volume\n' +
      '01/02/2024,10:00 AM,1.1045,1.105,1.104,1.1048,12\n' +
      '01/02/2024,10:05 AM,1.1048,1.1052,1.1046,1.1051,7\n' +
      '01/16/2024,01:00 PM,1.1,1.1,1.1,1.1,1\n',
    format: 'generic',
    dialect: { dateOrder: 'mdy' },
  },
  'whitespace-separated, no header': {
    text: '2024-01-02 10:00:00   1.1045 1.105 1.104 1.1048 12\n2024-01-02 10:05:00\t1.1048 1.1052 1.1046 1.1051 7\n',
    format: 'generic',
    dialect: { delimiter: ' ', header: false },
  },
  'pipe-separated with a header': {
    text: 'timestamp|open|high|low|close|volume\n2024-01-02T10:00:00Z|1.1045|1.105|1.104|1.1048|12\n2024-01-02T10:05:00Z|1.1048|1.1052|1.1046|1.1051|7\n',
    format: 'generic',
    dialect: { delimiter: '|' },
  },
};

describe('formats and dialects', () => {
  for (const [name, c] of Object.entries(CASES)) {
    test(`reads the same bars: ${name}`, async () => {
      const { bars, report } = await load(c.text, c.options);
      assert.deepEqual(bars.slice(0, 2), EXPECTED);
      assert.equal(report.rejected.count, 0, JSON.stringify(report.rejected));
      assert.equal(report.format, c.options?.format ?? c.format);
      for (const [k, v] of Object.entries(c.dialect)) {
        assert.deepEqual(report.dialect[k as keyof ImportReport['dialect']], v, `dialect.${k}`);
      }
    });
  }

  test('--columns and --no-header read a file whose first line the sniffer takes for a header', async () => {
    const text =
      'EURUSD,20240102,100000,1.1045,1.105,1.104,1.1048,12\nEURUSD,20240102,100500,1.1048,1.1052,1.1046,1.1051,7\n';
    await assert.rejects(load(text), (e: unknown) => e instanceof ImportError && e.code === 'HEADER_INVALID');
    const { bars, report } = await load(text, {
      dialect: { header: false, columns: ['-', 'date', 'time', 'open', 'high', 'low', 'close', 'volume'] },
    });
    assert.deepEqual(bars, EXPECTED);
    assert.equal(report.headerLines, 0);
    assert.deepEqual(report.dialect.columns, ['-', 'date', 'time_of_day', 'open', 'high', 'low', 'close', 'volume']);
  });

  test('--columns in any order; --quote for single-quoted fields; --delimiter when the sniffer would pick another', async () => {
    const shuffled = await load(
      "'1.1048';'1.104';'1.105';'1.1045';'2024-01-02 10:00';'12'\n'1.1051';'1.1046';'1.1052';'1.1048';'2024-01-02 10:05';'7'\n",
      { dialect: { quote: "'", columns: ['close', 'low', 'high', 'open', 'time', 'volume'] } },
    );
    assert.deepEqual(shuffled.bars, EXPECTED);
    assert.equal(shuffled.report.dialect.quote, "'");
    // Commas inside every field make the comma look like the delimiter; the person knows it is the tab.
    const tabbed = 'time\topen\thigh\tlow\tclose\tnote\n2024-01-02 10:00\t1.1045\t1.105\t1.104\t1.1048\ta,b,c,d,e\n';
    const { bars, report } = await load(tabbed, { dialect: { delimiter: '\t' } });
    assert.equal(bars.length, 1);
    assert.equal(report.dialect.delimiter, '\t');
  });

  test('--columns refuses a name it does not know, listing the ones it does', async () => {
    await assert.rejects(
      load(CASES['epoch milliseconds, no header']?.text ?? '', { dialect: { columns: ['time', 'opn'] } }),
      /--columns: "opn" is not a column name; use time, date, time_of_day, open/,
    );
  });
});

describe('clocks', () => {
  const wall = (text: string) => `time,open,high,low,close\n${text},1.1045,1.105,1.104,1.1048\n`;
  const zones: Array<[string, string]> = [
    ['+05:30', '2024-01-02 15:30'],
    ['UTC+5:30', '2024-01-02 15:30'],
    ['-03:30', '2024-01-02 06:30'],
    ['GMT-3:30', '2024-01-02 06:30'],
    ['-0330', '2024-01-02 06:30'],
    ['+5', '2024-01-02 15:00'],
    ['UTC+5', '2024-01-02 15:00'],
    ['GMT-3', '2024-01-02 07:00'],
    ['Asia/Kolkata', '2024-01-02 15:30'],
    ['America/St_Johns', '2024-01-02 06:30'],
  ];
  for (const [tz, local] of zones) {
    test(`--tz ${tz}: ${local} local is 10:00 UTC`, async () => {
      const { bars, report } = await load(wall(local), { tz });
      assert.equal(bars[0]?.bar_ts, '2024-01-02T10:00:00.000Z');
      assert.equal(report.tzGiven, true);
      assert.match(
        report.range.firstFileClock ?? '',
        new RegExp(`^${local.replace(' ', 'T')}:00\\.000[+-]\\d{2}:\\d{2}$`),
      );
    });
  }

  test('an unknown spelling is refused with the accepted forms', async () => {
    for (const tz of ['EST5', 'New York', 'UTC+25', '+5:75', 'local']) {
      await assert.rejects(load(wall('2024-01-02 10:00'), { tz }), (e: unknown) => {
        assert.ok(e instanceof ImportError && e.code === 'OPTIONS_INVALID');
        assert.match(
          e.message,
          new RegExp(
            `Unknown time zone "${tz.replace('+', '\\+')}": use an IANA name .* or a fixed offset \\(\\+05:00, -03:30, \\+5, UTC\\+5, GMT-3:30`,
          ),
        );
        return true;
      });
    }
  });
});

/** Two weeks of EURUSD 5m bars as a broker on UTC+2 writes them: Monday 00:00 to Friday 23:55 on its clock. */
function brokerWeeks(): string {
  const lines: string[] = [];
  for (const monday of ['2024-01-08', '2024-01-15']) {
    const start = Date.parse(`${monday}T00:00:00Z`);
    for (let i = 0; i < 5 * 288; i++) {
      const wallText = new Date(start + i * 300_000).toISOString().slice(0, 16).replace('T', ' ').replace(/-/g, '.');
      const p = (1.09 + (i % 50) / 10_000).toFixed(5);
      lines.push(`${wallText.slice(0, 10)},${wallText.slice(11)},${p},${p},${p},${p},${i % 7}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

describe('clock check against the FX week', () => {
  test('a broker-clock file read as UTC is refused, naming the bars in closed hours and the offset that fits', async () => {
    const file = write(brokerWeeks());
    const checked = await readCsv(file, { symbol: 'EURUSD', timeframe: '5m' });
    const r = checked.report;
    assert.equal(r.calendar, 'fx');
    assert.equal(r.calendarChosenBy, 'symbol');
    assert.equal(r.clockCheck.status, 'suspect');
    assert.equal(r.clockCheck.barsInClosedHours, 48, 'Friday 22:00-23:55 of two weeks');
    assert.deepEqual(r.clockCheck.suggestion, { tz: 'UTC+2', barsInClosedHours: 0 });
    assert.equal(r.clockCheck.weekEnd, 'Fri 23:55');
    assert.match(
      r.refused ?? '',
      /48 of 2,880 bars fall where the market is closed when read as UTC.*pass --tz UTC\+2, or --force/,
    );
    assert.equal(r.stored, 0);
    await assert.rejects(
      checked.store(async () => assert.fail('nothing may be stored')),
      /the clock looks wrong/,
    );
    await assert.rejects(
      importCsv(file, { symbol: 'EURUSD', timeframe: '5m' }, async () => assert.fail('nothing may be stored')),
      (e: unknown) => e instanceof ImportError && e.code === 'CLOCK_SUSPECT',
    );
  });

  test('with --tz as suggested it fits and the first bar lands on Sunday 22:00 UTC, the FX open', async () => {
    const { bars, report } = await load(brokerWeeks(), { tz: '+02:00' });
    assert.equal(report.clockCheck.status, 'fits');
    assert.equal(bars[0]?.bar_ts, '2024-01-07T22:00:00.000Z');
    assert.equal(bars.at(-1)?.bar_ts, '2024-01-19T21:55:00.000Z');
    assert.equal(report.gaps.missingBars, 0, 'the weekend is a closure, not a gap');
    assert.equal(report.range.firstFileClock, '2024-01-08T00:00:00.000+02:00');
  });

  test('--force stores the bars as read, with the finding as a warning', async () => {
    const { bars, report } = await load(brokerWeeks(), { force: true });
    assert.equal(bars.length, 2_880);
    assert.equal(report.refused, null);
    assert.match(report.warnings.join('\n'), /clock: .*pass --tz UTC\+2 \(stored anyway: --force\)/);
  });

  test('a crypto symbol is not checked (crypto never closes); the calendar says so', async () => {
    const text = brokerWeeks();
    const bars: OhlcvBar[] = [];
    const report = await importCsv(write(text), { symbol: 'BTCUSDT', timeframe: '5m' }, async (c) => {
      bars.push(...c);
    });
    assert.equal(report.calendar, 'crypto');
    assert.equal(report.clockCheck.status, 'not_checked');
    assert.equal(bars.length, 2_880);
  });
});

/**
 * NYSE 5m bars 09:30-15:55 written in New York's wall clock for two weeks around the start of US daylight saving
 * (Sunday 10 March 2024), as US data vendors export them; Friday 15 March left out (as if a holiday).
 */
function newYorkSessions(): string {
  const lines = ['Date,Time,Open,High,Low,Close,Volume'];
  for (const day of ['04', '05', '06', '07', '08', '11', '12', '13', '14']) {
    for (let m = 9 * 60 + 30; m < 16 * 60; m += 5) {
      const hh = String(Math.floor(m / 60)).padStart(2, '0');
      const mm = String(m % 60).padStart(2, '0');
      lines.push(`2024-03-${day},${hh}:${mm},187.1,187.4,186.9,187.2,${1000 + m}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

describe('clock check against exchange hours', () => {
  test('a share with an exchange suffix is checked against its exchange; New York wall clock read as UTC is refused, naming the zone that fits', async () => {
    const checked = await readCsv(write(newYorkSessions()), { symbol: 'AAPL.US', timeframe: '5m' });
    const r = checked.report;
    assert.equal(r.calendar, 'us-equities');
    assert.equal(r.calendarChosenBy, 'symbol');
    assert.equal(r.clockCheck.status, 'suspect');
    // Read as UTC, 09:30-15:55 is 04:30-10:55 New York in the first week (60 of 78 bars a day before the open) and
    // 05:30-11:55 in the second (48 of 78).
    assert.equal(r.clockCheck.barsInClosedHours, 5 * 60 + 4 * 48);
    // A fixed UTC-5 or UTC-4 fits one of the two weeks only; New York's own clock fits both.
    assert.deepEqual(r.clockCheck.suggestion, { tz: 'America/New_York', barsInClosedHours: 0 });
    assert.match(r.refused ?? '', /NYSE\/Nasdaq regular hours .*pass --tz America\/New_York/);
    assert.equal(r.stored, 0);
  });

  test('with --tz America/New_York it fits: the opens move with daylight saving, nights and the holiday are not holes', async () => {
    const { bars, report } = await load(newYorkSessions(), { symbol: 'AAPL.US', tz: 'America/New_York' });
    assert.equal(report.clockCheck.status, 'fits');
    assert.equal(bars.length, 9 * 78);
    assert.equal(bars[0]?.bar_ts, '2024-03-04T14:30:00.000Z');
    assert.equal(bars[5 * 78]?.bar_ts, '2024-03-11T13:30:00.000Z', 'the first open after the clocks changed');
    assert.equal(report.gaps.holes.count, 0);
    assert.deepEqual(report.gaps.edges, { count: 0, missingBars: 0 }, 'Friday 15 March is after the last bar');
  });

  test('the same bars written in UTC fit as read; on the continuous calendar of a bare ticker the nights would be gaps', async () => {
    const utc = await load(newYorkSessions(), { symbol: 'AAPL.US', tz: 'America/New_York' });
    const text = `time,open,high,low,close,volume\n${utc.bars.map((b) => `${b.bar_ts},${b.open},${b.high},${b.low},${b.close},${b.volume}`).join('\n')}\n`;
    const asUtc = await load(text, { symbol: 'AAPL.US' });
    assert.equal(asUtc.report.clockCheck.status, 'not_checked', 'explicit Z offsets carry their clock');
    assert.equal(asUtc.report.gaps.missingBars, 0);
    const bare = await load(text, { symbol: 'AAPL' });
    assert.equal(bare.report.calendar, 'continuous');
    assert.ok(bare.report.gaps.missingBars > 0);
    const chosen = await load(text, { symbol: 'AAPL', calendar: 'us-equities' });
    assert.equal(chosen.report.calendarChosenBy, 'option');
    assert.equal(chosen.report.gaps.missingBars, 0);
  });
});

describe('the defect report', () => {
  test('out-of-order rows and duplicates are counted on the file as it is, before sorting and de-duplication', async () => {
    const rows = [
      ['00', 1.1], // line 2
      ['01', 1.1],
      ['02', 1.1],
      ['05', 1.1], // line 5
      ['03', 1.1], // 6: a backward step, behind 05
      ['04', 1.1], // 7: behind 05
      ['03', 1.1], // 8: a backward step, behind 05, identical copy of line 6
      ['06', 1.1], // 9
      ['02', 1.2], // 10: a backward step, behind 06, a conflicting copy of line 4
      ['07', 1.1], // 11
    ];
    const text = `time,open,high,low,close\n${rows.map(([m, p]) => `2024-01-02T10:${m}:00Z,${p},1.3,1.0,${p}`).join('\n')}\n`;
    const bars: OhlcvBar[] = [];
    const report = await importCsv(write(text), { symbol: 'TESTX', timeframe: '1m' }, async (c) => {
      bars.push(...c);
    });
    assert.deepEqual(report.outOfOrder, { count: 4, lines: [6, 7, 8, 10], backwardSteps: 3 });
    assert.deepEqual(report.duplicates, {
      count: 2,
      lines: [8, 10],
      timestamps: 2,
      identical: 1,
      conflicting: 1,
      kept: 'first',
    });
    assert.deepEqual(
      bars.map((b) => [b.bar_ts.slice(14, 16), b.open]),
      [
        ['00', 1.1],
        ['01', 1.1],
        ['02', 1.1],
        ['03', 1.1],
        ['04', 1.1],
        ['05', 1.1],
        ['06', 1.1],
        ['07', 1.1],
      ],
      'stored in time order, the first copy of each timestamp',
    );
    assert.equal(report.stored, 8);
    assert.equal(report.calendar, 'continuous');
  });

  test('gaps are split into in-session holes and bars missing at the edges of a session', async () => {
    // FX 1h, New York winter: the week closes Friday 22:00 UTC and opens Sunday 22:00 UTC.
    const hours = [
      '2024-01-12T18:00', // Friday
      '2024-01-12T19:00',
      // 20:00 and 21:00 missing: the last hours before the close
      '2024-01-14T23:00', // Sunday: 22:00 missing, the first hour after the open
      '2024-01-15T00:00',
      '2024-01-15T03:00', // 01:00 and 02:00 missing inside the session
    ];
    const text = `time,open,high,low,close\n${hours.map((h) => `${h}:00Z,1.1,1.1,1.1,1.1`).join('\n')}\n`;
    const { report } = await load(text, { timeframe: '1h' });
    assert.equal(report.gaps.calendar, 'fx');
    assert.deepEqual(report.gaps.edges, { count: 1, missingBars: 3 });
    assert.deepEqual(report.gaps.holes, {
      count: 1,
      missingBars: 2,
      largest: { after: '2024-01-15T00:00:00.000Z', before: '2024-01-15T03:00:00.000Z', missingBars: 2 },
    });
  });
});

describe('resampling', () => {
  test('1m → 5m: buckets cut by the start and end of the file are left out and listed', async () => {
    // 10:02 … 10:13: the 10:00 bucket lacks 10:00-10:01, the 10:10 bucket lacks 10:14.
    const lines = Array.from({ length: 12 }, (_, i) => {
      const m = String(2 + i).padStart(2, '0');
      return `2024-01-02T10:${m}:00Z,${1 + i / 100},${1.5 + i / 100},${0.5},${1 + i / 100},${i + 1}`;
    });
    const bars: OhlcvBar[] = [];
    const report = await importCsv(
      write(`time,open,high,low,close,volume\n${lines.join('\n')}\n`),
      { symbol: 'TESTX', timeframe: '1m', resample: ['5m'] },
      async (c) => {
        bars.push(...c);
      },
    );
    const fiveMinute = bars.filter((b) => b.timeframe === '5m');
    assert.deepEqual(fiveMinute, [
      {
        symbol: 'TESTX',
        timeframe: '5m',
        bar_ts: '2024-01-02T10:05:00.000Z',
        open: 1.03,
        high: 1.57,
        low: 0.5,
        close: 1.07,
        volume: 4 + 5 + 6 + 7 + 8,
      },
    ]);
    assert.deepEqual(report.resampled, [
      {
        timeframe: '5m',
        bars: 1,
        sparseBuckets: 0,
        leftOut: [
          { bar_ts: '2024-01-02T10:00:00.000Z', status: 'truncated', sourceBars: 3, expectedSourceBars: 5 },
          { bar_ts: '2024-01-02T10:10:00.000Z', status: 'open', sourceBars: 4, expectedSourceBars: 5 },
        ],
      },
    ]);
  });

  test('from any base timeframe: 5m → 1h, a hole inside a bucket is aggregated and counted, never filled', async () => {
    const start = Date.parse('2024-01-02T09:30:00Z');
    const lines: string[] = [];
    for (let i = 0; i < 30; i++) {
      if (i === 20) continue; // 11:10 missing
      lines.push(`${new Date(start + i * 300_000).toISOString()},1.1,${1.1 + i / 1000},1.0,1.1,1`);
    }
    const bars: OhlcvBar[] = [];
    const report = await importCsv(
      write(`time,open,high,low,close,volume\n${lines.join('\n')}\n`),
      { symbol: 'TESTX', timeframe: '5m', resample: ['1h'] },
      async (c) => {
        bars.push(...c);
      },
    );
    const hours = bars.filter((b) => b.timeframe === '1h');
    assert.deepEqual(
      hours.map((b) => [b.bar_ts, b.high, b.volume]),
      [
        ['2024-01-02T10:00:00.000Z', 1.117, 12],
        ['2024-01-02T11:00:00.000Z', 1.129, 11],
      ],
    );
    assert.equal(report.resampled[0]?.sparseBuckets, 1);
    assert.deepEqual(
      report.resampled[0]?.leftOut.map((b) => [b.bar_ts, b.status]),
      [['2024-01-02T09:00:00.000Z', 'truncated']],
    );
  });

  test('a dry run builds the report, resampled counts included, and hands nothing to the sink', async () => {
    const { report } = await load(CASES['pipe-separated with a header']?.text ?? '', {
      dryRun: true,
      resample: ['1h'],
    });
    assert.equal(report.dryRun, true);
    assert.equal(report.stored, 2);
    assert.equal(report.resampled[0]?.leftOut.length, 1);
  });
});
