import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { createUser, createVendor, describeEachBackend, signal, uniqueSlug } from './test-helpers';

/** The value of one sample of the Prometheus text exposition (0 when absent). */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

describeEachBackend('api platform behaviour', (ctx) => {
  test('GET /health is live and /health/ready reports the database and migrations', async () => {
    assert.deepEqual((await ctx().inject({ method: 'GET', url: '/health' })).json(), { status: 'ok' });
    const ready = await ctx().inject({ method: 'GET', url: '/health/ready' });
    assert.equal(ready.statusCode, 200);
    assert.deepEqual(ready.json(), { status: 'ready', database: 'reachable', migrations: 'current' });
  });

  test('every response carries a request id, echoed from a well-formed X-Request-Id', async () => {
    const res = await ctx().inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'trace-abc-12345' } });
    assert.equal(res.headers['x-request-id'], 'trace-abc-12345');
    const err = await ctx().inject({ method: 'GET', url: '/nope', headers: { 'x-request-id': 'trace-def-12345' } });
    assert.equal(err.statusCode, 404);
    assert.equal(err.json().request_id, 'trace-def-12345');
    assert.equal(err.json().error, 'NOT_FOUND');
  });

  test('security headers are set and CORS allows only the web origin', async () => {
    const allowed = await ctx().inject({
      method: 'OPTIONS',
      url: '/api/signals/store',
      headers: { origin: 'http://localhost:3000', 'access-control-request-method': 'POST' },
    });
    assert.equal(allowed.headers['access-control-allow-origin'], 'http://localhost:3000');
    const denied = await ctx().inject({
      method: 'OPTIONS',
      url: '/api/signals/store',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    assert.equal(denied.headers['access-control-allow-origin'], undefined);
    const res = await ctx().inject({ method: 'GET', url: '/health' });
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.ok(res.headers['strict-transport-security']);
  });

  test('a body over the limit is 413 PAYLOAD_TOO_LARGE', async () => {
    const res = await ctx().asService({
      method: 'POST',
      url: '/api/signals/store',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ ...signal(), meta: { blob: 'x'.repeat(1_100_000) } }),
    });
    assert.equal(res.statusCode, 413);
    assert.equal(res.json().error, 'PAYLOAD_TOO_LARGE');
  });

  test('meta over 8 KiB is 400 naming meta', async () => {
    const res = await ctx().asService({
      method: 'POST',
      url: '/api/signals/store',
      payload: { ...signal(), meta: { blob: 'x'.repeat(9000) } },
    });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().details[0].path, 'meta');
  });

  test('invalid JSON is 400 VALIDATION_ERROR; another content type is 415', async () => {
    const bad = await ctx().asService({
      method: 'POST',
      url: '/api/signals/store',
      headers: { 'content-type': 'application/json' },
      payload: '{"owner": ',
    });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error, 'VALIDATION_ERROR');
    const text = await ctx().asService({
      method: 'POST',
      url: '/api/signals/store',
      headers: { 'content-type': 'text/plain' },
      payload: 'hello',
    });
    assert.equal(text.statusCode, 415);
    assert.equal(text.json().error, 'UNSUPPORTED_MEDIA_TYPE');
  });

  test('the metrics expose requests by route and status, latency, and validation failures by code', async () => {
    await ctx().asService({ method: 'POST', url: '/api/signals/store', payload: { ...signal(), confidence: 3 } });
    const res = { body: await ctx().app.apiMetrics.registry.metrics() };
    assert.match(res.body, /api_http_requests_total\{route="\/api\/signals\/store",method="POST",status="400"\} \d+/);
    assert.match(res.body, /api_http_request_duration_seconds_bucket/);
    assert.match(res.body, /api_errors_total\{code="VALIDATION_ERROR"\} \d+/);
  });

  test('the metrics count signals stored and validation failures by code, a refused batch once', async () => {
    const metrics = () => ctx().app.apiMetrics.registry.metrics();
    const stored = 'api_signals_written_total{kind="signal",outcome="stored"}';
    const invalid = 'api_validation_failures_total{code="VALIDATION_ERROR"}';
    const version = 'api_validation_failures_total{code="CONTRACT_VERSION_UNSUPPORTED"}';
    const before = await metrics();
    const owner = uniqueSlug('own');
    const good = [
      signal({ owner, model_id: 'm-1' }),
      signal({ owner, model_id: 'm-2' }),
      signal({ owner, model_id: 'm-3' }),
    ];
    const bad = [
      { ...signal({ owner }), confidence: 2 },
      { ...signal({ owner }), decision: 'HOLD' },
    ];
    const refused = await ctx().asService({
      method: 'POST',
      url: '/api/signals/batch',
      payload: { signals: [...good, ...bad] },
    });
    assert.equal(refused.statusCode, 400, 'a batch with bad items is refused as a whole');
    const batch = await ctx().asService({ method: 'POST', url: '/api/signals/batch', payload: { signals: good } });
    assert.equal(batch.statusCode, 200);
    await ctx().asService({ method: 'POST', url: '/api/signals/store', payload: signal({ owner, model_id: 'm-4' }) });
    await ctx().asService({ method: 'POST', url: '/api/signals/store', payload: { ...signal(), owner: 'BAD' } });
    await ctx().asService({
      method: 'GET',
      url: '/api/signals',
      headers: { 'x-contracts-version': '0.15.0' },
    });
    const after = await metrics();
    assert.equal(sample(after, stored) - sample(before, stored), 4, 'three batch items and one single store');
    assert.equal(sample(after, invalid) - sample(before, invalid), 2, 'the refused batch and one request');
    assert.equal(sample(after, version) - sample(before, version), 1);
    assert.match(after, /# TYPE api_http_request_duration_seconds histogram/);
    assert.match(after, /api_http_requests_total\{route="\/api\/signals\/batch",method="POST",status="200"\} [1-9]/);
  });

  test('OpenAPI 3.1 is served at /openapi.json with the contracts schemas, and the docs page at /docs', async () => {
    const doc = (await ctx().inject({ method: 'GET', url: '/openapi.json' })).json();
    assert.equal(doc.openapi, '3.1.0');
    assert.ok(doc.paths['/api/signals/store'].post);
    assert.deepEqual(doc.components.schemas.SignalPayload.properties.decision.enum, ['BUY', 'SELL', 'NEUTRAL']);
    const page = await ctx().inject({ method: 'GET', url: '/docs/' });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /swagger/i);
    // The page loads its scripts from this origin over plain http locally: nothing may force https or inline code.
    assert.doesNotMatch(String(page.headers['content-security-policy']), /upgrade-insecure-requests/);
    assert.doesNotMatch(page.body, /<script>(?!\s*<\/script>)/);
  });

  test('a database failure is a 500 without internals: no SQL, table or stack in the body', async () => {
    const owner = uniqueSlug('own');
    await ctx().database.db.query('ALTER TABLE ml.models RENAME TO models_moved');
    try {
      const res = await ctx().inject({ method: 'GET', url: `/api/models?owner=${owner}` });
      assert.equal(res.statusCode, 500);
      const body = res.json();
      assert.equal(body.error, 'INTERNAL_ERROR');
      assert.match(body.request_id, /.+/);
      assert.doesNotMatch(res.body, /models|relation|select|at /i);
    } finally {
      await ctx().database.db.query('ALTER TABLE ml.models_moved RENAME TO models');
    }
  });
  test('GET /metrics is not served by the public app, with or without credentials', async () => {
    for (const res of [
      await ctx().inject({ method: 'GET', url: '/metrics' }),
      await ctx().asService({ method: 'GET', url: '/metrics' }),
    ]) {
      assert.equal(res.statusCode, 404, res.body);
      assert.doesNotMatch(res.body, /api_http_requests_total/);
    }
  });

  test('every answer to a request with credentials carries Cache-Control: no-store, errors included', async () => {
    const user = await createUser(ctx(), { provider: 'github', login: uniqueSlug('cache') });
    for (const res of [
      await ctx().inject({ method: 'GET', url: '/api/me', headers: user.auth }),
      await ctx().inject({ method: 'GET', url: '/api/models', headers: user.auth }),
      await ctx().asService({ method: 'GET', url: '/api/admin/outbox' }),
      await ctx().inject({ method: 'GET', url: '/api/me', headers: { authorization: 'Bearer nonsense' } }),
      await ctx().inject({ method: 'GET', url: '/api/signals?confidence=x', headers: user.auth }),
    ]) {
      assert.equal(res.headers['cache-control'], 'no-store', `${res.statusCode} ${res.body}`);
    }
    const anonymous = await ctx().inject({ method: 'GET', url: '/api/models' });
    assert.notEqual(anonymous.headers['cache-control'], 'no-store');
  });
});

