import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ORCHESTRATOR_DEFAULTS } from './config';
import { loadEnv } from './env';

const required = { SERVICE_ROLE_KEY: 'a-service-role-key-of-32-chars-xx', DATABASE_URL: 'postgres://u@db:5432/x' };

describe('orchestrator env', () => {
  test('the required variables alone give the documented defaults', () => {
    const { config, logLevel } = loadEnv(required);
    assert.equal(logLevel, 'info');
    assert.deepEqual(config.series, [{ symbol: 'EURUSD', timeframe: '5m' }]);
    assert.equal(config.owner, 'pacey999');
    assert.equal(config.infraApiUrl, 'http://127.0.0.1:8787');
    assert.equal(config.workerBatchSeries, ORCHESTRATOR_DEFAULTS.workerBatchSeries);
    assert.equal(config.barCacheRefreshCloses, ORCHESTRATOR_DEFAULTS.barCacheRefreshCloses);
    assert.equal(config.signalStoreMode, 'batch');
  });

  test('SYMBOLS × TIMEFRAMES, MODELS, MODEL_WEIGHTS and numbers are parsed', () => {
    const { config } = loadEnv({
      ...required,
      SYMBOLS: 'EURUSD, BTCUSDT',
      TIMEFRAMES: '1m,1h',
      MODELS: 'baseline-rsi-001',
      MODEL_WEIGHTS: '{"baseline-rsi-001":1.5}',
      BAR_CACHE_REFRESH_CLOSES: '0',
      SIGNAL_STORE_MODE: 'single',
    });
    assert.equal(config.series.length, 4);
    assert.deepEqual(config.models, ['baseline-rsi-001']);
    assert.deepEqual(config.modelWeights, { 'baseline-rsi-001': 1.5 });
    assert.equal(config.barCacheRefreshCloses, 0);
    assert.equal(config.signalStoreMode, 'single');
  });

  test('every bad variable is named in the error', () => {
    assert.throws(
      () =>
        loadEnv({
          SERVICE_ROLE_KEY: 'short',
          DATABASE_URL: 'mysql://x',
          TIMEFRAMES: '7m',
          WORKER_CONCURRENCY: '0',
          MODEL_WEIGHTS: '{not json',
          SIGNAL_STORE_MODE: 'sometimes',
        }),
      (err: Error) => {
        for (const name of [
          'SERVICE_ROLE_KEY',
          'DATABASE_URL',
          'TIMEFRAMES',
          'WORKER_CONCURRENCY',
          'MODEL_WEIGHTS',
          'SIGNAL_STORE_MODE',
        ]) {
          assert.match(err.message, new RegExp(`^  ${name}`, 'm'), name);
        }
        assert.match(err.message, /^invalid orchestrator environment:/);
        return true;
      },
    );
    assert.throws(
      () => loadEnv({ DATABASE_URL: required.DATABASE_URL }),
      /^ {2}SERVICE_ROLE_KEY: SERVICE_ROLE_KEY must be set/m,
    );
    assert.throws(
      () => loadEnv({ SERVICE_ROLE_KEY: required.SERVICE_ROLE_KEY }),
      /^ {2}DATABASE_URL: DATABASE_URL must be set/m,
    );
  });

  test('a bad ORCHESTRATOR_CONFIG file is named with its problem', () => {
    const dir = mkdtempSync(join(tmpdir(), 'orch-env-'));
    try {
      const file = join(dir, 'series.json');
      writeFileSync(file, JSON.stringify({ series: [{ symbol: 'eurusd', timeframes: ['1m'] }] }));
      assert.throws(
        () => loadEnv({ ...required, ORCHESTRATOR_CONFIG: file }),
        /ORCHESTRATOR_CONFIG \(.*series\.json\)/,
      );
      writeFileSync(file, JSON.stringify({ series: [{ symbol: 'EURUSD', timeframes: ['1m', '4h'] }] }));
      assert.equal(loadEnv({ ...required, ORCHESTRATOR_CONFIG: file }).config.series.length, 2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('main.ts stops the boot with exit code 1 and the bad variable named', () => {
    const main = fileURLToPath(new URL('./main.ts', import.meta.url));
    const r = spawnSync(process.execPath, ['--import', 'tsx', main], {
      env: { PATH: process.env.PATH, SERVICE_ROLE_KEY: required.SERVICE_ROLE_KEY, DATABASE_URL: 'nope' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /DATABASE_URL: DATABASE_URL must be a postgres:\/\/ URL/);
  });
});
