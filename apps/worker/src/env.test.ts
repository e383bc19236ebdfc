import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseWorkerEnv } from './env';

test('the worker env has production defaults: port 7071, 64 MiB body, 500,000 bars', () => {
  const env = parseWorkerEnv({});
  assert.equal(env.PORT, 7071);
  assert.equal(env.WORKER_BODY_LIMIT_BYTES, 64 * 1024 * 1024);
  assert.equal(env.WORKER_MAX_BARS_PER_REQUEST, 500_000);
  assert.equal(parseWorkerEnv({ PORT: '8000' }).PORT, 8000);
});

test('a bad value stops the boot with a message naming the variable', () => {
  assert.throws(() => parseWorkerEnv({ PORT: 'seventy' }), /PORT: PORT must be a whole number/);
  assert.throws(() => parseWorkerEnv({ WORKER_MAX_BARS_PER_REQUEST: '0' }), /WORKER_MAX_BARS_PER_REQUEST/);
  assert.throws(() => parseWorkerEnv({ LOG_LEVEL: 'loud' }), /LOG_LEVEL/);
});
