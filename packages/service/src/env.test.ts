import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import { EnvError, embeddedDataDir, parseEnv, ServiceRoleKeySchema } from './env';

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
