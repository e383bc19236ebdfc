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

describe('api environment in production (NODE_ENV=production)', () => {
  const secret = (seed: string) => Buffer.from(`${seed}:${'0123456789abcdef'.repeat(3)}`).toString('base64url');
  const complete = {
    NODE_ENV: 'production',
    DATABASE_URL: 'postgres://api@db.example.internal:5432/postgres',
    SERVICE_ROLE_KEY: secret('service'),
    SUPABASE_JWT_SECRET: secret('jwt'),
    PAYMENT_WEBHOOK_SECRET: secret('webhook'),
  };

  test('starts with its secrets set', () => {
    assert.equal(parseEnv(complete).SERVICE_ROLE_KEY, complete.SERVICE_ROLE_KEY);
  });

  test('refuses the development fallbacks (embedded database, per-boot keys, no sessions), naming each variable', () => {
    assert.throws(
      () => parseEnv({ NODE_ENV: 'production' }),
      (err: Error) =>
        ['DATABASE_URL', 'SERVICE_ROLE_KEY', 'SUPABASE_JWT_SECRET', 'PAYMENT_WEBHOOK_SECRET'].every((v) =>
          new RegExp(`${v}: must be set when NODE_ENV=production`).test(err.message),
        ),
    );
  });

  test('refuses a development or example key', () => {
    assert.throws(
      () => parseEnv({ ...complete, SUPABASE_JWT_SECRET: 'super-secret-jwt-token-with-at-least-32-characters-long' }),
      /SUPABASE_JWT_SECRET: .*refused when NODE_ENV=production/,
    );
    assert.throws(() => parseEnv({ ...complete, SERVICE_ROLE_KEY: 's'.repeat(40) }), /SERVICE_ROLE_KEY: /);
  });
});

describe('TRUST_PROXY', () => {
  test('false by default; true; or the proxies’ addresses/CIDRs; a hop count or garbage is refused naming it', () => {
    assert.equal(parseEnv({}).TRUST_PROXY, false);
    assert.equal(parseEnv({ TRUST_PROXY: 'true' }).TRUST_PROXY, true);
    assert.deepEqual(parseEnv({ TRUST_PROXY: '172.16.0.0/12, fdaa::/16' }).TRUST_PROXY, ['172.16.0.0/12', 'fdaa::/16']);
    for (const bad of ['1', 'fly', '10.0.0.0/8;rm']) {
      assert.throws(() => parseEnv({ TRUST_PROXY: bad }), /TRUST_PROXY: /, bad);
    }
  });
});
