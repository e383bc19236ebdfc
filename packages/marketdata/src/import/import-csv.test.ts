import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import type { OhlcvBar } from '@neuronetiq/contracts';
import { createIsoFormatter, ImportError, type ImportOptions, type ImportProgress, importCsv } from './import-csv';
import type { ImportReport } from './report';

async function run(
  text: string,
  options: Partial<ImportOptions> = {},
): Promise<{ bars: OhlcvBar[]; report: ImportReport; chunks: number[] }> {
  const bars: OhlcvBar[] = [];
  const chunks: number[] = [];
  const report = await importCsv(
    Readable.from([Buffer.from(text)]),
    { symbol: 'EURUSD', timeframe: '1m', ...options },
    async (chunk) => {
      chunks.push(chunk.length);
      bars.push(...chunk);
    },
  );
  assert.equal(
    report.rowsRead,
    report.stored + report.duplicates.count + report.rejected.count,
    'every row is stored, a duplicate or rejected',
  );
  return { bars, report, chunks };
}

const bar = (bar_ts: string, open: number, high: number, low: number, close: number, volume: number | null) => ({
  symbol: 'EURUSD',
  timeframe: '1m',
  bar_ts,
  open,
  high,
  low,
  close,
  volume,
});

const EXPECTED = [
  bar('2024-01-02T10:00:00.000Z', 1.1, 1.2, 1.05, 1.15, 10),
  bar('2024-01-02T10:01:00.000Z', 1.15, 1.25, 1.1, 1.2, 0),
];

