// Every success body the api sends matches its schema in @neuronetiq/contracts, field for field: clients parse with
// those schemas, and the OpenAPI document is generated from them.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import {
  ApiKeySchema,
  BatchWriteResponseSchema,
  CreatedApiKeySchema,
  dataResponse,
  MeSchema,
  ModelSchema,
  OhlcvUpsertResponseSchema,
  StoredBarSchema,
  StoredConsensusSchema,
  StoredSignalSchema,
} from '@neuronetiq/contracts';
import type { LightMyRequestResponse } from 'fastify';
import { z } from 'zod';
import { createUser, createVendor, describeEachBackend, signal, uniqueSlug } from './test-helpers';

/** Parses the body with `schema` and checks that each record carries exactly the schema's fields (no extra ones). */
function conforms(res: LightMyRequestResponse, status: number, schema: z.ZodType, record?: z.ZodObject) {
  assert.equal(res.statusCode, status, res.body);
  const body = res.json();
  const parsed = schema.safeParse(body);
  assert.ok(parsed.success, `${res.body}\n${parsed.error?.message}`);
  if (record) {
    const data = body.data as unknown;
    const rows = (Array.isArray(data) ? data : [data]) as Record<string, unknown>[];
    assert.ok(rows.length > 0, 'nothing to check');
    for (const row of rows) assert.deepEqual(Object.keys(row).sort(), Object.keys(record.shape).sort());
  }
}

describeEachBackend('success bodies match @neuronetiq/contracts', (ctx) => {
  test('market data: GET bars and the POST report', async () => {
    const symbol = `C${randomBytes(4).toString('hex').toUpperCase()}`;
    const bars = [
      { symbol, timeframe: '5m', bar_ts: '2026-01-05T10:00:00Z', open: 1.1, high: 1.2, low: 1, close: 1.15, volume: 3 },
      { symbol, timeframe: '5m', bar_ts: '2026-01-05T10:05:00Z', open: 1.1, high: 1.2, low: 1, close: 1.15 },
      { symbol, timeframe: '5m', bar_ts: '2026-01-05T10:07:00Z', open: 1.1, high: 1.2, low: 1, close: 1.15 },
    ];
    const post = await ctx().asService({ method: 'POST', url: '/api/marketdata/ohlcv', payload: { bars } });
    conforms(post, 200, OhlcvUpsertResponseSchema);
    assert.equal(post.json().rejected.length, 1);
    const get = await ctx().asService({ method: 'GET', url: `/api/marketdata/ohlcv?symbol=${symbol}&tf=5m` });
    conforms(get, 200, dataResponse(z.array(StoredBarSchema)), StoredBarSchema);
    assert.deepEqual(
      get.json().data.map((b: { volume: number | null }) => b.volume),
      [null, 3],
    );
  });

  test('signals and consensus: batch answers and reads', async () => {
    const owner = uniqueSlug('own');
    const batch = await ctx().asService({
      method: 'POST',
      url: '/api/signals/batch',
      payload: { signals: [signal({ owner }), { ...signal({ owner, model_id: 'm-2' }), confidence: 2 }] },
    });
    conforms(batch, 200, BatchWriteResponseSchema);
    const signals = await ctx().asService({ method: 'GET', url: `/api/signals?owner=${owner}` });
    conforms(signals, 200, dataResponse(z.array(StoredSignalSchema)), StoredSignalSchema);
    const row = {
      owner,
      symbol: 'EURUSD',
      timeframe: '1m',
      bar_ts: '2026-01-05T12:00:00Z',
      decision: 'SELL',
      confidence: 0.4,
      contributors: [{ model_id: 'test-model', decision: 'SELL', confidence: 0.4, weight: 1 }],
    };
    const cBatch = await ctx().asService({
      method: 'POST',
      url: '/api/consensus/batch',
      payload: { consensus: [row] },
    });
    conforms(cBatch, 200, BatchWriteResponseSchema);
    const consensus = await ctx().asService({ method: 'GET', url: `/api/consensus?owner=${owner}` });
    conforms(consensus, 200, dataResponse(z.array(StoredConsensusSchema)), StoredConsensusSchema);
  });

  test('models, keys and /api/me for each kind of principal', async () => {
    const user = await createUser(ctx(), { provider: 'github', login: uniqueSlug('gh') });
    const model = await ctx().inject({
      method: 'POST',
      url: '/api/models',
      headers: user.auth,
      payload: { model_id: 'shape-001', name: 'Shape' },
    });
    conforms(model, 201, dataResponse(ModelSchema), ModelSchema);
    const models = await ctx().inject({ method: 'GET', url: '/api/models', headers: user.auth });
    conforms(models, 200, dataResponse(z.array(ModelSchema)), ModelSchema);
    const created = await ctx().inject({
      method: 'POST',
      url: '/api/keys',
      headers: user.auth,
      payload: { name: 'k' },
    });
    conforms(created, 201, dataResponse(CreatedApiKeySchema), CreatedApiKeySchema);
    const keys = await ctx().inject({ method: 'GET', url: '/api/keys', headers: user.auth });
    conforms(keys, 200, dataResponse(z.array(ApiKeySchema)), ApiKeySchema);
    const v = await createVendor(ctx());
    const service = ctx().asService({ method: 'GET', url: '/api/me' });
    for (const me of [
      ctx().inject({ method: 'GET', url: '/api/me', headers: user.auth }),
      ctx().inject({ method: 'GET', url: '/api/me', headers: v.auth }),
      service,
    ]) {
      conforms(await me, 200, dataResponse(MeSchema));
    }
    const revoked = await ctx().inject({
      method: 'DELETE',
      url: `/api/keys/${created.json().data.id}`,
      headers: user.auth,
    });
    conforms(revoked, 200, dataResponse(ApiKeySchema), ApiKeySchema);
  });

  test('the OpenAPI document describes these bodies with the same schemas', async () => {
    const doc = (await ctx().inject({ method: 'GET', url: '/openapi.json' })).json();
    const body = (path: string, method: string, status: string) =>
      doc.paths[path][method].responses[status].content['application/json'].schema;
    assert.deepEqual(Object.keys(body('/api/signals/batch', 'post', '200').properties).sort(), [
      'rejected',
      'results',
      'stored',
      'success',
      'unchanged',
    ]);
    assert.deepEqual(body('/api/signals', 'get', '200').properties.data.items.properties.late, { type: 'boolean' });
    assert.ok(body('/api/keys', 'post', '201').properties.data.properties.key);
  });
});
