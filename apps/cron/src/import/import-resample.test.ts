// `npm run import -- … --resample 5m,1h` as a person runs it (a child process through tsx): the file's bars are
// resampled, buckets cut by the file's edges are left out and listed, and the bars written per timeframe are printed;
// the option's misuses exit 2 naming it.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { ImportReport } from '@neuronetiq/contracts';
import { createTestDatabase, type TestDatabase, testBackends } from '@neuronetiq/db/testing';
import { storedBars } from '../resample/test-fixtures';
import { runImport } from './test-cli';

const HISTDATA = fileURLToPath(
  new URL('../../../../../shared/data/histdata-eurusd-m1/DAT_ASCII_EURUSD_M1_201701.csv', import.meta.url),
);

/**
 * The stored bars of a timeframe next to the ones SQL aggregates from the 1m bars (an independent roll-up), without
 * the edge buckets the import reported as left out.
 */
async function compareWithSql(
  tdb: TestDatabase,
  symbol: string,
  timeframe: '5m' | '1h',
  stepSql: string,
  leftOut: readonly string[] = [],
) {
  const actual = await storedBars(tdb.db, symbol, timeframe);
  const all = await tdb.db.query<{ bar_ts: Date }>(
    `SELECT date_bin(${stepSql}, bar_ts, timestamptz 'epoch') AS bar_ts,
            ((array_agg(open ORDER BY bar_ts))[1])::float8 AS open, max(high)::float8 AS high,
            min(low)::float8 AS low, ((array_agg(close ORDER BY bar_ts DESC))[1])::float8 AS close,
            CASE WHEN bool_or(volume IS NULL) THEN NULL ELSE sum(volume)::float8 END AS volume
     FROM market.ohlcv WHERE symbol = $1 AND timeframe = '1m' GROUP BY 1 ORDER BY 1`,
    [symbol],
  );
  const expected = all.filter((b) => !leftOut.includes(new Date(b.bar_ts).toISOString()));
  assert.equal(all.length - expected.length, leftOut.length, 'every left-out bucket is one SQL would build');
  assert.deepEqual(actual, expected, `${symbol} ${timeframe}: every bucket as SQL aggregates it`);
  return actual.length;
}

for (const backend of testBackends()) {
  describe(`npm run import --resample into ${backend}`, () => {
    let dir: string;
    let tdb: TestDatabase;
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'import-resample-'));
      tdb = await createTestDatabase(backend);
    });
    after(async () => {
      await tdb?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    test('a synthetic 1m CSV: prints and stores 24 5m and 2 1h bars; importing again writes none', async () => {
      const file = join(dir, 'synthetic-m1.csv');
      const start = Date.parse('2025-01-06T10:00:00Z');
      const lines = ['time,open,high,low,close,volume'];
      for (let i = 0; i < 120; i++) {
        const open = (11_000 + (i % 17)) / 10_000;
        lines.push(`${new Date(start + i * 60_000).toISOString()},${open},${open + 0.0004},${open - 0.0002},${open},5`);
      }
      writeFileSync(file, `${lines.join('\n')}\n`);
      const args = [file, '--symbol', 'SYNTHM1', '--tf', '1m', '--resample', '5m,1h'];
      const first = await runImport(args, { DATABASE_URL: tdb.url });
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stdout, /120 rows read, 120 stored/);
      assert.match(first.stdout, /^resampled 5m: 24 bars built \(0 with holes\); 0 edge buckets left out$/m);
      assert.match(first.stdout, /^resampled 1h: 2 bars built \(0 with holes\); 0 edge buckets left out$/m);
      assert.match(first.stdout, /^written to the database \(new or changed\): 1m 120 bars, 5m 24 bars, 1h 2 bars$/m);
      assert.equal(await compareWithSql(tdb, 'SYNTHM1', '5m', `interval '5 minutes'`), 24);
      assert.equal(await compareWithSql(tdb, 'SYNTHM1', '1h', `interval '1 hour'`), 2);

      const again = await runImport(args, { DATABASE_URL: tdb.url });
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stdout, /^written to the database \(new or changed\): 1m 0 bars, 5m 0 bars, 1h 0 bars$/m);
    });

    test('real HistData EURUSD M1 across a weekend: every 5m and 1h bucket as SQL aggregates it but the reported edge ones, none at the weekend', async (t) => {
      if (!existsSync(HISTDATA)) {
        t.skip(`${HISTDATA} is absent (a fresh clone has no ../shared/data)`);
        return;
      }
      // Thursday 2017-01-05 to Monday 2017-01-09 (New York wall clock), over the Friday 17:00 close.
      const all = readFileSync(HISTDATA, 'utf8').split('\n');
      const from = all.findIndex((l) => l.startsWith('20170106 12'));
      const excerpt = all.slice(from, from + 1_500);
      const file = join(dir, 'histdata-m1.csv');
      writeFileSync(file, `${excerpt.join('\n')}\n`);
      const args = [
        file,
        '--symbol',
        'EURUSD',
        '--tf',
        '1m',
        '--tz',
        'America/New_York',
        '--resample',
        '5m,1h',
        '--json',
      ];
      const r = await runImport(args, { DATABASE_URL: tdb.url });
      assert.equal(r.code, 0, r.stderr);
      const report = JSON.parse(r.stdout) as ImportReport & { written: Record<string, number> };
      const leftOut = (tf: string) =>
        (report.resampled.find((s) => s.timeframe === tf)?.leftOut ?? []).map((b) => b.bar_ts);
      // The excerpt ends inside an hour: that hour (and nothing else) is left out.
      assert.deepEqual(
        report.resampled.map((s) => [s.timeframe, s.leftOut.map((b) => b.status)]),
        [
          ['5m', []],
          ['1h', ['open']],
        ],
      );
      const fiveMinutes = await compareWithSql(tdb, 'EURUSD', '5m', `interval '5 minutes'`, leftOut('5m'));
      const hours = await compareWithSql(tdb, 'EURUSD', '1h', `interval '1 hour'`, leftOut('1h'));
      assert.equal(report.written['5m'], fiveMinutes);
      assert.equal(report.written['1h'], hours);
      const weekend = await tdb.db.query<{ n: number }>(
        `SELECT count(*) AS n FROM market.ohlcv WHERE symbol = 'EURUSD' AND timeframe IN ('5m', '1h')
           AND bar_ts >= '2017-01-06T22:00:00Z' AND bar_ts < '2017-01-08T22:00:00Z'`,
      );
      assert.equal(weekend[0]?.n, 0, 'no bar between the Friday close and the Sunday open');
      assert.ok(hours > 10, `${hours} hourly bars`);
    });
  });
}

test('--resample to a timeframe that is not a larger multiple exits 2 naming the option, before touching a database', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'import-resample-args-'));
  try {
    const r = await runImport([join(dir, 'x.csv'), '--symbol', 'EURUSD', '--tf', '1h', '--resample', '30m'], {
      EMBEDDED_DATA_DIR: join(dir, 'db'),
    });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /option '--resample 30m': "30m" is not a larger multiple of the imported 1h/);
    assert.ok(!existsSync(join(dir, 'db')), 'no database was created');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