describeEachBackend(
  'rate limiting',
  (ctx) => {
    test('past the per-key limit: 429 RATE_LIMITED with Retry-After; the service key is not limited', async () => {
      const statuses: number[] = [];
      let last: LightMyRequestResponse | undefined;
      for (let i = 0; i < 4; i++) {
        last = await ctx().inject({ method: 'GET', url: '/api/models', remoteAddress: '10.9.9.9' });
        statuses.push(last.statusCode);
      }
      assert.deepEqual(statuses, [200, 200, 200, 429]);
      assert.equal(last?.json().error, 'RATE_LIMITED');
      assert.ok(Number(last?.headers['retry-after']) > 0);
      for (let i = 0; i < 5; i++) {
        assert.equal((await ctx().asService({ method: 'GET', url: '/api/models' })).statusCode, 200);
      }
    });

    test('each vendor key has its own budget: one key at its limit does not throttle another', async () => {
      const [a, b] = [await createVendor(ctx()), await createVendor(ctx())];
      const statuses = async (auth: { authorization: string }, n: number) => {
        const out: number[] = [];
        for (let i = 0; i < n; i++) {
          out.push((await ctx().inject({ method: 'GET', url: '/api/me', headers: auth })).statusCode);
        }
        return out;
      };
      assert.deepEqual(await statuses(a.auth, 4), [200, 200, 200, 429]);
      assert.deepEqual(await statuses(b.auth, 1), [200]);
    });
  },
  { rateLimitPerMinute: 3 },
);
