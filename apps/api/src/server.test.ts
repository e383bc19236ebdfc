import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadMigrations } from '@neuronetiq/db';
import { createTestDatabase, testBackends } from '@neuronetiq/db/testing';
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
