import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';
import { ImportArgsError, parseImportArgs } from './import-args';
import { createImportProgressBar } from './progress-bar';

describe('parseImportArgs', () => {
  test('parses the documented command line into typed options with defaults', () => {
    assert.deepEqual(parseImportArgs(['data/eurusd.csv', '--symbol', 'EURUSD', '--tf', '1m']), {
      kind: 'run',
      options: {
        file: 'data/eurusd.csv',
        symbol: 'EURUSD',
        timeframe: '1m',
        format: undefined,
        tz: undefined,
        force: false,
        dialect: {},
        calendar: undefined,
        chunkSize: 5000,
        dryRun: false,
        json: false,
        apiUrl: undefined,
        resample: [],
      },
    });
    const r = parseImportArgs([
      'x.csv',
      '--symbol=EURUSD',
      '--tf=1m',
      '--format',
      'histdata',
      '--tz',
      'America/New_York',
      '--calendar',
      'fx',
      '--chunk-size',
      '2000',
      '--dry-run',
      '--json',
      '--delimiter',
      'tab',
      '--quote',
      'none',
      '--no-header',
      '--columns',
      'date,time,open,high,low,close,-,volume',
      '--force',
    ]);
    assert.equal(r.kind, 'run');
    if (r.kind === 'run') {
      assert.equal(r.options.format, 'histdata');
      assert.equal(r.options.tz, 'America/New_York');
      assert.equal(r.options.calendar, 'fx');
      assert.equal(r.options.chunkSize, 2000);
      assert.equal(r.options.dryRun, true);
      assert.equal(r.options.json, true);
      assert.equal(r.options.force, true);
      assert.deepEqual(r.options.dialect, {
        delimiter: '\t',
        quote: null,
        header: false,
        columns: ['date', 'time', 'open', 'high', 'low', 'close', '-', 'volume'],
      });
    }
    for (const [spelling, zone] of [
      ['+05:30', 'UTC+5:30'],
      ['-03:30', 'UTC-3:30'],
      ['UTC+5', 'UTC+5'],
      ['GMT-3:30', 'UTC-3:30'],
      ['+0000', 'UTC'],
      ['Europe/London', 'Europe/London'],
    ]) {
      const z = parseImportArgs(['x.csv', '--symbol', 'EURUSD', '--tf', '1m', '--tz', spelling as string]);
      assert.equal(z.kind === 'run' && z.options.tz, zone, spelling);
    }
    const viaApi = parseImportArgs(['x.csv', '--symbol', 'EURUSD', '--tf', '1m', '--api', 'http://127.0.0.1:8787/']);
    assert.equal(viaApi.kind === 'run' && viaApi.options.apiUrl, 'http://127.0.0.1:8787');
    const resample = parseImportArgs(['x.csv', '--symbol', 'EURUSD', '--tf', '1m', '--resample', '5m, 1h,5m']);
    assert.deepEqual(resample.kind === 'run' && resample.options.resample, ['5m', '1h']);
    const fromFive = parseImportArgs(['x.csv', '--symbol', 'EURUSD', '--tf', '5m', '--resample', '1h,4h', '--dry-run']);
    assert.deepEqual(fromFive.kind === 'run' && fromFive.options.resample, ['1h', '4h']);
  });

  const mistakes: Array<[string[], RegExp]> = [
    [['--symbol', 'EURUSD', '--tf', '1m'], /missing required argument 'file'/],
    [['x.csv', '--tf', '1m'], /required option '--symbol <symbol>' not specified/],
    [['x.csv', '--symbol', 'EURUSD'], /required option '--tf <timeframe>' not specified/],
    [['x.csv', '--symbol', 'EURUSD', '--tf', '2m'], /Allowed choices are 1m, 5m, 15m, 30m, 1h, 4h, 1d/],
    [['x.csv', '--symbol', 'EURUSD', '--tf', '1m', '--format', 'excel'], /Allowed choices are histdata, ninjatrader/],
    [['x.csv', '--symbol', 'eur/usd', '--tf', '1m'], /--symbol eur\/usd/],
    [
      ['x.csv', '--symbol', 'EURUSD', '--tf', '1m', '--tz', 'New York'],
      /--tz New York': unknown time zone; use an IANA name .* or a fixed offset \(\+05:00, -03:30, \+5, UTC\+5, GMT-3:30/,
    ],
    [['x.csv', '--symbol', 'EURUSD', '--tf', '1m', '--tz', 'UTC+15'], /--tz UTC\+15': unknown time zone/],
    [['x.csv', '--symbol', 'EURUSD', '--tf', '1m', '--delimiter', 'x'], /--delimiter x': use , ; tab \| or space/],
    [['x.csv', '--symbol', 'EURUSD', '--tf', '1m', '--quote', '""'], /--quote ""': one character/],
    [['x.csv', '--symbol', 'EURUSD', '--tf', '1m', '--columns', 'time,opn'], /--columns time,opn': "opn" not a column/],
    [['x.csv', '--symbol', 'EURUSD', '--tf', '1m', '--api', 'http://h', '--force'], /'--force' cannot be used with/],
    [['x.csv', '--symbol', 'EURUSD', '--tf', '1m', '--api', 'http://h', '--no-header'], /'--no-header' cannot/],
    [['x.csv', '--symbol', 'EURUSD', '--tf', '1m', '--chunk-size', '0'], /--chunk-size 0': must be a whole number/],
    [['x.csv', '--symbol', 'EURUSD', '--tf', '1m', '--colour'], /unknown option '--colour'/],
    [
      ['x.csv', '--symbol', 'EURUSD', '--tf', '1m', '--api', 'localhost:8787'],
      /--api localhost:8787': must be an http/,
    ],
    [['x.csv', '--symbol', 'EURUSD', '--tf', '1m', '--api', 'http://h', '--dry-run'], /'--dry-run' cannot be used/],
    [['x.csv', '--symbol', 'EURUSD', '--tf', '1m', '--api', 'http://h', '--calendar', 'fx'], /'--calendar' cannot/],
    [
      ['x.csv', '--symbol', 'EURUSD', '--tf', '1h', '--resample', '30m'],
      /"30m" is not a larger multiple of the imported 1h/,
    ],
    [
      ['x.csv', '--symbol', 'EURUSD', '--tf', '1m', '--resample', '5m,1m'],
      /"1m" is not a larger multiple of the imported 1m/,
    ],
    [['x.csv', '--symbol', 'EURUSD', '--tf', '1m', '--resample', '7m'], /'--resample 7m': "7m" is not a timeframe/],
    [['x.csv', '--symbol', 'EURUSD', '--tf', '1m', '--resample', ','], /name at least one timeframe/],
    [
      ['x.csv', '--symbol', 'EURUSD', '--tf', '1m', '--resample', '5m', '--api', 'http://h'],
      /'--resample' cannot be used with '--api'/,
    ],
  ];
  for (const [argv, message] of mistakes) {
    test(`refuses ${argv.join(' ')} with a clear message and the usage`, () => {
      assert.throws(
        () => parseImportArgs(argv),
        (e: unknown) => {
          assert.ok(e instanceof ImportArgsError);
          assert.match(e.message, message);
          assert.match(e.usage, /Usage: import \[options\] <file>/);
          return true;
        },
      );
    });
  }

  test('--help returns the usage instead of exiting', () => {
    const r = parseImportArgs(['--help']);
    assert.equal(r.kind, 'help');
    if (r.kind === 'help') assert.match(r.text, /--tz <zone>/);
  });
});

describe('createImportProgressBar', () => {
  test('draws nothing when the stream is not a terminal', () => {
    const out = new PassThrough();
    let written = 0;
    out.on('data', (c: Buffer) => {
      written += c.length;
    });
    const bar = createImportProgressBar({ stream: out as unknown as NodeJS.WriteStream });
    assert.equal(bar.enabled, false);
    bar.onProgress({
      phase: 'read',
      toStore: 0,
      rowsRead: 1,
      stored: 1,
      rejected: 0,
      duplicates: 0,
      bytesRead: 10,
      totalBytes: 100,
    });
    bar.stop();
    assert.equal(written, 0);
  });

  test('draws rows and percentage on a terminal', () => {
    const out = new PassThrough() as unknown as NodeJS.WriteStream & PassThrough;
    const chunks: string[] = [];
    out.on('data', (c: Buffer) => chunks.push(c.toString()));
    Object.assign(out, {
      isTTY: true,
      columns: 120,
      cursorTo: () => true,
      clearLine: () => true,
      moveCursor: () => true,
    });
    const bar = createImportProgressBar({ stream: out, label: 'EURUSD' });
    assert.equal(bar.enabled, true);
    bar.onProgress({
      phase: 'read',
      toStore: 0,
      rowsRead: 500,
      stored: 490,
      rejected: 7,
      duplicates: 3,
      bytesRead: 50,
      totalBytes: 100,
    });
    bar.stop();
    const text = chunks.join('');
    assert.match(text, /EURUSD/);
    assert.match(text, /50%/);
    assert.match(text, /500 rows, 490 stored, 7 rejected, 3 duplicates/);
  });

  test('an upload (import through the api) draws the bytes sent, not row counts it cannot know', () => {
    const out = new PassThrough() as unknown as NodeJS.WriteStream & PassThrough;
    const chunks: string[] = [];
    out.on('data', (c: Buffer) => chunks.push(c.toString()));
    Object.assign(out, {
      isTTY: true,
      columns: 120,
      cursorTo: () => true,
      clearLine: () => true,
      moveCursor: () => true,
    });
    const bar = createImportProgressBar({ stream: out, label: 'EURUSD', upload: true });
    bar.onProgress({
      phase: 'read',
      toStore: 0,
      rowsRead: 0,
      stored: 0,
      rejected: 0,
      duplicates: 0,
      bytesRead: 25,
      totalBytes: 100,
    });
    bar.stop();
    const text = chunks.join('');
    assert.match(text, /EURUSD uploading/);
    assert.match(text, /25%/);
    assert.match(text, /25\/100 bytes/);
    assert.doesNotMatch(text, /rows/);
  });
});
