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
        tz: 'UTC',
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
    ]);
    assert.equal(r.kind, 'run');
    if (r.kind === 'run') {
      assert.equal(r.options.format, 'histdata');
      assert.equal(r.options.tz, 'America/New_York');
      assert.equal(r.options.calendar, 'fx');
      assert.equal(r.options.chunkSize, 2000);
      assert.equal(r.options.dryRun, true);
      assert.equal(r.options.json, true);
    }
    const viaApi = parseImportArgs(['x.csv', '--symbol', 'EURUSD', '--tf', '1m', '--api', 'http://127.0.0.1:8787/']);
    assert.equal(viaApi.kind === 'run' && viaApi.options.apiUrl, 'http://127.0.0.1:8787');
    const resample = parseImportArgs(['x.csv', '--symbol', 'EURUSD', '--tf', '1m', '--resample', '5m, 1h,5m']);
    assert.deepEqual(resample.kind === 'run' && resample.options.resample, ['5m', '1h']);
  });

  const mistakes: Array<[string[], RegExp]> = [
    [['--symbol', 'EURUSD', '--tf', '1m'], /missing required argument 'file'/],
    [['x.csv', '--tf', '1m'], /required option '--symbol <symbol>' not specified/],
    [['x.csv', '--symbol', 'EURUSD'], /required option '--tf <timeframe>' not specified/],
    [['x.csv', '--symbol', 'EURUSD', '--tf', '2m'], /Allowed choices are 1m, 5m, 15m, 30m, 1h, 4h, 1d/],
    [['x.csv', '--symbol', 'EURUSD', '--tf', '1m', '--format', 'excel'], /Allowed choices are histdata, binance/],
    [['x.csv', '--symbol', 'eur/usd', '--tf', '1m'], /--symbol eur\/usd/],
    [['x.csv', '--symbol', 'EURUSD', '--tf', '1m', '--tz', 'New York'], /--tz New York': unknown time zone/],
    [['x.csv', '--symbol', 'EURUSD', '--tf', '1m', '--chunk-size', '0'], /--chunk-size 0': must be a whole number/],
    [['x.csv', '--symbol', 'EURUSD', '--tf', '1m', '--colour'], /unknown option '--colour'/],
    [
      ['x.csv', '--symbol', 'EURUSD', '--tf', '1m', '--api', 'localhost:8787'],
      /--api localhost:8787': must be an http/,
    ],
    [['x.csv', '--symbol', 'EURUSD', '--tf', '1m', '--api', 'http://h', '--dry-run'], /'--dry-run' cannot be used/],
    [['x.csv', '--symbol', 'EURUSD', '--tf', '1m', '--api', 'http://h', '--calendar', 'fx'], /'--calendar' cannot/],
    [['x.csv', '--symbol', 'EURUSD', '--tf', '1h', '--resample', '4h'], /'--resample 4h': needs '--tf 1m'/],
    [['x.csv', '--symbol', 'EURUSD', '--tf', '1m', '--resample', '5m,1m'], /"1m" is not larger than the imported 1m/],
    [['x.csv', '--symbol', 'EURUSD', '--tf', '1m', '--resample', '7m'], /'--resample 7m': "7m" is not a timeframe/],
    [['x.csv', '--symbol', 'EURUSD', '--tf', '1m', '--resample', ','], /name at least one timeframe/],
    [
      ['x.csv', '--symbol', 'EURUSD', '--tf', '1m', '--resample', '5m', '--api', 'http://h'],
      /'--resample' cannot be used with '--api'/,
    ],
    [
      ['x.csv', '--symbol', 'EURUSD', '--tf', '1m', '--resample', '5m', '--dry-run'],
      /'--resample' cannot be used with '--dry-run'/,
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
    bar.onProgress({ rowsRead: 1, stored: 1, rejected: 0, duplicates: 0, bytesRead: 10, totalBytes: 100 });
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
    bar.onProgress({ rowsRead: 500, stored: 490, rejected: 7, duplicates: 3, bytesRead: 50, totalBytes: 100 });
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
    bar.onProgress({ rowsRead: 0, stored: 0, rejected: 0, duplicates: 0, bytesRead: 25, totalBytes: 100 });
    bar.stop();
    const text = chunks.join('');
    assert.match(text, /EURUSD uploading/);
    assert.match(text, /25%/);
    assert.match(text, /25\/100 bytes/);
    assert.doesNotMatch(text, /rows/);
  });
});
