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
  ImportCsvResponseSchema,
  ImportReportSchema,
  MeSchema,
  ModelSchema,
  OhlcvSeriesResponseSchema,
  OhlcvSeriesSchema,
  OhlcvUpsertResponseSchema,
  OutboxItemSchema,
  OutboxListingSchema,
  StoredBarSchema,
  StoredConsensusSchema,
  StoredSignalSchema,
} from '@neuronetiq/contracts';
import { repos } from '@neuronetiq/db';
import type { LightMyRequestResponse } from 'fastify';
import { z } from 'zod';
import { createUser, createVendor, describeEachBackend, registerModels, signal, uniqueSlug } from './test-helpers';

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

/**
 * `schema` with every object made strict at any depth: an extra field anywhere fails the parse, as a missing one
 * always does. Throws on a kind of schema it has no rule for, so a new kind cannot slip through unchecked.
 */
function strictly(schema: z.ZodType): z.ZodType {
  const def = schema.def as { type: string };
  switch (def.type) {
    case 'object': {
      const shape = (schema as z.ZodObject).shape;
      return z.strictObject(Object.fromEntries(Object.entries(shape).map(([k, v]) => [k, strictly(v as z.ZodType)])));
    }
    case 'array':
      return z.array(strictly((schema as z.ZodArray<z.ZodType>).element));
    case 'nullable':
      return strictly((schema as z.ZodNullable<z.ZodType>).unwrap()).nullable();
    case 'record': {
      // A clone keeps the record's kind (z.partialRecord allows absent keys; z.record does not).
      const r = schema as z.ZodRecord;
      return r.clone({ ...r.def, valueType: strictly(r.valueType as z.ZodType) } as typeof r.def);
    }
    case 'string':
    case 'number':
    case 'boolean':
    case 'enum':
    case 'literal':
    case 'unknown':
      return schema;
    default:
      throw new Error(`strictly: no rule for a ${def.type} schema`);
  }
}

/** Parses the whole body with `strictly(schema)`: every field at every depth is in the schema, and vice versa. */
function conformsStrictly(res: LightMyRequestResponse, status: number, schema: z.ZodType) {
  assert.equal(res.statusCode, status, res.body);
  const parsed = strictly(schema).safeParse(res.json());
  assert.ok(parsed.success, `${res.body}\n${parsed.error?.message}`);
}

/** The same body with one nested field added and, separately, one removed: both must fail the strict parse. */
function assertStrictCatches(schema: z.ZodType, body: unknown, path: string[]) {
  const copy = () => structuredClone(body) as Record<string, unknown>;
  const at = (o: Record<string, unknown>) =>
    path.slice(0, -1).reduce((x, k) => x[k] as Record<string, unknown>, o) as Record<string, unknown>;
  const last = path.at(-1) as string;
  const extra = copy();
  at(extra).unexpected = 1;
  assert.equal(strictly(schema).safeParse(extra).success, false, `an extra field beside ${path.join('.')} passed`);
  const missing = copy();
  assert.ok(last in at(missing), `${path.join('.')} is not in the body`);
  delete at(missing)[last];
  assert.equal(strictly(schema).safeParse(missing).success, false, `a body without ${path.join('.')} passed`);
}