describe('generic headed CSV', () => {
  const variants: Record<string, string> = {
    'comma, ISO with Z':
      'time,open,high,low,close,volume\n2024-01-02T10:00:00Z,1.1,1.2,1.05,1.15,10\n2024-01-02T10:01:00Z,1.15,1.25,1.1,1.2,0\n',
    'semicolon, epoch ms':
      'timestamp;open;high;low;close;volume\n1704189600000;1.1;1.2;1.05;1.15;10\n1704189660000;1.15;1.25;1.1;1.2;0\n',
    'tab, epoch seconds':
      'ts\topen\thigh\tlow\tclose\tvolume\n1704189600\t1.1\t1.2\t1.05\t1.15\t10\n1704189660\t1.15\t1.25\t1.1\t1.2\t0\n',
    'float epoch seconds, CRLF':
      'unix,open,high,low,close,volume\r\n1704189600.0,1.1,1.2,1.05,1.15,10\r\n1704189660.0,1.15,1.25,1.1,1.2,0\r\n',
    'epoch microseconds':
      'open_time,open,high,low,close,volume,close_time\n1704189600000000,1.1,1.2,1.05,1.15,10,1704189659999999\n1704189660000000,1.15,1.25,1.1,1.2,0,1704189719999999\n',
    'quoted, shuffled columns, capitalised names':
      '"Volume","Close","Low","High","Open","Date"\n"10","1.15","1.05","1.2","1.1","2024-01-02 10:00:00"\n"0","1.2","1.1","1.25","1.15","2024-01-02 10:01:00"\n',
    'ISO with an offset':
      'datetime,open,high,low,close,volume\n2024-01-02T11:00:00+01:00,1.1,1.2,1.05,1.15,10\n2024-01-02T05:01:00-05:00,1.15,1.25,1.1,1.2,0\n',
    'separate date and time columns (MetaTrader)':
      'Date,Time,Open,High,Low,Close,Volume\n2024.01.02,10:00,1.1,1.2,1.05,1.15,10\n2024.01.02,10:01,1.15,1.25,1.1,1.2,0\n',
    'BOM, blank lines and spaces around fields':
      '\uFEFFtime, open, high, low, close, volume\n\n2024-01-02T10:00:00Z, 1.1, 1.2, 1.05, 1.15, 10\n\n2024-01-02T10:01:00Z, 1.15, 1.25, 1.1, 1.2, 0\n',
  };
  for (const [name, text] of Object.entries(variants)) {
    test(`reads the same two bars: ${name}`, async () => {
      const { bars, report } = await run(text, { format: name.includes('microseconds') ? 'generic' : undefined });
      assert.equal(report.format, 'generic');
      assert.deepEqual(bars, EXPECTED);
      assert.equal(report.rejected.count, 0);
    });
  }

  test('a quoted field with the delimiter and a line break inside keeps line numbers of the file', async () => {
    const { bars, report } = await run(
      'time,open,high,low,close,note\n2024-01-02T10:00:00Z,1.1,1.2,1.05,1.15,"a, b\nc"\n2024-01-02T10:01:00Z,1.15,1.25,1.1,-1,x\n',
    );
    assert.equal(bars.length, 1);
    assert.equal(bars[0]?.volume, null, 'no volume column: volume unknown');
    assert.deepEqual(report.rejected.byReason, { non_positive_price: { count: 1, lines: [4] } });
  });

  test('local times without an offset are read in tz, across the US spring-forward change', async () => {
    const { bars, report } = await run(
      'time,open,high,low,close\n2024-03-09 10:00,1,1,1,1\n2024-03-10 10:00,1,1,1,1\n',
      { tz: 'America/New_York' },
    );
    assert.deepEqual(
      bars.map((b) => b.bar_ts),
      ['2024-03-09T15:00:00.000Z', '2024-03-10T14:00:00.000Z'],
    );
    assert.match(report.clock, /America\/New_York wall clock/);
  });

  test('a date without a time is a trading day labelled 00:00 UTC whatever the zone', async () => {
    const { bars, report } = await run('date,open,high,low,close\n2024-01-02,1,1,1,1\n', {
      timeframe: '1d',
      tz: 'America/New_York',
    });
    assert.equal(bars[0]?.bar_ts, '2024-01-02T00:00:00.000Z');
    assert.match(report.clock, /trading days/);
    assert.equal(report.warnings.length, 1, 'the unused tz is pointed out');
  });

  test('rows out of time order are counted on the file as it is, then stored in time order', async () => {
    const { bars, report } = await run(
      'time,open,high,low,close\n2024-01-02T10:02:00Z,1,1,1,1\n2024-01-02T10:00:00Z,1,1,1,1\n2024-01-02T10:01:00Z,1,1,1,1\n',
    );
    assert.deepEqual(
      bars.map((b) => b.bar_ts.slice(11, 16)),
      ['10:00', '10:01', '10:02'],
    );
    assert.equal(report.order, 'ascending');
    assert.deepEqual(report.outOfOrder, { count: 2, lines: [3, 4], backwardSteps: 1 });
    assert.equal(report.gaps.gapCount, 0, 'gaps are counted on the sorted bars');
    assert.equal(report.range.first, '2024-01-02T10:00:00.000Z');
    assert.equal(report.range.last, '2024-01-02T10:02:00.000Z');
  });

  test('a header without open/high/low/close is an error naming the line and the columns found', async () => {
    await assert.rejects(run('when,price\n2024-01-02T10:00:00Z,1\n'), (e: unknown) => {
      assert.ok(e instanceof ImportError);
      assert.equal(e.code, 'HEADER_INVALID');
      assert.match(e.message, /Line 1: .*found "when", "price"\. Name the columns with --columns/);
      return true;
    });
  });
});

