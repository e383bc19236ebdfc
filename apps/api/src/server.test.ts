import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadMigrations } from '@neuronetiq/db';
import { API_LOGIN_ROLE, createTestDatabase, testBackends } from '@neuronetiq/db/testing';
import { parseEnv } from './env';
import { startApiServer } from './server';
import { SERVICE_KEY } from './test-helpers';

const env = (extra: Record<string, string> = {}) =>
  parseEnv({ PORT: '0', HOST: '127.0.0.1', SERVICE_ROLE_KEY: SERVICE_KEY, LOG_LEVEL: 'silent', ...extra });

for (const backend of testBackends()) {
  describe(`api start-up [${backend}]`, () => {
    test('applies pending migrations before it listens, unless MIGRATE_ON_START=false', async () => {
      const database = await createTestDatabase(backend, { migrate: false });
      try {
        const idle = await startApiServer(env({ MIGRATE_ON_START: 'false' }), { db: database.db });
        try {
          const ready = await fetch(`${idle.url}/health/ready`);
          assert.equal(ready.status, 503);
          assert.equal(((await ready.json()) as { pending: string[] }).pending.length, loadMigrations().length);
        } finally {
          await idle.stop();
        }
        const server = await startApiServer(env({ METRICS_PORT: '0', METRICS_HOST: '127.0.0.1' }), {
          db: database.db,
        });
        try {
          const ready = await fetch(`${server.url}/health/ready`);
          assert.equal(ready.status, 200);
          assert.deepEqual(await ready.json(), { status: 'ready', database: 'reachable', migrations: 'current' });
          // The metrics have their own port; the api's port does not serve them.
          assert.ok(server.metricsUrl);
          const metrics = await fetch(server.metricsUrl);
          assert.equal(metrics.status, 200);
          assert.match(await metrics.text(), /api_http_requests_total\{route="\/health\/ready"/);
          assert.equal((await fetch(`${server.url}/metrics`)).status, 404);
        } finally {
          await server.stop();
        }
      } finally {
        await database.close();
      }
    });
  });
}

describe('api start-up as the login role nq_api [postgres]', () => {
  test('migrates over DATABASE_MIGRATION_URL as the owner and serves as nq_api; without it, says what to set', {
    skip: process.env.DATABASE_URL ? false : 'PGlite has one user, a superuser: no login role (needs DATABASE_URL)',
  }, async () => {
    const database = await createTestDatabase('postgres', { migrate: false });
    const login = new URL(database.url);
    login.username = API_LOGIN_ROLE;
    login.password = process.env.NQ_API_PASSWORD ?? '';
    try {
      const server = await startApiServer(
        env({ DATABASE_URL: login.toString(), DATABASE_MIGRATION_URL: database.url }),
      );
      try {
        const ready = await fetch(`${server.url}/health/ready`);
        assert.deepEqual(await ready.json(), { status: 'ready', database: 'reachable', migrations: 'current' });
        const models = await fetch(`${server.url}/api/models?owner=nobody`, {
          headers: { authorization: `Bearer ${SERVICE_KEY}` },
        });
        assert.equal(models.status, 200);
        const [who] = await database.db.query<{ u: string }>(
          `SELECT usename AS u FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'api'`,
        );
        assert.equal(who?.u, API_LOGIN_ROLE);
      } finally {
        await server.stop();
      }
      await assert.rejects(startApiServer(env({ DATABASE_URL: login.toString() })), (err: Error) => {
        assert.match(
          err.message,
          /DATABASE_URL's role may not apply migrations.*DATABASE_MIGRATION_URL.*MIGRATE_ON_START=false/,
        );
        return true;
      });
    } finally {
      await database.close();
    }
  });
});