describeEachBackend('success bodies match @neuronetiq/contracts', (ctx) => {
  test('market data: GET bars and the POST report', async () => {
    const symbol = `C${randomBytes(4).toString('hex').toUpperCase()}`;
    const bars = [
      { symbol, timeframe: '5m', bar_ts: '2026-01-05T10:00:00Z', open: 1.1, high: 1.2, low: 1, close: 1.15, volume: 3 },
      { symbol, timeframe: '5m', bar_ts: '2026-01-05T10:05:00Z', open: 1.1, high: 1.2, low: 1, close: 1.15 },
    ];
    const post = await ctx().asService({ method: 'POST', url: '/api/marketdata/ohlcv', payload: { bars } });
    conforms(post, 200, OhlcvUpsertResponseSchema);
    assert.equal(post.json().rejected.length, 0);
    const get = await ctx().asService({ method: 'GET', url: `/api/marketdata/ohlcv?symbol=${symbol}&tf=5m` });
    conforms(get, 200, dataResponse(z.array(StoredBarSchema)), StoredBarSchema);
    assert.deepEqual(
      get.json().data.map((b: { volume: number | null }) => b.volume),
      [null, 3],
    );
  });

  test('signals and consensus: batch answers and reads', async () => {
    const owner = await registerModels(ctx(), uniqueSlug('own'), ['test-model']);
    const batch = await ctx().asService({
      method: 'POST',
      url: '/api/signals/batch',
      payload: { signals: [signal({ owner }), { ...signal({ owner, model_id: 'm-2' }), confidence: 0.2 }] },
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

  test('market data: the CSV import report, with rejects, notices, gaps and warnings, and one that stored nothing', async () => {
    const symbol = `I${randomBytes(4).toString('hex').toUpperCase()}`;
    const csv = [
      'timestamp,open,high,low,close,volume',
      '2026-01-05T09:00:00Z,1.1,1.2,1.0,1.15,3',
      '2026-01-05T09:00:00Z,1.1,1.2,1.0,1.15,3', // identical: a duplicate
      '2026-01-05T09:01:00Z,1.1,1.0,1.2,1.15,3', // high below low
      '2026-01-05T09:05:00Z,1.1,1.2,1.0,1.15,0', // zero volume, after a gap of 4 bars
      '2026-01-05T09:03:00Z,1.1,1.2,1.0,1.15,2', // earlier than the row before: out of order
    ].join('\n');
    const res = await ctx().asService({
      method: 'POST',
      url: `/api/marketdata/import?symbol=${symbol}&tf=1m&tz=Europe/Zurich`,
      headers: { 'content-type': 'text/csv' },
      payload: csv,
    });
    conformsStrictly(res, 200, ImportCsvResponseSchema);
    const body = res.json();
    const report = body.data;
    assert.equal(body.success, false);
    assert.deepEqual(Object.keys(report.rejected.byReason), ['high_below_low']);
    assert.deepEqual(Object.keys(report.notices).sort(), ['zero_volume']);
    assert.deepEqual(report.outOfOrder, { count: 1, lines: [6], backwardSteps: 1 });
    assert.equal(report.duplicates.count, 1);
    assert.ok(report.gaps.largest, res.body);
    assert.equal(report.warnings.length, 1, res.body);
    assertStrictCatches(ImportCsvResponseSchema, body, ['data', 'gaps', 'largest', 'missingBars']);
    assertStrictCatches(ImportCsvResponseSchema, body, ['data', 'rejected', 'byReason', 'high_below_low', 'lines']);
    assertStrictCatches(ImportCsvResponseSchema, body, ['data', 'durationMs']);
    const none = await ctx().asService({
      method: 'POST',
      url: `/api/marketdata/import?symbol=${symbol}&tf=1m&format=generic`,
      headers: { 'content-type': 'text/csv' },
      payload: 'timestamp,open,high,low,close\n2026-01-05T09:00:30Z,1.1,1.2,1.0,1.15\n',
    });
    conformsStrictly(none, 200, ImportCsvResponseSchema);
    assert.equal(none.json().data.range.first, null);
  });

  test('market data: many series in one query, one of them empty', async () => {
    const a = `Q${randomBytes(4).toString('hex').toUpperCase()}`;
    const b = `Q${randomBytes(4).toString('hex').toUpperCase()}`;
    const bars = [
      {
        symbol: a,
        timeframe: '1h',
        bar_ts: '2026-01-05T10:00:00Z',
        open: 1.1,
        high: 1.2,
        low: 1,
        close: 1.15,
        volume: 3,
      },
      { symbol: a, timeframe: '1h', bar_ts: '2026-01-05T11:00:00Z', open: 1.1, high: 1.2, low: 1, close: 1.15 },
      { symbol: b, timeframe: '1h', bar_ts: '2026-01-05T10:00:00Z', open: 2.1, high: 2.2, low: 2, close: 2.15 },
    ];
    assert.equal(
      (await ctx().asService({ method: 'POST', url: '/api/marketdata/ohlcv', payload: { bars } })).statusCode,
      200,
    );
    const res = await ctx().asService({
      method: 'POST',
      url: '/api/marketdata/ohlcv/query',
      payload: {
        series: [
          { symbol: a, tf: '1h' },
          { symbol: a, tf: '4h' },
          { symbol: b, tf: '1h' },
        ],
        limit: 10,
      },
    });
    conformsStrictly(res, 200, OhlcvSeriesResponseSchema);
    const data = res.json().data as { symbol: string; tf: string; bars: { volume: number | null }[] }[];
    assert.deepEqual(
      data.map((s) => [s.symbol, s.tf, s.bars.map((x) => x.volume)]),
      [
        [a, '1h', [null, 3]],
        [a, '4h', []],
        [b, '1h', [null]],
      ],
    );
    assertStrictCatches(OhlcvSeriesResponseSchema, res.json(), ['data', '0', 'bars', '0', 'volume']);
    assertStrictCatches(OhlcvSeriesResponseSchema, res.json(), ['data', '2', 'tf']);
  });

  test('admin: the outbox listing, a pending item and a dead letter', async () => {
    const { db } = ctx().database;
    const key = uniqueSlug('ob');
    await repos.outbox.enqueue(db, {
      kind: 'signal',
      payload: signal(),
      idempotencyKey: `${key}-p`,
      error: 'HTTP 503',
    });
    await repos.outbox.enqueue(db, {
      kind: 'consensus',
      payload: { any: ['json'] },
      idempotencyKey: `${key}-d`,
    });
    const [dead] = (await repos.outbox.list(db, { limit: 1000 })).filter((i) => i.idempotency_key === `${key}-d`);
    await repos.outbox.fail(db, dead?.id as number, {
      error: 'HTTP 409 SIGNAL_IMMUTABLE',
      retryInMs: 0,
      dead: true,
    });
    const res = await ctx().asService({ method: 'GET', url: '/api/admin/outbox' });
    conformsStrictly(res, 200, dataResponse(OutboxListingSchema));
    const data = res.json().data;
    assert.deepEqual(
      data.items.map((i: { status: string; last_error: string | null }) => [i.status, i.last_error]),
      [
        ['pending', 'HTTP 503'],
        ['dead', 'HTTP 409 SIGNAL_IMMUTABLE'],
      ],
    );
    assertStrictCatches(dataResponse(OutboxListingSchema), res.json(), ['data', 'items', '1', 'payload']);
    assertStrictCatches(dataResponse(OutboxListingSchema), res.json(), ['data', 'counts', 'dead']);
    const empty = await ctx().asService({ method: 'GET', url: '/api/admin/outbox?status=pending&limit=1' });
    conformsStrictly(empty, 200, dataResponse(OutboxListingSchema));
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
    const keys = (o: { properties: Record<string, unknown> }) => Object.keys(o.properties).sort();
    const importBody = body('/api/marketdata/import', 'post', '200');
    assert.deepEqual(keys(importBody), ['data', 'success']);
    assert.deepEqual(keys(importBody.properties.data), Object.keys(ImportReportSchema.shape).sort());
    assert.deepEqual(
      keys(body('/api/marketdata/ohlcv/query', 'post', '200').properties.data.items),
      Object.keys(OhlcvSeriesSchema.shape).sort(),
    );
    assert.deepEqual(
      keys(body('/api/admin/outbox', 'get', '200').properties.data.properties.items.items),
      Object.keys(OutboxItemSchema.shape).sort(),
    );
  });
});