describe('bad rows are reported with line numbers and never stored', () => {
  test('each defect is counted under its reason with its line', async () => {
    const text = [
      'time,open,high,low,close,volume', // 1
      '2024-01-02T10:00:00Z,1.1,1.2,1.0,1.15,5', // 2 ok
      '2024-01-02T10:01:00Z,1.1,1.0,1.2,1.15,5', // 3 high < low
      '2024-01-02T10:02:00Z,0,1.2,1.0,1.15,5', // 4 zero price
      '2024-01-02T10:03:00Z,abc,1.2,1.0,1.15,5', // 5 unparseable price
      'yesterday,1.1,1.2,1.0,1.15,5', // 6 unparseable time
      '2024-01-02T10:04:30Z,1.1,1.2,1.0,1.15,5', // 7 not on a 1m boundary
      '2024-01-02T10:05:00Z,1.1,1.2,1.12,1.15,5', // 8 open below low
      '2024-01-02T10:06:00Z,1.1,1.2,1.0,1.15,-5', // 9 negative volume
      '2024-01-02T10:07:00Z,1.1', // 10 too few fields
      '2024-01-02T10:00:00Z,1.1,1.2,1.0,1.15,5', // 11 identical to line 2
      '2024-01-02T10:00:00Z,1.1,1.2,1.0,1.16,5', // 12 same time as line 2, other values
      '2024-01-02T10:08:00Z,1.0,3.5,1.0,3.5,5', // 13 open→close ×3.5 in one minute
      '2024-01-02T10:09:00Z,1.1,1.2,1.0,1.15,', // 14 ok, volume empty → null
      '2024-01-02T10:10:00Z,,1.2,1.0,1.15,5', // 15 empty price
    ].join('\n');
    const { bars, report } = await run(text);
    assert.deepEqual(
      bars.map((b) => [b.bar_ts, b.close, b.volume]),
      [
        ['2024-01-02T10:00:00.000Z', 1.15, 5],
        ['2024-01-02T10:09:00.000Z', 1.15, null],
      ],
      'the first row of a timestamp is the one kept',
    );
    assert.equal(report.rowsRead, 14);
    assert.deepEqual(report.duplicates, {
      count: 2,
      lines: [11, 12],
      timestamps: 1,
      identical: 1,
      conflicting: 1,
      kept: 'first',
    });
    assert.deepEqual(report.ohlcInconsistencies, { count: 2, lines: [3, 8] });
    assert.deepEqual(report.rejected.byReason, {
      high_below_low: { count: 1, lines: [3] },
      non_positive_price: { count: 1, lines: [4] },
      unparseable: { count: 3, lines: [5, 6, 15] },
      unaligned_timestamp: { count: 1, lines: [7] },
      ohlc_inconsistent: { count: 1, lines: [8] },
      negative_volume: { count: 1, lines: [9] },
      wrong_field_count: { count: 1, lines: [10] },
      suspect_price: { count: 1, lines: [13] },
    });
    assert.equal(report.rejected.count, 10);
  });

  test('line lists are capped while counts stay exact', async () => {
    const rows = Array.from({ length: 50 }, (_, i) => `2024-01-02T10:${String(i).padStart(2, '0')}:00Z,1,1,2,1`);
    const { report } = await run(`time,open,high,low,close\n${rows.join('\n')}\n`, { maxLinesPerReason: 3 });
    assert.deepEqual(report.rejected.byReason.high_below_low, { count: 50, lines: [2, 3, 4] });
  });

  test('maxBodyRatio can be raised for markets that really move that much', async () => {
    const { report } = await run('time,open,high,low,close\n2024-01-02T10:08:00Z,1,3.5,1,3.5\n', { maxBodyRatio: 5 });
    assert.equal(report.stored, 1);
  });
});

