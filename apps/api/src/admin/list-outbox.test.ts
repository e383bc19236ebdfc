import assert from 'node:assert/strict';
import { test } from 'node:test';
import { repos } from '@neuronetiq/db';
import { createVendor, describeEachBackend } from '../test-helpers';

describeEachBackend('GET /api/admin/outbox', (ctx) => {
  test('the service key sees counts by status and the items, dead letters with their last error', async () => {
    const { db } = ctx().database;
    await repos.outbox.enqueue(db, { kind: 'signal', payload: { a: 1 }, idempotencyKey: 'k-pending' });
    await repos.outbox.enqueue(db, { kind: 'consensus', payload: { b: 2 }, idempotencyKey: 'k-dead' });
    const [dead] = await repos.outbox
      .list(db, { limit: 10 })
      .then((items) => items.filter((i) => i.idempotency_key === 'k-dead'));
    await repos.outbox.fail(db, dead?.id as number, { error: 'HTTP 409 SIGNAL_IMMUTABLE', retryInMs: 0, dead: true });
    const res = await ctx().asService({ method: 'GET', url: '/api/admin/outbox' });
    assert.equal(res.statusCode, 200);
    const data = res.json().data;
    assert.deepEqual(data.counts, { pending: 1, dead: 1 });
    const deadOnly = await ctx().asService({ method: 'GET', url: '/api/admin/outbox?status=dead' });
    assert.deepEqual(
      deadOnly
        .json()
        .data.items.map((i: { idempotency_key: string; last_error: string; attempts: number }) => [
          i.idempotency_key,
          i.last_error,
          i.attempts,
        ]),
      [['k-dead', 'HTTP 409 SIGNAL_IMMUTABLE', 1]],
    );
  });

  test('a vendor key is 403, nobody 401, a bad status 400 naming it', async () => {
    const v = await createVendor(ctx());
    assert.equal((await ctx().inject({ method: 'GET', url: '/api/admin/outbox', headers: v.auth })).statusCode, 403);
    assert.equal((await ctx().inject({ method: 'GET', url: '/api/admin/outbox' })).statusCode, 401);
    const bad = await ctx().asService({ method: 'GET', url: '/api/admin/outbox?status=lost' });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().details[0].path, 'status');
  });
});
