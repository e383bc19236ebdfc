import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { createDb } from '@neuronetiq/db';
import { createTestDatabase, type TestDatabase, testBackends } from '@neuronetiq/db/testing';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app';
import { apiLoggerOptions } from './http/logger';
import { SERVICE_KEY, signal } from './test-helpers';

for (const backend of testBackends()) {
  describe(`logs and readiness [${backend}]`, () => {
    let database: TestDatabase;
    let app: FastifyInstance;
    const lines: string[] = [];

    before(async () => {
      database = await createTestDatabase(backend);
      const stream = new Writable({
        write(chunk, _enc, done) {
          lines.push(...chunk.toString().split('\n').filter(Boolean));
          done();
        },
      });
      app = await buildApp({
        db: database.db,
        serviceRoleKey: SERVICE_KEY,
        logger: apiLoggerOptions('info', stream),
      });
    });
    after(async () => {
      await app.close();
      await database.close();
    });

    test('logs are JSON lines with the request id; no credential ever reaches them', async () => {
      const key = (
        await app.inject({
          method: 'POST',
          url: '/api/keys',
          headers: { authorization: `Bearer ${SERVICE_KEY}` },
          payload: { owner: 'logger-owner', name: 'k' },
        })
      ).json().data.key as string;
      await app.inject({
        method: 'POST',
        url: '/api/signals/store',
        headers: { authorization: `Bearer ${key}`, 'x-request-id': 'req-log-check-1' },
        payload: signal({ owner: 'logger-owner', model_id: 'unregistered' }),
      });
      await app.inject({ method: 'GET', url: '/api/me', headers: { authorization: `Bearer ${SERVICE_KEY}` } });
      await app.inject({
        method: 'GET',
        url: '/api/me',
        headers: { authorization: 'Bearer mp_wrongwrongwr_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' },
      });
      const text = lines.join('\n');
      assert.ok(lines.length > 0);
      for (const l of lines) JSON.parse(l);
      assert.ok(lines.some((l) => JSON.parse(l).reqId === 'req-log-check-1'));
      assert.ok(!text.includes(SERVICE_KEY), 'the service key is in the logs');
      assert.ok(!text.includes(key), 'a vendor key is in the logs');
      // mp_<12-char prefix>_<secret>: the secret is base64url, so it may itself contain '_'.
      const secretPart = key.slice('mp_'.length + 12 + 1);
      assert.equal(secretPart.length, 43);
      assert.ok(!text.includes(secretPart), 'a key secret is in the logs');
    });

    test('readiness is 503 when migrations are pending, with the pending versions', async () => {
      await database.db.query(`DELETE FROM supabase_migrations.schema_migrations WHERE version = '20261125000200'`);
      try {
        const res = await app.inject({ method: 'GET', url: '/health/ready' });
        assert.equal(res.statusCode, 503);
        assert.deepEqual(res.json(), { status: 'migrations pending', pending: ['20261125000200'] });
      } finally {
        await database.db.query(
          `INSERT INTO supabase_migrations.schema_migrations (version, name) VALUES ('20261125000200', 'marketplace_api')`,
        );
      }
    });
  });
}

describe('when the database is unreachable', () => {
  test('liveness stays 200, readiness is 503, and a data request is 503 SERVICE_UNAVAILABLE with Retry-After', async () => {
    const db = createDb('postgres://postgres@127.0.0.1:1/none', { max: 1 });
    const app = await buildApp({ db, serviceRoleKey: SERVICE_KEY });
    try {
      assert.equal((await app.inject({ method: 'GET', url: '/health' })).statusCode, 200);
      const ready = await app.inject({ method: 'GET', url: '/health/ready' });
      assert.equal(ready.statusCode, 503);
      assert.deepEqual(ready.json(), { status: 'database unreachable' });
      const res = await app.inject({
        method: 'GET',
        url: '/api/signals',
        headers: { authorization: `Bearer ${SERVICE_KEY}` },
      });
      assert.equal(res.statusCode, 503);
      assert.equal(res.json().error, 'SERVICE_UNAVAILABLE');
      assert.equal(res.headers['retry-after'], '5');
      assert.doesNotMatch(res.body, /ECONNREFUSED|127\.0\.0\.1/);
    } finally {
      await app.close();
      await db.end();
    }
  });
});