describe('HistData format and time zones', () => {
  test('a row in the skipped spring-forward hour is rejected; a repeated fall-back hour keeps file order', async () => {
    const text = [
      '20170312 013000;1.1;1.1;1.1;1.1;0', // 06:30Z (EST)
      '20170312 023000;1.1;1.1;1.1;1.1;0', // does not exist in New York
      '20170312 033000;1.1;1.1;1.1;1.1;0', // 07:30Z (EDT)
      '20171105 013000;1.2;1.2;1.2;1.2;0', // first 01:30, EDT: 05:30Z
      '20171105 013000;1.3;1.3;1.3;1.3;0', // second 01:30, EST: 06:30Z
      '20171105 020000;1.3;1.3;1.3;1.3;0', // 07:00Z
    ].join('\n');
    const { bars, report } = await run(text, { tz: 'America/New_York' });
    assert.deepEqual(
      bars.map((b) => b.bar_ts),
      [
        '2017-03-12T06:30:00.000Z',
        '2017-03-12T07:30:00.000Z',
        '2017-11-05T05:30:00.000Z',
        '2017-11-05T06:30:00.000Z',
        '2017-11-05T07:00:00.000Z',
      ],
    );
    assert.deepEqual(report.rejected.byReason, { nonexistent_local_time: { count: 1, lines: [2] } });
    assert.deepEqual(report.notices.ambiguous_local_time, { count: 2, lines: [4, 5] });
  });

  test('a row earlier than the one before it is counted as out of order and stored in its place', async () => {
    const text = '20170102 020100;1;1;1;1;0\n20170102 020000;1;1;1;1;0\n20170102 020200;1;1;1;1;0\n';
    const { bars, report } = await run(text);
    assert.deepEqual(
      bars.map((b) => b.bar_ts.slice(11, 16)),
      ['02:00', '02:01', '02:02'],
    );
    assert.deepEqual(report.outOfOrder, { count: 1, lines: [2], backwardSteps: 1 });
    assert.equal(report.rejected.count, 0);
  });

  test('an impossible calendar date is unparseable rather than rolled into the next month', async () => {
    const { report } = await run('20170230 020000;1;1;1;1;0\n', { format: 'histdata' });
    assert.deepEqual(report.rejected.byReason, { unparseable: { count: 1, lines: [1] } });
  });

  test('an unknown zone is refused before reading', async () => {
    await assert.rejects(
      run('20170102 020000;1;1;1;1;0\n', { tz: 'Mars/Olympus' }),
      /Unknown time zone "Mars\/Olympus"/,
    );
  });
});

