import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CRON_DEFAULTS } from './config';
import { loadEnv, loadImportEnv } from './env';

const required = { SERVICE_ROLE_KEY: 'a-service-role-key-of-32-chars-xx', DATABASE_URL: 'postgres://u@db:5432/x' };

describe('cron env', () => {
  test('the required variables alone give the documented defaults: drain every 30 s, no feeds', () => {
    const { config, logLevel } = loadEnv(required);
    assert.equal(logLevel, 'info');
    assert.equal(config.drainIntervalMs, CRON_DEFAULTS.drainIntervalMs);
    assert.equal(config.drain?.maxAttempts, CRON_DEFAULTS.drain.maxAttempts);
    assert.equal(config.listen, true);
    assert.equal(config.port, 8081);
    assert.equal(config.synthetic, undefined);
    assert.equal(config.replay, undefined);
    assert.deepEqual(config.rollUp, {
      timeframes: ['5m', '15m', '1h', '4h', '1d'],
      intervalMs: 60_000,
      lookbackMs: 7 * 24 * 60 * 60 * 1000,
    });
  });

  test('RESAMPLE_TIMEFRAMES picks the roll-up targets, empty turns it off, and a bad one is named', () => {
    const some = loadEnv({ ...required, RESAMPLE_TIMEFRAMES: '15m, 4h', RESAMPLE_INTERVAL_MS: '30000' }).config;
    assert.deepEqual(some.rollUp, { timeframes: ['15m', '4h'], intervalMs: 30_000, lookbackMs: 604_800_000 });
    assert.deepEqual(loadEnv({ ...required, RESAMPLE_TIMEFRAMES: '' }).config.rollUp?.timeframes, []);
    assert.throws(
      () => loadEnv({ ...required, RESAMPLE_TIMEFRAMES: '5m,1m' }),
      /^ {2}RESAMPLE_TIMEFRAMES.*larger than 1m/m,
    );
    assert.throws(() => loadEnv({ ...required, RESAMPLE_TIMEFRAMES: '2m' }), /^ {2}RESAMPLE_TIMEFRAMES/m);
    assert.throws(() => loadEnv({ ...required, RESAMPLE_INTERVAL_MS: 'soon' }), /^ {2}RESAMPLE_INTERVAL_MS/m);
    assert.throws(() => loadEnv({ ...required, RESAMPLE_LOOKBACK_MS: '-1' }), /^ {2}RESAMPLE_LOOKBACK_MS/m);
  });

  test('the demo feed and the replay are configured from their variables', () => {
    const { config } = loadEnv({
      ...required,
      DEMO_SYMBOLS: 'EURUSD,BTCUSDT',
      DEMO_TIMEFRAME: '5m',
      OUTBOX_LISTEN: 'false',
      REPLAY_CSV: '/data/x.csv',
      REPLAY_SYMBOL: 'SPY',
      REPLAY_TIMEFRAME: '1d',
      REPLAY_FORMAT: 'yahoo',
    });
    assert.deepEqual(config.synthetic, {
      symbols: ['EURUSD', 'BTCUSDT'],
      timeframe: '5m',
      backfillBars: 500,
      seed: 42,
    });
    assert.equal(config.listen, false);
    assert.equal(config.replay?.symbol, 'SPY');
    assert.equal(config.replay?.format, 'yahoo');
    assert.equal(config.replay?.speed, 60);
  });

  test('BINANCE_SYMBOLS turns the Binance feed on with its defaults; a bad timeframe or URL is named', () => {
    assert.equal(loadEnv(required).config.binance, undefined);
    assert.deepEqual(loadEnv({ ...required, BINANCE_SYMBOLS: 'BTCUSDT, ETHUSDT' }).config.binance, {
      symbols: ['BTCUSDT', 'ETHUSDT'],
      timeframes: ['1m'],
      baseUrl: 'https://api.binance.com',
      pollMs: 15_000,
      backfillBars: 500,
    });
    const on = { ...required, BINANCE_SYMBOLS: 'BTCUSDT' };
    assert.deepEqual(loadEnv({ ...on, BINANCE_TIMEFRAMES: '1h,4h' }).config.binance?.timeframes, ['1h', '4h']);
    assert.throws(() => loadEnv({ ...on, BINANCE_TIMEFRAMES: '1h,2h' }), /BINANCE_TIMEFRAMES/);
    assert.throws(() => loadEnv({ ...on, BINANCE_BASE_URL: 'not a url' }), /BINANCE_BASE_URL/);
    assert.throws(() => loadEnv({ ...on, BINANCE_POLL_MS: '10' }), /BINANCE_POLL_MS/);
    assert.throws(() => loadEnv({ ...required, BINANCE_SYMBOLS: 'btc usdt' }), /BINANCE_SYMBOLS/);
  });

  test('every bad variable is named in the error', () => {
    assert.throws(
      () =>
        loadEnv({
          SERVICE_ROLE_KEY: 'short',
          DATABASE_URL: 'http://db',
          OUTBOX_LISTEN: 'maybe',
          OUTBOX_DRAIN_INTERVAL_MS: '5',
          DEMO_SYMBOLS: 'eur usd',
          REPLAY_FORMAT: 'excel',
        }),
      (err: Error) => {
        for (const name of [
          'SERVICE_ROLE_KEY',
          'DATABASE_URL',
          'OUTBOX_LISTEN',
          'OUTBOX_DRAIN_INTERVAL_MS',
          'DEMO_SYMBOLS',
          'REPLAY_FORMAT',
        ]) {
          assert.match(err.message, new RegExp(`^  ${name}`, 'm'), name);
        }
        assert.match(err.message, /^invalid cron environment:/);
        return true;
      },
    );
    assert.throws(
      () => loadEnv({ ...required, REPLAY_CSV: '/x.csv' }),
      /REPLAY_CSV needs REPLAY_SYMBOL and REPLAY_TIMEFRAME/,
    );
  });

  test('the import command needs no DATABASE_URL (embedded), but a bad one is named', () => {
    assert.deepEqual(loadImportEnv({}), {
      databaseUrl: undefined,
      embeddedDataDir: '.data/pglite',
      serviceRoleKey: undefined,
      callerCwd: undefined,
    });
    // npm sets INIT_CWD to where the command was typed: relative file paths are read from there.
    assert.equal(loadImportEnv({ INIT_CWD: '/home/trader/data' }).callerCwd, '/home/trader/data');
    assert.throws(() => loadImportEnv({ DATABASE_URL: 'mysql://x' }), /invalid import environment:\n {2}DATABASE_URL/);
    // Read for --api only; a short one is named rather than sent to the api.
    assert.equal(loadImportEnv({ SERVICE_ROLE_KEY: 'k'.repeat(32) }).serviceRoleKey, 'k'.repeat(32));
    assert.throws(
      () => loadImportEnv({ SERVICE_ROLE_KEY: 'short' }),
      /invalid import environment:\n {2}SERVICE_ROLE_KEY/,
    );
  });

  test('main.ts stops the boot with exit code 1 and the bad variable named', () => {
    const main = fileURLToPath(new URL('./main.ts', import.meta.url));
    const r = spawnSync(process.execPath, ['--import', 'tsx', main], {
      env: { PATH: process.env.PATH, DATABASE_URL: required.DATABASE_URL },
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /SERVICE_ROLE_KEY: SERVICE_ROLE_KEY must be set/);
  });
});
