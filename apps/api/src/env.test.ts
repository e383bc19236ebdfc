import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseEnv } from './env';

describe('api environment (env.ts)', () => {
  test('an empty environment gives the documented defaults', () => {
    const env = parseEnv({});
    assert.equal(env.PORT, 8787);
    assert.equal(env.BODY_LIMIT_BYTES, 1_048_576);
    assert.equal(env.RATE_LIMIT_PER_MINUTE, 1200);
    assert.equal(env.MIGRATE_ON_START, true);
    assert.equal(env.DB_PREPARED_STATEMENTS, 'auto');
    assert.equal(env.DATABASE_URL, undefined);
  });

  test('DB_PREPARED_STATEMENTS takes auto, true or false', () => {
    assert.equal(parseEnv({ DB_PREPARED_STATEMENTS: 'false' }).DB_PREPARED_STATEMENTS, false);
    assert.equal(parseEnv({ DB_PREPARED_STATEMENTS: 'true' }).DB_PREPARED_STATEMENTS, true);
    assert.throws(
      () => parseEnv({ DB_PREPARED_STATEMENTS: 'no' }),
      /DB_PREPARED_STATEMENTS: must be auto, true or false/,
    );
  });

  test('a bad value stops the boot with a message naming each variable', () => {
    assert.throws(
      () => parseEnv({ PORT: 'eighty', SERVICE_ROLE_KEY: 'short', MIGRATE_ON_START: 'yes' }),
      (err: Error) =>
        /PORT:/.test(err.message) &&
        /SERVICE_ROLE_KEY: .*at least 32 characters/.test(err.message) &&
        /MIGRATE_ON_START: must be true or false/.test(err.message),
    );
  });
});