describe('Binance and CryptoDataDownload details', () => {
  test('a headerless Binance dump with microsecond open times is recognised', async () => {
    const { bars, report } = await run(
      '1735689600000000,93576.00,94509.42,93489.03,94401.14,5.1,1735693199999999,0,1,0,0,0\n',
      { symbol: 'BTCUSDT', timeframe: '1h' },
    );
    assert.equal(report.format, 'binance');
    assert.equal(report.headerLines, 0);
    assert.equal(bars[0]?.bar_ts, '2025-01-01T00:00:00.000Z');
    assert.match(report.clock, /Unix epoch \(us/);
  });

  test('a CryptoDataDownload file that starts with its URL line; newest first; a newer row among older ones is out of order', async () => {
    const text = [
      'https://www.CryptoDataDownload.com',
      'unix,date,symbol,open,high,low,close,Volume BTC,Volume USDT,tradecount',
      '1623283200000,2021-06-10 00:00:00,BTC/USDT,2,2,2,2,1,2,3',
      '1623279600.0,2021-06-09 11-PM,BTC/USDT,2,2,2,2,1,2,NULL',
      '1623286800000,2021-06-10 01:00:00,BTC/USDT,2,2,2,2,1,2,3',
      '1623276000000,2021-06-09 06:00:00,BTC/USDT,2,2,2,2,1,2,3',
    ].join('\n');
    const { bars, report } = await run(text, { symbol: 'BTCUSDT', timeframe: '1h' });
    assert.equal(report.format, 'cryptodatadownload');
    assert.equal(report.headerLines, 2);
    assert.equal(bars.length, 4);
    assert.equal(report.order, 'descending');
    assert.deepEqual(report.outOfOrder, { count: 1, lines: [5], backwardSteps: 1 });
    assert.equal(report.rejected.count, 0);
    assert.deepEqual(report.notices.date_mismatch, { count: 1, lines: [6] });
  });
});

describe('streaming, chunks and progress', () => {
  test('bars reach the sink in chunks of chunkSize, in time order, with progress after each', async () => {
    const minutes = Array.from({ length: 5 }, (_, i) => `20170102 02${String(i).padStart(2, '0')}00;1;1;1;1;0`);
    const progress: ImportProgress[] = [];
    const { chunks, bars } = await run(minutes.join('\n'), {
      chunkSize: 2,
      onProgress: (p) => progress.push(p),
    });
    assert.deepEqual(chunks, [2, 2, 1]);
    assert.deepEqual(
      bars.map((b) => b.bar_ts.slice(11, 16)),
      ['02:00', '02:01', '02:02', '02:03', '02:04'],
    );
    assert.deepEqual(
      progress.filter((p) => p.phase === 'store').map((p) => p.stored),
      [2, 4, 5],
    );
    assert.equal(progress[0]?.phase, 'read', 'the whole file is read before the first chunk is stored');
    assert.equal(progress.at(-1)?.totalBytes, null);
    assert.ok((progress.at(-1)?.bytesRead ?? 0) > 0);
  });

  test('a slow sink holds the parser back (at most one chunk in flight)', async () => {
    const minutes = Array.from({ length: 40 }, (_, i) => `20170102 02${String(i).padStart(2, '0')}00;1;1;1;1;0`);
    let inFlight = 0;
    let maxInFlight = 0;
    await importCsv(
      Readable.from([minutes.join('\n')]),
      { symbol: 'EURUSD', timeframe: '1m', chunkSize: 5 },
      async () => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((r) => setTimeout(r, 2));
        inFlight--;
      },
    );
    assert.equal(maxInFlight, 1);
  });

  test('a failing source rejects the import with its error', async () => {
    const source = new Readable({
      read() {
        this.push('20170102 020000;1;1;1;1;0\n20170102 020100;1;1;1;1;0\n');
        this.destroy(new Error('disk on fire'));
      },
    });
    await assert.rejects(
      importCsv(source, { symbol: 'EURUSD', timeframe: '1m', format: 'histdata' }, async () => {}),
      /disk on fire/,
    );
  });

  test('a failing sink rejects the import with its error', async () => {
    await assert.rejects(
      importCsv(Readable.from(['20170102 020000;1;1;1;1;0\n']), { symbol: 'EURUSD', timeframe: '1m' }, async () => {
        throw new Error('database down');
      }),
      /database down/,
    );
  });

  test('an empty file with a format given yields an empty report; without one the format cannot be recognised', async () => {
    const { report } = await run('', { format: 'histdata' });
    assert.equal(report.rowsRead, 0);
    assert.deepEqual(report.range, { first: null, last: null, firstFileClock: null, lastFileClock: null });
    await assert.rejects(run(''), (e: unknown) => e instanceof ImportError && e.code === 'FORMAT_UNKNOWN');
  });

  test('a file whose format cannot be recognised is refused and its stream closed', async () => {
    const source = Readable.from([Buffer.from('1,2,3\n4,5,6\n')]);
    await assert.rejects(
      importCsv(source, { symbol: 'EURUSD', timeframe: '1m' }, async () => {}),
      /Cannot recognise the CSV from its first line "1,2,3": expected a time/,
    );
    assert.equal(source.destroyed, true);
  });

  test('bad options are refused with the value named', async () => {
    await assert.rejects(run('x', { symbol: 'eur usd' }), /symbol "eur usd"/);
    await assert.rejects(run('x', { timeframe: '2m' as never }), /timeframe "2m"/);
  });
});

describe('createIsoFormatter', () => {
  test('matches Date#toISOString on sorted and scattered instants, before 1970 and past 9999', () => {
    const iso = createIsoFormatter();
    const samples = [
      ...Array.from({ length: 3_000 }, (_, i) => Date.parse('2017-03-11T23:00:00Z') + i * 60_000),
      ...Array.from({ length: 3_000 }, (_, i) => Math.round(Math.sin(i) * 4e12) + (i % 1000)),
      -1,
      0,
      253_402_300_800_000,
      -62_198_755_200_000,
    ];
    for (const ms of samples) assert.equal(iso(ms), new Date(ms).toISOString(), String(ms));
  });
});
