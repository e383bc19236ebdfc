import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import { EnvError, embeddedDataDir, parseEnv, placeholderReason, ServiceRoleKeySchema } from './env';

const Schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  SERVICE_ROLE_KEY: ServiceRoleKeySchema,
});

test('parseEnv returns the typed values, defaults applied', () => {
  const env = parseEnv(Schema, { SERVICE_ROLE_KEY: 'k'.repeat(32) }, 'test');
  assert.deepEqual(env, { PORT: 8080, SERVICE_ROLE_KEY: 'k'.repeat(32) });
});

test('parseEnv names every bad variable at once, and says what it needs', () => {
  assert.throws(
    () => parseEnv(Schema, { PORT: 'eighty', SERVICE_ROLE_KEY: 'short' }, 'test'),
    (err: unknown) => {
      assert.ok(err instanceof EnvError);
      assert.equal(err.problems.length, 2);
      assert.match(err.message, /^invalid test environment:/);
      assert.match(err.message, /PORT: /);
      assert.match(err.message, /SERVICE_ROLE_KEY: .*at least 32 characters/);
      return true;
    },
  );
  assert.throws(() => parseEnv(Schema, {}, 'test'), /SERVICE_ROLE_KEY: SERVICE_ROLE_KEY must be set/);
});

test('the embedded data folder has one name; the old one still works with a deprecation', () => {
  assert.deepEqual(embeddedDataDir({}), { dir: '.data/pglite' });
  assert.deepEqual(embeddedDataDir({ EMBEDDED_DATA_DIR: '/a' }), { dir: '/a' });
  const old = embeddedDataDir({ PGLITE_DATA_DIR: '/b' });
  assert.equal(old.dir, '/b');
  assert.match(old.deprecation ?? '', /PGLITE_DATA_DIR is deprecated; rename it EMBEDDED_DATA_DIR/);
  assert.equal(embeddedDataDir({ EMBEDDED_DATA_DIR: '/a', PGLITE_DATA_DIR: '/b' }).dir, '/a', 'the new name wins');
});

test('NODE_ENV=production: required variables must be set and secrets must not be example values, each named', () => {
  const rules = { required: ['DATABASE_URL', 'SERVICE_ROLE_KEY'], secrets: ['SERVICE_ROLE_KEY'] };
  const Optional = z.object({ DATABASE_URL: z.string().optional(), SERVICE_ROLE_KEY: ServiceRoleKeySchema.optional() });
  // Outside production the development fallbacks stand.
  assert.deepEqual(parseEnv(Optional, {}, 'test', rules), {});
  assert.throws(
    () => parseEnv(Optional, { NODE_ENV: 'production' }, 'test', rules),
    (err: unknown) => {
      assert.ok(err instanceof EnvError);
      assert.deepEqual(
        err.problems.map((p) => p.split(':')[0]),
        ['DATABASE_URL', 'SERVICE_ROLE_KEY'],
      );
      assert.match(err.message, /DATABASE_URL: must be set when NODE_ENV=production/);
      return true;
    },
  );
  for (const example of [
    'k'.repeat(32),
    'your-service-role-key-goes-here-0123',
    'change-me-0123456789abcdefghijklmnop',
  ]) {
    assert.throws(
      () =>
        parseEnv(
          Optional,
          { NODE_ENV: 'production', DATABASE_URL: 'postgres://x', SERVICE_ROLE_KEY: example },
          'test',
          rules,
        ),
      /SERVICE_ROLE_KEY: .*refused when NODE_ENV=production; generate one with `openssl rand -base64 32`/,
      example,
    );
  }
  const generated = 'dG9vLWxvbmctdG8tZ3Vlc3MtYnV0LXJhbmRvbS1lbm91Z2g';
  assert.equal(
    parseEnv(
      Optional,
      { NODE_ENV: 'production', DATABASE_URL: 'postgres://x', SERVICE_ROLE_KEY: generated },
      'test',
      rules,
    ).SERVICE_ROLE_KEY,
    generated,
  );
  // A schema error and a production problem are reported together.
  assert.throws(
    () => parseEnv(Schema, { NODE_ENV: 'production', PORT: 'x', SERVICE_ROLE_KEY: 'k'.repeat(32) }, 'test', rules),
    (err: unknown) => err instanceof EnvError && err.problems.length === 3,
  );
});

test('placeholderReason: generated secrets pass, examples and repeated characters do not', () => {
  for (let i = 0; i < 200; i++) {
    const generated = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64');
    assert.equal(placeholderReason(generated), undefined, generated);
  }
  assert.match(placeholderReason('a-secret-EXAMPLE-token-1234567890') ?? '', /example value \(contains "EXAMPLE"\)/);
  assert.match(placeholderReason('abababababababababababababababab') ?? '', /fewer than 10 distinct characters/);
});
