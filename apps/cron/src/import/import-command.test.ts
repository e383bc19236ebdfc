// `npm run import` end to end: the command as a person runs it (a child process through tsx, configured only by
// environment), on a small excerpt of real bars (or generated ones when ../shared/data is absent), into the embedded
// database under EMBEDDED_DATA_DIR and into PostgreSQL at DATABASE_URL.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildApp } from '@neuronetiq/api';
import { createDb, type Db, startEmbeddedDatabase } from '@neuronetiq/db';
import { createTestDatabase, type TestDatabase, testBackends } from '@neuronetiq/db/testing';
import { runImport } from './test-cli';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const REAL = fileURLToPath(new URL('../../../../../shared/data/backtestingpy-eurusd-h1/EURUSD.csv', import.meta.url));
const ROWS = 48;
const FIRST = '2017-04-19T09:00:00.000Z';

/** 48 hourly EURUSD bars: the first of kernc/backtesting.py's EURUSD.csv (UTC), or generated in its format. */
function excerpt(dir: string): { file: string; real: boolean } {
  const file = join(dir, 'eurusd-h1.csv');
  if (existsSync(REAL)) {
    writeFileSync(
      file,
      `${readFileSync(REAL, 'utf8')
        .split('\n')
        .slice(0, ROWS + 1)
        .join('\n')}\n`,
    );
    return { file, real: true };
  }
  const lines = [',Open,High,Low,Close,Volume'];
  for (let i = 0; i < ROWS; i++) {
    const ts = new Date(Date.parse(FIRST) + i * 3_600_000).toISOString().replace('T', ' ').slice(0, 19);
    const open = 1.07 + i / 10_000;
    lines.push(
      `${ts},${open.toFixed(5)},${(open + 0.001).toFixed(5)},${(open - 0.001).toFixed(5)},${open.toFixed(5)},100`,
    );
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
  return { file, real: false };
}

async function storedBars(db: Db): Promise<{ n: number; first: string | null }> {
  const [row] = await db.query<{ n: number; first: string | null }>(
    `SELECT count(*) AS n, min(bar_ts) AS first FROM market.ohlcv WHERE symbol = 'EURUSD' AND timeframe = '1h'`,
  );
  return row ?? { n: 0, first: null };
}

function assertReport(stdout: string): void {
  assert.match(
    stdout,
    new RegExp(`EURUSD 1h \\(\\w+[^)]*\\): ${ROWS} rows read, ${ROWS} stored, 0 duplicates dropped, 0 rejected`),
  );
  assert.match(stdout, /^clock: .*UTC/m, 'the report says which clock it assumed');
  assert.match(stdout, /^range: 2017-04-19T09:00:00\.000Z → 2017-04-21T08:00:00\.000Z/m);
}

describe('npm run import', () => {
  let dir: string;
  let source: { file: string; real: boolean };
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'import-command-'));
    source = excerpt(dir);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('into the embedded database under EMBEDDED_DATA_DIR: prints the report and the clock, and the bars persist', async () => {
    const dataDir = join(dir, 'pglite');
    const r = await runImport([source.file, '--symbol', 'EURUSD', '--tf', '1h'], { EMBEDDED_DATA_DIR: dataDir });
    assert.equal(r.code, 0, r.stderr);
    assertReport(r.stdout);
    assert.match(r.stderr, /embedded database at/);
    const embedded = await startEmbeddedDatabase({ dataDir, maxConnections: 2 });
    const db = createDb(embedded.url, { max: 1 });
    try {
      assert.deepEqual(await storedBars(db), { n: ROWS, first: FIRST });
    } finally {
      await db.end();
      await embedded.close();
    }
  });

  test('a missing file: one line naming it, exit 1, no stack trace, no database', async () => {
    const dataDir = join(dir, 'never-missing');
    const r = await runImport(['no-such-file.csv', '--symbol', 'EURUSD', '--tf', '1h'], { EMBEDDED_DATA_DIR: dataDir });
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(
      r.stderr,
      /^import failed: file "no-such-file\.csv" does not exist \(looked for .*no-such-file\.csv\)\n$/,
    );
    assert.ok(!existsSync(dataDir), 'no database was created');
    const directory = await runImport([dir, '--symbol', 'EURUSD', '--tf', '1h'], { EMBEDDED_DATA_DIR: dataDir });
    assert.equal(directory.code, 1);
    assert.match(directory.stderr, /^import failed: ".*" is a directory, not a file\n$/);
  });

  test('a relative path is read from the directory the command was typed in, not the repository root', async () => {
    const name = 'eurusd-h1.csv';
    assert.ok(existsSync(join(dir, name)));
    // npm runs the script from the repository root and says where it was typed in INIT_CWD.
    const viaNpm = await runImport(
      [name, '--symbol', 'EURUSD', '--tf', '1h', '--dry-run'],
      {},
      { cwd: dir, viaNpm: true },
    );
    assert.equal(viaNpm.code, 0, viaNpm.stderr);
    assert.match(viaNpm.stdout, new RegExp(`${ROWS} rows read, ${ROWS} would store`));
    const direct = await runImport([name, '--symbol', 'EURUSD', '--tf', '1h', '--dry-run'], { INIT_CWD: dir });
    assert.equal(direct.code, 0, direct.stderr);
    const elsewhere = await runImport([name, '--symbol', 'EURUSD', '--tf', '1h', '--dry-run'], {});
    assert.equal(elsewhere.code, 1, 'from the repository root the file is not there');
    assert.match(elsewhere.stderr, /^import failed: file "eurusd-h1\.csv" does not exist/);
  });

  test('--dry-run reads and checks the file, says "would store", and opens no database', async () => {
    const dataDir = join(dir, 'dry');
    const r = await runImport([source.file, '--symbol', 'EURUSD', '--tf', '1h', '--dry-run', '--resample', '4h'], {
      EMBEDDED_DATA_DIR: dataDir,
      DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`${ROWS} rows read, ${ROWS} would store`));
    assert.match(r.stdout, /^resampled 4h: \d+ bars would be stored/m);
    assert.match(r.stdout, /\(dry run: nothing stored, no database opened\)/);
    assert.doesNotMatch(r.stderr, /embedded database/);
    assert.ok(!existsSync(dataDir), 'no database was created');
  });

  test('a file in a broker clock without --tz is refused with the offset that fits; nothing is stored, no database opened', async () => {
    // 5-minute EURUSD bars of one week on a UTC+2 server clock: Monday 00:00 to Friday 23:55.
    const file = join(dir, 'broker-m5.csv');
    const lines: string[] = [];
    const start = Date.parse('2024-01-08T00:00:00Z');
    for (let i = 0; i < 5 * 288; i++) {
      const t = new Date(start + i * 300_000).toISOString();
      lines.push(`${t.slice(0, 10).replace(/-/g, '.')},${t.slice(11, 16)},1.0950,1.0952,1.0948,1.0951,${i % 9}`);
    }
    writeFileSync(file, `${lines.join('\n')}\n`);
    const dataDir = join(dir, 'refused');
    const r = await runImport([file, '--symbol', 'EURUSD', '--tf', '5m'], { EMBEDDED_DATA_DIR: dataDir });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /EURUSD 5m \(metatrader, detected\): 1,440 rows read, 0 refused, nothing stored/);
    assert.match(
      r.stdout,
      /^refused: the clock looks wrong: 24 of 1,440 bars fall where the market is closed .*pass --tz UTC\+2, or --force/m,
    );
    assert.ok(!existsSync(dataDir), 'no database was created');
    const ok = await runImport([file, '--symbol', 'EURUSD', '--tf', '5m', '--tz', 'UTC+2', '--dry-run'], {});
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(
      ok.stdout,
      /^range: 2024-01-07T22:00:00\.000Z → 2024-01-12T21:55:00\.000Z \(UTC\); 2024-01-08T00:00:00\.000\+02:00/m,
    );
  });

  test('on a terminal a file over 4 MB shows a progress bar; a small one does not', async () => {
    const big = join(dir, 'big.csv');
    const start = Date.parse('2024-01-01T00:00:00Z');
    const rows = 120_000;
    const lines = ['time,open,high,low,close,volume'];
    for (let i = 0; i < rows; i++) lines.push(`${new Date(start + i * 60_000).toISOString()},1.1,1.2,1.0,1.1,5`);
    writeFileSync(big, `${lines.join('\n')}\n`);
    assert.ok(statSync(big).size > 4 * 1024 * 1024);
    // `script` gives the command a pseudo-terminal, as a person's shell would.
    const onTerminal = (file: string) =>
      spawnSync(
        'script',
        ['-qec', `${process.execPath} --import tsx ${MAIN} ${file} --symbol TESTX --tf 1m --dry-run`, '/dev/null'],
        { cwd: ROOT, encoding: 'utf8' },
      );
    const shown = onTerminal(big);
    assert.equal(shown.status, 0, shown.stdout);
    assert.match(shown.stdout, /TESTX reading .*100% \| 120000 rows, 0 stored, 0 rejected, 0 duplicates/);
    assert.match(shown.stdout, /120,000 rows read, 120,000 would store/);
    const small = onTerminal(source.file);
    assert.equal(small.status, 0, small.stdout);
    assert.doesNotMatch(small.stdout, /reading/);
  });

  test('a bad argument exits 2 with the usage, before touching a database', async () => {
    const bad = await runImport([source.file, '--symbol', 'EURUSD', '--tf', '7m'], {
      EMBEDDED_DATA_DIR: join(dir, 'x'),
    });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /Usage: import/);
    assert.ok(!existsSync(join(dir, 'x')), 'no database was created');
  });

  test('--api: the file goes through POST /api/marketdata/import and the report of the api is printed', async () => {
    const key = 'import-command-service-role-key-0123';
    const tdb = await createTestDatabase('pglite');
    const app = await buildApp({ db: tdb.db, serviceRoleKey: key, logger: false });
    try {
      await app.listen({ port: 0, host: '127.0.0.1' });
      const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      const args = [source.file, '--symbol', 'EURUSD', '--tf', '1h', '--api', url];
      // Neither a database nor the embedded one is touched: the api stores the bars.
      const noDb = { DATABASE_URL: undefined, EMBEDDED_DATA_DIR: join(dir, 'never') };

      const r = await runImport(args, { ...noDb, SERVICE_ROLE_KEY: key });
      assert.equal(r.code, 0, r.stderr);
      assertReport(r.stdout);
      assert.match(r.stderr, new RegExp(`imported through the api at ${url}`));
      assert.deepEqual(await storedBars(tdb.db), { n: ROWS, first: FIRST });
      assert.ok(!existsSync(join(dir, 'never')), 'no embedded database was opened');

      const noKey = await runImport(args, noDb);
      assert.equal(noKey.code, 2);
      assert.match(noKey.stderr, /--api needs the service role key in SERVICE_ROLE_KEY/);
      const wrongKey = await runImport(args, { ...noDb, SERVICE_ROLE_KEY: 'not-the-key-00000000000000000000000' });
      assert.equal(wrongKey.code, 1);
      assert.match(wrongKey.stderr, /import failed: POST \/api\/marketdata\/import answered 401/);
    } finally {
      await app.close();
      await tdb.close();
    }
  });

  for (const backend of testBackends().filter((b) => b === 'postgres')) {
    describe(`into ${backend} at DATABASE_URL`, () => {
      let tdb: TestDatabase;
      before(async () => {
        tdb = await createTestDatabase(backend);
      });
      after(async () => {
        await tdb?.close();
      });

      test('stores every bar; importing the same file again changes nothing', async () => {
        for (let run = 0; run < 2; run++) {
          const r = await runImport([source.file, '--symbol', 'EURUSD', '--tf', '1h'], { DATABASE_URL: tdb.url });
          assert.equal(r.code, 0, r.stderr);
          assertReport(r.stdout);
          assert.deepEqual(await storedBars(tdb.db), { n: ROWS, first: FIRST });
        }
      });
    });
  }
});
